"""Certificate templates in the back office: created with their signatories, refused with a
message when the text has an unknown placeholder or a second default is set, and previewed
as a specimen PDF with sample data."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from certificates.admin_views import SAMPLE_CODE, SAMPLE_HOLDER, sample_data
from certificates.documents import certified_data
from certificates.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CertificateSignatory,
    CertificateTemplate,
)
from tests.certificates.conftest import held_session
from tests.factories.training import CourseFactory
from training.models import CertificateType

pytestmark = pytest.mark.django_db

ADD = "/admin/certificatetemplate/new/"


def template_form(**fields):
    data = {
        "name": "Șablon ANES",
        "course": "",
        "project": "",
        "language": "ro",
        "title": "",
        "body": "",
        "issuer_name": "Agenția Națională pentru Egalitatea de Șanse între Femei și Bărbați",
        "logo_left": "",
        "logo_right": "",
        "background": "",
        "signatories-TOTAL_FORMS": 0,
        "signatories-INITIAL_FORMS": 0,
        "signatories-MIN_NUM_FORMS": 0,
        "signatories-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def with_signatory(data, i, name, role):
    data[f"signatories-{i}-name"] = name
    data[f"signatories-{i}-role"] = role
    data[f"signatories-{i}-signature"] = ""
    data[f"signatories-{i}-id"] = ""
    data[f"signatories-{i}-ORDER"] = i + 1
    data[f"signatories-{i}-DELETE"] = ""
    data["signatories-TOTAL_FORMS"] = i + 1
    return data


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_template_is_created_with_its_signatories_and_audited(admin_client):
    data = with_signatory(
        template_form(body="a participat la „{course}”, {dates}, {hours} ore."),
        0,
        "Maria Țenea",
        "Președintă",
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    template = CertificateTemplate.objects.get(name="Șablon ANES")
    assert [s.name for s in template.signatories.all()] == ["Maria Țenea"]
    assert ModelLogEntry.objects.filter(
        object_id=str(template.pk), action="wagtail.create"
    ).exists()


def test_an_unknown_placeholder_is_refused_on_the_text_field(admin_client):
    response = admin_client.post(ADD, template_form(body="{nume} a participat la {course}."))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "body" in errors
    assert "{nume}" in " ".join(errors["body"])
    assert "{nume}" in response.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_an_unclosed_brace_is_refused(admin_client):
    response = admin_client.post(ADD, template_form(body="a participat la {course"))
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not CertificateTemplate.objects.exists()


def test_a_second_default_template_is_refused_with_a_message(admin_client):
    CertificateTemplate.objects.create(name="Implicit", is_default=True)
    response = admin_client.post(ADD, template_form(name="Alt implicit", is_default="on"))
    assert response.status_code == 200
    assert "Implicit" in " ".join(response.context["form"].errors["is_default"])
    assert CertificateTemplate.objects.filter(is_default=True).count() == 1


def test_the_sample_data_has_the_keys_of_real_certified_data(staff_user):
    held = held_session(staff_user, participants=1)
    template = CertificateTemplate.objects.create(name="T", body="{name} · {project}")
    real = certified_data(
        enrolment=held.completed[0],
        template=template,
        days=(
            held.session.days.first().starts_at.date(),
            held.session.days.last().starts_at.date(),
        ),
        issued_on=held.session.days.last().starts_at.date(),
    )
    sample = sample_data(template)
    assert set(sample) == set(real)
    assert sample["holder_name"] == SAMPLE_HOLDER
    assert sample["text"].startswith(SAMPLE_HOLDER)
    assert len(SAMPLE_CODE) == CODE_LENGTH and set(SAMPLE_CODE) <= set(CODE_ALPHABET)


def test_the_preview_is_a_pdf_with_the_sample_name_the_template_text_and_signatories(
    admin_client,
):
    course = CourseFactory(
        title="Violența domestică: intervenție", certificate_type=CertificateType.COMPLETION
    )
    template = CertificateTemplate.objects.create(
        name="Curs VD",
        course=course,
        title="Certificat de absolvire",
        body="a absolvit cursul „{course}”, {hours} ore.",
    )
    CertificateSignatory.objects.create(template=template, name="Ilinca Șerban", role="Director")
    response = admin_client.get(f"/admin/certificates/templates/{template.pk}/preview.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert SAMPLE_HOLDER in text  # ș ț comma-below, extracted as such
    assert "Certificat de absolvire" in text
    assert "Violența domestică" in text
    assert "Ilinca Șerban" in text
    assert "0000-000000" in text

    page = admin_client.get(f"/admin/certificatetemplate/edit/{template.pk}/").content.decode()
    assert f'href="/admin/certificates/templates/{template.pk}/preview.pdf"' in page


def test_the_built_in_texts_preview_in_english_for_an_english_template(admin_client):
    template = CertificateTemplate.objects.create(name="EN", language="en")
    response = admin_client.get(f"/admin/certificates/templates/{template.pk}/preview.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Certificate of attendance" in text
    assert "Sample course" in text


def test_without_a_template_permission_the_preview_is_forbidden(client):
    template = CertificateTemplate.objects.create(name="T")
    user = get_user_model().objects.create_user("x", "x@example.org", "x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(f"/admin/certificates/templates/{template.pk}/preview.pdf")
    assert response.status_code == 403
    assert client.get("/admin/certificatetemplate/").status_code == 403
