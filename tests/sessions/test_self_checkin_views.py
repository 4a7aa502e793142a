"""Self check-in on the public site: a participant types the code the trainer projects
(`prezenta/`) or scans its QR, which opens `prezenta/<code>/` (a confirmation page: the button
checks them in). Pages are requested in English (/en/) so that the assertions read the English
texts."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sessions.models import Attendance, CheckInWindow, Enrolment, SessionDay
from sessions.services import checkin_window_open
from tests.factories.sessions import TrainingSessionFactory, running_span
from tests.factories.training import PersonFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
A = Attendance.Status


def url(name, *args) -> str:
    with translation.override("en"):
        return reverse(f"training_sessions:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def running_session(**kwargs):
    """A published session with one day under way now (so its check-in is open)."""
    session = TrainingSessionFactory(title="Comunicarea cu copilul", **kwargs)
    starts_at, ends_at = running_span()
    SessionDay.objects.create(training_session=session, starts_at=starts_at, ends_at=ends_at)
    return session


def seat(session, person, status=E.CONFIRMED) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=person, status=status, source="self"
    )


@pytest.fixture
def session():
    return running_session()


@pytest.fixture
def day(session):
    return session.days.get()


@pytest.fixture
def window(day, staff_user) -> CheckInWindow:
    """The trainer opens self check-in: the code on the projector."""
    return checkin_window_open(day=day, acting_user=staff_user)


@pytest.fixture
def person():
    return PersonFactory()


@pytest.fixture
def participant(session, person) -> Enrolment:
    return seat(session, person)


@pytest.fixture
def person_client(client, person):
    client.force_login(person.user)
    return client


def type_code(client, code):
    return client.post(url("checkin"), {"code": code})


def the_day(day) -> str:
    with translation.override("en"):
        return timezone.localtime(day.starts_at).strftime("%A, %-d %B %Y")


def test_the_form_asks_for_the_code_in_one_big_field(person_client):
    response = person_client.get(url("checkin"))
    assert response.status_code == 200
    html = text(response)
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="code"' in html
    assert 'autocomplete="off"' in html
    assert 'autocapitalize="characters"' in html
    assert 'inputmode="text"' in html
    assert '<label for="checkin-code">Code on the screen</label>' in html


def test_typing_the_code_checks_the_participant_in(person_client, person, participant, window):
    # typed as people do: small letters, with a space
    typed = f"{window.code[:3].lower()} {window.code[3:].lower()}"
    response = type_code(person_client, typed)

    assert response.status_code == 200
    html = text(response)
    assert "You are checked in" in html
    assert f"You are checked in for “Comunicarea cu copilul”, {the_day(window.day)}." in html
    mark = Attendance.objects.get()
    assert (mark.enrolment, mark.day, mark.status) == (participant, window.day, A.PRESENT)
    assert mark.method == Attendance.Method.SELF
    assert mark.marked_by == person.user


def test_checking_in_twice_says_so_and_leaves_one_mark(person_client, participant, window):
    type_code(person_client, window.code)
    response = person_client.post(url("checkin_code", window.code))

    assert response.status_code == 200
    assert "You were already checked in for “Comunicarea cu copilul”" in text(response)
    assert "nothing changed" in text(response)
    assert Attendance.objects.count() == 1


def test_an_expired_code_is_refused_and_the_form_kept(person_client, participant, window):
    # the window's 15 minutes are over
    now = timezone.now()
    CheckInWindow.objects.filter(pk=window.pk).update(
        opens_at=now - datetime.timedelta(minutes=20), closes_at=now - datetime.timedelta(minutes=5)
    )
    response = type_code(person_client, window.code)

    assert response.status_code == 200
    html = text(response)
    assert "This code has expired. Ask the trainer for the current one." in html
    assert f'value="{window.code}"' in html
    assert 'aria-invalid="true"' in html
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("status", [E.WAITLISTED, E.PENDING, E.CANCELLED, None])
def test_the_code_of_a_session_the_person_holds_no_seat_in_is_refused(
    person_client, session, person, window, status
):
    if status is not None:
        seat(session, person, status=status)
    seat(session, PersonFactory())  # someone else is confirmed
    response = type_code(person_client, window.code)

    assert response.status_code == 200
    assert "You are not a confirmed participant of this session." in text(response)
    assert not Attendance.objects.exists()


def test_the_code_of_another_session_does_not_check_anybody_in(
    person_client, person, participant, staff_user
):
    other = running_session(code="S-ALTA")
    other_window = checkin_window_open(day=other.days.get(), acting_user=staff_user)
    response = type_code(person_client, other_window.code)
    assert "You are not a confirmed participant of this session." in text(response)
    assert not Attendance.objects.exists()


def test_an_unknown_code_is_refused_and_the_form_kept(person_client, participant, window):
    wrong = "22222Z" if window.code != "22222Z" else "33333Z"
    response = type_code(person_client, wrong)

    assert response.status_code == 200
    html = text(response)
    assert "This code is not valid. Check it on the screen and try again." in html
    assert f'value="{wrong}"' in html
    assert not Attendance.objects.exists()


def test_an_empty_code_is_asked_for(person_client, participant, window):
    response = type_code(person_client, "  ")
    assert "Type the code shown on the screen." in text(response)
    assert not Attendance.objects.exists()


def test_the_eleventh_attempt_in_15_minutes_is_refused_and_records_nothing(
    person_client, participant, window, settings
):
    settings.CHECKIN_ATTEMPTS_PER_15_MINUTES = 10
    wrong = "22222Z" if window.code != "22222Z" else "33333Z"
    for _attempt in range(10):
        response = type_code(person_client, wrong)
        assert response.status_code == 200
        assert "This code is not valid." in text(response)

    # the right code, but one attempt too many: neither form checks in
    response = type_code(person_client, window.code)
    assert response.status_code == 429
    assert "You have tried too many codes. Nothing was recorded: wait 15 minutes" in text(response)
    assert person_client.post(url("checkin_code", window.code)).status_code == 429
    assert not Attendance.objects.exists()


def test_the_limit_is_per_person(person_client, session, participant, window, settings):
    settings.CHECKIN_ATTEMPTS_PER_15_MINUTES = 2
    for _attempt in range(3):
        type_code(person_client, "22222Z")
    other = PersonFactory()
    seat(session, other)
    other_client = Client()
    other_client.force_login(other.user)
    assert "You are checked in" in text(type_code(other_client, window.code))


def test_the_projected_qr_opens_a_confirmation_that_records_nothing(
    person_client, participant, window
):
    address = url("checkin_code", window.code)
    for _visit in range(3):  # the phone's scanner, a link preview, the person
        response = person_client.get(address)
        assert response.status_code == 200
    html = text(response)
    assert "Comunicarea cu copilul" in html
    assert the_day(window.day) in html
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Mark me present" in html
    assert not Attendance.objects.exists()

    response = person_client.post(address)
    assert "You are checked in for “Comunicarea cu copilul”" in text(response)
    assert Attendance.objects.get().method == Attendance.Method.SELF


def test_opening_the_qr_page_is_no_attempt(person_client, participant, window, settings):
    settings.CHECKIN_ATTEMPTS_PER_15_MINUTES = 1
    for _visit in range(5):
        person_client.get(url("checkin_code", window.code))
    response = person_client.post(url("checkin_code", window.code))
    assert "You are checked in" in text(response)


def test_the_qr_page_says_so_when_the_person_is_already_in(person_client, participant, window):
    person_client.post(url("checkin_code", window.code))
    response = person_client.get(url("checkin_code", window.code))
    html = text(response)
    assert "You are already checked in for “Comunicarea cu copilul”" in html
    assert "Mark me present" not in html
    assert Attendance.objects.count() == 1


def test_the_qr_page_of_an_expired_or_unknown_code_offers_the_form(
    person_client, participant, window
):
    response = person_client.get(url("checkin_code", "22222Z"))
    assert response.status_code == 404
    assert "This code is not valid." in text(response)
    assert f'action="{url("checkin")}"' in text(response)

    CheckInWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now())
    response = person_client.get(url("checkin_code", window.code))
    assert "This code has expired." in text(response)
    assert "Mark me present" not in text(response)


@pytest.mark.parametrize("name", ["checkin", "checkin_code"])
def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_recorded(
    client, participant, window, name
):
    address = url(name, window.code) if name == "checkin_code" else url(name)
    for response in (client.get(address), client.post(address, {"code": window.code})):
        assert response.status_code == 302
        with translation.override("en"):
            login = reverse("account_login")
        assert response.url.startswith(login)
        assert "next=" in response.url
    assert not Attendance.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(person, participant, window):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person.user)
    assert client.post(url("checkin"), {"code": window.code}).status_code == 403
    assert client.post(url("checkin_code", window.code)).status_code == 403
    assert not Attendance.objects.exists()


def test_the_addresses_carry_nothing_personal(window):
    assert url("checkin") == "/en/prezenta/"
    assert url("checkin_code", window.code) == f"/en/prezenta/{window.code}/"
    with translation.override("ro"):
        assert reverse("training_sessions:checkin") == "/prezenta/"
