""" "My trainings": the signed-in person's own registrations, upcoming and past, with what they
may do about each; its cost does not grow with the registrations."""

import pytest
from django.urls import reverse
from django.utils import translation

from sessions.models import Enrolment, TrainingSession
from sessions.services import enrolment_create, enrolment_set_status
from tests.factories.sessions import make_session
from tests.factories.training import FocalPointFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Source = Enrolment.Source


def url(name, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


MY_TRAININGS = "training_sessions:my_trainings"


def enrol(session, person) -> Enrolment:
    return enrolment_create(
        training_session=session, professional=person, acting_user=person.user, source=Source.SELF
    )


def section(html: str, heading_id: str) -> str:
    """The part of the page under one section heading."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture
def person_client(client, person):
    client.force_login(person.user)
    return client


def my_trainings(client) -> str:
    response = client.get(url(MY_TRAININGS))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(url(MY_TRAININGS))
    assert response.status_code == 302
    assert response.url.startswith(url("account_login"))


def test_an_account_without_a_profile_is_asked_to_complete_it(client):
    client.force_login(UserFactory())
    html = my_trainings(client)
    assert "Complete your profile" in html
    assert f'href="{url("accounts:profile")}?next=' in html


def test_only_the_persons_own_registrations_are_listed(person_client, person):
    mine = make_session(title="Sesiunea mea")
    theirs = make_session(title="Sesiunea altcuiva")
    enrol(mine, person)
    enrol(theirs, PersonFactory())
    html = my_trainings(person_client)
    assert "Sesiunea mea" in html
    assert f'href="{url("training_sessions:detail", mine.code)}"' in html
    assert "Sesiunea altcuiva" not in html


def test_upcoming_and_past_are_apart(person_client, person):
    soon = make_session(title="Sesiune viitoare", start_in=5)
    held = make_session(
        title="Sesiune trecută", start_in=-40, status=TrainingSession.Status.COMPLETED
    )
    enrol(soon, person)
    past = Enrolment.objects.create(
        training_session=held, professional=person, status=E.CONFIRMED, source=Source.IMPORT
    )
    html = my_trainings(person_client)
    assert "Sesiune viitoare" in section(html, "upcoming-heading")
    assert "Sesiune trecută" in section(html, "past-heading")
    assert "Sesiune trecută" not in section(html, "upcoming-heading")
    # nothing to do about a past training
    assert f'href="{url("training_sessions:cancel", past.pk)}' not in html


def test_each_status_with_its_reason_position_and_actions(person_client, person, staff_user):
    confirmed = enrol(make_session(title="Confirmată", start_in=20), person)
    rejected = enrol(make_session(title="Respinsă", approval_mode="manual"), person)
    enrolment_set_status(
        enrolment=rejected, status=E.REJECTED, acting_user=staff_user, reason="Locuri epuizate."
    )
    full = make_session(title="Plină", capacity=1)
    enrol(full, PersonFactory())
    waiting = enrol(full, person)
    nominated = make_session(title="Nominalizare", approval_mode="nomination")
    focal = FocalPointFactory(county=person.county)
    offer = enrolment_create(
        training_session=nominated,
        professional=person,
        acting_user=focal.user,
        source=Source.NOMINATION,
    )
    late = enrol(
        make_session(title="Prea târziu", start_in=1, cancellation_cutoff_hours=72), person
    )
    html = my_trainings(person_client)
    assert "Confirmed: you have a place." in html
    assert f'href="{url("training_sessions:cancel", confirmed.pk)}?next=' in html
    assert "Rejected." in html
    assert "Locuri epuizate." in html
    assert f'href="{url("training_sessions:cancel", rejected.pk)}' not in html
    assert "On the waiting list, number 1." in html
    assert f'href="{url("training_sessions:cancel", waiting.pk)}?next=' in html
    assert f'action="{url("training_sessions:respond", offer.pk)}"' in html
    assert "Accept the seat" in html
    assert f'href="{url("training_sessions:cancel", late.pk)}' not in html
    assert "too late to cancel online" in html
    # a place for the check-in code and certificate, empty for now
    assert html.count('class="my-training__documents"') == 5


def test_answering_from_my_trainings_comes_back_here(person_client, person):
    session = make_session(approval_mode="nomination")
    focal = FocalPointFactory(county=person.county)
    offer = enrolment_create(
        training_session=session, professional=person, acting_user=focal.user, source="nomination"
    )
    response = person_client.post(
        url("training_sessions:respond", offer.pk), {"accept": "1", "next": url(MY_TRAININGS)}
    )
    assert response.url == url(MY_TRAININGS)
    offer.refresh_from_db()
    assert offer.status == E.CONFIRMED
    assert "Confirmed: you have a place." in my_trainings(person_client)


@pytest.mark.parametrize("count", [2, 12])
def test_the_page_costs_the_same_whatever_the_number_of_registrations(
    person_client, person, count, django_assert_max_num_queries
):
    for i in range(count):
        session = make_session(start_in=5 + i, capacity=1 if i % 3 == 0 else 5)
        if i % 3 == 0:
            enrol(session, PersonFactory())  # so that the person waits
        enrol(session, person)
    assert Enrolment.objects.filter(professional=person).count() == count
    my_trainings(person_client)  # warm caches (site, locales)
    # 16: the session days (Google Calendar links), the attendance marks and the calendar key
    # are one query each.
    # and one for the certificates: 17; and one for the privacy notice banner: 18; and one
    # for the evaluation forms of the sessions: 19
    with django_assert_max_num_queries(19):
        html = my_trainings(person_client)
    assert html.count('class="my-training"') == count
