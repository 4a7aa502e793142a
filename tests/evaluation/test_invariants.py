"""The rules that hold whatever the screen: one answer per enrolment and form, only confirmed
participants of a running session answer, a session's forms cannot be dropped once answered or
when the certificate needs them, and a knowledge test is never anonymous and always scorable."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from evaluation import services
from evaluation.models import Invitation, Questionnaire, Response, SessionForm
from sessions.models import Enrolment, TrainingSession
from tests.factories.evaluation import choice, likert, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db
Kind = Questionnaire.Kind


def enrol(session, status="confirmed") -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=ProfessionalFactory(), status=status, source="self"
    )


def valid(invitation) -> dict:
    data = {}
    for question in invitation.session_form.version.questions:
        if question["type"] in ("single", "multiple"):
            data[f"q-{question['id']}"] = [question["options"][0]["id"]]
        elif question["type"] == "likert":
            data[f"q-{question['id']}"] = ["4"]
    return data


@pytest.fixture
def feedback():
    """A one-day session that ended yesterday (feedback open), a named feedback form, one
    confirmed participant invited."""
    session = make_session(start_in=-1, day_count=1)
    questionnaire(session.course, kind=Kind.FEEDBACK)
    enrolment = enrol(session)
    (form,) = services.session_forms_setup(training_session=session, purposes=["feedback"])
    return Invitation.objects.get(session_form=form, enrolment=enrolment)


# ---- one response per enrolment and form -----------------------------------------------------


def test_two_submissions_of_one_invitation_store_one_response(feedback):
    # two requests that both loaded the invitation before either answered
    first_copy = Invitation.objects.get(pk=feedback.pk)
    second_copy = Invitation.objects.get(pk=feedback.pk)
    assert first_copy.submitted is False and second_copy.submitted is False
    services.response_submit(invitation=first_copy, data=valid(first_copy))
    with pytest.raises(ValidationError) as raised:
        services.response_submit(invitation=second_copy, data=valid(second_copy))
    assert raised.value.messages == [gettext("You already answered this form. Thank you!")]
    assert Response.objects.count() == 1


def test_the_database_refuses_a_second_named_response(feedback):
    response = services.response_submit(invitation=feedback, data=valid(feedback))
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            session_form=response.session_form,
            version=response.version,
            enrolment=response.enrolment,
            submitted_at=timezone.now(),
            answers={},
        )
    assert Response.objects.count() == 1


def test_the_database_refuses_a_half_anonymous_response(feedback):
    form = feedback.session_form
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            session_form=form, version=form.version, enrolment=feedback.enrolment, answers={}
        )  # an enrolment without a time
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            session_form=form, version=form.version, submitted_at=timezone.now(), answers={}
        )  # a time without an enrolment
    assert Response.objects.count() == 0


# ---- who may answer --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["cancelled", "waitlisted", "rejected", "pending"])
def test_a_registration_that_is_not_confirmed_cannot_answer(feedback, status):
    Enrolment.objects.filter(pk=feedback.enrolment_id).update(status=status)
    with pytest.raises(ValidationError) as raised:
        services.response_submit(invitation=feedback, data=valid(feedback))
    assert raised.value.messages == [gettext("This form is only for the session's participants.")]
    assert Response.objects.count() == 0
    feedback.refresh_from_db()
    assert feedback.submitted is False


def test_a_cancelled_session_cannot_be_answered(feedback):
    TrainingSession.objects.filter(pk=feedback.session_form.training_session_id).update(
        status=TrainingSession.Status.CANCELLED
    )
    with pytest.raises(ValidationError) as raised:
        services.response_submit(invitation=feedback, data=valid(feedback))
    assert raised.value.messages == [gettext("This form is only for the session's participants.")]
    assert Response.objects.count() == 0


def test_only_confirmed_participants_are_invited():
    session = make_session(start_in=-1, day_count=1)
    questionnaire(session.course, kind=Kind.FEEDBACK)
    confirmed = enrol(session)
    enrol(session, status="cancelled")
    enrol(session, status="waitlisted")
    (form,) = services.session_forms_setup(training_session=session, purposes=["feedback"])
    assert list(
        Invitation.objects.filter(session_form=form).values_list("enrolment", flat=True)
    ) == [confirmed.pk]


# ---- a session's forms -----------------------------------------------------------------------


def state(session) -> list[tuple]:
    return sorted(
        SessionForm.objects.filter(training_session=session).values_list(
            "pk", "purpose", "version_id", "code"
        )
    ) + sorted(
        Invitation.objects.filter(session_form__training_session=session).values_list(
            "pk", "session_form_id", "enrolment_id", "token", "submitted"
        )
    )


def test_a_form_with_answers_cannot_be_dropped():
    session = make_session(start_in=-1, day_count=1)
    questionnaire(session.course)
    questionnaire(session.course, kind=Kind.FEEDBACK)
    person = enrol(session)
    services.session_forms_setup(
        training_session=session, purposes=["pre_test", "post_test", "feedback"]
    )
    invitation = Invitation.objects.get(
        session_form__training_session=session, session_form__purpose="feedback", enrolment=person
    )
    services.response_submit(invitation=invitation, data=valid(invitation))
    before = state(session)

    with pytest.raises(ValidationError):
        services.session_forms_setup(training_session=session, purposes=["pre_test", "post_test"])

    assert state(session) == before
    assert Response.objects.count() == 1
    # a form without answers can be dropped
    services.session_forms_setup(training_session=session, purposes=["feedback"])
    assert list(
        SessionForm.objects.filter(training_session=session).values_list("purpose", flat=True)
    ) == ["feedback"]


@pytest.mark.parametrize("rule", ["submitted", "min_score"])
def test_the_post_test_a_certificate_needs_cannot_be_dropped(rule):
    session = make_session(start_in=5)
    questionnaire(
        session.course,
        certificate_rule=rule,
        certificate_min_score=60 if rule == "min_score" else None,
    )
    enrol(session)
    services.session_forms_setup(training_session=session, purposes=["pre_test", "post_test"])
    before = state(session)

    with pytest.raises(ValidationError) as raised:
        services.session_forms_setup(training_session=session, purposes=["pre_test"])
    assert gettext("The course's certificate requires the post-test: it cannot be turned off.") in (
        raised.value.messages
    )
    assert state(session) == before
    with pytest.raises(ValidationError):
        services.session_forms_setup(training_session=session, purposes=[])
    assert state(session) == before


def test_a_new_session_cannot_start_without_the_post_test_a_certificate_needs():
    session = make_session(start_in=5)
    questionnaire(session.course, certificate_rule="submitted")
    with pytest.raises(ValidationError):
        services.session_forms_setup(training_session=session, purposes=["pre_test"])
    assert not SessionForm.objects.filter(training_session=session).exists()


def test_a_form_the_course_has_no_questionnaire_for_is_refused():
    session = make_session(start_in=5)
    questionnaire(session.course)  # a test, no feedback form
    with pytest.raises(ValidationError):
        services.session_forms_setup(training_session=session, purposes=["feedback"])
    assert not SessionForm.objects.filter(training_session=session).exists()


# ---- questionnaires --------------------------------------------------------------------------


def test_a_knowledge_test_cannot_be_anonymous():
    session = make_session()
    item = Questionnaire(course=session.course, kind=Kind.TEST, title="Test", anonymous=True)
    item.questions = [choice("Q", [("a", True), ("b", False)])]
    with pytest.raises(ValidationError) as raised:
        services.questionnaire_save(questionnaire=item, acting_user=None)
    assert set(raised.value.message_dict) == {"anonymous"}
    assert not Questionnaire.objects.exists()


def test_the_database_refuses_an_anonymous_knowledge_test():
    item = questionnaire(make_session().course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.filter(pk=item.pk).update(anonymous=True)
    item.refresh_from_db()
    assert item.anonymous is False


def test_a_feedback_form_may_be_anonymous():
    item = questionnaire(make_session().course, kind=Kind.FEEDBACK, anonymous=True)
    assert item.versions.get().anonymous is True


@pytest.mark.parametrize(
    "questions",
    [
        [choice("Q", [("a", False), ("b", False)])],  # a choice without a correct option
        [likert("Clear?")],  # a rating only
        [choice("Q", [("a", False), ("b", False)], multiple=True), likert("Clear?")],
    ],
)
def test_a_knowledge_test_needs_a_correct_answer(questions):
    item = Questionnaire(course=make_session().course, kind=Kind.TEST, title="Test")
    item.questions = questions
    with pytest.raises(ValidationError) as raised:
        services.questionnaire_validate(item)
    assert set(raised.value.message_dict) == {"questions"}
    with pytest.raises(ValidationError):
        services.questionnaire_save(questionnaire=item, acting_user=None)
    assert not Questionnaire.objects.exists()


def test_a_feedback_form_needs_no_correct_answer():
    item = Questionnaire(course=make_session().course, kind=Kind.FEEDBACK, title="Feedback")
    item.questions = [choice("Which?", [("a", False), ("b", False)]), likert("Clear?")]
    services.questionnaire_validate(item)  # no error


def test_one_questionnaire_per_course_and_kind():
    item = questionnaire(make_session().course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.create(
            course=item.course, kind=Kind.TEST, title="Another", questions=[]
        )
