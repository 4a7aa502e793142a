"""The evaluation dashboard (reports:evaluation, /admin/reports/evaluation/), against the world
counted by hand in test_evaluation_report (EvalWorld): see its docstring for the numbers."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from evaluation.models import Invitation, Response, SessionForm
from sessions.models import Enrolment
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory
from tests.reports.test_dashboard import reader
from tests.reports.test_evaluation_report import EvalWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def eval_world(db) -> EvalWorld:
    return EvalWorld()


URL = "/admin/reports/evaluation/"
ANES = ("view_reports", "view_all_counties")


def get(client, user, query=""):
    client.force_login(user)
    with translation.override("en"):
        return client.get(URL + query, HTTP_ACCEPT_LANGUAGE="en")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def cells(tr) -> list[str]:
    return [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]


def test_url_name():
    assert reverse("reports:evaluation") == URL
    assert reverse("reports:evaluation_export") == URL + "export/"


def test_headline_figures(client, eval_world):
    response = get(client, reader(*ANES))
    assert response.status_code == 200
    page = soup(response)
    rates = {
        tr["data-form"]: (
            tr.select_one("[data-answered]").get_text(),
            tr.select_one("[data-expected]").get_text(),
            tr.select_one("[data-rate]").get_text(),
        )
        for tr in page.select("[data-rates] tbody tr")
    }
    assert rates == {
        "pre_test": ("9", "10", "90.0%"),
        "post_test": ("9", "10", "90.0%"),
        "feedback": ("10", "11", "90.9%"),
        "follow_up": ("4", "4", "100.0%"),
    }
    bars = page.select("[data-rates] progress")
    assert [b["value"] for b in bars] == ["90.0", "90.0", "90.9", "100.0"]
    headline = {
        div["data-figure-name"]: div.dd.get_text(" ", strip=True)
        for div in page.select("[data-headline] > div")
    }
    assert headline == {
        "sessions": "3",
        "n_paired": "9",
        "pre_post": "55.6 → 72.2",
        "gain": "16.7",
        "normalised_gain": "0.38",
        "improved": "77.8%",
    }


def test_table_by_course_with_a_small_group(client, eval_world):
    page = soup(get(client, reader(*ANES)))
    rows = {tr["data-group"]: tr for tr in page.select("[data-group-table] tbody tr")}
    assert list(rows) == ["EV-A", "EV-B"]
    a = rows["EV-A"]
    assert a.select_one("[data-form=pre_test]").get_text(strip=True) == "5 / 6 (83.3%)"
    assert a.select_one("[data-form=follow_up]").get_text(strip=True) == "—"
    # Next to EV-B's 4, EV-A's scores would give them away through the total: hidden too.
    assert a.select_one("[data-pre-post]") is None
    assert a.select_one("[data-suppressed]").get_text(strip=True) == (
        "Hidden so that a small group cannot be worked out from the total."
    )
    b = rows["EV-B"]
    assert b.select_one("[data-paired]").get_text(strip=True) == "4"
    assert b.select_one("[data-suppressed]").get_text(strip=True) == "fewer than 5 responses"
    assert b.select_one("[data-pre-post]") is None
    # Course A alone: its scores are shown.
    page = soup(get(client, reader(*ANES), "?course=EV-A"))
    a = page.select_one('[data-group-table] tbody tr[data-group="EV-A"]')
    assert a.select_one("[data-pre-post]").get_text(strip=True) == "60.0 → 80.0"
    assert a.select_one("[data-gain]").get_text(strip=True) == "20.0"
    assert a.select_one("[data-g]").get_text(strip=True) == "0.50"
    assert a.select_one("[data-improved]").get_text(strip=True) == "100.0%"


def test_gain_charts_with_their_tables(client, eval_world):
    w = eval_world
    page = soup(get(client, reader(*ANES)))
    for chart_id in ("chart-gain-course", "chart-gain-professional_category"):
        svg = page.select_one(f'svg[data-chart="{chart_id}"]')
        assert svg["role"] == "img"
        assert svg.title.get_text() and svg.desc.get_text()
    # EV-B (4 paired) is small, and EV-A is hidden next to it (complementary).
    course = page.select_one('svg[data-chart="chart-gain-course"]')
    assert course.select("g.chart-pair") == []
    by_category = page.select_one('svg[data-chart="chart-gain-professional_category"]')
    assert by_category.select("g.chart-pair") == []  # social workers hidden next to the 4
    table = page.select_one('[data-chart-table="chart-gain-professional_category"]')
    texts = [cells(tr) for tr in table.select("tbody tr")]
    social = w.social.name_en or w.social.name
    hidden = "Hidden so that a small group cannot be worked out from the total."
    assert [social, "5", hidden] in texts
    assert any(row[1:] == ["4", "fewer than 5 responses"] for row in texts)
    # Course A alone: the chart has its pair.
    page = soup(get(client, reader(*ANES), "?course=EV-A"))
    course = page.select_one('svg[data-chart="chart-gain-course"]')
    pairs = [
        (g["data-label"], g["data-first"], g["data-second"]) for g in course.select("g.chart-pair")
    ]
    assert pairs == [("EV-A – Evaluare A", "60", "80")]


def test_questions_section(client, eval_world):
    page = soup(get(client, reader(*ANES), "?group_by=session_county"))
    assert page.select_one("[data-questions-note]") is None
    useful = page.select_one('[data-questionnaire="EV-A:feedback"] [data-question="useful"]')
    assert useful.h4.get_text() == "Was it useful?"
    assert useful.select_one("[data-mean]").get_text() == "3.60"
    svg = useful.select_one("svg")
    assert svg["role"] == "img" and svg.title.get_text() == "Was it useful?"
    stacks = {g["data-label"]: g["data-values"] for g in svg.select("g.chart-stack")}
    assert stacks == {"All": "1,2,1,2,4", "Brașov": "1,2,0,0,2", "Cluj": "0,0,1,2,2"}
    rows = [cells(tr) for tr in useful.select("[data-distribution] tbody tr")]
    assert rows[0] == ["1 – Strongly disagree", "1 (10.0%)", "1 (20.0%)", "0 (0.0%)"]
    assert rows[4] == ["5 – Strongly agree", "4 (40.0%)", "2 (40.0%)", "2 (40.0%)"]
    comments = page.select_one('[data-question="comments"]')
    texts = [li.get_text() for li in comments.select("[data-texts] li")]
    # S4's 2 comments are left out (session floor); S1's 5 remain.
    assert texts == ["apples", "Better coffee", "Clear", "more practice", "Very good"]
    assert comments.select_one("[data-question-left-out]").get_text(strip=True) == (
        "1 session with fewer than 5 answers is left out of the answer statistics."
    )
    follow = page.select_one('[data-questionnaire="EV-B:follow_up"]')
    assert follow.select_one("[data-left-out]").get_text(strip=True) == (
        "1 session with fewer than 5 answers is left out of the answer statistics."
    )
    notes = follow.select_one('[data-question="notes"]')
    assert notes.select("[data-texts]") == []
    assert "ok" not in notes.get_text().split()


def test_questions_by_a_persons_field_carry_a_note(client, eval_world):
    page = soup(get(client, reader(*ANES), "?group_by=professional_category"))
    assert page.select_one("[data-questions-note]") is not None
    table = page.select_one('[data-question="useful"] [data-distribution]')
    assert [th.get_text() for th in table.thead.select("th")] == ["Answer", "All"]


def test_coordinator_sees_their_county(client, eval_world):
    page = soup(get(client, reader("view_reports", counties=["CJ"])))
    assert page.select_one("[data-scope]") is not None
    assert [tr["data-group"] for tr in page.select("[data-group-table] tbody tr")] == ["EV-A"]
    assert page.select_one('[data-figure-name="n_paired"] dd').get_text() == "5"
    assert page.select_one('[data-question="useful"] [data-mean]').get_text() == "4.20"
    assert page.select_one('[data-questionnaire="EV-B:follow_up"]') is None


@pytest.mark.parametrize("codenames", [(), ("view_all_counties",)])
def test_without_the_reports_right_403(client, eval_world, codenames):
    response = get(client, reader(*codenames))
    assert response.status_code == 403
    assert b"EV-A" not in response.content


def test_bad_filters_show_the_error(client, eval_world):
    response = get(client, reader(*ANES), "?group_by=sex&course=NOPE")
    assert response.status_code == 200
    errors = soup(response).select_one("[data-form-errors]").get_text(" ", strip=True)
    assert "Cannot group by “sex”" in errors
    assert "There is no course with the code “NOPE”." in errors
    assert soup(response).select_one("[data-group-table]") is None


def test_export_button_keeps_the_filters(client, eval_world):
    page = soup(get(client, reader(*ANES), "?course=EV-A&group_by=session"))
    link = page.select_one("[data-download=xlsx]")
    assert link["href"] == "/admin/reports/evaluation/export/?course=EV-A&group_by=session"


def test_participation_dashboard_links_here(client, eval_world):
    client.force_login(reader(*ANES))
    with translation.override("en"):
        response = client.get("/admin/reports/", HTTP_ACCEPT_LANGUAGE="en")
    link = soup(response).select_one("[data-tab=evaluation]")
    assert link["href"] == URL
    assert link.get_text() == "Evaluation"


def test_no_ids_on_the_page(client, eval_world):
    response = get(client, reader(*ANES), "?group_by=session")
    text = response.content.decode()
    for r in Response.objects.all():
        assert str(r.pk) not in text
    assert "data-enrolment" not in text


def test_no_inline_scripts(client, eval_world):
    page = soup(get(client, reader(*ANES)))
    main = page.select_one("[data-evaluation-report]")
    assert main.find("script") is None
    assert not any(attr.startswith("on") for tag in main.find_all(True) for attr in tag.attrs)


def more_responses(w: EvalWorld, n: int):
    session = make_session(start_in=-5, day_count=1, course=w.course_b, county=w.bv)
    form = SessionForm.objects.create(
        training_session=session,
        purpose=SessionForm.Purpose.PRE_TEST,
        version=SessionForm.objects.filter(training_session=w.s2).first().version,
    )
    for i in range(n):
        e = Enrolment.objects.create(
            training_session=session,
            professional=ProfessionalFactory(county=w.bv, category=w.psych),
            status="confirmed",
            source="staff",
        )
        Invitation.objects.create(session_form=form, enrolment=e, submitted=True)
        Response.objects.create(
            session_form=form,
            version=form.version,
            enrolment=e,
            submitted_at=session.days.first().starts_at,
            score_percent=i,
        )


def queries(client, user, query=""):
    client.force_login(user)
    client.get(URL + query)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL + query)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", ["", "?group_by=session_county"])
def test_query_budget_does_not_grow(client, eval_world, query):
    user = reader(*ANES)
    few = queries(client, user, query)
    more_responses(eval_world, 12)
    many = queries(client, user, query)
    assert few == many
    assert many <= 25
