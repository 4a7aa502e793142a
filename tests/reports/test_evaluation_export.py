"""The evaluation report as XLSX (reports:evaluation_export), read back with openpyxl, against
the world counted by hand in test_evaluation_report (EvalWorld)."""

import io

import pytest
from django.contrib.messages import get_messages
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from evaluation.models import Response
from tests.reports.test_dashboard import reader
from tests.reports.test_evaluation_report import EvalWorld

pytestmark = pytest.mark.django_db

URL = "/admin/reports/evaluation/export/"
ANES = ("view_reports", "view_all_counties")


@pytest.fixture
def eval_world(db) -> EvalWorld:
    return EvalWorld()


def download(client, user, query=""):
    client.force_login(user)
    with translation.override("en"):
        return client.get(URL + query, HTTP_ACCEPT_LANGUAGE="en")


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="formativ-evaluare-')
    return load_workbook(io.BytesIO(response.content))


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_sheets_and_groups(client, eval_world):
    book = workbook(download(client, reader(*ANES)))
    with translation.override("en"):
        names = [gettext("Filters"), gettext("Groups"), gettext("Questions"), gettext("Comments")]
    assert book.sheetnames == names
    groups = rows(book[names[1]])
    header = groups[0]
    a = dict(zip(header, groups[1], strict=True))
    assert a["Course"] == "EV-A – Evaluare A"
    assert a["Sessions"] == 2
    assert (a["pre-test: expected"], a["pre-test: answered"], a["pre-test: rate (%)"]) == (
        6,
        5,
        83.3,
    )
    assert a["Paired"] == 5
    # Hidden next to EV-B's 4: the total minus EV-A would give theirs.
    assert (a["Mean pre-test score (%)"], a["Mean post-test score (%)"]) == (
        "Hidden so that a small group cannot be worked out from the total.",
        None,
    )
    assert (a["Gain (percentage points)"], a["Normalised gain g"], a["Improved (%)"]) == (
        None,
        None,
        None,
    )
    b = dict(zip(header, groups[2], strict=True))
    assert b["Paired"] == 4
    assert b["Mean pre-test score (%)"] == "fewer than 5 responses"
    assert b["Gain (percentage points)"] is None
    total = dict(zip(header, groups[3], strict=True))
    assert total["Course"] == "Total"
    assert (total["Mean pre-test score (%)"], total["Normalised gain g"]) == (55.6, 0.38)


def test_questions_and_comments(client, eval_world):
    book = workbook(download(client, reader(*ANES), "?group_by=session_county"))
    questions = rows(book.worksheets[2])
    useful = [r for r in questions if r[2] == "Was it useful?"]
    # All answers, then Brașov, then Cluj: 5 points each.
    assert [(r[4], r[5], r[6], r[7], r[9], r[10]) for r in useful[:5]] == [
        ("All", 10, 3.6, 1, 1, 10.0),
        ("All", 10, 3.6, 2, 2, 20.0),
        ("All", 10, 3.6, 3, 1, 10.0),
        ("All", 10, 3.6, 4, 2, 20.0),
        ("All", 10, 3.6, 5, 4, 40.0),
    ]
    assert [r[4] for r in useful[5:]] == ["Brașov"] * 5 + ["Cluj"] * 5
    assert questions[0][11] == "Sessions left out (fewer than 5 answers)"
    assert {r[11] for r in useful} == {0, None}  # 0 on the "All" rows
    # S2 has 4 responses to the follow-up form: left out of its statistics.
    satisfied = [r for r in questions if r[2] == "Satisfied?"]
    assert [r[4:] for r in satisfied] == [["All", 0, None, None, None, None, None, 1]]
    comment_rows = [r for r in questions if r[2] == "Comments"]
    assert [(r[4], r[5], r[11]) for r in comment_rows] == [("All", 5, 1), ("Cluj", 5, None)]
    comments = rows(book.worksheets[3])
    answers = [(r[3], r[4]) for r in comments[1:]]
    # S4's 2 comments are left out (session floor).
    assert answers == [
        ("All", "apples"),
        ("All", "Better coffee"),
        ("All", "Clear"),
        ("All", "more practice"),
        ("All", "Very good"),
        ("Cluj", "apples"),
        ("Cluj", "Better coffee"),
        ("Cluj", "Clear"),
        ("Cluj", "more practice"),
        ("Cluj", "Very good"),
    ]
    # Follow-up notes ("ok", 4 answers) are left out.
    assert all(r[4] != "ok" for r in comments)


def test_filters_sheet(client, eval_world):
    book = workbook(download(client, reader(*ANES), "?course=ev-a&group_by=session"))
    filters = rows(book.worksheets[0])
    assert filters[0] == ["Evaluation report", None]
    assert ["Group by", "session"] in filters
    assert ["course", "EV-A – Evaluare A"] in filters
    groups = rows(book.worksheets[1])
    assert [r[0] for r in groups[1:]] == ["S1", "S4", "Total"]


def test_no_ids_or_times(client, eval_world):
    book = workbook(download(client, reader(*ANES), "?group_by=session"))
    text = repr([rows(sheet) for sheet in book.worksheets])
    for response in Response.objects.all():
        assert str(response.pk) not in text
    assert "enrolment" not in text.lower()


def test_coordinator_scope(client, eval_world):
    book = workbook(download(client, reader("view_reports", counties=["CJ"])))
    groups = rows(book.worksheets[1])
    assert [r[0] for r in groups[1:]] == ["EV-A – Evaluare A", "Total"]
    comments = rows(book.worksheets[3])
    assert [r[4] for r in comments[1:]] == [
        "apples",
        "Better coffee",
        "Clear",
        "more practice",
        "Very good",
    ]


def test_without_the_right_403(client, eval_world):
    assert download(client, reader()).status_code == 403


def test_bad_parameters_back_to_the_dashboard(client, eval_world):
    response = download(client, reader(*ANES), "?group_by=sex")
    assert response.status_code == 302
    assert response["Location"] == "/admin/reports/evaluation/?group_by=sex"
    [message] = list(get_messages(response.wsgi_request))
    assert "Cannot group by “sex”" in str(message)
