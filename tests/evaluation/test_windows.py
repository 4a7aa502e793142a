"""When each form is open (evaluation.selectors.form_window) and that a submission outside its
window is refused (services.response_submit).

The rule: the pre-test is open from set-up until two hours after the first day starts; the
post-test and feedback from the start of the last day (but not before the pre-test closes)
until 14 days after it ends; a follow-up
survey opens N months after the last day ends and stays open 30 days (a month-end day becomes
the last day of a shorter month). A window closes at its end: open at `closes_at − 1 s`,
closed at `closes_at`."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from evaluation import services
from evaluation.models import Invitation, Questionnaire, Response
from evaluation.selectors import SessionTimes, form_window
from sessions.models import Enrolment, SessionDay
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import TrainingSessionFactory, make_session
from tests.factories.training import ProfessionalFactory

BUCHAREST = ZoneInfo("Europe/Bucharest")
SECOND = datetime.timedelta(seconds=1)


def at(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BUCHAREST)


# A two-day session: 10 March 2026 09:00–17:00 and 11 March 2026 09:00–17:00.
TIMES = SessionTimes(
    first_start=at(2026, 3, 10, 9), last_start=at(2026, 3, 11, 9), last_end=at(2026, 3, 11, 17)
)


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (at(2026, 1, 1), True),  # weeks before day 1
        (at(2026, 3, 10, 8, 59), True),
        (at(2026, 3, 10, 9), True),  # day 1 starts: still answered in the room
        (at(2026, 3, 10, 11) - SECOND, True),
        (at(2026, 3, 10, 11), False),  # 2 hours in: closed
        (at(2026, 3, 11, 9), False),
        (at(2026, 3, 20), False),
    ],
)
def test_pre_test_window(now, is_open):
    assert form_window("pre_test", TIMES).is_open(now) is is_open


@pytest.mark.parametrize("purpose", ["post_test", "feedback"])
@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (at(2026, 3, 10, 12), False),  # during day 1
        (at(2026, 3, 11, 9) - SECOND, False),
        (at(2026, 3, 11, 9), True),  # the last day starts
        (at(2026, 3, 11, 16), True),
        (at(2026, 3, 18), True),
        (at(2026, 3, 25, 17) - SECOND, True),  # 14 days after the last day ends
        (at(2026, 3, 25, 17), False),
        (at(2026, 4, 30), False),
    ],
)
def test_post_test_and_feedback_window(purpose, now, is_open):
    assert form_window(purpose, TIMES).is_open(now) is is_open


@pytest.mark.parametrize("purpose", ["post_test", "feedback"])
def test_a_one_day_sessions_post_test_opens_as_its_pre_test_closes(purpose):
    times = SessionTimes(at(2026, 3, 10, 9), at(2026, 3, 10, 9), at(2026, 3, 10, 17))
    pre, post = form_window("pre_test", times), form_window(purpose, times)
    assert post.opens_at == pre.closes_at == at(2026, 3, 10, 11)
    for minute in range(0, 8 * 60, 5):  # never both open: no post-test before the training
        now = at(2026, 3, 10, 9) + datetime.timedelta(minutes=minute)
        assert not (pre.is_open(now) and post.is_open(now)), now
    assert post.is_open(at(2026, 3, 10, 11)) and not post.is_open(at(2026, 3, 10, 11) - SECOND)


def test_post_test_window_is_upcoming_before_the_last_day():
    window = form_window("post_test", TIMES)
    assert window.is_upcoming(at(2026, 3, 10, 12))
    assert not window.is_upcoming(at(2026, 3, 26))


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (at(2026, 3, 12), False),
        (at(2026, 6, 11, 17) - SECOND, False),
        (at(2026, 6, 11, 17), True),  # 3 months after 11 March 17:00
        (at(2026, 7, 11, 17) - SECOND, True),  # + 30 days = 11 July 17:00
        (at(2026, 7, 11, 17), False),
    ],
)
def test_follow_up_window_three_months(now, is_open):
    assert form_window("follow_up", TIMES, 3).is_open(now) is is_open


def test_follow_up_from_the_31st_of_august_opens_on_the_last_day_of_february():
    times = SessionTimes(at(2026, 8, 31, 9), at(2026, 8, 31, 9), at(2026, 8, 31, 17))
    window = form_window("follow_up", times, 6)
    assert window.opens_at == at(2027, 2, 28, 17)
    assert window.closes_at == at(2027, 3, 30, 17)  # 30 days later
    assert not window.is_open(at(2027, 2, 28, 16))
    assert window.is_open(at(2027, 3, 1))


def test_follow_up_in_a_leap_year_opens_on_the_29th_of_february():
    times = SessionTimes(at(2027, 8, 31, 9), at(2027, 8, 31, 9), at(2027, 8, 31, 17))
    window = form_window("follow_up", times, 6)
    assert window.opens_at == at(2028, 2, 29, 17)
    assert window.closes_at == at(2028, 3, 30, 17)


def test_follow_up_across_the_year_and_month_lengths():
    # 31 October + 4 months → 28 February; 30 November + 12 → 30 November next year
    times = SessionTimes(at(2026, 10, 31, 9), at(2026, 10, 31, 9), at(2026, 10, 31, 17))
    assert form_window("follow_up", times, 4).opens_at == at(2027, 2, 28, 17)
    times = SessionTimes(at(2026, 11, 30, 9), at(2026, 11, 30, 9), at(2026, 11, 30, 17))
    assert form_window("follow_up", times, 12).opens_at == at(2027, 11, 30, 17)


def test_a_session_without_days_has_no_open_form():
    empty = SessionTimes(None, None, None)
    for purpose in ("pre_test", "post_test", "feedback", "follow_up"):
        assert not form_window(purpose, empty).is_open(at(2026, 3, 10, 10))


# ---- refused outside the window (through the service, with the session's real days) ---------


def invite(session, purposes):
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="self",
    )
    forms = services.session_forms_setup(training_session=session, purposes=purposes)
    return {f.purpose: Invitation.objects.get(session_form=f, enrolment=enrolment) for f in forms}


def valid_answers(invitation) -> dict:
    data = {}
    for question in invitation.session_form.version.questions:
        if question["type"] in ("single", "multiple"):
            data[f"q-{question['id']}"] = [question["options"][0]["id"]]
        elif question["type"] == "likert":
            data[f"q-{question['id']}"] = ["3"]
    return data


def refused(invitation, now) -> str:
    with pytest.raises(ValidationError) as raised:
        services.response_submit(invitation=invitation, data=valid_answers(invitation), now=now)
    return raised.value.messages[0]


@pytest.mark.django_db
def test_pre_test_refused_after_two_hours_into_day_one():
    session = make_session(start_in=3, day_count=2)
    questionnaire(session.course)
    pre = invite(session, ["pre_test"])["pre_test"]
    first = session.days.order_by("starts_at").first().starts_at
    assert refused(pre, first + datetime.timedelta(hours=2)) == gettext("This form has closed.")
    assert Response.objects.count() == 0
    services.response_submit(
        invitation=pre, data=valid_answers(pre), now=first + datetime.timedelta(minutes=119)
    )
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_feedback_refused_before_the_last_day_and_after_fourteen_days():
    session = make_session(start_in=3, day_count=2)
    questionnaire(session.course, kind=Questionnaire.Kind.FEEDBACK)
    feedback = invite(session, ["feedback"])["feedback"]
    days = list(session.days.order_by("starts_at"))
    during_day_one = days[0].starts_at + datetime.timedelta(hours=3)
    assert refused(feedback, during_day_one) == gettext("This form is not open now.")
    after = days[-1].ends_at + datetime.timedelta(days=14)
    assert refused(feedback, after) == gettext("This form has closed.")
    assert Response.objects.count() == 0
    feedback.refresh_from_db()
    assert feedback.submitted is False
    services.response_submit(invitation=feedback, data=valid_answers(feedback), now=after - SECOND)
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_post_test_refused_before_the_last_day_starts():
    session = make_session(start_in=3, day_count=2)
    questionnaire(session.course)
    post = invite(session, ["pre_test", "post_test"])["post_test"]
    last = session.days.order_by("starts_at").last()
    assert refused(post, last.starts_at - SECOND) == gettext("This form is not open now.")
    services.response_submit(invitation=post, data=valid_answers(post), now=last.starts_at)
    assert Response.objects.filter(session_form__purpose="post_test").count() == 1


@pytest.mark.django_db
def test_follow_up_refused_until_six_months_after_a_31_august_session():
    session = TrainingSessionFactory()
    SessionDay.objects.create(
        training_session=session, starts_at=at(2026, 8, 31, 9), ends_at=at(2026, 8, 31, 17)
    )
    questionnaire(session.course, kind=Questionnaire.Kind.FOLLOW_UP, follow_up_months=6)
    follow_up = invite(session, ["follow_up"])["follow_up"]
    assert refused(follow_up, at(2027, 2, 27, 12)) == gettext("This form is not open now.")
    assert refused(follow_up, at(2027, 4, 2)) == gettext("This form has closed.")
    services.response_submit(
        invitation=follow_up, data=valid_answers(follow_up), now=at(2027, 3, 1, 12)
    )
    assert Response.objects.count() == 1
