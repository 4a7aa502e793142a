"""The questionnaires in the admin: created and edited through the service (a new version only
when what respondents see changes; sessions keep theirs), the service's rules shown on the
form, the list and the inspect view (versions, preview), deleting only unused ones, and who
may do what."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from evaluation import services
from evaluation.models import Questionnaire, QuestionnaireVersion, SessionForm
from tests.factories.evaluation import choice, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, FocalPointFactory, UserFactory, county
from training import roles

pytestmark = pytest.mark.django_db

NS = "evaluation_questionnaires"
TEST = Questionnaire.Kind.TEST
FEEDBACK = Questionnaire.Kind.FEEDBACK


def url(name, *args):
    return reverse(f"{NS}:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


def question(text, options=None, kind="single", qid="", points="1", required=True, **extra):
    """A question as the admin form posts it (`options`: (label, correct, id) triples)."""
    item = {"id": qid, "type": kind, "text": text, "required": required, **extra}
    if options is not None:
        item["points"] = points
        item["options"] = [{"label": lab, "correct": ok, "id": oid} for lab, ok, oid in options]
    return item


def from_version(version) -> list[dict]:
    """The version's questions, ids included, as the edit form would post them back."""
    return [
        question(
            q["text"],
            [(o["label"], o["correct"], o["id"]) for o in q.get("options", [])]
            if "options" in q
            else None,
            kind=q["type"],
            qid=q["id"],
            points=q.get("points", "1"),
            required=q["required"],
            **({"scale": q["scale"]} if "scale" in q else {}),
        )
        for q in version.questions
    ]


def form_data(course, kind, title, questions, **fields) -> dict:
    data = {
        "course": course.pk,
        "kind": kind,
        "title": title,
        "intro": fields.pop("intro", ""),
        "follow_up_months": fields.pop("follow_up_months", 3),
        "certificate_rule": fields.pop("certificate_rule", ""),
        "certificate_min_score": fields.pop("certificate_min_score", ""),
        "questions-count": len(questions),
    }
    if fields.pop("anonymous", False):
        data["anonymous"] = "on"
    for i, q in enumerate(questions):
        prefix = f"questions-{i}"
        value = f"{prefix}-value"
        data.update(
            {
                f"{prefix}-type": q["type"],
                f"{prefix}-deleted": "",
                f"{prefix}-order": i,
                f"{prefix}-id": q["id"],
                f"{value}-text": q["text"],
            }
        )
        if q["required"]:
            data[f"{value}-required"] = "on"
        if q["type"] == "likert":
            data[f"{value}-scale"] = q.get("scale", "agreement")
        if "options" in q:
            data[f"{value}-points"] = q["points"]
            data[f"{value}-options-count"] = len(q["options"])
            for j, option in enumerate(q["options"]):
                op = f"{value}-options-{j}"
                data.update(
                    {
                        f"{op}-deleted": "",
                        f"{op}-order": j,
                        f"{op}-id": option["id"],
                        f"{op}-value-label": option["label"],
                    }
                )
                if option["correct"]:
                    data[f"{op}-value-correct"] = "on"
    return data


TWO_QUESTIONS = [
    question("Cine semnează planul?", [("Managerul de caz", True, ""), ("Părintele", False, "")]),
    question(
        "Ce documente sunt obligatorii?",
        [("Fișa", True, ""), ("Planul", True, ""), ("Jurnalul", False, "")],
        kind="multiple",
        points="2",
    ),
]


def coordinator(username="coordonator"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(roles.role_group(roles.COUNTY_COORDINATOR))
    FocalPointFactory(user=user, county=county())
    return get_user_model().objects.get(pk=user.pk)


# --- create and edit: versions ----------------------------------------------------------------


def test_creating_a_test_in_the_admin_saves_version_1(admin_client, staff_user):
    course = CourseFactory()
    response = admin_client.post(
        url("add"), form_data(course, TEST, "Test inițial", TWO_QUESTIONS), follow=True
    )
    assert response.status_code == 200
    item = Questionnaire.objects.get()
    assert (item.course, item.kind, item.title) == (course, TEST, "Test inițial")
    version = item.versions.get()
    assert version.number == 1
    assert version.created_by == staff_user
    assert str(version.max_score) == "3.00"  # 1 + 2 points
    assert [q["text"] for q in version.questions] == [
        "Cine semnează planul?",
        "Ce documente sunt obligatorii?",
    ]
    assert any(
        gettext("Version %(number)s saved.") % {"number": 1} in m for m in messages_of(response)
    )


def test_saving_without_a_change_makes_no_new_version(admin_client):
    item = questionnaire(CourseFactory(), TEST, title="Test")
    v1 = item.versions.get()
    data = form_data(item.course, TEST, "Test", from_version(v1))
    response = admin_client.post(url("edit", item.pk), data, follow=True)
    assert response.status_code == 200
    assert list(item.versions.values_list("number", flat=True)) == [1]
    assert any(
        gettext("No change to what respondents see: still version %(number)s.") % {"number": 1} in m
        for m in messages_of(response)
    )


def test_a_change_makes_version_2_and_set_up_sessions_keep_version_1(admin_client):
    item = questionnaire(CourseFactory(), TEST, title="Test")
    v1 = item.versions.get()
    session = make_session(start_in=5, course=item.course)
    services.session_forms_setup(training_session=session)
    questions = from_version(v1)
    questions[0]["text"] = "Cine aprobă planul?"
    response = admin_client.post(
        url("edit", item.pk), form_data(item.course, TEST, "Test", questions), follow=True
    )
    assert response.status_code == 200
    v2 = item.versions.get(number=2)
    assert v2.questions[0]["text"] == "Cine aprobă planul?"
    # unchanged questions keep their ids across versions
    assert v2.questions[1]["id"] == v1.questions[1]["id"]
    assert set(SessionForm.objects.values_list("version__number", flat=True)) == {1}
    assert gettext("Version %(number)s saved; sessions already set up keep their version.") % {
        "number": 2
    } in " ".join(messages_of(response))
    # a session set up now gets version 2
    later = make_session(start_in=8, course=item.course)
    assert {f.version for f in services.session_forms_setup(training_session=later)} == {v2}


# --- the service's rules on the form ----------------------------------------------------------


def test_a_test_without_a_correct_answer_is_refused_with_the_services_message(admin_client):
    questions = [question("Părerea dvs.?", [("Da", False, ""), ("Nu", False, "")])]
    response = admin_client.post(url("add"), form_data(CourseFactory(), TEST, "Test", questions))
    assert response.status_code == 200
    assert not Questionnaire.objects.exists()
    assert not QuestionnaireVersion.objects.exists()
    errors = [str(e) for e in response.context["form"].errors["questions"]]
    assert gettext(
        "A knowledge test needs at least one choice question with a correct answer."
    ) in " ".join(errors)


def test_an_anonymous_test_is_refused_with_the_services_message(admin_client):
    response = admin_client.post(
        url("add"), form_data(CourseFactory(), TEST, "Test", TWO_QUESTIONS, anonymous=True)
    )
    assert response.status_code == 200
    assert not Questionnaire.objects.exists()
    errors = " ".join(str(e) for e in response.context["form"].errors["anonymous"])
    assert (
        gettext(
            "A knowledge test cannot be anonymous: its pre- and post-test scores are "
            "paired per participant."
        )
        in errors
    )


def test_an_anonymous_feedback_form_is_accepted(admin_client):
    questions = [question("Util?", kind="likert", scale="usefulness")]
    admin_client.post(
        url("add"), form_data(CourseFactory(), FEEDBACK, "Feedback", questions, anonymous=True)
    )
    version = Questionnaire.objects.get().versions.get()
    assert version.anonymous is True
    assert version.questions[0]["scale"] == "usefulness"


# --- list and inspect -------------------------------------------------------------------------


def test_the_list_shows_latest_version_and_sessions_using_it(admin_client):
    item = questionnaire(CourseFactory(title="Managementul cazului"), TEST, title="Test MC")
    for start in (5, 9):
        services.session_forms_setup(
            training_session=make_session(start_in=start, course=item.course)
        )
    item.title = "Test MC nou"
    services.questionnaire_save(questionnaire=item, acting_user=None)
    response = admin_client.get(url("index"))
    assert response.status_code == 200
    [row] = response.context["object_list"]
    assert (row.title, row.latest_number, row.session_count) == ("Test MC nou", 2, 2)
    page = response.content.decode()
    assert escape(gettext("Latest version")) in page
    assert escape(gettext("Sessions using it")) in page
    # filtered by kind: a feedback-only filter hides the test
    response = admin_client.get(url("index"), {"kind": FEEDBACK})
    assert list(response.context["object_list"]) == []


def test_inspect_shows_versions_and_a_preview_with_correct_answers(admin_client):
    item = questionnaire(
        CourseFactory(),
        TEST,
        title="Test",
        questions=[
            choice("Cine semnează?", [("Managerul", True), ("Părintele", False)], points="3"),
        ],
    )
    services.session_forms_setup(training_session=make_session(course=item.course))
    response = admin_client.get(url("inspect", item.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-version="1"' in page
    assert escape("Cine semnează?") in page
    assert f'class="eval-correct" data-correct>{escape("Managerul")}' in page
    assert f"<li>{escape('Părintele')}</li>" in page
    assert re.search(r"data-max-score>[^<]*3[.,]00", page)
    assert "data-sessions>1</td>" in page


# --- delete -----------------------------------------------------------------------------------


def test_delete_is_refused_while_a_session_uses_a_version(admin_client):
    item = questionnaire(CourseFactory(), TEST, title="Test")
    services.session_forms_setup(training_session=make_session(course=item.course))
    response = admin_client.post(url("delete", item.pk), follow=True)
    assert Questionnaire.objects.filter(pk=item.pk).exists()
    assert gettext(
        "“%(object)s” is used by the evaluation forms of sessions, so it cannot be deleted."
    ) % {"object": item} in messages_of(response)


def test_an_unused_questionnaire_is_deleted_with_its_versions(admin_client):
    item = questionnaire(CourseFactory(), TEST, title="Test")
    admin_client.post(url("delete", item.pk))
    assert not Questionnaire.objects.exists()
    assert not QuestionnaireVersion.objects.exists()


# --- who may do what --------------------------------------------------------------------------


def test_a_county_coordinator_only_views(client):
    item = questionnaire(CourseFactory(), TEST, title="Test")
    client.force_login(coordinator())
    assert client.get(url("index")).status_code == 200
    assert client.get(url("inspect", item.pk)).status_code == 200
    for address in (url("add"), url("edit", item.pk), url("delete", item.pk)):
        assert client.get(address).status_code in (302, 403), address
    data = form_data(item.course, TEST, "Schimbat", from_version(item.versions.get()))
    client.post(url("edit", item.pk), data)
    item.refresh_from_db()
    assert item.title == "Test"
    assert item.versions.count() == 1
