"""The evaluation sweep (evaluation.emails.sweep / send_due_invitations, `manage.py
evaluation_due`): forms set up for sessions about to run, invitations for new participants, the
personal links mailed when due — each once, even when sweeps overlap or a mail fails."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation import emails, services
from evaluation.models import Invitation, Questionnaire, SessionForm
from evaluation.selectors import add_months
from sessions.models import Enrolment, TrainingSession
from tests.evaluation.test_answer_views import right_answers, set_up
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose
Kind = Questionnaire.Kind
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def enrol(session, email="", status="confirmed", **person) -> Enrolment:
    professional = ProfessionalFactory(**person, **({"email": email} if email else {}))
    return Enrolment.objects.create(
        training_session=session, professional=professional, status=status, source="staff"
    )


def first_start(session):
    return session.days.aggregate(v=Min("starts_at"))["v"]


def last_end(session):
    return session.days.aggregate(v=Max("ends_at"))["v"]


def link(form, enrolment) -> str:
    token = Invitation.objects.get(session_form=form, enrolment=enrolment).token
    return f"http://testserver/evaluare/{token}/"


def test_sessions_starting_soon_are_set_up_and_their_pre_test_mailed():
    course = CourseFactory()
    questionnaire(course, Kind.TEST)
    soon = make_session(start_in=2, day_count=1, course=course)
    later = make_session(start_in=10, day_count=1, course=course)
    draft = make_session(start_in=1, day_count=1, course=course, status="draft")
    no_questionnaire = make_session(start_in=1, day_count=1)
    person = enrol(soon, email="ana@example.org")
    for session in (later, draft, no_questionnaire):
        enrol(session, email=f"x{session.pk}@example.org")

    assert emails.send_due_invitations() == 1

    assert sorted(SessionForm.objects.values_list("training_session", "purpose")) == [
        (soon.pk, "post_test"),
        (soon.pk, "pre_test"),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    pre = SessionForm.objects.get(purpose=P.PRE_TEST)
    assert link(pre, person) in mail.outbox[0].body
    post = SessionForm.objects.get(purpose=P.POST_TEST)
    assert link(post, person) not in mail.outbox[0].body  # not due before the session


def test_a_second_sweep_sends_nothing():
    session = make_session(start_in=1, day_count=1)
    enrol(session, email="ana@example.org")
    set_up(session)
    assert emails.send_due_invitations() == 1
    assert emails.send_due_invitations() == 0
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(session_form__purpose=P.PRE_TEST).invited_at is not None


def test_new_participants_are_invited_by_the_next_sweep():
    session = make_session(start_in=1, day_count=1)
    set_up(session)
    late = enrol(session, email="tarziu@example.org")
    assert not Invitation.objects.filter(enrolment=late).exists()
    assert emails.send_due_invitations() == 1
    assert Invitation.objects.filter(enrolment=late).count() == 2
    assert mail.outbox[0].to == ["tarziu@example.org"]


def test_the_pre_test_is_mailed_three_days_before_the_first_day():
    session = make_session(start_in=6, day_count=2)
    enrol(session, email="ana@example.org")
    set_up(session)
    due = first_start(session) - datetime.timedelta(days=3)
    assert emails.send_due_invitations(now=due - MINUTE) == 0
    assert emails.send_due_invitations(now=due + MINUTE) == 1
    assert len(mail.outbox) == 1


def test_post_test_and_feedback_come_in_one_mail_once_the_last_day_has_ended():
    session = make_session(start_in=0, day_count=1)
    ana = enrol(session, email="ana@example.org")
    dan = enrol(session, email="dan@example.org")
    forms = set_up(session, feedback=True)
    # During the last day both forms are open (answered in the room), but not mailed yet.
    assert emails.send_due_invitations(now=last_end(session) - HOUR) == 0
    assert emails.send_due_invitations(now=last_end(session) + MINUTE) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "dan@example.org"]
    for enrolment in (ana, dan):
        (sent,) = [m for m in mail.outbox if m.to == [enrolment.professional.email]]
        assert link(forms[P.POST_TEST], enrolment) in sent.body
        assert link(forms[P.FEEDBACK], enrolment) in sent.body
        assert link(forms[P.PRE_TEST], enrolment) not in sent.body
    assert emails.send_due_invitations(now=last_end(session) + 2 * HOUR) == 0


def test_a_form_answered_in_the_room_is_not_mailed():
    session = make_session(start_in=-1, day_count=1)
    ana = enrol(session, email="ana@example.org")
    forms = set_up(session, feedback=True)
    services.response_submit(
        invitation=Invitation.objects.get(session_form=forms[P.POST_TEST], enrolment=ana),
        data=right_answers(forms[P.POST_TEST].version),
    )
    assert emails.send_due_invitations() == 1
    body = mail.outbox[0].body
    assert link(forms[P.FEEDBACK], ana) in body
    assert link(forms[P.POST_TEST], ana) not in body


def test_the_follow_up_survey_is_mailed_when_it_opens():
    course = CourseFactory()
    questionnaire(course, Kind.FOLLOW_UP, follow_up_months=3)
    session = make_session(start_in=-1, day_count=1, course=course)
    ana = enrol(session, email="ana@example.org")
    (form,) = services.session_forms_setup(training_session=session)
    opens = add_months(last_end(session), 3)
    assert emails.send_due_invitations() == 0
    assert emails.send_due_invitations(now=opens - HOUR) == 0
    assert emails.send_due_invitations(now=opens + HOUR) == 1
    assert link(form, ana) in mail.outbox[0].body
    # Once it has closed, nobody new is mailed.
    late = enrol(session, email="tarziu@example.org")
    assert emails.send_due_invitations(now=opens + datetime.timedelta(days=31)) == 0
    assert not Invitation.objects.filter(enrolment=late, invited_at__isnull=False).exists()


def test_nobody_without_an_e_mail_address_or_a_confirmed_seat_is_mailed():
    session = make_session(start_in=1, day_count=1)
    without = enrol(session)
    without.professional.email = ""
    without.professional.save(update_fields=["email"])
    cancelled = enrol(session, email="anulat@example.org")
    set_up(session)
    Enrolment.objects.filter(pk=cancelled.pk).update(status=Enrolment.Status.CANCELLED)
    assert emails.send_due_invitations() == 0
    assert mail.outbox == []
    assert not Invitation.objects.filter(invited_at__isnull=False).exists()


def test_cancelled_sessions_are_not_mailed():
    session = make_session(start_in=1, day_count=1)
    enrol(session, email="ana@example.org")
    set_up(session)
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.CANCELLED)
    assert emails.send_due_invitations() == 0


def test_a_mail_that_fails_is_released_for_the_next_sweep(monkeypatch):
    session = make_session(start_in=1, day_count=1)
    enrol(session, email="ana@example.org")
    set_up(session)

    def fail(self, *args, **kwargs):
        raise OSError("SMTP down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", fail)
        assert emails.send_due_invitations() == 0
    assert Invitation.objects.get(session_form__purpose=P.PRE_TEST).invited_at is None
    assert emails.send_due_invitations() == 1
    assert len(mail.outbox) == 1


def test_an_invitation_claimed_by_another_sweep_is_not_mailed_again():
    """Two sweeps at once: one reads the invitations due, the other mails them meanwhile; the
    first one's claim finds them taken and sends nothing."""
    session = make_session(start_in=1, day_count=1)
    enrol(session, email="ana@example.org")
    forms = set_up(session)
    now = timezone.now()
    read_first = emails.due_invitations([forms[P.PRE_TEST]])
    assert len(read_first) == 1
    assert emails.send_due_invitations() == 1  # the other sweep
    assert emails.mail_invitations(read_first, now) == 0
    assert len(mail.outbox) == 1


def test_the_command_says_what_it_did():
    course = CourseFactory()
    questionnaire(course, Kind.TEST)
    session = make_session(start_in=1, day_count=1, course=course)
    enrol(session, email="ana@example.org")
    enrol(session, email="dan@example.org")
    out = StringIO()
    call_command("evaluation_due", stdout=out)
    assert out.getvalue().splitlines() == [
        "Sessions set up: 1",
        "Invitations made: 0",
        "Evaluation mails sent: 2",
    ]
    out = StringIO()
    call_command("evaluation_due", stdout=out)
    assert "Evaluation mails sent: 0" in out.getvalue()


def test_a_session_set_up_to_no_forms_is_not_set_up_again():
    """Staff turned every form off: the sweep must not bring the course's defaults back."""
    course = CourseFactory()
    questionnaire(course, Kind.TEST)
    session = make_session(start_in=1, day_count=1, course=course)
    enrol(session, email="ana@example.org")
    assert services.session_forms_setup(training_session=session, purposes=[]) == []

    result = emails.sweep()

    assert result.sessions_set_up == 0
    assert not SessionForm.objects.filter(training_session=session).exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def sweep_queries(participants: int) -> tuple[int, int]:
    """(mails sent, queries run) by one sweep mailing the pre-test of a session starting
    tomorrow to `participants` people."""
    with transaction.atomic():  # rolled back: each count starts from an empty database
        session = make_session(start_in=1, day_count=2, title="")  # titled by its course
        for i in range(participants):
            enrol(session, email=f"p{i}@example.org")
        set_up(session, feedback=True)
        with CaptureQueriesContext(connection) as queries:
            sent = emails.send_due_invitations()
        transaction.set_rollback(True)
    return sent, len(queries)


def test_the_sweep_runs_one_query_more_per_mail_only():
    """Each mail claims its invitation (one UPDATE); everything else the mails need (the
    sessions' days and times, the forms' versions, the people) is read once for all."""
    sent2, two = sweep_queries(2)
    sent6, six = sweep_queries(6)
    assert (sent2, sent6) == (2, 6)
    assert six - two <= 4 * 1
