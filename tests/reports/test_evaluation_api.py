"""GET /api/v1/reports/evaluation (reports.api), against the world counted by hand in
test_evaluation_report (EvalWorld): see its docstring for the numbers."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import Response
from tests.factories.training import FocalPointFactory, UserFactory
from tests.reports.test_evaluation_report import EvalWorld

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/evaluation"


@pytest.fixture
def eval_world(db) -> EvalWorld:
    return EvalWorld()


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
    )


@pytest.fixture
def anes(client):
    user = UserFactory(username="anes-evaluare")
    grant(user, "view_reports", "view_all_counties")
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(client, eval_world):
    user = UserFactory(username="coordonator-evaluare")
    grant(user, "view_reports")
    FocalPointFactory(user=user, county=eval_world.cj)
    client.force_login(user)
    return client


def get(client, **params):
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")


def ok(client, **params) -> dict:
    response = get(client, **params)
    assert response.status_code == 200, response.content
    return response.json()


def test_shape_and_numbers(eval_world, anes):
    data = ok(anes)
    assert data["group_by"] == "course"
    assert data["small_count"] == 5
    assert data["filters"] == {}
    totals = data["totals"]
    assert totals["sessions"] == 3
    assert totals["forms"]["pre_test"] == {"expected": 10, "answered": 9, "rate": 90.0}
    assert totals["forms"]["feedback"] == {"expected": 11, "answered": 10, "rate": 90.9}
    assert totals["test"] == {
        "n_pre": 9,
        "n_post": 9,
        "n_paired": 9,
        "mean_pre": 55.6,
        "mean_post": 72.2,
        "gain": 16.7,
        "normalised_gain": 0.38,
        "improved_percent": 77.8,
        "suppressed": False,
        "reason": None,
    }
    a, b = data["groups"]
    assert (a["key"], a["label"], a["sessions"]) == ("EV-A", "EV-A – Evaluare A", 2)
    # Hidden as well: the total minus A would give B's 4 (complementary suppression).
    assert a["test"] == {
        "n_pre": 5,
        "n_post": 5,
        "n_paired": 5,
        "mean_pre": None,
        "mean_post": None,
        "gain": None,
        "normalised_gain": None,
        "improved_percent": None,
        "suppressed": True,
        "reason": "complementary",
    }
    [alone] = ok(anes, course="EV-A")["groups"]
    assert alone["test"] == {
        "n_pre": 5,
        "n_post": 5,
        "n_paired": 5,
        "mean_pre": 60.0,
        "mean_post": 80.0,
        "gain": 20.0,
        "normalised_gain": 0.5,
        "improved_percent": 100.0,
        "suppressed": False,
        "reason": None,
    }
    assert a["forms"]["follow_up"] == {"expected": 0, "answered": 0, "rate": None}
    assert b["test"] == {
        "n_pre": 4,
        "n_post": 4,
        "n_paired": 4,
        "mean_pre": None,
        "mean_post": None,
        "gain": None,
        "normalised_gain": None,
        "improved_percent": None,
        "suppressed": True,
        "reason": "small",
    }


def test_questions(eval_world, anes):
    data = ok(anes, group_by="session_county")
    assert data["questions_split_by"] == "session_county"
    assert data["questions_note"] is None
    feedback, follow_up = data["questionnaires"]
    assert (feedback["course"], feedback["kind"], feedback["responses"]) == (
        "EV-A",
        "feedback",
        10,
    )
    useful, pace, comments = feedback["questions"]
    assert (useful["question_id"], useful["text"], useful["n"], useful["mean"]) == (
        "useful",
        "Was it useful?",
        10,
        3.6,
    )
    assert [(s["value"], s["count"], s["percent"]) for s in useful["distribution"]] == [
        (1, 1, 10.0),
        (2, 2, 20.0),
        (3, 1, 10.0),
        (4, 2, 20.0),
        (5, 4, 40.0),
    ]
    assert [(g["key"], g["n"], g["mean"]) for g in useful["groups"]] == [
        ("BV", 5, 3.0),
        ("CJ", 5, 4.2),
    ]
    assert [(s["label"], s["count"]) for s in pace["distribution"]] == [
        ("Too slow", 1),
        ("Just right", 5),
        ("Too fast", 4),
    ]
    # S4 (BV) has 2 comments: left out of the total and of the groups (session floor).
    assert comments["sessions_left_out"] == 1
    assert comments["texts"] == ["apples", "Better coffee", "Clear", "more practice", "Very good"]
    assert [(g["key"], g["suppressed"], g["texts"]) for g in comments["groups"]] == [
        ("CJ", False, ["apples", "Better coffee", "Clear", "more practice", "Very good"]),
    ]
    # S2 has 4 responses to the follow-up form: left out of it.
    assert (follow_up["responses"], follow_up["sessions_left_out"]) == (4, 1)
    assert follow_up["left_out_note"] == (
        "1 session with fewer than 5 answers is left out of the answer statistics."
    )
    satisfied, notes = follow_up["questions"]
    assert (satisfied["n"], satisfied["suppressed"], satisfied["mean"]) == (0, False, None)
    assert satisfied["distribution"] is None
    assert (notes["n"], notes["texts"]) == (0, None)


def test_grouping_by_a_persons_field(eval_world, anes):
    w = eval_world
    data = ok(anes, group_by="professional_category")
    keys = [g["key"] for g in data["groups"]]
    assert set(keys) == {w.social.pk, w.psych.pk, None}
    assert data["questions_split_by"] is None
    assert data["questions_note"]
    social = next(g for g in data["groups"] if g["key"] == w.social.pk)
    assert social["test"]["normalised_gain"] is None  # hidden next to the 4 psychologists
    assert social["test"]["reason"] == "complementary"


def test_filters(eval_world, anes):
    w = eval_world
    data = ok(anes, session="s2", professional_category=str(w.psych.pk))
    assert data["filters"] == {"session": "S2", "professional_category": w.psych.pk}
    assert [g["key"] for g in data["groups"]] == ["EV-B"]
    assert data["totals"]["test"]["n_paired"] == 4
    data = ok(anes, person_county="cj", group_by="person_county")
    assert [g["key"] for g in data["groups"]] == ["CJ"]


def test_a_county_coordinator(eval_world, coordinator):
    data = ok(coordinator)
    assert [g["key"] for g in data["groups"]] == ["EV-A"]
    assert data["totals"]["test"]["mean_pre"] == 60.0
    assert [q["course"] for q in data["questionnaires"]] == ["EV-A"]
    assert data["questionnaires"][0]["responses"] == 5
    # Asking for Brașov's people does not widen the scope.
    data = ok(coordinator, person_county="BV")
    assert data["groups"] == []


def test_no_ids_or_times(eval_world, anes):
    text = get(anes, group_by="session").content.decode()
    for response in Response.objects.all():
        assert str(response.pk) not in text
    for word in ("enrolment", "submitted_at", "person_id"):
        assert word not in text


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"group_by": "sex"}, "group_by", "Cannot group by “sex”."),
        ({"course": "NOPE"}, "course", "There is no course with the code “NOPE”."),
        ({"session": "NOPE"}, "session", "There is no session with the code “NOPE”."),
        ({"from": "2024-13-01"}, "from", "Write the date as YYYY-MM-DD."),
        ({"professional_category": "x"}, "professional_category", "There is no such"),
        ({"project": "a\x00b"}, "project", "This value is not valid."),
    ],
)
def test_bad_parameters_400(eval_world, anes, params, field, message):
    response = get(anes, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["errors"][field][0].startswith(message)
    assert body["detail"]


def test_period_the_wrong_way_round(eval_world, anes):
    body = get(anes, **{"from": "2024-06-01", "to": "2024-01-01"}).json()
    assert body["errors"] == {"to": ["The end of the period comes before its start."]}


def test_anonymous_is_refused(eval_world, client):
    response = client.get(URL)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_without_the_right_403(eval_world, client):
    client.force_login(UserFactory(username="fara-drepturi-evaluare"))
    response = client.get(URL)
    assert response.status_code == 403
    assert "totals" not in response.json()


def test_the_parameters_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {
        "from",
        "to",
        "project",
        "course",
        "session",
        "session_county",
        "person_county",
        "professional_category",
        "group_by",
    }
    assert all(p.get("description") for p in parameters.values())


def test_query_count_is_fixed(eval_world, anes):
    with CaptureQueriesContext(connection) as ctx:
        ok(anes, group_by="session")
    assert len(ctx.captured_queries) <= 12
