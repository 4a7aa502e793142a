"""Rules a questionnaire keeps once sessions use it, and what a session's set-up records:
its course and kind stay put, a knowledge test carries points, a follow-up survey's timing is
part of its version, and a set-up to no forms is a decision the due sweep respects."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from evaluation import selectors, services
from evaluation.models import Questionnaire, SessionSetup
from evaluation.questions import read_answers
from sessions.models import TrainingSession
from tests.factories.evaluation import choice, likert, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory

pytestmark = pytest.mark.django_db
Kind = Questionnaire.Kind


def messages(exc: ValidationError) -> dict:
    return {field: " ".join(texts) for field, texts in exc.message_dict.items()}


def test_a_questionnaire_sessions_use_keeps_its_course_and_kind():
    session = make_session()
    feedback = questionnaire(session.course, kind=Kind.FEEDBACK)
    services.session_forms_setup(training_session=session, purposes=["feedback"])
    feedback.course = CourseFactory()
    feedback.kind = Kind.FOLLOW_UP
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_save(questionnaire=feedback, acting_user=None)
    errors = messages(caught.value)
    assert errors["course"] == gettext(
        "Sessions use this questionnaire: its course cannot change. Make a new "
        "questionnaire for the other course."
    )
    assert errors["kind"] == gettext("Sessions use this questionnaire: its kind cannot change.")
    stored = Questionnaire.objects.get(pk=feedback.pk)
    assert (stored.course_id, stored.kind) == (session.course_id, Kind.FEEDBACK)
    # The session's forms can still be changed: its course still has the questionnaire.
    services.session_forms_setup(training_session=session, purposes=["feedback"])


def test_a_questionnaire_no_session_uses_may_move_to_another_course():
    feedback = questionnaire(CourseFactory(), kind=Kind.FEEDBACK)
    other = CourseFactory()
    feedback.course = other
    services.questionnaire_save(questionnaire=feedback, acting_user=None)
    assert Questionnaire.objects.get(pk=feedback.pk).course == other


def test_a_knowledge_test_without_points_is_refused():
    test = Questionnaire(course=CourseFactory(), kind=Kind.TEST, title="Test")
    test.questions = [choice("Q1", [("a", True), ("b", False)], points="0")]
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_save(questionnaire=test, acting_user=None)
    assert messages(caught.value)["questions"] == gettext(
        "A knowledge test needs points: give its scored questions more than 0 points."
    )
    assert not Questionnaire.objects.exists()


def test_changing_when_a_follow_up_is_sent_makes_a_version_the_running_sessions_do_not_see():
    session = make_session(start_in=-100, day_count=1)
    survey = questionnaire(
        session.course, kind=Kind.FOLLOW_UP, follow_up_months=3, questions=[likert("Still?")]
    )
    (form,) = services.session_forms_setup(training_session=session, purposes=["follow_up"])
    opens_before = selectors.window_of(form).opens_at
    survey.follow_up_months = 6
    version = services.questionnaire_save(questionnaire=survey, acting_user=None)
    assert (version.number, version.follow_up_months) == (2, 6)
    form.refresh_from_db()
    assert form.version.number == 1
    assert selectors.window_of(form).opens_at == opens_before
    last_end = session.days.get().ends_at
    assert opens_before.date() == selectors.add_months(last_end, 3).date()


def test_a_feedback_form_s_timing_field_makes_no_version():
    feedback = questionnaire(CourseFactory(), kind=Kind.FEEDBACK)
    feedback.follow_up_months = 9
    version = services.questionnaire_save(questionnaire=feedback, acting_user=None)
    assert version.number == 1


def test_setting_up_no_forms_is_recorded():
    session = make_session(start_in=2)
    questionnaire(session.course)
    assert TrainingSession.objects.filter(selectors.never_set_up_q(), pk=session.pk).exists()
    assert services.session_forms_setup(training_session=session, purposes=[]) == []
    assert SessionSetup.objects.filter(training_session=session).exists()
    assert not TrainingSession.objects.filter(selectors.never_set_up_q(), pk=session.pk).exists()


def test_nul_characters_are_dropped_from_answers_and_codes_are_refused():
    questions = [
        {"id": "t", "type": "text", "text": "Why?", "required": True},
        {"id": "r", "type": "likert", "text": "Good?", "required": True, "scale": "agreement"},
    ]
    answers, errors = read_answers(questions, {"q-t": ["a\x00b"], "q-r": ["\x00"]})
    assert answers == {"t": "ab"}
    assert set(errors) == {"r"}  # a NUL alone is no answer
    assert selectors.invitation_by_token("ab\x00c") is None
    assert selectors.session_form_by_code("ab\x00c") is None


def test_a_score_of_points_is_stored_as_a_percentage_of_the_frozen_maximum():
    session = make_session(start_in=1, day_count=1)
    questionnaire(
        session.course,
        questions=[
            choice("Q1", [("a", True), ("b", False)], points="3"),
            choice("Q2", [("a", True), ("b", False)], points="1"),
        ],
    )
    from sessions.models import Enrolment
    from tests.factories.training import ProfessionalFactory

    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="self",
    )
    pre, _post = services.session_forms_setup(training_session=session)
    invitation = pre.invitations.get(enrolment=enrolment)
    q1, q2 = pre.version.questions
    response = services.response_submit(
        invitation=invitation,
        data={f"q-{q1['id']}": [q1["options"][0]["id"]], f"q-{q2['id']}": [q2["options"][1]["id"]]},
        now=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert (response.score, response.max_score, response.score_percent) == (
        Decimal("3.00"),
        Decimal("4.00"),
        Decimal("75.00"),
    )
