"""The "your certificate is ready" e-mail as people receive it: sent once per certificate after
the issuing commits (the task, through Django's SMTP backend, to a real SMTP server on the
loopback interface), in the person's language, with links and without the PDF."""

import pytest
from django.utils import timezone

from certificates import emails
from certificates.services import certificate_issue_all, certificate_reissue
from tests.certificates.conftest import DIACRITIC_FIRST, held_session

pytestmark = pytest.mark.django_db

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def issue(commit, held, staff_user):
    commit(certificate_issue_all, training_session=held.session, acting_user=staff_user)
    return [e.certificates.get() for e in held.completed]


def test_each_holder_gets_one_mail_with_the_links(commit, smtp_inbox, held_with_holder, staff_user):
    held = held_with_holder
    certificates = issue(commit, held, staff_user)
    assert len(smtp_inbox.received) == len(held.completed)
    for enrolment, certificate in zip(held.completed, certificates, strict=True):
        mail = smtp_inbox.only(enrolment.professional.email)
        assert mail.message["Content-Language"] == "ro"
        assert mail.message["Auto-Submitted"] == "auto-generated"
        assert "http://testserver/contul-meu/formari/" in mail.body
        assert f"http://testserver/v/{certificate.code}" in mail.body
        assert certificate.serial in mail.body
        assert certificate.data["course_title"] in mail.body
        assert certificate.data["course_title"] in mail.subject
        # No certificate attached: a plain-text message alone.
        assert not mail.message.is_multipart()
        assert list(mail.message.iter_attachments()) == []
    # Nobody else: not the absent person, not the one who cancelled.
    assert smtp_inbox.to(held.absent.professional.email) == []
    assert smtp_inbox.to(held.cancelled.professional.email) == []


def test_the_mail_greets_by_first_name_with_diacritics(commit, smtp_inbox, held, staff_user):
    issue(commit, held, staff_user)
    mail = smtp_inbox.only(held.completed[0].professional.email)
    assert f"{DIACRITIC_FIRST}," in mail.body
    assert not set("şţŞŢ") & set(mail.body)


def test_in_english_for_a_person_who_prefers_it(commit, smtp_inbox, staff_user):
    held = held_session(staff_user, participants=1)
    person = held.completed[0].professional
    person.preferred_language = "en"
    person.save(update_fields=["preferred_language"])
    (certificate,) = issue(commit, held, staff_user)
    mail = smtp_inbox.only(person.email)
    assert mail.subject.startswith("[Formativ] Your certificate is ready")
    assert mail.message["Content-Language"] == "en"
    assert "http://testserver/en/contul-meu/formari/" in mail.body
    assert f"http://testserver/en/v/{certificate.code}" in mail.body
    assert "Your certificate for the training" in mail.body
    # The session dates, in English.
    last = timezone.localtime(held.session.days.order_by("starts_at").last().starts_at)
    assert f"{last.day} {MONTHS_EN[last.month - 1]} {last.year}" in mail.body
    assert "16 hours" in mail.body


def test_without_an_address_in_the_registry_the_accounts_is_used(
    commit, smtp_inbox, held_with_holder, holder, staff_user
):
    person = held_with_holder.completed[0].professional
    person.email = ""
    person.save(update_fields=["email"])
    issue(commit, held_with_holder, staff_user)
    assert smtp_inbox.only(holder.email)


def test_nobody_to_write_to(smtp_inbox, issued):
    certificate = issued[1]  # no account
    person = certificate.enrolment.professional
    person.email = ""
    person.save(update_fields=["email"])
    assert emails.send_certificate_ready(certificate=certificate) is False
    assert smtp_inbox.received == []


def test_a_rerun_sends_nothing_again(commit, smtp_inbox, held, staff_user):
    issue(commit, held, staff_user)
    assert len(smtp_inbox.received) == len(held.completed)
    smtp_inbox.clear()
    commit(certificate_issue_all, training_session=held.session, acting_user=staff_user)
    assert smtp_inbox.received == []


def test_a_reissued_certificate_gets_its_own_mail(commit, smtp_inbox, held, staff_user):
    old, _other = issue(commit, held, staff_user)
    smtp_inbox.clear()
    new = commit(
        certificate_reissue, certificate=old, reason="Nume corectat", acting_user=staff_user
    )
    mail = smtp_inbox.only(held.completed[0].professional.email)
    assert new.serial in mail.body
    assert f"/v/{new.code}" in mail.body
    assert old.code not in mail.body
