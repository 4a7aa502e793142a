"""A session's evaluation screen in the admin: setting up its forms through the form (the
service's refusals shown, nothing changed), moving them to the latest versions, who may open
it (scope: 404 outside it; trainers see but do not change), its button on the session, the
permissions on the group screen, and its query budget."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from wagtail import hooks

from evaluation import services
from evaluation.models import Invitation, Questionnaire, SessionForm
from sessions.models import Enrolment, TrainingSession
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    ProfessionalFactory,
    TrainerFactory,
    UserFactory,
    county,
)
from training import roles

pytestmark = pytest.mark.django_db

TEST = Questionnaire.Kind.TEST
FEEDBACK = Questionnaire.Kind.FEEDBACK


def url(name, *args):
    return reverse(f"evaluation_admin:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


def staff(username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(roles.role_group(role))
    return user


def coordinator(county_code="CJ", username="coordonator"):
    user = staff(username, roles.COUNTY_COORDINATOR)
    FocalPointFactory(user=user, county=county(county_code))
    return get_user_model().objects.get(pk=user.pk)


def trainer(session=None, username="formator"):
    user = staff(username, roles.TRAINER)
    person = TrainerFactory(user=user)
    if session is not None:
        TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=person)
    return get_user_model().objects.get(pk=user.pk)


def confirmed(session, n=1) -> list[Enrolment]:
    return [
        Enrolment.objects.create(
            training_session=session,
            professional=ProfessionalFactory(),
            status=Enrolment.Status.CONFIRMED,
            source="staff",
        )
        for _ in range(n)
    ]


def course_with_forms(session):
    """The session's course gets a knowledge test and a feedback form."""
    return (
        questionnaire(session.course, TEST, title="Test"),
        questionnaire(session.course, FEEDBACK, title="Feedback"),
    )


def purposes(session) -> list[str]:
    return sorted(
        SessionForm.objects.filter(training_session=session).values_list("purpose", flat=True)
    )


def answer_feedback(enrolment):
    form = SessionForm.objects.get(training_session=enrolment.training_session, purpose="feedback")
    invitation = Invitation.objects.get(session_form=form, enrolment=enrolment)
    first = form.version.questions[0]["id"]
    return services.response_submit(invitation=invitation, data={f"q-{first}": "4"})


@pytest.fixture
def cluj(client):
    client.force_login(coordinator())
    return client


# --- set-up through the form ------------------------------------------------------------------


def test_the_form_starts_from_the_course_defaults_and_sets_up_the_chosen_forms(cluj):
    session = make_session(start_in=5)
    course_with_forms(session)
    [enrolment] = confirmed(session)
    response = cluj.get(url("session", session.pk))
    assert response.status_code == 200
    assert response.context["setup_form"].initial["purposes"] == [
        "pre_test",
        "post_test",
        "feedback",
    ]
    assert gettext("No form is set up for this session yet.") in response.content.decode()

    response = cluj.post(
        url("session", session.pk), {"purposes": ["pre_test", "post_test"]}, follow=True
    )
    assert purposes(session) == ["post_test", "pre_test"]
    assert gettext("The session's evaluation forms are saved.") in messages_of(response)
    # the participant is invited to both
    assert Invitation.objects.filter(enrolment=enrolment).count() == 2
    # the screen now shows them, and the form starts from them
    page = response.content.decode()
    assert 'data-form="pre_test"' in page and 'data-form="post_test"' in page
    assert 'data-form="feedback"' not in page
    assert response.context["setup_form"].initial["purposes"] == ["pre_test", "post_test"]
    # no participant's personal link or token on the screen
    for token in Invitation.objects.values_list("token", flat=True):
        assert token not in page


def test_turning_off_a_form_with_answers_is_refused_and_nothing_changes(cluj):
    session = make_session(start_in=-1, day_count=1)  # yesterday: feedback is open
    course_with_forms(session)
    [enrolment, _other] = confirmed(session, 2)
    services.session_forms_setup(training_session=session)
    answer_feedback(enrolment)

    response = cluj.post(url("session", session.pk), {"purposes": ["pre_test", "post_test"]})
    assert response.status_code == 200
    expected = gettext("The %(form)s already has answers: it cannot be turned off.") % {
        "form": SessionForm.Purpose.FEEDBACK.label
    }
    assert expected in messages_of(response)
    assert escape(expected) in response.content.decode()
    assert purposes(session) == ["feedback", "post_test", "pre_test"]
    assert Invitation.objects.filter(session_form__purpose="feedback").count() == 2


def test_a_form_whose_questionnaire_is_missing_is_refused(cluj):
    session = make_session(start_in=5)
    questionnaire(session.course, TEST, title="Test")
    response = cluj.post(url("session", session.pk), {"purposes": ["feedback"]})
    assert response.status_code == 200
    expected = gettext(
        "The course has no %(kind)s yet: add it under Evaluation › Questionnaires."
    ) % {"kind": Questionnaire.Kind.FEEDBACK.label}
    assert expected in messages_of(response)
    assert purposes(session) == []


def test_the_screen_shows_counts_and_rates(cluj):
    session = make_session(start_in=-1, day_count=1)
    course_with_forms(session)
    people = confirmed(session, 4)
    services.session_forms_setup(training_session=session, purposes=["feedback"])
    answer_feedback(people[0])
    response = cluj.get(url("session", session.pk))
    [row] = response.context["rows"]
    assert (row["submitted"], row["eligible"], row["rate"]) == (1, 4, 25.0)
    page = response.content.decode()
    assert '<progress class="eval-progress" max="4" value="1">' in page


# --- newer versions ---------------------------------------------------------------------------


def test_use_the_latest_versions(cluj):
    session = make_session(start_in=5)
    test, feedback = course_with_forms(session)
    services.session_forms_setup(training_session=session)
    test.title = "Test, ediția a doua"
    services.questionnaire_save(questionnaire=test, acting_user=None)

    page = cluj.get(url("session", session.pk)).content.decode()
    assert page.count("data-newer") == 2  # the pre- and the post-test
    assert escape(gettext("Use the latest versions")) in page

    response = cluj.post(url("update_versions", session.pk), follow=True)
    expected = ngettext(
        "%(count)s form now uses the latest version.",
        "%(count)s forms now use the latest versions.",
        2,
    ) % {"count": 2}
    assert expected in messages_of(response)
    numbers = dict(
        SessionForm.objects.filter(training_session=session).values_list(
            "purpose", "version__number"
        )
    )
    assert numbers == {"pre_test": 2, "post_test": 2, "feedback": 1}
    assert "data-newer" not in response.content.decode()


def test_update_versions_is_a_post(cluj):
    session = make_session(start_in=5)
    assert cluj.get(url("update_versions", session.pk)).status_code == 405


# --- scope ------------------------------------------------------------------------------------


def test_a_coordinator_of_another_county_gets_404_and_changes_nothing(client):
    session = make_session(start_in=5)  # in Cluj
    course_with_forms(session)
    [enrolment] = confirmed(session)
    enrolment.professional.last_name = "Ascunsă"
    enrolment.professional.save()
    client.force_login(coordinator("B", username="coordonator-bucuresti"))
    for address in (url("session", session.pk), url("qr", session.pk, "pre_test")):
        response = client.get(address)
        assert response.status_code == 404, address
        assert "Ascunsă" not in response.content.decode()
    assert client.post(url("session", session.pk), {"purposes": ["feedback"]}).status_code == 404
    assert client.post(url("update_versions", session.pk)).status_code == 404
    assert purposes(session) == []


def test_a_trainer_of_another_session_gets_404(client):
    session = make_session(start_in=5)
    client.force_login(trainer(make_session(start_in=7)))
    assert client.get(url("session", session.pk)).status_code == 404


def test_the_sessions_trainer_sees_the_forms_but_cannot_set_them_up(client):
    session = make_session(start_in=5)
    course_with_forms(session)
    services.session_forms_setup(training_session=session, purposes=["pre_test"])
    client.force_login(trainer(session))
    response = client.get(url("session", session.pk))
    assert response.status_code == 200
    assert response.context["setup_form"] is None
    assert escape(gettext("Save the forms")) not in response.content.decode()
    assert client.get(url("qr", session.pk, "pre_test")).status_code == 200

    response = client.post(url("session", session.pk), {"purposes": ["feedback"]})
    assert response.status_code in (302, 403)
    assert client.post(url("update_versions", session.pk)).status_code in (302, 403)
    assert purposes(session) == ["pre_test"]


def test_without_the_permission_the_screen_is_refused(client):
    session = make_session(start_in=5)
    client.force_login(staff("editor", roles.CMS_EDITOR))
    assert client.get(url("session", session.pk)).status_code in (302, 403)


# --- the session's button, the report link, the permissions ------------------------------------


def buttons_for(user, session):
    return [
        button
        for hook in hooks.get_hooks("register_training_session_buttons")
        for button in hook(user, session)
    ]


def test_the_evaluation_button_is_on_sessions_in_scope_only():
    session = make_session(start_in=5)
    ours = coordinator()
    theirs = coordinator("B", username="coordonator-bucuresti")
    editor = staff("editor", roles.CMS_EDITOR)
    assert [b.url for b in buttons_for(ours, session)] == [url("session", session.pk)]
    assert buttons_for(theirs, session) == []
    assert buttons_for(editor, session) == []
    own = trainer(session)
    assert [b.url for b in buttons_for(own, session)] == [url("session", session.pk)]
    assert buttons_for(own, make_session(start_in=9)) == []


def test_the_session_inspect_view_links_to_the_evaluation(admin_client):
    session = make_session(start_in=5)
    page = admin_client.get(reverse("trainingsession:inspect", args=[session.pk])).content
    assert url("session", session.pk) in page.decode()


def test_the_report_link_names_the_session(admin_client):
    session = make_session(start_in=5, code="S-EVAL-1")
    response = admin_client.get(url("session", session.pk))
    expected = reverse("reports:evaluation") + "?session=S-EVAL-1"
    assert response.context["report_url"] == expected
    assert escape(expected) in response.content.decode()


def test_evaluation_permissions_are_on_the_group_screen(admin_client):
    registered = {
        f"{p.content_type.app_label}.{p.codename}"
        for hook in hooks.get_hooks("register_permissions")
        for p in hook()
    }
    for name in (
        "evaluation.view_questionnaire",
        "evaluation.add_questionnaire",
        "evaluation.change_questionnaire",
        "evaluation.view_sessionform",
        "evaluation.change_sessionform",
    ):
        assert name in registered, name
    response = admin_client.get(reverse("wagtailusers_groups:add"))
    page = response.content.decode()
    for codename in ("change_questionnaire", "change_sessionform"):
        pk = Permission.objects.get(codename=codename).pk
        assert re.search(rf'value="{pk}"', page), codename


# --- query budget -----------------------------------------------------------------------------


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_screens_queries_do_not_grow_with_the_enrolments(cluj):
    small = make_session(start_in=-1, day_count=1)
    big = make_session(start_in=-1, day_count=1, course=small.course)
    course_with_forms(small)
    confirmed(small, 3)
    confirmed(big, 30)
    for session in (small, big):
        services.session_forms_setup(training_session=session)
    for person in Enrolment.objects.filter(training_session=big)[:10]:
        answer_feedback(person)
    count_queries(cluj, url("session", small.pk))  # warm caches (content types, site)
    assert count_queries(cluj, url("session", big.pk)) == count_queries(
        cluj, url("session", small.pk)
    )
    assert count_queries(cluj, url("session", big.pk)) <= 30
