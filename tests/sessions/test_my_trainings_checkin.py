""" "My trainings" and attendance: the personal check-in code (QR and text) for a confirmed seat
in a session still to come, the attendance per day once a session has begun, and the completion
result once it is completed; the page's cost does not grow with the registrations. Requested in
English (/en/) so that the assertions read the English texts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from sessions.qr import qr_svg
from sessions.services import attendance_mark, training_session_complete
from sessions.views import CHECKIN_QR_SCALE
from tests.factories.sessions import TrainingSessionFactory, make_session
from tests.factories.training import CourseFactory, PersonFactory
from training.models import CompletionBasis

pytestmark = pytest.mark.django_db

E = Enrolment.Status
A = Attendance.Status


def url(name, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def seat(session, person, status=E.CONFIRMED) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=person, status=status, source="self"
    )


def my_trainings(client) -> str:
    response = client.get(url("training_sessions:my_trainings"))
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, session) -> str:
    """The article of one registration, its whitespace squeezed."""
    at = html.index(f">{session.display_title}</a>")
    start = html.rindex('<article class="my-training"', 0, at)
    end = html.index("</article>", at)
    return " ".join(html[start:end].split())


def code_text(enrolment) -> str:
    token = enrolment.checkin_token
    return "".join(f"<span>{token[i : i + 4]}</span>" for i in range(0, len(token), 4))


@pytest.fixture
def person():
    return PersonFactory()


@pytest.fixture
def person_client(client, person):
    client.force_login(person.user)
    return client


# --- the check-in code ---------------------------------------------------------------------


def modules(token: str) -> str:
    """The dark modules of the QR code of `token`, as the SVG draws them."""
    svg = qr_svg(token, scale=CHECKIN_QR_SCALE)
    return re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)


def test_a_confirmed_seat_shows_the_check_in_code_as_qr_and_text(person_client, person):
    session = make_session(start_in=5, title="Comunicarea cu copilul")
    enrolment = seat(session, person)
    html = card(my_trainings(person_client), session)

    assert '<details class="checkin-code">' in html  # closed: the session is not today
    assert "<summary>Check-in code" in html
    assert "Show this code at the entrance; staff scan it to mark you present." in html
    # the QR of this person's own code (another code draws another picture)
    title = "Check-in code for “Comunicarea cu copilul”"
    assert 'class="qr-code"' in html
    assert modules(enrolment.checkin_token) in html
    assert modules(seat(make_session(start_in=5), person).checkin_token) not in card(
        my_trainings(person_client), session
    )
    assert f"<title>{title}</title>" in html
    assert code_text(enrolment) in html
    assert f'href="{url("training_sessions:checkin")}"' in html
    # the secret is on the page, never in an address
    assert f"/{enrolment.checkin_token}" not in html


def test_no_code_without_a_confirmed_seat_or_after_the_session(person_client, person):
    full = make_session(start_in=5, capacity=1, title="Sesiune plina")
    seat(full, PersonFactory())
    waiting = seat(full, person, status=E.WAITLISTED)
    pending = seat(make_session(start_in=6, title="In asteptare"), person, status=E.PENDING)
    held = make_session(start_in=-5, title="Sesiune trecuta")
    past = seat(held, person)
    called_off = make_session(start_in=7, title="Anulata")
    cancelled_session = seat(called_off, person)
    TrainingSession.objects.filter(pk=called_off.pk).update(status=TrainingSession.Status.CANCELLED)
    online = make_session(
        start_in=8,
        title="Online",
        delivery_mode="online",
        online_url="https://meet.example.org/x",
        venue=None,
    )
    online_seat = seat(online, person)

    html = my_trainings(person_client)
    assert "Sesiune plina" in html
    assert "qr-code" not in html
    assert "Check-in code" not in html
    for enrolment in (waiting, pending, past, cancelled_session, online_seat):
        assert enrolment.checkin_token not in html


def test_on_the_day_the_code_is_shown_open_with_the_way_to_self_check_in(person_client, person):
    session = TrainingSessionFactory(title="Azi")
    now = timezone.now()
    SessionDay.objects.create(
        training_session=session,
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=3),
    )
    seat(session, person)
    later = make_session(start_in=9, title="Mai tarziu")
    seat(later, person)
    html = my_trainings(person_client)

    assert '<details class="checkin-code" open>' in card(html, session)
    assert '<details class="checkin-code">' in card(html, later)
    assert "A training of yours runs today." in html
    assert f'<a href="{url("training_sessions:checkin")}" role="button">' in html


def test_without_a_training_today_there_is_no_check_in_call(person_client, person):
    seat(make_session(start_in=9), person)
    assert "A training of yours runs today." not in my_trainings(person_client)


# --- attendance and completion ---------------------------------------------------------------


def mark(enrolment, day, status, staff_user, minutes=None):
    attendance_mark(
        enrolment=enrolment, day=day, status=status, minutes=minutes, acting_user=staff_user
    )


def day_line(day) -> str:
    with translation.override("en"):
        return timezone.localtime(day.starts_at).strftime("%A, %-d %B")


def test_each_day_of_a_past_session_shows_how_the_person_attended(
    person_client, person, staff_user
):
    session = make_session(start_in=-10, day_count=5, title="Cinci zile")
    enrolment = seat(session, person)
    days = list(session.days.all())
    mark(enrolment, days[0], A.PRESENT, staff_user)
    mark(enrolment, days[1], A.PARTIAL, staff_user, minutes=90)
    mark(enrolment, days[2], A.ABSENT, staff_user)
    mark(enrolment, days[3], A.EXCUSED, staff_user)
    # days[4]: nobody marked it
    html = card(my_trainings(person_client), session)

    assert "<h4>Attendance</h4>" in html
    expected = [
        "present",
        "late or partial, 90 minutes attended",
        "absent",
        "excused absence",
        "not marked",
    ]
    for day, status in zip(days, expected, strict=True):
        assert re.search(rf"{day_line(day)}</time>: <strong [^>]*> {status} </strong>", html), (
            status
        )
    assert "Completed" not in html  # the session is not completed yet


def test_a_session_under_way_shows_the_days_so_far(person_client, person, staff_user):
    session = TrainingSessionFactory(title="In curs")
    now = timezone.now()
    first = SessionDay.objects.create(
        training_session=session,
        starts_at=now - datetime.timedelta(days=1, hours=2),
        ends_at=now - datetime.timedelta(days=1) + datetime.timedelta(hours=4),
    )
    SessionDay.objects.create(
        training_session=session,
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=6),
    )
    enrolment = seat(session, person)
    mark(enrolment, first, A.PRESENT, staff_user)
    html = card(my_trainings(person_client), session)
    assert html.count("<li> <time") == 1
    assert "present" in html
    assert code_text(enrolment) in html  # still to come: the code is there too


def test_no_attendance_for_a_place_never_held(person_client, person):
    held = make_session(start_in=-10, capacity=1, title="Fara loc")
    seat(held, PersonFactory())
    seat(held, person, status=E.WAITLISTED)
    assert "<h4>Attendance</h4>" not in card(my_trainings(person_client), held)


def test_a_completed_session_shows_the_hours_attended_and_the_result(
    person_client, person, staff_user
):
    # two days of 8 hours: 8 h + 6.5 h = 14.5 of 16 hours, over 80 %
    passed = make_session(start_in=-20, day_count=2, title="Reusita")
    mine = seat(passed, person)
    first, second = passed.days.all()
    mark(mine, first, A.PRESENT, staff_user)
    mark(mine, second, A.PARTIAL, staff_user, minutes=390)
    # 8 of 16 hours
    failed = make_session(start_in=-30, day_count=2, title="Nereusita")
    other = seat(failed, person)
    mark(other, failed.days.first(), A.PRESENT, staff_user)
    for session in (passed, failed):
        training_session_complete(training_session=session, acting_user=staff_user)

    html = my_trainings(person_client)
    assert "<strong>Completed</strong> — 14.5 of 16 hours attended </p>" in card(html, passed)
    assert (
        "<strong>Not completed</strong> — 8 of 16 hours attended "
        "(at least 80% of the hours needed) </p>"
    ) in card(html, failed)


def test_a_course_counted_in_days_shows_the_days(person_client, person, staff_user):
    course = CourseFactory(completion_basis=CompletionBasis.DAYS, min_days=2)
    session = make_session(start_in=-20, day_count=3, course=course, title="Seminar")
    enrolment = seat(session, person)
    mark(enrolment, session.days.first(), A.PRESENT, staff_user)
    training_session_complete(training_session=session, acting_user=staff_user)

    html = card(my_trainings(person_client), session)
    assert (
        "<strong>Not completed</strong> — 1 of 3 days attended (at least 2 days needed) </p>"
    ) in html


def test_the_hours_read_in_romanian_with_a_decimal_comma(person_client, person, staff_user):
    session = make_session(start_in=-20, day_count=2, title="Zecimale")
    enrolment = seat(session, person)
    first, second = session.days.all()
    mark(enrolment, first, A.PRESENT, staff_user)
    mark(enrolment, second, A.PARTIAL, staff_user, minutes=390)
    training_session_complete(training_session=session, acting_user=staff_user)
    with translation.override("ro"):
        address = reverse("training_sessions:my_trainings")
    html = " ".join(person_client.get(address).content.decode().split())
    assert " 14,5 " in html
    assert " 14.5 " not in html


# --- cost -----------------------------------------------------------------------------------


def add_registrations(person, staff_user, count: int, offset: int) -> None:
    """A mix: confirmed seats to come (QR), waiting places, and completed sessions with marks."""
    for i in range(offset, offset + count):
        kind = i % 3
        if kind == 0:
            seat(make_session(start_in=5 + i), person)
        elif kind == 1:
            full = make_session(start_in=5 + i, capacity=1)
            seat(full, PersonFactory())
            seat(full, person, status=E.WAITLISTED)
        else:
            held = make_session(start_in=-40 - 3 * i, day_count=2)
            enrolment = seat(held, person)
            mark(enrolment, held.days.first(), A.PRESENT, staff_user)
            mark(enrolment, held.days.last(), A.PARTIAL, staff_user, minutes=200)
            training_session_complete(training_session=held, acting_user=staff_user)


def test_the_page_costs_the_same_for_5_and_20_registrations(person_client, person, staff_user):
    add_registrations(person, staff_user, 5, 0)
    my_trainings(person_client)  # warm caches (site, locales)
    with CaptureQueriesContext(connection) as five:
        html = my_trainings(person_client)
    assert html.count('class="my-training"') == 5

    add_registrations(person, staff_user, 15, 5)
    with CaptureQueriesContext(connection) as twenty:
        html = my_trainings(person_client)
    assert html.count('class="my-training"') == 20
    assert html.count('class="qr-code"') == 7
    assert html.count("<h4>Attendance</h4>") == 6

    assert len(twenty) == len(five)
    # 15 before attendance, one for the marks, one for certificates, one for the privacy
    # notice banner, one for the evaluation forms of the sessions
    assert len(twenty) <= 19
