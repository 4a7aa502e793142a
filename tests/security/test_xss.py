"""Script injection: a payload typed into every free-text field (names, job title, institution,
course and curriculum, venue, session description, project, trainer, certificate text, reasons,
an imported cell) is shown escaped on every page that shows it, public and back office, and
kept as plain text in the CSV and XLSX exports."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from certificates.models import Certificate
from imports.models import ImportBatch
from sessions.models import Enrolment
from tests.factories.certificates import stored_certificate
from tests.factories.cms import page_tree
from tests.factories.sessions import VenueFactory, make_session
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    InstitutionFactory,
    PersonFactory,
    ProjectFactory,
    TrainerFactory,
)
from tests.imports.conftest import load_reference_data, make_xlsx

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW = re.compile(r"<script>alert\(1\)|<img[^>]*onerror=", re.I)


def tainted(label: str) -> str:
    return f"{label} {PAYLOAD}"


@pytest.fixture
def world():
    curriculum = CurriculumFactory(title=tainted("Curriculum"))
    course = CourseFactory(curriculum=curriculum, title=tainted("Curs"))
    project = ProjectFactory(name=tainted("Proiect"), description=tainted("Descriere"))
    venue = VenueFactory(
        name=tainted("Sala"), address=tainted("Strada"), accessibility=tainted("Acces")
    )
    session = make_session(
        start_in=-2,
        day_count=2,
        course=course,
        venue=venue,
        title=tainted("Sesiune"),
        description=tainted("Despre sesiune"),
    )
    trainer = TrainerFactory(full_name=tainted("Formator"))
    session.trainers.add(trainer)
    institution = InstitutionFactory(name=tainted("Instituție"))
    person = PersonFactory(
        first_name=tainted("Ana"),
        last_name=tainted("Popescu"),
        position=tainted("Psiholog"),
        institution=institution,
    )
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=person,
        status=Enrolment.Status.CONFIRMED,
        source=Enrolment.Source.STAFF,
        status_reason=tainted("Motiv"),
    )
    certificate = stored_certificate(enrolment)
    certificate.data = {
        "holder_name": f"{person.first_name} {person.last_name}",
        "title": tainted("Certificat"),
        "course_title": course.title,
        "starts_on": "2026-01-10",
        "ends_on": "2026-01-11",
        "course_hours": "16",
        "issuer": tainted("Emitent"),
        "issued_on": "2026-01-12",
    }
    certificate.save()
    pages = page_tree(course=course, curriculum=curriculum, project=project)
    return {
        "session": session,
        "person": person,
        "enrolment": enrolment,
        "certificate": certificate,
        "pages": pages,
    }


def assert_escaped(response, where: str):
    assert response.status_code == 200, (where, response.status_code)
    html = response.content.decode()
    assert not RAW.search(html), f"raw payload on {where}: {RAW.search(html).group(0)}"
    assert ESCAPED in html, f"{where} does not show the typed text"


def test_public_pages_show_the_payload_escaped(client, world):
    session, certificate = world["session"], world["certificate"]
    assert_escaped(client.get(reverse("training_sessions:detail", args=[session.code])), "session")
    assert_escaped(client.get(world["pages"]["calendar"].url), "calendar")
    assert_escaped(
        client.get(reverse("certificates:verify", kwargs={"code": certificate.code})),
        "certificate verification",
    )


def test_the_participants_own_pages_show_the_payload_escaped(client, world):
    client.force_login(world["person"].user)
    assert_escaped(client.get(reverse("training_sessions:my_trainings")), "my trainings")


def test_back_office_pages_show_the_payload_escaped(admin_client, world):
    session = world["session"]
    day = session.days.order_by("starts_at").first()
    for name, url in (
        ("roster", reverse("training_sessions_admin:roster", args=[session.pk])),
        ("attendance", reverse("training_sessions_admin:attendance", args=[session.pk])),
        (
            "attendance day",
            reverse("training_sessions_admin:attendance_day", args=[session.pk, day.pk]),
        ),
        ("registry", reverse("wagtailsnippets_training_professional:list")),
        (
            "person",
            reverse("wagtailsnippets_training_professional:edit", args=[world["person"].pk]),
        ),
        ("sessions", "/admin/trainingsession/"),
        ("certificates", "/admin/certificate/"),
        ("projects", "/admin/snippets/training/project/"),
        ("trainers", "/admin/snippets/training/trainer/"),
        ("institutions", "/admin/snippets/training/institution/"),
        ("courses", "/admin/snippets/training/course/"),
    ):
        assert_escaped(admin_client.get(url), name)


def test_reports_dashboard_shows_the_payload_escaped(admin_client, world):
    Certificate.objects.update(issued_at=datetime.datetime(2026, 1, 12, tzinfo=datetime.UTC))
    response = admin_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert not RAW.search(response.content.decode())


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def test_exports_keep_the_payload_as_plain_text(admin_client, world):
    session = world["session"]
    registry = reverse("wagtailsnippets_training_professional:list")
    roster = reverse("imports:roster_export", args=[session.pk, "xlsx"])
    for url in (f"{registry}?export=xlsx", roster):
        cells = [c for c in xlsx_cells(download(admin_client, url)) if PAYLOAD in str(c.value)]
        assert cells, url
        assert all(c.data_type == "s" for c in cells), url  # text, never a formula
    for url in (f"{registry}?export=csv", roster.replace(".xlsx", ".csv")):
        text = download(admin_client, url).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))
        assert any(PAYLOAD in cell for row in rows for cell in row), url


def test_an_imported_cell_is_shown_escaped_in_the_import_preview(admin_client):
    load_reference_data()
    data = make_xlsx(
        # Unknown project and course: the errors quote the cells back.
        [
            [
                tainted("Popescu"),
                tainted("Ana"),
                "CJ",
                tainted("SIGUR"),
                tainted("ABZ"),
                "12.05.2023",
                "Da",
            ]
        ],
        ["Nume", "Prenume", "Județ", "Proiect", "Curs", "Data început", "Prezent"],
    )
    response = admin_client.post(
        reverse("imports:index"),
        {"kind": "participations", "upload": SimpleUploadedFile("lista.xlsx", data)},
        follow=True,
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 200
    assert_escaped(admin_client.get(reverse("imports:batch", args=[batch.pk])), "import batch")
