"""`manage.py training_report` against the hand-counted world of tests/reports/test_api.py
(3 persons, 4 participations, 1 completed, 1 certified, 2 sessions; Brașov 1 person, Cluj 2;
VENUS: Ana, Bogdan in S1; ISTANBUL: Ana, Dan in S2). Exit status 0, or 2 for bad parameters."""

import csv
import io
import json

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections
from django.utils import translation
from openpyxl import load_workbook

from tests.reports.test_api import World, figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return World()


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("training_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args) -> dict:
    return json.loads(run("--format", "json", *args))


def fails(*args) -> tuple[int, str, str]:
    """(exit status, message, stdout) of a run that fails."""
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("training_report", *args, stdout=out, stderr=io.StringIO())
    return caught.value.returncode, str(caught.value), out.getvalue()


# --- JSON -----------------------------------------------------------------------------------


def test_json_totals(world):
    data = run_json()
    assert data["totals"] == figures(3, 4, 1, 1, 1, 1, 2)
    assert data["groups"] == []


def test_json_is_the_default_and_keeps_diacritics(world):
    text = run("--group-by", "person_county")
    assert '"Brașov"' in text  # ensure_ascii=False
    assert text.startswith("{\n  ")  # indented
    data = json.loads(text)
    assert [
        (r["label"]["person_county"], r["unique_persons"], r["participations"])
        for r in data["groups"]
    ] == [
        ("Brașov", 1, 1),
        ("Cluj", 2, 3),
    ]


def test_json_filters(world):
    data = run_json("--project", "venus", "--from", "2000-01-01", "--person-county", "cj")
    # VENUS, people of Cluj: Ana (completed) and Bogdan in S1
    assert data["totals"] == figures(2, 2, 1, 1, 0, 0, 1)
    assert data["filters"] == {"from": "2000-01-01", "project": "VENUS", "person_county": "CJ"}


def test_json_cross_table_with_margins(world):
    data = run_json("--group-by", "person_county,project")
    cells = {
        (r["key"]["person_county"], r["key"]["project"]): r["unique_persons"]
        for r in data["groups"]
    }
    assert cells == {("BV", "ISTANBUL"): 1, ("CJ", "ISTANBUL"): 1, ("CJ", "VENUS"): 2}
    assert {r["key"]["project"]: r["unique_persons"] for r in data["margins"]["project"]} == {
        "ISTANBUL": 2,
        "VENUS": 2,
    }
    assert data["groups_may_overlap"] is True


def test_the_command_counts_every_county(world):
    """No coordinator's scope: an operator on the server sees Brașov and Cluj."""
    data = run_json("--group-by", "person_county")
    assert {r["key"]["person_county"] for r in data["groups"]} == {"BV", "CJ"}


def test_json_to_a_file(world, tmp_path):
    path = tmp_path / "raport.json"
    assert run("--output", str(path)) == ""
    assert json.loads(path.read_text(encoding="utf-8"))["totals"]["unique_persons"] == 3


# --- CSV and XLSX ---------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_group(world):
    rows = list(
        csv.reader(
            io.StringIO(run("--format", "csv", "--group-by", "person_county")), delimiter=";"
        )
    )
    assert len(rows) == 4
    assert rows[0][:4] == [
        "person's county (code)",
        "person's county",
        "persons trained",
        "participations",
    ]
    assert rows[1][:4] == ["BV", "Brașov", "1", "1"]
    assert rows[2][:4] == ["CJ", "Cluj", "2", "3"]
    assert rows[3][2:4] == ["3", "4"]  # the total: each person once


def test_csv_without_grouping_is_one_row_of_totals(world):
    rows = list(csv.reader(io.StringIO(run("--format", "csv")), delimiter=";"))
    assert rows[1] == ["3", "4", "1", "1", "1", "1", "2"]


def test_xlsx_to_a_file_opens_in_openpyxl(world, tmp_path):
    path = tmp_path / "raport.xlsx"
    run("--format", "xlsx", "--output", str(path), "--group-by", "person_county")
    book = load_workbook(path)
    assert "Totals" in book.sheetnames
    totals = {row[0]: row[1] for row in book["Totals"].iter_rows(values_only=True)}
    assert totals["persons trained"] == 3
    assert totals["participations"] == 4


def test_xlsx_to_a_pipe_writes_the_bytes(world):
    out = io.BytesIO()
    with translation.override("en"):
        call_command("training_report", "--format", "xlsx", stdout=out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert "Totals" in book.sheetnames


def test_xlsx_to_a_terminal_needs_output(world):
    class Terminal(io.BytesIO):
        def isatty(self):
            return True

    out = Terminal()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("training_report", "--format", "xlsx", stdout=out)
    assert caught.value.returncode == 2
    assert "--output" in str(caught.value)
    assert out.getvalue() == b""


# --- bad parameters: exit status 2 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option", "message"),
    [
        (("--project", "NU-EXISTA"), "--project", "There is no project with the short name"),
        (("--from", "2024-13-01"), "--from", "Write the date as YYYY-MM-DD."),
        (
            ("--from", "2024-06-01", "--to", "2024-01-01"),
            "--to",
            "The end of the period comes before its start.",
        ),
        (("--group-by", "shoe_size"), "--group-by", "Cannot group by “shoe_size”"),
        (("--group-by", "sex,project,month"), "--group-by", "Group by at most two fields."),
        (("--person-county", "ZZ"), "--person-county", "There is no county with the code “ZZ”."),
        (("--eil-member", "maybe"), "--eil-member", "Answer yes or no."),
    ],
)
def test_bad_parameters_exit_2_with_a_readable_message(world, args, option, message):
    code, text, out = fails(*args)
    assert code == 2
    assert f"{option}: " in text
    assert message in text
    assert out == ""


def test_real_exit_status_and_stderr(world, capsys, monkeypatch):
    """As a script sees it: the process's exit status and the message on stderr."""
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection
    command = load_command_class("reports", "training_report")
    with translation.override("en"), pytest.raises(SystemExit) as caught:
        command.run_from_argv(
            ["manage.py", "training_report", "--project", "NU-EXISTA", "--skip-checks"]
        )
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert "NU-EXISTA" in captured.err
    assert captured.out == ""


def test_help_says_the_scope_is_every_county():
    parser = load_command_class("reports", "training_report").create_parser(
        "manage.py", "training_report"
    )
    text = parser.format_help()
    assert "every county" in text
    assert "--group-by" in text
    assert "--person-county" in text
