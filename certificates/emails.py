"""The "your certificate is ready" e-mail, in the person's language, sent once per certificate
after it is issued (certificates.tasks.send_certificate_email, enqueued when the issuing
commits).

The PDF is deliberately not attached: a certificate carries the person's name and training
record, and mailboxes keep, forward and sync what they receive. The mail links to "my
trainings", where the holder downloads the PDF and the credential once signed in, and to the
public verification page (which shows only what the certificate states).

Templates: `templates/certificates/emails/ready_subject.txt` and `ready.txt` (plain text)."""

import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from certificates.models import Certificate
from certificates.public import public_record


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def recipient(certificate: Certificate) -> str:
    """The person's e-mail in the registry, else their account's; empty: nobody to write to."""
    person = certificate.enrolment.professional
    if person.email:
        return person.email
    user = person.user if person.user_id else None
    return (user.email if user else "") or ""


def render_certificate_ready(*, certificate: Certificate) -> EmailMessage:
    person = certificate.enrolment.professional
    language = person.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {
            "person": person,
            "certificate": certificate,
            "record": public_record(certificate),
            "session": certificate.enrolment.training_session,
            "my_trainings_url": absolute_url(reverse("training_sessions:my_trainings")),
            "verify_url": absolute_url(
                reverse("certificates:verify", kwargs={"code": certificate.code})
            ),
        }
        subject = render_to_string("certificates/emails/ready_subject.txt", context)
        body = render_to_string("certificates/emails/ready.txt", context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "[Formativ] ")
    return EmailMessage(
        subject=prefix + " ".join(subject.split()),
        body=_tidy(body),
        to=[recipient(certificate)],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )


def send_certificate_ready(*, certificate: Certificate) -> bool:
    """Tell the holder their certificate is ready; False (nothing sent) without an address."""
    if not recipient(certificate):
        return False
    render_certificate_ready(certificate=certificate).send()
    return True
