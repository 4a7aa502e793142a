""" "My trainings" shows each registration's evaluation forms: a button for each form open now
(to the personal link, or to the room address when no invitation exists yet), "answered" with
their own score for a named test; the page costs the same whatever the registrations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from evaluation import services
from evaluation.models import Invitation, SessionForm
from sessions.models import Enrolment
from tests.evaluation.test_answer_views import right_answers, set_up, t
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose


def url(name: str, **kwargs) -> str:
    with translation.override("ro"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def person(client):
    person = PersonFactory()
    client.force_login(person.user)
    return person


def confirmed(session, person) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="self"
    )


def my_trainings(client) -> str:
    response = client.get(url("training_sessions:my_trainings"))
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, enrolment: Enrolment) -> str:
    start = html.index(f'id="enrolment-{enrolment.pk}-title"')
    return html[start : html.index("</article>", start)]


def test_a_pending_pre_test_links_to_the_personal_link(client, person):
    session = make_session(start_in=2, day_count=1)
    enrolment = confirmed(session, person)
    forms = set_up(session)
    invitation = Invitation.objects.get(session_form=forms[P.PRE_TEST], enrolment=enrolment)
    html = card(my_trainings(client), enrolment)
    assert t("Take the pre-test") in html
    assert f'href="{url("evaluation:answer", token=invitation.token)}"' in html
    # The post-test is not open yet: no button.
    assert t("Take the post-test") not in html


def test_without_an_invitation_the_button_opens_the_room_address(client, person):
    session = make_session(start_in=2, day_count=1)
    forms = set_up(session)
    enrolment = confirmed(session, person)  # after the set-up: not invited yet
    html = card(my_trainings(client), enrolment)
    assert f'href="{url("evaluation:room", code=forms[P.PRE_TEST].code)}"' in html


def test_after_the_session_post_test_and_feedback_then_answered_with_the_score(client, person):
    session = make_session(start_in=-1, day_count=1)
    enrolment = confirmed(session, person)
    forms = set_up(session, feedback=True)
    html = card(my_trainings(client), enrolment)
    assert t("Take the post-test") in html
    assert t("Give feedback") in html
    assert t("Take the pre-test") not in html  # closed and not answered: not listed
    services.response_submit(
        invitation=Invitation.objects.get(session_form=forms[P.POST_TEST], enrolment=enrolment),
        data=right_answers(forms[P.POST_TEST].version),
    )
    html = card(my_trainings(client), enrolment)
    assert t("Take the post-test") not in html
    with translation.override("ro"):
        answered = translation.pgettext("evaluation form", "answered")
        score = translation.gettext("your score: %(score)s%%") % {"score": "66,67"}
    assert answered in html
    assert score in html
    assert t("Give feedback") in html


def test_a_cancelled_registration_shows_no_forms(client, person):
    session = make_session(start_in=-1, day_count=1)
    enrolment = confirmed(session, person)
    set_up(session, feedback=True)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.CANCELLED)
    html = card(my_trainings(client), enrolment)
    assert t("Give feedback") not in html


def _queries(client) -> int:
    my_trainings(client)  # warm caches (site, locales)
    with CaptureQueriesContext(connection) as queries:
        my_trainings(client)
    return len(queries)


def test_the_forms_cost_the_same_whatever_the_number_of_registrations(
    client, person, django_assert_num_queries
):
    def registration(i):
        session = make_session(start_in=-1 - 2 * i, day_count=1)
        confirmed(session, person)
        set_up(session, feedback=True)

    registration(0)
    one = _queries(client)
    assert my_trainings(client).count(t("Give feedback")) == 1
    for i in range(1, 5):
        registration(i)
    assert my_trainings(client).count(t("Give feedback")) == 5
    with django_assert_num_queries(one):
        my_trainings(client)
