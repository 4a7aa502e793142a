"""The CNP never leaves the database in clear: not in a log record, an export, an e-mail, an
address (redirects included), an API answer or a certificate. A person with a valid CNP is taken
through profile save, admin edit, the API, a registry import with a CNP column, the exports, a
certificate and the calendar feeds, with every log record captured.

Logs: every application logger, at DEBUG, through the root logger. Django's SQL log
(django.db.backends) is left out: it is written only with DEBUG on, never in production, and
would show the encrypted value and the keyed hash anyway, not the digits."""

import datetime
import io
import json
import logging

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import APIToken

from imports.models import ImportBatch
from tests.certificates.conftest import held_session
from tests.factories.training import build_cnp
from tests.imports.conftest import load_reference_data, make_xlsx
from training import services as training_services
from training.cnp import mask_cnp
from training.models import Professional

pytestmark = pytest.mark.django_db

CNP = build_cnp("2", datetime.date(1985, 4, 23))
CNP_EDITED = build_cnp("2", datetime.date(1986, 5, 24), serial="346")
CNP_IMPORTED = build_cnp("1", datetime.date(1975, 2, 1), serial="347")
ALL = (CNP, CNP_EDITED, CNP_IMPORTED)


class Seen:
    """Everything that left the application during the test, to search for the digits."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.places: list[tuple[str, str]] = []

    def response(self, where: str, response):
        self.places.append((f"{where} (Location)", response.get("Location", "")))
        self.places.append((f"{where} (URL)", response.wsgi_request.get_full_path()))
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        self.places.append((where, body.decode("utf-8", "replace")))
        if body.startswith(b"PK"):  # a workbook: its cells are compressed
            from openpyxl import load_workbook

            sheets = load_workbook(io.BytesIO(body)).worksheets
            cells = [str(c) for s in sheets for row in s.iter_rows(values_only=True) for c in row]
            self.places.append((f"{where} (cells)", " ".join(cells)))
        return response

    def leaks(self) -> list[str]:
        places = list(self.places)
        records = [r for r in self.caplog.records if not r.name.startswith("django.db.backends")]
        places += [(f"log {r.name}", r.getMessage()) for r in records]
        places += [(f"log {r.name} args", repr(r.args)) for r in records]
        for message in mail.outbox:
            places.append((f"e-mail {message.subject}", message.subject + message.body))
            for alternative, _type in getattr(message, "alternatives", []):
                places.append((f"e-mail {message.subject} (HTML)", str(alternative)))
        return [where for where, text in places for cnp in ALL if cnp in text]


@pytest.fixture
def seen(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every application logger
    return Seen(caplog)


@pytest.fixture
def person(staff_user):
    held = held_session(staff_user)
    enrolment = held.completed[0]
    professional = enrolment.professional
    training_services.professional_save(professional=professional, acting_user=staff_user, cnp=CNP)
    professional.refresh_from_db()
    assert professional.cnp_masked == mask_cnp(CNP)
    return held, professional


def test_admin_api_exports_and_feeds_never_show_the_cnp(admin_client, staff_user, person, seen):
    held, professional = person
    session = held.session
    edit = reverse("wagtailsnippets_training_professional:edit", args=[professional.pk])
    seen.response("admin edit page", admin_client.get(edit))
    registry = reverse("wagtailsnippets_training_professional:list")
    for url in (
        registry,
        f"{registry}?q={CNP}",  # searching by CNP: the address is the staff's own typing
        f"{registry}?export=xlsx",
        f"{registry}?export=csv",
        reverse("imports:roster_export", args=[session.pk, "xlsx"]),
        reverse("imports:roster_export", args=[session.pk, "csv"]),
        reverse("duplicates:index"),
        reverse("reports:dashboard"),
        reverse("reports:export") + "?format=xlsx",
        reverse("reports:export") + "?format=csv",
        reverse("training_sessions_admin:roster", args=[session.pk]),
        reverse("training_sessions:feed"),
        "/admin/certificate/",
    ):
        response = seen.response(url, admin_client.get(url))
        assert response.status_code == 200, url
    # The search address holds what staff typed; nothing else may.
    seen.places = [p for p in seen.places if not p[0].startswith(f"{registry}?q=")]

    # Admin edit with a new CNP: the redirect and the page after it.
    data = {
        "first_name": professional.first_name,
        "last_name": professional.last_name,
        "email": professional.email or "",
        "county": professional.county_id,
        "category": professional.category_id or "",
        "institution": professional.institution_id or "",
        "cnp": CNP_EDITED,
    }
    response = seen.response("admin edit (save)", admin_client.post(edit, data))
    assert response.status_code == 302, response.context["form"].errors
    seen.response("after saving", admin_client.get(response["Location"]))
    professional.refresh_from_db()
    assert professional.cnp_masked == mask_cnp(CNP_EDITED)

    # The API: create, list, detail.
    _, token = APIToken.create_token(user=staff_user, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = admin_client.post(
        "/api/v1/professionals",
        data=json.dumps(
            {
                "first_name": "Ion",
                "last_name": "Pop",
                "county": "CJ",
                "email": "ion.pop@example.org",
                "cnp": CNP_IMPORTED,
            }
        ),
        content_type="application/json",
        **auth,
    )
    seen.response("API create", response)
    assert response.status_code == 201
    created = response.json()["id"]
    seen.response("API list", admin_client.get("/api/v1/professionals", **auth))
    seen.response("API detail", admin_client.get(f"/api/v1/professionals/{created}", **auth))
    assert seen.leaks() == []


def test_a_certificate_and_its_e_mails_never_carry_the_cnp(staff_user, person, seen):
    from certificates.services import certificate_issue_all

    held, professional = person
    certificate_issue_all(training_session=held.session, acting_user=staff_user)
    certificate = held.completed[0].certificates.get()
    seen.places.append(("certificate data", json.dumps(certificate.data)))
    seen.places.append(("certificate credential", json.dumps(certificate.credential)))
    seen.places.append(("certificate VC-JWT", certificate.credential_jwt))
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    seen.places.append(("certificate PDF text", text))
    seen.places.append(("certificate PDF bytes", pdf.decode("latin-1")))
    assert seen.leaks() == []


def test_a_registry_import_with_a_cnp_column_keeps_it_out_of_pages_and_logs(admin_client, seen):
    load_reference_data()
    data = make_xlsx(
        [["Pop Ion", CNP_IMPORTED, "01.02.1975", "CJ"]],
        ["Nume și prenume", "CNP", "Data nașterii", "Județ"],
    )
    response = admin_client.post(
        reverse("imports:index"),
        {"kind": "registry", "upload": SimpleUploadedFile("registru.xlsx", data)},
    )
    seen.response("import upload", response)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    seen.response("import preview", admin_client.get(reverse("imports:batch", args=[batch.pk])))
    response = admin_client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    seen.response("import confirmed", response)
    imported = Professional.objects.get(last_name__iexact="Pop")
    assert imported.cnp_masked == mask_cnp(CNP_IMPORTED)
    assert seen.leaks() == []


def test_the_leak_detector_sees_a_cnp_in_a_log_record(seen):
    logging.getLogger("formativ.test").info("registered %s", CNP)
    assert seen.leaks() == ["log formativ.test", "log formativ.test args"]
