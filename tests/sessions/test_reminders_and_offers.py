"""The time-driven side of registrations: reminders before a session starts, seat offers that
run out, and `manage.py process_due`, which cron runs every 10 minutes to do both. Mails go
through the production SMTP backend to a real SMTP server on the loopback interface."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions import emails
from sessions.models import Enrolment, TrainingSession
from sessions.services import (
    enrolment_cancel,
    enrolment_create,
    enrolment_offer_expire,
    enrolment_respond,
)
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Status = TrainingSession.Status
MEETING = "https://meet.example.org/formativ-123"


def process_due(commit) -> str:
    out = StringIO()
    commit(call_command, command_name="process_due", stdout=out)
    return out.getvalue()


def enrol(commit, session, user, email, language="en"):
    return commit(
        enrolment_create,
        training_session=session,
        professional=ProfessionalFactory(email=email, preferred_language=language),
        acting_user=user,
    )


# --- reminders --------------------------------------------------------------------------------


class TestReminders:
    def test_a_due_reminder_is_sent_once(self, commit, smtp_inbox, staff_user):
        session = make_session(
            start_in=1,
            reminder_days=2,
            title="Comunicarea cu copilul",
            delivery_mode=TrainingSession.DeliveryMode.ONLINE,
            online_url=MEETING,
            venue=None,
        )
        enrolment = enrol(commit, session, staff_user, "ana@example.org")
        smtp_inbox.clear()

        assert emails.send_due_reminders() == 1
        assert emails.send_due_reminders() == 0

        mail = smtp_inbox.only("ana@example.org")
        assert mail.subject == "[Formativ] Reminder: Comunicarea cu copilul starts tomorrow"
        first = timezone.localtime(session.days.first().starts_at)
        assert f"starts tomorrow, {first.day} " in mail.body
        assert "at 09:00." in mail.body
        assert MEETING in mail.body  # confirmed participants get the meeting link
        assert f"http://testserver/en/sesiuni/{session.code}/" in mail.body
        enrolment.refresh_from_db()
        assert enrolment.reminder_sent_at is not None

    def test_the_reminder_counts_the_days_left_in_romanian_too(
        self, commit, smtp_inbox, staff_user
    ):
        session = make_session(start_in=3, reminder_days=5, title="Comunicarea cu copilul")
        enrol(commit, session, staff_user, "en@example.org")
        enrol(commit, session, staff_user, "ro@example.org", language="ro")
        smtp_inbox.clear()

        assert emails.send_due_reminders() == 2

        english = smtp_inbox.only("en@example.org")
        assert english.subject == "[Formativ] Reminder: Comunicarea cu copilul starts in 3 days"
        romanian = smtp_inbox.only("ro@example.org")
        assert "Comunicarea cu copilul" in romanian.subject
        assert romanian.body != english.body
        assert f"http://testserver/sesiuni/{session.code}/" in romanian.body

    def test_nothing_is_sent_before_the_reminder_period(self, commit, smtp_inbox, staff_user):
        session = make_session(start_in=10, reminder_days=2)
        enrol(commit, session, staff_user, "ana@example.org")
        smtp_inbox.clear()
        assert emails.send_due_reminders() == 0
        assert smtp_inbox.received == []

    @pytest.mark.parametrize(
        "case",
        ["draft", "cancelled", "no reminders", "already started", "waitlisted", "no e-mail"],
    )
    def test_who_is_not_reminded(self, case, commit, smtp_inbox, staff_user):
        session = make_session(
            start_in=-1 if case == "already started" else 1,
            reminder_days=0 if case == "no reminders" else 2,
            capacity=1,
        )
        seated = enrol(commit, session, staff_user, "" if case == "no e-mail" else "a@example.org")
        enrol(commit, session, staff_user, "waiting@example.org")
        if case == "waitlisted":
            Enrolment.objects.filter(pk=seated.pk).update(status=E.CANCELLED)
        if case in ("draft", "cancelled"):
            TrainingSession.objects.filter(pk=session.pk).update(status=case)
        smtp_inbox.clear()

        assert emails.send_due_reminders() == 0
        assert smtp_inbox.received == []

    def test_a_reminder_that_fails_to_go_out_is_sent_on_the_next_run(
        self, commit, smtp_inbox, staff_user, settings
    ):
        session = make_session(start_in=1, reminder_days=2)
        enrolment = enrol(commit, session, staff_user, "ana@example.org")
        smtp_inbox.clear()
        working_port = settings.EMAIL_PORT
        settings.EMAIL_PORT = 9  # nothing listens: the connection is refused

        assert emails.send_due_reminders() == 0
        enrolment.refresh_from_db()
        assert enrolment.reminder_sent_at is None

        settings.EMAIL_PORT = working_port
        assert emails.send_due_reminders() == 1
        assert len(smtp_inbox.to("ana@example.org")) == 1


# --- offers -------------------------------------------------------------------------------


def offer_setup(commit, staff_user, offer_hours=24):
    """A one-seat session with two people waiting; the seat is freed, so the first of them is
    offered it. Returns (offered, next_in_line)."""
    session = make_session(capacity=1, offer_hours=offer_hours, title="Lucrul în echipă")
    seated = enrol(commit, session, staff_user, "seated@example.org")
    first = enrol(commit, session, staff_user, "first@example.org")
    second = enrol(commit, session, staff_user, "second@example.org")
    commit(enrolment_cancel, enrolment=seated, acting_user=staff_user)
    first.refresh_from_db()
    assert first.status == E.OFFERED
    return first, second


def lapse(enrolment) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )


class TestOfferExpiry:
    def test_process_due_expires_the_offer_and_offers_the_seat_to_the_next_person(
        self, commit, smtp_inbox, staff_user
    ):
        first, second = offer_setup(commit, staff_user)
        lapse(first)
        smtp_inbox.clear()

        output = process_due(commit)

        assert "Offers expired: 1" in output
        assert "Reminders sent: 0" in output
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == E.CANCELLED
        assert second.status == E.OFFERED
        assert second.offer_expires_at > timezone.now()
        expired = smtp_inbox.only("first@example.org")
        assert expired.subject == "[Formativ] Seat offer expired: Lucrul în echipă"
        assert "the offer has expired" in expired.body
        offered = smtp_inbox.only("second@example.org")
        assert offered.subject == "[Formativ] A seat is free for you: Lucrul în echipă"

        smtp_inbox.clear()
        output = process_due(commit)
        assert "Offers expired: 0" in output
        assert smtp_inbox.received == []

    def test_the_expiry_task_service_does_the_same(self, commit, smtp_inbox, staff_user):
        first, second = offer_setup(commit, staff_user)
        lapse(first)
        smtp_inbox.clear()

        assert commit(enrolment_offer_expire, enrolment=first) is True

        second.refresh_from_db()
        assert second.status == E.OFFERED
        assert "Seat offer expired" in smtp_inbox.only("first@example.org").subject
        assert "A seat is free for you" in smtp_inbox.only("second@example.org").subject

    def test_an_offer_still_running_or_answered_is_left_alone(self, commit, smtp_inbox, staff_user):
        session = make_session(capacity=1, offer_hours=24)
        seated = enrol(commit, session, staff_user, "seated@example.org")
        person = PersonFactory(email="first@example.org", preferred_language="en")
        first = commit(
            enrolment_create, training_session=session, professional=person, acting_user=staff_user
        )
        commit(enrolment_cancel, enrolment=seated, acting_user=staff_user)
        smtp_inbox.clear()

        assert commit(enrolment_offer_expire, enrolment=first) is False  # time is not up
        commit(enrolment_respond, enrolment=first, accept=True, acting_user=person.user)
        lapse(first)  # even once the deadline passes, an accepted seat stays
        assert commit(enrolment_offer_expire, enrolment=first) is False

        first.refresh_from_db()
        assert first.status == E.CONFIRMED
        assert [m.subject for m in smtp_inbox.received] == [
            f"[Formativ] Registration confirmed: {session.display_title}"
        ]


def test_process_due_does_both_and_is_idempotent(commit, smtp_inbox, staff_user):
    soon = make_session(start_in=1, reminder_days=2)
    enrol(commit, soon, staff_user, "soon@example.org")
    first, _second = offer_setup(commit, staff_user)
    lapse(first)
    smtp_inbox.clear()

    assert process_due(commit) == "Offers expired: 1\nReminders sent: 1\n"
    assert len(smtp_inbox.received) == 3  # reminder, offer expired, seat offered
    assert process_due(commit) == "Offers expired: 0\nReminders sent: 0\n"
    assert len(smtp_inbox.received) == 3


def test_process_due_documents_its_cron_schedule():
    from sessions.management.commands.process_due import Command

    text = Command().create_parser("manage.py", "process_due").format_help()
    assert "every 10 minutes" in " ".join(text.split())


# --- with the production task backend -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_database_task_backend_ends_the_offer_on_time(smtp_inbox, settings):
    """With the database backend (production's), the mails wait for the worker, and the end
    of an offer is a task scheduled for the offer's deadline."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    staff = get_user_model().objects.create_superuser("org", "org@anes.example", "parola-123")
    session = make_session(capacity=1, offer_hours=24, title="Lucrul în echipă")
    people = [
        ProfessionalFactory(email=f"{name}@example.org", preferred_language="en")
        for name in ("seated", "first", "second")
    ]
    seated, first, second = (
        enrolment_create(training_session=session, professional=p, acting_user=staff)
        for p in people
    )
    enrolment_cancel(enrolment=seated, acting_user=staff)
    first.refresh_from_db()
    assert first.status == E.OFFERED
    assert smtp_inbox.received == []  # nothing is sent before the worker runs

    scheduled = DBTaskResult.objects.get(task_path="sessions.tasks.expire_offer")
    assert scheduled.run_after == first.offer_expires_at
    assert scheduled.args_kwargs["args"] == [first.pk]

    def run_worker():
        call_command("db_worker", batch=True, startup_delay=False, stdout=StringIO())

    run_worker()
    # The mails queued meanwhile go out, except those overtaken by a later change: "seated"
    # hears of the cancellation only, "first" of the offer only (not of the waiting list).
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in smtp_inbox.received) == [
        ("first@example.org", "[Formativ] A seat is free for you"),
        ("seated@example.org", "[Formativ] Registration cancelled"),
        ("second@example.org", "[Formativ] On the waiting list"),
    ]
    first.refresh_from_db()
    assert first.status == E.OFFERED
    smtp_inbox.clear()

    # The deadline passes.
    past = timezone.now() - datetime.timedelta(minutes=1)
    Enrolment.objects.filter(pk=first.pk).update(offer_expires_at=past)
    DBTaskResult.objects.filter(pk=scheduled.pk).update(run_after=past)
    run_worker()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (E.CANCELLED, E.OFFERED)
    assert "Seat offer expired" in smtp_inbox.only("first@example.org").subject
    assert "A seat is free for you" in smtp_inbox.only("second@example.org").subject
    assert DBTaskResult.objects.filter(
        task_path="sessions.tasks.expire_offer", args_kwargs__args=[second.pk]
    ).exists()
