"""Evaluation answers and the person's rights: erasure blanks the free text of their named
answers (scores stay, so reports do not change) and kills their personal links; anonymous
answers are nobody's and stay; "my data" lists their named answers, never anonymous ones."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from evaluation import services
from evaluation.models import Invitation, Questionnaire, Response, SessionForm
from evaluation.selectors import SessionTimes, invitation_by_token
from privacy.erasure import person_erase
from sessions.models import Enrolment
from tests.factories.evaluation import choice, free_text, likert, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory
from tests.privacy.test_erasure import dump_database, traces_in

pytestmark = pytest.mark.django_db

PAGE = "/en/contul-meu/datele-mele/"
JSON = "/en/contul-meu/datele-mele.json"
MARKER = "Zăpadă-Violetă-4471 a învățat multe"
ANON_MARKER = "Lumină-Anonimă-9932 sală prea mică"
OTHER_TEXT = "Răspunsul lui Ilie-Quarz"
ANONYMOUS_NOTE = (
    "Anonymous feedback is stored without your name, so it cannot be linked to you and "
    "cannot be shown here."
)


def submit(form: SessionForm, enrolment: Enrolment, answers: dict, now=None) -> Response:
    """Answer `form` for `enrolment`: answers by question index (option index, list of
    option indexes, 1–5, or text)."""
    invitation = Invitation.objects.get(session_form=form, enrolment=enrolment)
    data = {}
    for index, value in answers.items():
        question = form.version.questions[index]
        options = [o["id"] for o in question.get("options", [])]
        if isinstance(value, list):
            data[f"q-{question['id']}"] = [options[i] for i in value]
        elif question["type"] == "single":
            data[f"q-{question['id']}"] = [options[value]]
        else:
            data[f"q-{question['id']}"] = [str(value)]
    return services.response_submit(invitation=invitation, data=data, now=now)


@pytest.fixture
def answered():
    """A session (three days ago) whose test has a free-text question and whose feedback is
    anonymous; the person answered the pre-test, the post-test (with a marker text) and the
    feedback (another marker); another participant answered the post-test."""
    session = make_session(start_in=-3, day_count=1)
    course = session.course
    questionnaire(
        course,
        questions=[
            choice(
                "Ce prevede Legea 217/2003?", [("Prevenirea violenței", True), ("Altceva", False)]
            ),
            choice(
                "Care sunt forme de violență?",
                [("Fizică", True), ("Economică", True), ("Meteorologică", False)],
                points="2",
                multiple=True,
            ),
            free_text("Ce ați reținut?"),
        ],
    )
    questionnaire(
        course,
        kind=Questionnaire.Kind.FEEDBACK,
        anonymous=True,
        questions=[likert("Formarea a fost utilă."), free_text("Comentarii")],
    )
    person = PersonFactory(first_name="Zenovia", last_name="Quiltescu")
    other = PersonFactory(first_name="Ilie", last_name="Quarzescu")
    mine, theirs = (
        Enrolment.objects.create(
            training_session=session, professional=p, status="confirmed", source="self"
        )
        for p in (person, other)
    )
    forms = {f.purpose: f for f in services.session_forms_setup(training_session=session)}
    before = SessionTimes.of(session).first_start.replace(hour=8)
    submit(forms["pre_test"], mine, {0: 1, 1: [0]}, now=before)
    post = submit(forms["post_test"], mine, {0: 0, 1: [0, 1], 2: MARKER})
    submit(forms["feedback"], mine, {0: 4, 1: ANON_MARKER})
    submit(forms["post_test"], theirs, {0: 0, 1: [2], 2: OTHER_TEXT})
    return {"person": person, "enrolment": mine, "forms": forms, "post": post}


def test_erasure_blanks_their_free_text_keeps_scores_and_kills_their_links(answered, staff_user):
    person, enrolment = answered["person"], answered["enrolment"]
    scores = dict(Response.objects.values_list("pk", "score_percent"))
    tokens = dict(Invitation.objects.filter(enrolment=enrolment).values_list("pk", "token"))
    dump = dump_database()
    assert traces_in(dump, [MARKER])  # the dump sees it before

    person_erase(professional=person, acting_user=staff_user, keep_certificates=True, reason="")

    dump = dump_database()
    assert traces_in(dump, [MARKER]) == []
    assert traces_in(dump, [ANON_MARKER])  # anonymous feedback is nobody's: untouched
    assert traces_in(dump, [OTHER_TEXT])  # another person's answer: untouched
    # Scores (and so every report number) stay; the chosen options too.
    assert dict(Response.objects.values_list("pk", "score_percent")) == scores
    post = Response.objects.get(pk=answered["post"].pk)
    assert post.score_percent == Decimal("100.00")
    assert post.enrolment_id == enrolment.pk
    text_id = post.version.questions[2]["id"]
    assert post.answers[text_id] == ""
    assert len(post.answers[post.version.questions[1]["id"]]) == 2
    # The personal links e-mailed before stop working; new ones exist.
    after = dict(Invitation.objects.filter(enrolment=enrolment).values_list("pk", "token"))
    assert after.keys() == tokens.keys()
    for pk, token in tokens.items():
        assert after[pk] != token
        assert invitation_by_token(token) is None


def test_my_data_lists_named_answers_and_never_anonymous_ones(answered, client):
    person = answered["person"]
    client.force_login(person.user)
    session = answered["enrolment"].training_session
    with translation.override("en"):
        page = client.get(PAGE).content.decode()
        assert escape(translation.gettext(ANONYMOUS_NOTE)) in page
        assert translation.gettext("post-test") in page
        assert translation.gettext("pre-test") in page
    assert session.code in page
    assert escape("Ce prevede Legea 217/2003?") in page
    assert escape("Prevenirea violenței") in page  # the option chosen, by its label
    assert escape("Fizică; Economică") in page
    assert escape(MARKER) in page
    assert escape(ANON_MARKER) not in page
    assert escape(OTHER_TEXT) not in page
    assert ">100 %<" in page

    data = client.get(JSON).json()
    by_form = {item["form"]: item for item in data["evaluation"]}
    assert set(by_form) == {"pre-test", "post-test"}
    post = by_form["post-test"]
    assert post["session_code"] == session.code
    assert post["score_percent"] == 100.0
    assert post["submitted_at"]
    assert post["answers"] == [
        {"question": "Ce prevede Legea 217/2003?", "answer": "Prevenirea violenței"},
        {"question": "Care sunt forme de violență?", "answer": "Fizică; Economică"},
        {"question": "Ce ați reținut?", "answer": MARKER},
    ]
    assert by_form["pre-test"]["score_percent"] == 33.33  # 1 of 3 points: a wrong single choice
    assert ANON_MARKER not in json.dumps(data, ensure_ascii=False)


def test_my_data_shows_the_scale_label_of_a_named_rating(client):
    session = make_session(start_in=-3, day_count=1)
    questionnaire(
        session.course,
        kind=Questionnaire.Kind.FEEDBACK,
        anonymous=False,
        questions=[likert("Formarea a fost utilă.", scale="usefulness")],
    )
    person = PersonFactory()
    enrolment = Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="self"
    )
    (form,) = services.session_forms_setup(training_session=session)
    submit(form, enrolment, {0: 4})
    client.force_login(person.user)
    data = client.get(JSON).json()
    with translation.override("en"):
        expected = f"4 – {translation.gettext('Very useful')}"
    assert data["evaluation"][0]["answers"] == [
        {"question": "Formarea a fost utilă.", "answer": expected}
    ]


@pytest.mark.parametrize("url", [PAGE, JSON])
def test_my_data_query_count_does_not_grow_with_the_answers(answered, client, url):
    client.force_login(answered["person"].user)
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # Another session of the course, its post-test answered too.
    session = make_session(
        start_in=-2, day_count=1, course=answered["enrolment"].training_session.course
    )
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=answered["person"],
        status="confirmed",
        source="self",
    )
    forms = {f.purpose: f for f in services.session_forms_setup(training_session=session)}
    submit(forms["post_test"], enrolment, {0: 0, 1: [0], 2: "încă un răspuns"})
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert response.status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)
