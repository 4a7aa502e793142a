"""The reminder brings the participant's personal check-in code: as text in the mail, and as a
QR code in an attached PNG (the mails are plain text). Sent through the production SMTP backend
to a real SMTP server on the loopback interface, and read back as received."""

import io

import pytest
from PIL import Image

from sessions import emails
from sessions.models import Enrolment, TrainingSession
from sessions.qr import qr_png
from sessions.services import enrolment_create
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db


def enrol(commit, session, user, email, language="en") -> Enrolment:
    return commit(
        enrolment_create,
        training_session=session,
        professional=ProfessionalFactory(email=email, preferred_language=language),
        acting_user=user,
    )


def attachments(mail, content_type: str) -> list:
    return [
        part for part in mail.message.iter_attachments() if part.get_content_type() == content_type
    ]


def test_the_reminder_carries_the_check_in_code_and_its_qr(commit, smtp_inbox, staff_user):
    session = make_session(start_in=1, reminder_days=2, title="Comunicarea cu copilul")
    enrolment = enrol(commit, session, staff_user, "ana@example.org")
    smtp_inbox.clear()

    assert emails.send_due_reminders() == 1

    mail = smtp_inbox.only("ana@example.org")
    assert f"Your check-in code: {enrolment.checkin_token}\n" in mail.body
    assert "It is also attached as a QR code (checkin-code.png)." in mail.body
    assert "staff scan it to mark you present" in mail.body
    (png,) = attachments(mail, "image/png")
    assert png.get_filename() == "checkin-code.png"
    assert png["Content-ID"] == "<checkin-code>"
    data = png.get_content()
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert image.format == "PNG"
    # the QR of the person's own code, and of nobody else's
    assert data == qr_png(enrolment.checkin_token)


def test_each_person_gets_their_own_code_in_their_language(commit, smtp_inbox, staff_user):
    session = make_session(start_in=3, reminder_days=5)
    english = enrol(commit, session, staff_user, "en@example.org")
    romanian = enrol(commit, session, staff_user, "ro@example.org", language="ro")
    smtp_inbox.clear()

    assert emails.send_due_reminders() == 2

    for enrolment, address in ((english, "en@example.org"), (romanian, "ro@example.org")):
        mail = smtp_inbox.only(address)
        assert enrolment.checkin_token in mail.body
        (png,) = attachments(mail, "image/png")
        assert png.get_content() == qr_png(enrolment.checkin_token)
    assert romanian.checkin_token not in smtp_inbox.only("en@example.org").body


def test_an_online_session_sends_no_code(commit, smtp_inbox, staff_user):
    session = make_session(
        start_in=1,
        reminder_days=2,
        delivery_mode=TrainingSession.DeliveryMode.ONLINE,
        online_url="https://meet.example.org/formativ-1",
        venue=None,
    )
    enrolment = enrol(commit, session, staff_user, "ana@example.org")
    smtp_inbox.clear()

    assert emails.send_due_reminders() == 1

    mail = smtp_inbox.only("ana@example.org")
    assert enrolment.checkin_token not in mail.body
    assert "check-in code" not in mail.body
    assert attachments(mail, "image/png") == []


def test_the_confirmation_keeps_its_calendar_invitations_and_sends_no_code(
    commit, smtp_inbox, staff_user
):
    session = make_session(start_in=10, day_count=2)
    enrolment = enrol(commit, session, staff_user, "ana@example.org")

    mail = smtp_inbox.only("ana@example.org")
    invitations = attachments(mail, "text/calendar")
    assert len(invitations) == 2  # one per day
    assert all(part.get_param("method") == "REQUEST" for part in invitations)
    assert attachments(mail, "image/png") == []
    assert enrolment.checkin_token not in mail.body
