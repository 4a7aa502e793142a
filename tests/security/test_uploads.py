"""Every upload has a size limit and a type checked by content, not by name: the import
spreadsheets, the scanned sign-in sheets, and the CMS's images and documents (certificate
backgrounds and signatures are CMS images). Real files, renamed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from imports.models import ImportBatch
from sessions.models import AttendanceEvidence
from tests.factories.sessions import make_session
from tests.imports.conftest import load_reference_data, make_xlsx
from tests.sessions.test_attendance_screens import pdf_bytes

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
HEADERS = ["Nume", "Prenume", "Județ", "Proiect", "Curs", "Data început", "Prezent"]
ROW = ["Popescu", "Ana", "CJ", "SIGUR", "ABZ", "12.05.2023", "Da"]


def xlsx() -> bytes:
    return make_xlsx([ROW], HEADERS)


def png(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def error_codes(response, field) -> set[str]:
    """The codes of the form's errors on `field`, as the page shows them to the user."""
    form = response.context["form"]
    return {error.code for error in form.errors.as_data().get(field, [])}


def messages_of(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


def ro(msgid: str) -> str:
    with translation.override("ro"):
        return gettext(msgid)


# --- imports ------------------------------------------------------------------------------------


def import_upload(client, name, data):
    return client.post(
        reverse("imports:index"),
        {"kind": "participations", "upload": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def importer(admin_client):
    load_reference_data()
    return admin_client


def test_an_import_spreadsheet_renamed_exe_is_refused(importer):
    response = import_upload(importer, "lista.exe", xlsx())
    assert response.status_code == 200
    assert error_codes(response, "upload") == {"file_type"}
    assert response.context["form"].errors["upload"] == [
        ro(
            "The file is not a spreadsheet Formativ can read. Upload an Excel (.xlsx, .xls), "
            "OpenDocument (.ods) or CSV file."
        )
    ]
    assert not ImportBatch.objects.exists()


def mismatch_message(extension: str) -> str:
    return gettext(
        "The file's content does not match its type (%(extension)s): upload the "
        "spreadsheet itself, saved as Excel (.xlsx, .xls), OpenDocument (.ods) or CSV."
    ) % {"extension": extension}


def test_an_import_whose_content_is_not_its_extension_is_refused(importer):
    for name, data in (
        ("lista.xlsx", HTML),  # a web page renamed .xlsx
        ("lista.csv", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a program renamed .csv
        ("lista.csv", xlsx()),  # an Excel file renamed .csv
        ("lista.ods", xlsx()),
    ):
        response = import_upload(importer, name, data)
        assert error_codes(response, "upload") == {"file_type"}, name
        (message,) = response.context["form"].errors["upload"]
        assert message == mismatch_message(name[name.rindex(".") :]), message
    assert not ImportBatch.objects.exists()


def test_a_real_import_spreadsheet_is_still_taken(importer):
    response = import_upload(importer, "lista.xlsx", xlsx())
    assert response.status_code == 302
    assert ImportBatch.objects.get().file_name == "lista.xlsx"


@override_settings(IMPORT_MAX_UPLOAD_BYTES=4096)
def test_an_oversize_import_is_refused(importer):
    data = make_xlsx([ROW] * 400, HEADERS)
    assert len(data) > 4096
    response = import_upload(importer, "lista.xlsx", data)
    assert response.context["form"].errors["upload"] == [
        ro("The file is larger than %(size)d MB. Split it into smaller files.") % {"size": 0}
    ]
    assert not ImportBatch.objects.exists()


# --- scanned sign-in sheets ---------------------------------------------------------------------


def evidence_send(client, day, name, content):
    return client.post(
        reverse(
            "training_sessions_admin:attendance_evidence_upload",
            args=[day.training_session_id, day.pk],
        ),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.fixture
def day():
    return make_session(start_in=-3, day_count=1).days.get()


@pytest.fixture
def coordinator(admin_client):
    return admin_client


def test_a_web_page_renamed_pdf_is_not_kept_as_a_signed_sheet(coordinator, day):
    refused = ro("Upload the scanned sheet as a PDF, JPEG or PNG file (this file is not one).")
    response = evidence_send(coordinator, day, "lista.pdf", HTML)
    assert messages_of(response) == [refused]
    response = evidence_send(coordinator, day, "lista.exe", pdf_bytes())
    assert messages_of(response) == [refused]
    assert not AttendanceEvidence.objects.exists()
    evidence_send(coordinator, day, "lista.pdf", pdf_bytes())
    assert AttendanceEvidence.objects.count() == 1


def test_an_oversize_signed_sheet_is_refused(coordinator, day, settings):
    settings.ATTENDANCE_EVIDENCE_MAX_BYTES = 2048
    content = pdf_bytes() + b"%" * 4096 + b"\n%%EOF\n"
    response = evidence_send(coordinator, day, "lista.pdf", content)
    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    assert not AttendanceEvidence.objects.exists()


# --- the CMS's documents and images (certificate backgrounds and signatures) -------------------


def add_document(client, name, data):
    return client.post(
        reverse("wagtaildocs:add"),
        {"title": "Document", "file": SimpleUploadedFile(name, data)},
    )


def add_image(client, name, data):
    return client.post(
        reverse("wagtailimages:add"),
        {"title": "Semnătură", "file": SimpleUploadedFile(name, data)},
    )


def test_a_web_page_renamed_pdf_is_not_taken_as_a_document(admin_client):
    response = add_document(admin_client, "program.pdf", HTML)
    assert response.status_code == 200
    assert "file_type" in error_codes(response, "file")
    assert response.context["form"].errors["file"][0] == (
        ro(
            "The file's content does not match its type: upload a real %(types)s file "
            "(renaming a file does not change what it is)."
        )
        % {"types": "PDF"}
    )
    response = add_document(admin_client, "agenda.docx", xlsx())  # Excel renamed Word
    assert "file_type" in error_codes(response, "file")
    response = add_document(admin_client, "note.txt", b"MZ\x90\x00" + b"\x00" * 64)
    assert "file_type" in error_codes(response, "file")
    assert not get_document_model().objects.exists()


def test_a_program_is_not_a_document_whatever_its_name(admin_client):
    response = add_document(admin_client, "setup.exe", pdf_bytes())
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]  # Wagtail's refusal of the extension
    assert "exe" in message and "pdf, pptx" in message
    assert not get_document_model().objects.exists()


def test_real_documents_are_taken(admin_client):
    for name, data in (
        ("program.pdf", pdf_bytes()),
        ("lista.xlsx", xlsx()),
        ("note.txt", "Agenda zilei: înregistrare, curs.\n".encode()),
    ):
        response = add_document(admin_client, name, data)
        assert response.status_code == 302, (name, response.context["form"].errors)
    assert get_document_model().objects.count() == 3


@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=4096)
def test_an_oversize_document_is_refused(admin_client):
    data = pdf_bytes() + b"%" * 8192 + b"\n%%EOF\n"
    response = add_document(admin_client, "program.pdf", data)
    assert response.status_code == 200
    assert "file_too_large" in error_codes(response, "file")
    assert not get_document_model().objects.exists()


def test_a_web_page_renamed_png_is_not_taken_as_an_image(admin_client):
    response = add_image(admin_client, "semnatura.png", HTML)
    assert response.status_code == 200
    assert error_codes(response, "file") == {"invalid_image_known_format"}
    assert not get_image_model().objects.exists()
    response = add_image(admin_client, "semnatura.jpg", png())  # a PNG named .jpg
    assert error_codes(response, "file") == {"invalid_image_known_format"}
    assert not get_image_model().objects.exists()
    response = add_image(admin_client, "semnatura.png", png())
    assert response.status_code == 302
    assert get_image_model().objects.count() == 1


@override_settings(WAGTAILIMAGES_MAX_UPLOAD_SIZE=1024)
def test_an_oversize_image_is_refused(admin_client):
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, "PNG")
    response = add_image(admin_client, "fundal.png", buffer.getvalue())
    assert response.status_code == 200
    assert error_codes(response, "file") == {"file_too_large"}
    assert not get_image_model().objects.exists()


def test_upload_limits_are_set():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 20 * 1024 * 1024
    assert "html" not in settings.WAGTAILDOCS_EXTENSIONS
    assert "exe" not in settings.WAGTAILDOCS_EXTENSIONS
