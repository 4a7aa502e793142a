"""Versioned questionnaires: a save makes a new version only when what respondents see
changes; a session keeps the version it was set up with (answers are scored against it); the
pre-test and post-test of a session share one version; versions are never edited."""

import datetime
import json
from decimal import Decimal

import pytest

from evaluation import services
from evaluation.models import Invitation, Questionnaire, QuestionnaireVersion, SessionForm
from sessions.models import Enrolment
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db
Kind = Questionnaire.Kind


def raw(item: Questionnaire) -> list:
    """The questionnaire's StreamField as plain JSON (ids kept), to edit in place."""
    return json.loads(json.dumps(list(item.questions.raw_data), default=str))


def save(item: Questionnaire) -> QuestionnaireVersion:
    version = services.questionnaire_save(questionnaire=item, acting_user=None)
    item.refresh_from_db()
    return version


def move_correct_single_to_second_option(item: Questionnaire) -> QuestionnaireVersion:
    """The default test's Q1 (single: a right, b wrong) becomes "b right", ids unchanged."""
    data = raw(item)
    data[0]["value"]["options"][0]["value"]["correct"] = False
    data[0]["value"]["options"][1]["value"]["correct"] = True
    item.questions = json.dumps(data)
    return save(item)


def enrol(session) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="self",
    )


def version_rows(item) -> list[dict]:
    return list(QuestionnaireVersion.objects.filter(questionnaire=item).order_by("number").values())


# ---- when a save makes a version -------------------------------------------------------------


def test_saving_without_changes_keeps_the_version():
    item = questionnaire(make_session().course)
    first = item.versions.get()
    assert first.number == 1
    again = save(item)
    assert again.pk == first.pk
    item.title = item.title  # untouched fields, saved a second time
    assert save(item).pk == first.pk
    assert item.versions.count() == 1


def test_fields_respondents_do_not_see_make_no_version():
    item = questionnaire(make_session().course)
    item.certificate_rule = Questionnaire.CertificateRule.SUBMITTED
    save(item)
    assert list(item.versions.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize("change", ["title", "intro", "question_text", "option", "correct"])
def test_changing_what_respondents_see_makes_the_next_version(change):
    item = questionnaire(make_session().course)
    data = raw(item)
    if change == "title":
        item.title = "A new title"
    elif change == "intro":
        item.intro = "Read carefully."
    elif change == "question_text":
        data[0]["value"]["text"] = "Q1, reworded"
    elif change == "option":
        data[1]["value"]["options"][0]["value"]["label"] = "a, reworded"
    else:
        data[1]["value"]["options"][0]["value"]["correct"] = True
    item.questions = json.dumps(data)
    version = save(item)
    assert version.number == 2
    assert list(item.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    if change == "correct":
        # Q2 becomes 3 right of 3; max score unchanged (1 + 2), but the options are flagged
        assert [o["correct"] for o in version.questions[1]["options"]] == [True, True, True]
        assert version.max_score == Decimal("3.00")


def test_changing_anonymity_makes_the_next_version():
    item = questionnaire(make_session().course, kind=Kind.FEEDBACK)
    item.anonymous = True
    version = save(item)
    assert (version.number, version.anonymous) == (2, True)
    assert item.versions.get(number=1).anonymous is False


def test_adding_a_question_changes_max_score_in_the_new_version_only():
    item = questionnaire(make_session().course)  # Q1 (1) + Q2 (2) = 3
    data = raw(item)
    data.append(
        {
            "type": "single",
            "value": {
                "text": "Q3",
                "options": [
                    {"type": "item", "value": {"label": "x", "correct": False}, "id": "opt-x"},
                    {"type": "item", "value": {"label": "y", "correct": True}, "id": "opt-y"},
                ],
                "points": "4",
                "required": True,
            },
        }
    )
    item.questions = json.dumps(data)
    version = save(item)
    assert version.number == 2
    assert version.max_score == Decimal("7.00")
    assert item.versions.get(number=1).max_score == Decimal("3.00")


def test_a_version_row_is_never_changed_by_later_saves():
    item = questionnaire(make_session().course)
    before = version_rows(item)
    assert len(before) == 1
    item.title = "Second title"
    save(item)
    move_correct_single_to_second_option(item)
    item.intro = "Third"
    save(item)
    after = version_rows(item)
    assert [row["number"] for row in after] == [1, 2, 3, 4]
    assert after[0] == before[0]
    assert after[0]["questions"][0]["options"][0]["correct"] is True


# ---- a session keeps its version -------------------------------------------------------------


def test_a_session_keeps_its_version_and_is_scored_against_it():
    session = make_session(start_in=1, day_count=1)
    item = questionnaire(session.course)
    person = enrol(session)
    pre = services.session_forms_setup(training_session=session)[0]
    assert pre.purpose == "pre_test"
    v1 = item.versions.get(number=1)
    v2 = move_correct_single_to_second_option(item)
    assert v2.number == 2
    pre.refresh_from_db()
    assert pre.version_id == v1.pk

    q1, q2 = v1.questions
    data = {
        f"q-{q1['id']}": [q1["options"][0]["id"]],  # right in v1, wrong in v2
        f"q-{q2['id']}": [q2["options"][1]["id"], q2["options"][2]["id"]],  # right in both
    }
    invitation = Invitation.objects.get(session_form=pre, enrolment=person)
    response = services.response_submit(invitation=invitation, data=data)
    response.refresh_from_db()
    assert response.version_id == v1.pk
    # v1: 1 + 2 = 3 of 3 (v2 would give 0 + 2 = 2)
    assert (response.score, response.max_score) == (Decimal("3.00"), Decimal("3.00"))
    assert response.score_percent == Decimal("100.00")


def test_a_session_set_up_after_a_new_version_uses_it():
    session = make_session(start_in=5)
    item = questionnaire(session.course)
    v2 = move_correct_single_to_second_option(item)
    forms = services.session_forms_setup(training_session=session)
    assert {f.purpose: f.version_id for f in forms} == {"pre_test": v2.pk, "post_test": v2.pk}


def test_pre_and_post_test_share_a_version_even_when_a_new_one_appears_between():
    session = make_session(start_in=5)
    item = questionnaire(session.course)
    v1 = item.versions.get()
    services.session_forms_setup(training_session=session, purposes=["pre_test"])
    v2 = move_correct_single_to_second_option(item)
    forms = services.session_forms_setup(
        training_session=session, purposes=["pre_test", "post_test"]
    )
    assert {f.purpose: f.version_id for f in forms} == {"pre_test": v1.pk, "post_test": v1.pk}
    # the other way round: the post-test first, then the pre-test joins it
    other = make_session(start_in=6, course=session.course)
    services.session_forms_setup(training_session=other, purposes=["post_test"])
    v3 = move_correct_single_to_second_option_back(item)
    forms = services.session_forms_setup(training_session=other, purposes=["post_test", "pre_test"])
    assert {f.purpose: f.version_id for f in forms} == {"pre_test": v2.pk, "post_test": v2.pk}
    assert v3.number == 3


def move_correct_single_to_second_option_back(item):
    data = raw(item)
    data[0]["value"]["options"][0]["value"]["correct"] = True
    data[0]["value"]["options"][1]["value"]["correct"] = False
    item.questions = json.dumps(data)
    return save(item)


# ---- moving a session's forms to the latest versions -----------------------------------------


def feedback_answers(version) -> dict:
    likert, _text = version.questions
    return {f"q-{likert['id']}": ["4"]}


def set_up_three_forms():
    """A session of one day today (the pre-test is answered as it starts, the feedback two
    and a half hours in, when each is open), with a test and a feedback form at v1, then both
    at v2."""
    session = make_session(start_in=0, day_count=1)
    test = questionnaire(session.course)
    feedback = questionnaire(session.course, kind=Kind.FEEDBACK)
    people = [enrol(session), enrol(session)]
    forms = services.session_forms_setup(
        training_session=session, purposes=["pre_test", "post_test", "feedback"]
    )
    v1 = {f.purpose: f.version for f in forms}
    test_v2 = move_correct_single_to_second_option(test)
    feedback.title = "Feedback, v2"
    feedback_v2 = save(feedback)
    return session, people, v1, test_v2, feedback_v2


def versions_of(session) -> dict[str, int]:
    return {
        f.purpose: f.version.number
        for f in SessionForm.objects.filter(training_session=session).select_related("version")
    }


def test_update_versions_moves_forms_without_answers_and_leaves_answered_ones():
    session, people, v1, _test_v2, _feedback_v2 = set_up_three_forms()
    feedback_form = SessionForm.objects.get(training_session=session, purpose="feedback")
    invitation = Invitation.objects.get(session_form=feedback_form, enrolment=people[0])
    now = session.days.get().starts_at + datetime.timedelta(hours=2, minutes=30)
    services.response_submit(invitation=invitation, data=feedback_answers(v1["feedback"]), now=now)
    assert versions_of(session) == {"pre_test": 1, "post_test": 1, "feedback": 1}

    changed = services.session_forms_update_versions(training_session=session, acting_user=None)

    assert changed == 2
    assert versions_of(session) == {"pre_test": 2, "post_test": 2, "feedback": 1}
    # nothing left to move: a second call changes nothing
    assert services.session_forms_update_versions(training_session=session, acting_user=None) == 0


def test_an_answered_pre_test_keeps_the_post_test_on_its_version():
    session, people, v1, _test_v2, _feedback_v2 = set_up_three_forms()
    pre = SessionForm.objects.get(training_session=session, purpose="pre_test")
    q1, q2 = v1["pre_test"].questions
    invitation = Invitation.objects.get(session_form=pre, enrolment=people[1])
    services.response_submit(
        invitation=invitation,
        data={f"q-{q1['id']}": [q1["options"][0]["id"]], f"q-{q2['id']}": [q2["options"][1]["id"]]},
        now=session.days.get().starts_at,
    )

    changed = services.session_forms_update_versions(training_session=session, acting_user=None)

    assert changed == 1  # only the feedback form
    assert versions_of(session) == {"pre_test": 1, "post_test": 1, "feedback": 2}
