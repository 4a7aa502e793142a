"""Scoring a knowledge test and reading a submitted form (evaluation.questions), from the rule:

- single choice: its points when the correct option is chosen, else 0;
- multiple choice: points × (right chosen − wrong chosen) / number of right options, never
  below zero;
- ratings, free text and choice questions without a correct option are not scored and do not
  count towards the maximum;
- percent = score × 100 / maximum, rounded half up to two places.

Expected numbers are worked out by hand in each test's comments."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from evaluation import questions as q
from evaluation import services
from evaluation.models import Invitation, Response
from sessions.models import Enrolment
from tests.factories.evaluation import choice, free_text, likert, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory


def option(oid, correct=False):
    return {"id": oid, "label": oid.upper(), "correct": correct}


# A hand-written version: max score = S (2) + M (3) = 5; L, T and O are not scored.
SINGLE = {
    "id": "S",
    "type": "single",
    "text": "Single",
    "required": True,
    "options": [option("s1", True), option("s2"), option("s3")],
    "points": "2.00",
}
MULTIPLE = {
    "id": "M",
    "type": "multiple",
    "text": "Multiple",
    "required": True,
    "options": [
        option("m1", True),
        option("m2", True),
        option("m3", True),
        option("m4"),
        option("m5"),
    ],
    "points": "3.00",
}
LIKERT = {"id": "L", "type": "likert", "text": "Useful?", "required": True, "scale": "agreement"}
TEXT = {"id": "T", "type": "text", "text": "Comments", "required": False}
OPINION = {
    "id": "O",
    "type": "single",
    "text": "Which did you prefer?",
    "required": False,
    "options": [option("o1"), option("o2")],
    "points": "4.00",  # points, but no correct option: not scored
}
QUESTIONS = [SINGLE, MULTIPLE, LIKERT, TEXT, OPINION]


def total(answers):
    return q.score(QUESTIONS, answers)


# ---- single choice ---------------------------------------------------------------------------


def test_single_choice_right_wrong_blank():
    assert total({"S": "s1"}) == (Decimal("2.00"), Decimal("5.00"))
    assert total({"S": "s2"}) == (Decimal("0.00"), Decimal("5.00"))
    assert total({}) == (Decimal("0.00"), Decimal("5.00"))


# ---- multiple choice: partial credit ---------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["m1", "m2", "m3"], "3.00"),  # exactly the right set: 3 × 3/3
        (["m1", "m2"], "2.00"),  # 3 × 2/3
        (["m1"], "1.00"),  # 3 × 1/3
        (["m1", "m2", "m4"], "1.00"),  # 3 × (2 − 1)/3
        (["m1", "m4"], "0.00"),  # 3 × (1 − 1)/3
        (["m4", "m5"], "0.00"),  # negative: never below zero
        (["m1", "m4", "m5"], "0.00"),  # 1 − 2 < 0: zero, not negative
        (["m1", "m2", "m3", "m4"], "2.00"),  # 3 × (3 − 1)/3
    ],
)
def test_multiple_choice_partial_credit(chosen, expected):
    assert total({"M": chosen}) == (Decimal(expected), Decimal("5.00"))


def test_ticking_every_box_earns_nothing_when_wrong_options_are_as_many_as_right_ones():
    question = {
        "id": "X",
        "type": "multiple",
        "text": "Two right of four",
        "required": True,
        "options": [option("a", True), option("b", True), option("c"), option("d")],
        "points": "4.00",
    }
    assert q.score([question], {"X": ["a", "b", "c", "d"]}) == (
        Decimal("0.00"),
        Decimal("4.00"),
    )  # 2 − 2 = 0
    assert q.score([question], {"X": ["a", "b"]}) == (Decimal("4.00"), Decimal("4.00"))
    assert q.score([question], {"X": ["a", "c"]}) == (Decimal("0.00"), Decimal("4.00"))


def test_ticking_every_box_of_three_right_of_five_follows_the_formula():
    """3 right, 2 wrong, all ticked: 3 × (3 − 2)/3 = 1.00 (the docstring's "ticking every box
    earns nothing" holds only when wrong options are at least as many as right ones)."""
    assert total({"M": ["m1", "m2", "m3", "m4", "m5"]}) == (Decimal("1.00"), Decimal("5.00"))


def test_partial_credit_is_rounded_half_up_to_cents():
    question = {
        "id": "X",
        "type": "multiple",
        "text": "One of three",
        "required": True,
        "options": [option("a", True), option("b", True), option("c", True), option("d")],
        "points": "2.00",
    }
    # 2 × 1/3 = 0.666… → 0.67;  2 × 2/3 = 1.333… → 1.33
    assert q.score([question], {"X": ["a"]}) == (Decimal("0.67"), Decimal("2.00"))
    assert q.score([question], {"X": ["a", "b"]}) == (Decimal("1.33"), Decimal("2.00"))


# ---- what is not scored ----------------------------------------------------------------------


def test_ratings_text_and_choices_without_a_correct_option_do_not_count():
    # Everything answered, S right and M fully right: 2 + 3 = 5 of 5 (O's 4 points not counted)
    answers = {"S": "s1", "M": ["m1", "m2", "m3"], "L": 5, "T": "Great", "O": "o1"}
    assert total(answers) == (Decimal("5.00"), Decimal("5.00"))
    assert q.max_score(QUESTIONS) == Decimal("5.00")
    assert not q.is_scored(LIKERT)
    assert not q.is_scored(TEXT)
    assert not q.is_scored(OPINION)
    assert q.is_scored(SINGLE) and q.is_scored(MULTIPLE)


def test_a_form_without_scored_questions_has_no_percent():
    score, maximum = q.score([LIKERT, TEXT, OPINION], {"L": 3, "O": "o2"})
    assert (score, maximum) == (Decimal("0.00"), Decimal("0.00"))
    assert q.percent(score, maximum) is None


def test_mixed_answers_score_and_percent():
    # S right (2) + M m1,m2 (2.00) = 4 of 5 = 80.00 %
    score, maximum = total({"S": "s1", "M": ["m1", "m2"], "L": 2, "O": "o2"})
    assert (score, maximum) == (Decimal("4.00"), Decimal("5.00"))
    assert q.percent(score, maximum) == Decimal("80.00")


# ---- percent ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "maximum", "expected"),
    [
        ("2", "3", "66.67"),  # 66.666…
        ("1", "3", "33.33"),  # 33.333…
        ("3", "3", "100.00"),
        ("0", "3", "0.00"),
        ("1", "8", "12.50"),
        ("0.01", "8", "0.13"),  # 0.125: half up, not to even
    ],
)
def test_percent_rounding(points, maximum, expected):
    assert q.percent(Decimal(points), Decimal(maximum)) == Decimal(expected)


# ---- reading a submitted form ----------------------------------------------------------------


def test_read_answers_reads_each_kind():
    data = {
        "q-S": ["s2"],
        "q-M": ["m1", "m4", "m1"],  # the repeated option counts once
        "q-L": ["4"],
        "q-T": ["  Very good  "],
        "q-O": ["o2"],
    }
    answers, errors = q.read_answers(QUESTIONS, data)
    assert errors == {}
    assert answers == {"S": "s2", "M": ["m1", "m4"], "L": 4, "T": "Very good", "O": "o2"}


def test_optional_questions_left_blank_are_not_answers():
    answers, errors = q.read_answers(QUESTIONS, {"q-S": ["s1"], "q-M": ["m2"], "q-L": ["1"]})
    assert errors == {}
    assert answers == {"S": "s1", "M": ["m2"], "L": 1}


def test_required_questions_missing():
    answers, errors = q.read_answers(QUESTIONS, {"q-T": ["only a comment"], "q-S": ["   "]})
    assert set(errors) == {"S", "M", "L"}
    assert errors["S"] == gettext("This question needs an answer.")


@pytest.mark.parametrize(
    ("field", "given", "message"),
    [
        ("S", ["s9"], "Choose among the options shown."),  # unknown option id
        ("M", ["m1", "zz"], "Choose among the options shown."),
        ("S", ["s1", "s2"], "Choose one option."),  # two options for a single choice
        ("L", ["6"], "Choose one point of the scale."),
        ("L", ["0"], "Choose one point of the scale."),
        ("L", ["3", "4"], "Choose one point of the scale."),
        ("L", ["good"], "Choose one point of the scale."),
    ],
)
def test_invalid_answers(field, given, message):
    data = {"q-S": ["s1"], "q-M": ["m1"], "q-L": ["3"]}
    data[f"q-{field}"] = given
    answers, errors = q.read_answers(QUESTIONS, data)
    assert errors == {field: gettext(message)}
    assert field not in answers


def test_free_text_limit():
    base = {"q-S": ["s1"], "q-M": ["m1"], "q-L": ["3"]}
    answers, errors = q.read_answers(QUESTIONS, {**base, "q-T": ["x" * 4000]})
    assert errors == {} and len(answers["T"]) == 4000
    answers, errors = q.read_answers(QUESTIONS, {**base, "q-T": ["x" * 4001]})
    assert set(errors) == {"T"}
    assert "T" not in answers


def test_read_answers_accepts_a_querydict():
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.setlist("q-S", ["s1"])
    data.setlist("q-M", ["m2", "m3"])
    data.setlist("q-L", ["5"])
    answers, errors = q.read_answers(QUESTIONS, data)
    assert errors == {}
    assert answers == {"S": "s1", "M": ["m2", "m3"], "L": 5}


# ---- through the service: scored on submit, nothing stored on error ---------------------------


@pytest.fixture
def pre_test(db):
    """A session tomorrow (the pre-test is open) whose course's test has a single choice worth 2
    (a right) and a multiple choice worth 3 (a, b, c right of five), and a confirmed
    participant invited to its pre-test."""
    session = make_session(start_in=1, day_count=1)
    questionnaire(
        session.course,
        questions=[
            choice("Single", [("a", True), ("b", False)], points="2"),
            choice(
                "Multiple",
                [("a", True), ("b", True), ("c", True), ("d", False), ("e", False)],
                points="3",
                multiple=True,
            ),
            likert("Clear?"),
            free_text("Comments"),
        ],
    )
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="self",
    )
    forms = services.session_forms_setup(training_session=session, purposes=["pre_test"])
    invitation = Invitation.objects.get(session_form=forms[0], enrolment=enrolment)
    return invitation


def fields(version):
    """{question index: (field name, [option ids])} of the version."""
    return {
        i: (f"q-{question['id']}", [o["id"] for o in question.get("options", [])])
        for i, question in enumerate(version.questions)
    }


def test_submitted_test_is_scored(pre_test):
    f = fields(pre_test.session_form.version)
    data = {
        f[0][0]: [f[0][1][0]],  # right: 2
        f[1][0]: [f[1][1][0], f[1][1][1], f[1][1][3]],  # 2 right, 1 wrong: 3 × 1/3 = 1
        f[2][0]: ["4"],
    }
    response = services.response_submit(invitation=pre_test, data=data)
    response.refresh_from_db()
    assert response.score == Decimal("3.00")
    assert response.max_score == Decimal("5.00")
    assert response.score_percent == Decimal("60.00")
    assert response.enrolment_id == pre_test.enrolment_id


@pytest.mark.parametrize(
    "broken",
    ["required_missing", "unknown_option", "two_singles", "likert_out_of_range", "long_text"],
)
def test_nothing_is_stored_when_the_answers_are_invalid(pre_test, broken):
    f = fields(pre_test.session_form.version)
    data = {f[0][0]: [f[0][1][0]], f[1][0]: [f[1][1][0]], f[2][0]: ["4"], f[3][0]: ["ok"]}
    bad_index = {
        "required_missing": 2,
        "unknown_option": 1,
        "two_singles": 0,
        "likert_out_of_range": 2,
        "long_text": 3,
    }[broken]
    if broken == "required_missing":
        del data[f[2][0]]
    elif broken == "unknown_option":
        data[f[1][0]] = [f[1][1][0], "not-an-option"]
    elif broken == "two_singles":
        data[f[0][0]] = f[0][1]
    elif broken == "likert_out_of_range":
        data[f[2][0]] = ["9"]
    else:
        data[f[3][0]] = ["y" * 4001]
    with pytest.raises(ValidationError) as raised:
        services.response_submit(invitation=pre_test, data=data)
    question_id = pre_test.session_form.version.questions[bad_index]["id"]
    assert set(raised.value.message_dict) == {question_id}
    assert Response.objects.count() == 0
    pre_test.refresh_from_db()
    assert pre_test.submitted is False
    # and the participant can still answer
    data = {f[0][0]: [f[0][1][1]], f[1][0]: [f[1][1][0]], f[2][0]: ["4"]}
    response = services.response_submit(invitation=pre_test, data=data)
    assert response.score == Decimal("1.00")  # wrong single (0) + 1 of 3 right (3 × 1/3 = 1)
    assert Response.objects.count() == 1
