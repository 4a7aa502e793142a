"""The signed sheets on the attendance screen: uploading (size limit enforced while the body
arrives, real type checked), downloading (only for those who take the session's attendance),
and removing them."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image
from wagtail.models import ModelLogEntry

from sessions.models import AttendanceEvidence
from sessions.services import evidence_upload
from sessions.upload import FRAMING_BYTES, SizeLimitUploadHandler
from tests.factories.sessions import make_session
from tests.sessions.test_attendance_screens import (
    attendance_organiser,
    messages_of,
    pdf_bytes,
    teach,
    trainer_user,
)

pytestmark = pytest.mark.django_db

NS = "training_sessions_admin"
STORAGE = AttendanceEvidence._meta.get_field("file").storage


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((200, 150), 40).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def stored_files() -> set[str]:
    root = Path(STORAGE.location)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def session():
    return make_session(start_in=-3, day_count=2)


@pytest.fixture
def day(session):
    return session.days.order_by("starts_at").first()


@pytest.fixture
def organiser(client):
    client.force_login(attendance_organiser())
    return client


def send(client, day, name, content):
    return client.post(
        reverse(f"{NS}:attendance_evidence_upload", args=[day.training_session_id, day.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


# --- uploading --------------------------------------------------------------------------------


def test_a_scanned_pdf_is_kept_and_listed_for_its_day(organiser, day):
    before = stored_files()
    content = pdf_bytes()
    response = send(organiser, day, "lista ziua 1.pdf", content)

    evidence = AttendanceEvidence.objects.get()
    assert (evidence.day, evidence.original_name, evidence.content_type) == (
        day,
        "lista ziua 1.pdf",
        "application/pdf",
    )
    assert evidence.uploaded_by.username == "coordonator"
    assert len(stored_files() - before) == 1
    page = response.content.decode()
    assert any("lista ziua 1.pdf" in m for m in messages_of(response))
    block = re.search(rf'id="day-{day.pk}".*?</form>', page, re.S).group(0)
    assert "lista ziua 1.pdf" in block
    assert (
        reverse(f"{NS}:attendance_evidence_file", args=[day.training_session_id, evidence.pk])
        in block
    )


def test_a_file_over_the_limit_is_refused_with_a_message_and_nothing_kept(organiser, day, settings):
    settings.ATTENDANCE_EVIDENCE_MAX_BYTES = 1024
    before = stored_files()
    content = pdf_bytes() + b"%" * 4096  # a real PDF, made larger than the limit
    response = send(organiser, day, "mare.pdf", content)
    assert not AttendanceEvidence.objects.exists()
    assert stored_files() == before
    (message,) = messages_of(response)
    assert "1.0" in message or "1,0" in message  # the limit, as people read it (1.0 KB)
    assert not ModelLogEntry.objects.filter(action="formativ.attendance.evidence").exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("lista.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300),
        ("lista.pdf", None),  # a PNG named .pdf
    ],
    ids=["an .exe renamed .pdf", "a PNG named .pdf"],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(organiser, day, name, content):
    before = stored_files()
    response = send(organiser, day, name, content if content is not None else png_bytes())
    assert not AttendanceEvidence.objects.exists()
    assert stored_files() == before
    assert len(messages_of(response)) == 1


def test_an_upload_without_a_file_is_refused(organiser, day):
    response = organiser.post(
        reverse(f"{NS}:attendance_evidence_upload", args=[day.training_session_id, day.pk]),
        follow=True,
    )
    assert messages_of(response)
    assert not AttendanceEvidence.objects.exists()


def test_another_trainer_cannot_upload(client, session, day):
    teach(make_session(start_in=-3), trainer_user(username="altul").trainer)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="altul"))
    response = send(client, day, "lista.pdf", pdf_bytes())
    assert response.status_code == 403
    assert not AttendanceEvidence.objects.exists()


def test_the_upload_still_checks_the_csrf_token(client, day):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(attendance_organiser())
    response = csrf_client.post(
        reverse(f"{NS}:attendance_evidence_upload", args=[day.training_session_id, day.pk]),
        {"file": SimpleUploadedFile("lista.pdf", pdf_bytes())},
    )
    assert response.status_code == 403
    assert not AttendanceEvidence.objects.exists()


# --- the streaming limit ----------------------------------------------------------------------


def parse(body: bytes, *, limit: int, declared_length: int | None = None):
    """Parse a multipart body as a request would, with the size limit first."""
    handler = SizeLimitUploadHandler(max_bytes=limit)
    handlers = [handler, MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    meta = {
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(declared_length if declared_length is not None else len(body)),
    }
    post, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    return handler, post, files


def multipart(size: int) -> bytes:
    return encode_multipart(
        BOUNDARY,
        {
            "csrfmiddlewaretoken": "t" * 64,
            "file": SimpleUploadedFile("lista.pdf", b"%PDF-" + b"x" * (size - 5)),
        },
    )


def test_the_handler_stops_a_body_as_soon_as_it_passes_the_limit():
    handler, post, files = parse(multipart(300_000), limit=1024)
    assert handler.too_large
    assert "file" not in files
    assert post["csrfmiddlewaretoken"] == "t" * 64  # read before the file: the CSRF check works
    # It stopped at the first chunk over the limit, not after the whole file.
    assert handler.received <= 1024 + 64 * 1024


def test_a_declared_length_over_the_limit_is_refused_before_any_file_byte():
    body = multipart(2048)
    handler, post, files = parse(body, limit=1024, declared_length=1024 + FRAMING_BYTES + 1)
    assert handler.too_large
    assert handler.received == 0
    assert "file" not in files


def test_a_file_within_the_limit_passes_untouched():
    handler, post, files = parse(multipart(1000), limit=1024)
    assert not handler.too_large
    assert files["file"].read().startswith(b"%PDF-")
    assert files["file"].size == 1000


# --- downloading and removing -----------------------------------------------------------------


@pytest.fixture
def evidence(day):
    return evidence_upload(
        day=day, upload=SimpleUploadedFile("lista Ionescu.pdf", pdf_bytes()), acting_user=None
    )


def file_url(evidence):
    return reverse(
        f"{NS}:attendance_evidence_file", args=[evidence.day.training_session_id, evidence.pk]
    )


def test_the_sheet_downloads_as_an_attachment_with_its_type(organiser, evidence):
    response = organiser.get(file_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "ionescu" not in response["Content-Disposition"].lower()
    )  # the uploaded name stays private
    with STORAGE.open(evidence.file.name, "rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_the_sessions_trainer_downloads_it_too(client, session, evidence):
    client.force_login(trainer_user(session))
    response = client.get(file_url(evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_someone_else_cannot_download_it(client, evidence):
    teach(make_session(start_in=-3), trainer_user(username="altul").trainer)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="altul"))
    response = client.get(file_url(evidence))
    assert response.status_code == 403
    assert b"%PDF" not in response.content


def test_an_anonymous_visitor_cannot_download_it(client, evidence):
    response = client.get(file_url(evidence))
    assert response.status_code == 302
    assert b"%PDF" not in response.content


def test_a_sheet_is_not_reachable_through_another_sessions_address(organiser, evidence):
    other = make_session(start_in=-3)
    address = reverse(f"{NS}:attendance_evidence_file", args=[other.pk, evidence.pk])
    assert organiser.get(address).status_code == 404


def test_removing_asks_first_then_removes(organiser, evidence, django_capture_on_commit_callbacks):
    address = reverse(
        f"{NS}:attendance_evidence_delete", args=[evidence.day.training_session_id, evidence.pk]
    )
    confirm = organiser.get(address)
    assert confirm.status_code == 200
    assert "lista Ionescu.pdf" in confirm.content.decode()
    assert AttendanceEvidence.objects.exists()  # asking is not removing

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(address, follow=True)
    assert not AttendanceEvidence.objects.exists()
    assert messages_of(response)
    assert evidence.file.name not in stored_files()
