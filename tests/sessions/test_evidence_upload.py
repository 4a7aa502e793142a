"""The scanned, signed sign-in sheets kept as evidence for each day (`evidence_upload`,
`evidence_delete`): real PDF, PNG and JPEG files, checked by their content, stored privately
under a random name; anything refused leaves neither a row nor a file behind."""

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from wagtail.models import ModelLogEntry

from sessions.models import AttendanceEvidence, Enrolment, TrainingSession
from sessions.selectors import attendance_reconciliation
from sessions.services import attendance_mark, evidence_delete, evidence_upload
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

STORAGE = AttendanceEvidence._meta.get_field("file").storage


# --- real files ------------------------------------------------------------------------------


def pdf_bytes(text="Lista de prezență, ziua 1") -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.drawString(72, 760, text)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def image_bytes(kind: str, size=(320, 240)) -> bytes:
    """A small scan-like image of random grey noise (each call a different file)."""
    image = Image.effect_noise(size, 40).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> set[str]:
    """Every file under the private evidence folder."""
    root = Path(STORAGE.location)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def day():
    return make_session(start_in=-3, day_count=2).days.order_by("starts_at").first()


def send(day, file, user):
    return evidence_upload(day=day, upload=file, acting_user=user)


# --- accepted --------------------------------------------------------------------------------


def test_the_private_folder_is_outside_the_public_media():
    location = Path(STORAGE.location).resolve()
    assert location == Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    assert Path(settings.MEDIA_ROOT).resolve() not in (location, *location.parents)


@pytest.mark.parametrize(
    ("name", "kind", "content_type"),
    [
        ("Lista semnata Popescu Ana.pdf", "pdf", AttendanceEvidence.Kind.PDF),
        ("scan 12.PNG", "PNG", AttendanceEvidence.Kind.PNG),
        ("foto-lista.jpg", "JPEG", AttendanceEvidence.Kind.JPEG),
        ("foto-lista.jpeg", "JPEG", AttendanceEvidence.Kind.JPEG),
    ],
)
def test_a_scanned_sheet_is_kept_privately_under_a_random_name(
    staff_user, day, name, kind, content_type
):
    content = pdf_bytes() if kind == "pdf" else image_bytes(kind)
    before = stored_files()
    evidence = send(day, upload(name, content), staff_user)

    saved = AttendanceEvidence.objects.get()
    assert saved == evidence
    assert (saved.day, saved.original_name, saved.content_type, saved.size) == (
        day,
        name,
        content_type,
        len(content),
    )
    assert saved.sha256 == hashlib.sha256(content).hexdigest()
    assert saved.uploaded_by == staff_user
    # On disk: the exact bytes, in the private folder, under a name that says nothing.
    (new,) = stored_files() - before
    assert new == saved.file.name
    basename = os.path.basename(new)
    assert re.fullmatch(r"[0-9a-f]{32}\.(pdf|png|jpg)", basename)
    assert "Popescu" not in new and "lista" not in new.lower()
    assert Path(STORAGE.path(saved.file.name)).read_bytes() == content
    entry = ModelLogEntry.objects.get(action="formativ.attendance.evidence")
    assert (entry.user, entry.data["sha256"]) == (staff_user, saved.sha256)


def test_two_uploads_of_the_same_name_get_two_files(staff_user, day):
    first = send(day, upload("lista.pdf", pdf_bytes("pagina 1")), staff_user)
    second = send(day, upload("lista.pdf", pdf_bytes("pagina 2")), staff_user)
    assert first.file.name != second.file.name
    assert first.original_name == second.original_name == "lista.pdf"


def test_the_same_file_may_serve_another_day(staff_user, day):
    content = pdf_bytes()
    send(day, upload("lista.pdf", content), staff_user)
    other_day = day.training_session.days.order_by("starts_at").last()
    send(other_day, upload("lista.pdf", content), staff_user)
    assert AttendanceEvidence.objects.count() == 2


def test_a_trainer_uploads_for_their_own_session_only(day):
    user = UserFactory()
    trainer = TrainerFactory(user=user)
    TrainingSession.trainers.through.objects.create(
        trainingsession=day.training_session, trainer=trainer
    )
    send(day, upload("lista.pdf", pdf_bytes()), user)
    other_day = make_session(start_in=-3, day_count=1).days.get()
    before = stored_files()
    with pytest.raises(PermissionDenied):
        send(other_day, upload("lista.pdf", pdf_bytes("alta")), user)
    assert AttendanceEvidence.objects.count() == 1
    assert stored_files() == before


# --- refused: nothing recorded, nothing left on disk -----------------------------------------


def _mz_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _half(content: bytes) -> bytes:
    return content[: len(content) // 2]


def _png_as_pdf() -> tuple[str, bytes]:
    return "lista.pdf", image_bytes("PNG")


REFUSED = {
    "an .exe renamed .pdf": lambda: ("lista.pdf", _mz_executable()),
    "an .exe renamed .png": lambda: ("lista.png", _mz_executable()),
    "a PNG named .pdf": _png_as_pdf,
    "a PDF named .jpg": lambda: ("lista.jpg", pdf_bytes()),
    "a PDF without an extension": lambda: ("lista", pdf_bytes()),
    "a truncated PNG": lambda: ("lista.png", image_bytes("PNG")[:-200]),
    "a PNG cut in half": lambda: ("lista.png", _half(image_bytes("PNG"))),
    "a PDF without %%EOF": lambda: ("lista.pdf", pdf_bytes().replace(b"%%EOF", b"")),
    "a PDF cut in half": lambda: ("lista.pdf", _half(pdf_bytes())),
    "a JPEG header only": lambda: ("lista.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50),
    "an HTML page named .pdf": lambda: ("lista.pdf", b"<html><script>alert(1)</script></html>"),
    "an empty file": lambda: ("lista.pdf", b""),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_stays(staff_user, day, case):
    name, content = REFUSED[case]()
    before = stored_files()
    with pytest.raises(ValidationError) as excinfo:
        send(day, upload(name, content), staff_user)
    assert excinfo.value.messages  # a clear sentence for the person uploading
    assert not AttendanceEvidence.objects.exists()
    assert stored_files() == before
    assert not ModelLogEntry.objects.filter(action="formativ.attendance.evidence").exists()


def test_a_jpeg_cut_off_in_its_image_data_is_refused(staff_user, day):
    content = image_bytes("JPEG", size=(600, 400))
    before = stored_files()
    with pytest.raises(ValidationError):
        send(day, upload("lista.jpg", content[: len(content) * 2 // 3]), staff_user)
    assert not AttendanceEvidence.objects.exists()
    assert stored_files() == before


def test_a_file_over_the_limit_is_refused(staff_user, day, settings):
    content = pdf_bytes()
    settings.ATTENDANCE_EVIDENCE_MAX_BYTES = len(content) - 1
    before = stored_files()
    with pytest.raises(ValidationError):
        send(day, upload("lista.pdf", content), staff_user)
    assert not AttendanceEvidence.objects.exists()
    assert stored_files() == before
    settings.ATTENDANCE_EVIDENCE_MAX_BYTES = len(content)  # exactly the limit passes
    send(day, upload("lista.pdf", content), staff_user)
    assert AttendanceEvidence.objects.count() == 1


def test_a_200_mb_upload_is_refused_with_the_limit_in_megabytes(staff_user, day, tmp_path):
    """A real 200 MB file on disk (sparse: it costs no space), as Django keeps big uploads."""
    path = tmp_path / "upload.pdf"
    with open(path, "wb") as file:
        file.write(pdf_bytes())
        file.truncate(200 * 1024 * 1024)
    before = stored_files()
    with open(path, "rb") as file:
        big = UploadedFile(file, name="lista.pdf", size=os.path.getsize(path))
        with pytest.raises(ValidationError) as excinfo:
            send(day, big, staff_user)
    assert "20 MB" in " ".join(excinfo.value.messages)
    assert not AttendanceEvidence.objects.exists()
    assert stored_files() == before


def test_the_same_file_twice_for_a_day_is_refused(staff_user, day):
    content = image_bytes("PNG")
    send(day, upload("lista.png", content), staff_user)
    before = stored_files()
    with pytest.raises(ValidationError):
        send(day, upload("alt nume.png", content), staff_user)
    assert AttendanceEvidence.objects.count() == 1
    assert stored_files() == before


# --- removing --------------------------------------------------------------------------------


def test_deleting_removes_the_row_then_the_file_once_committed(
    staff_user, day, django_capture_on_commit_callbacks
):
    evidence = send(day, upload("lista.pdf", pdf_bytes()), staff_user)
    path = Path(STORAGE.path(evidence.file.name))
    sha256 = evidence.sha256
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence_delete(evidence=evidence, acting_user=staff_user)
    assert not AttendanceEvidence.objects.exists()
    assert path.exists()  # not before the deletion is committed
    for callback in callbacks:
        callback()
    assert not path.exists()
    removal = ModelLogEntry.objects.filter(action="formativ.attendance.evidence").latest("pk")
    assert (removal.user, removal.data["uploaded"], removal.data["sha256"]) == (
        staff_user,
        False,
        sha256,
    )


def test_the_same_file_may_be_uploaded_again_after_deletion(staff_user, day, commit):
    content = pdf_bytes()
    evidence = send(day, upload("lista.pdf", content), staff_user)
    commit(evidence_delete, evidence=evidence, acting_user=staff_user)
    send(day, upload("lista.pdf", content), staff_user)
    assert AttendanceEvidence.objects.count() == 1


def test_only_those_who_take_attendance_may_delete(staff_user, day):
    evidence = send(day, upload("lista.pdf", pdf_bytes()), staff_user)
    with pytest.raises(PermissionDenied):
        evidence_delete(evidence=evidence, acting_user=UserFactory())
    assert AttendanceEvidence.objects.count() == 1
    assert Path(STORAGE.path(evidence.file.name)).exists()


# --- reconciliation: marks against evidence --------------------------------------------------


def test_reconciliation_flags_marks_without_evidence_and_evidence_without_marks(staff_user):
    session = make_session(start_in=-4, day_count=3)
    first, second, third = session.days.order_by("starts_at")
    people = [
        Enrolment.objects.create(
            training_session=session,
            professional=ProfessionalFactory(),
            status=Enrolment.Status.CONFIRMED,
            source="staff",
        )
        for _ in range(3)
    ]
    for person, status in zip(people, ("present", "partial", "absent"), strict=True):
        attendance_mark(
            enrolment=person,
            day=first,
            status=status,
            minutes=60 if status == "partial" else None,
            acting_user=staff_user,
        )
        attendance_mark(enrolment=person, day=second, status="present", acting_user=staff_user)
    send(first, upload("ziua1.pdf", pdf_bytes("ziua 1")), staff_user)
    send(third, upload("ziua3.pdf", pdf_bytes("ziua 3")), staff_user)

    one, two, three = attendance_reconciliation(training_session=session)
    assert (one.day, one.confirmed, one.attended, one.absent, one.unmarked) == (first, 3, 2, 1, 0)
    assert one.ok and len(one.evidence) == 1
    assert two.marks_without_evidence and not two.ok
    assert three.evidence_without_marks and three.unmarked == 3 and not three.ok
