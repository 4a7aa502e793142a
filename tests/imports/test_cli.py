"""The import commands (issue 8): `import_registry`, `import_roster`, `import_participations`,
with --dry-run, --skip-invalid and --format json; exit status 0 / 1 / 2."""

import io
import json

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext

from imports.models import ImportBatch
from sessions.models import Attendance, Enrolment, TrainingSession
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProjectFactory, build_cnp
from tests.imports.conftest import make_csv, make_xlsx
from training.models import PersonIdentifier, Professional

HEADERS = ["Nume", "Prenume", "Email", "Județ"]
GOOD = [["Popescu", "Ana", "ana@example.org", "CJ"], ["Ionescu", "Mihai", "mihai@example.org", "B"]]
BAD_ROW = ["Vasilescu", "Ioana", "ioana@example.org", "Atlantida"]
CLI_KEYS = {
    "rows",
    "created",
    "matched",
    "sessions_created",
    "enrolments",
    "attendance_marks",
    "errors",
    "review_candidates",
}


def ro(msgid: str) -> str:
    with translation.override("ro"):
        return gettext(msgid)


def write(tmp_path, data: bytes, name: str = "lista.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def cli(command: str, *args) -> tuple[dict | str, str]:
    """Run a command as a script would (in Romanian); (its stdout — parsed when JSON —,
    stderr). CommandError (exit status 1 or 2) propagates."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("ro"):
        call_command(command, *args, stdout=out, stderr=err)
    text = out.getvalue()
    return (json.loads(text) if "json" in args else text), err.getvalue()


def cli_fails(command: str, *args) -> tuple[int, str, str]:
    """(exit status, message, stdout) of a command that fails."""
    out = io.StringIO()
    with translation.override("ro"), pytest.raises(CommandError) as caught:
        call_command(command, *args, stdout=out, stderr=io.StringIO())
    return caught.value.returncode, str(caught.value), out.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Professional.objects.count(),
        PersonIdentifier.objects.count(),
        Enrolment.objects.count(),
        Attendance.objects.count(),
        TrainingSession.objects.count(),
        ImportBatch.objects.count(),
    )


# --- success, json ---------------------------------------------------------------------------


def test_registry_json_summary_and_exit_status_0(refs, tmp_path):
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    summary, err = cli("import_registry", path, "--format", "json")
    assert set(summary) >= CLI_KEYS
    assert summary["rows"] == 2
    assert summary["created"] == 2
    assert summary["matched"] == 0
    assert summary["errors"] == []
    assert err == ""
    assert set(Professional.objects.values_list("email", flat=True)) == {
        "ana@example.org",
        "mihai@example.org",
    }
    # the same machinery as the admin: the file is kept as an import batch, done
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.created_by is None

    again, _err = cli("import_registry", path, "--format", "json")
    assert (again["created"], again["matched"]) == (0, 2)
    assert Professional.objects.count() == 2


def test_json_is_one_object_on_stdout(refs, tmp_path):
    out = io.StringIO()
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    call_command("import_registry", path, "--format", "json", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1
    assert isinstance(json.loads(lines[0]), dict)


def test_dry_run_writes_nothing(refs, tmp_path):
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    before = counts()
    summary, _err = cli("import_registry", path, "--dry-run", "--format", "json")
    assert summary["created"] == 2
    assert summary["dry_run"] is True
    assert summary["written"] is False
    assert counts() == before


def test_text_summary_is_romanian(refs, tmp_path):
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    text, _err = cli("import_registry", path)
    assert f"{ro('New persons')}: 2" in " ".join(text.split())
    assert ro("Imported.") in text


# --- invalid rows: 1 ---------------------------------------------------------------------------


def test_invalid_row_exit_status_1_and_nothing_written(refs, tmp_path):
    path = write(tmp_path, make_xlsx([*GOOD, BAD_ROW], HEADERS))
    before = counts()[:5]
    code, message, stdout = cli_fails("import_registry", path, "--format", "json")
    assert code == 1
    summary = json.loads(stdout)
    assert summary["written"] is False
    assert summary["created"] == 0
    [error] = summary["errors"]
    assert error["row"] == 4  # the header is row 1
    assert error["column"] == "Județ"
    assert "Atlantida" in error["message"]
    assert counts()[:5] == before
    assert str(summary["invalid_rows"]) in message


def test_skip_invalid_writes_the_valid_rows_and_still_exits_1(refs, tmp_path):
    path = write(tmp_path, make_xlsx([*GOOD, BAD_ROW], HEADERS))
    code, _message, stdout = cli_fails(
        "import_registry", path, "--skip-invalid", "--format", "json"
    )
    assert code == 1
    summary = json.loads(stdout)
    assert summary["written"] is True
    assert summary["rejected_rows"] == [4]
    assert Professional.objects.count() == 2
    assert not Professional.objects.filter(last_name="Vasilescu").exists()


def test_dry_run_with_invalid_rows_exits_1(refs, tmp_path):
    path = write(tmp_path, make_xlsx([BAD_ROW], HEADERS))
    code, _message, stdout = cli_fails("import_registry", path, "--dry-run")
    assert code == 1
    assert "Atlantida" in stdout
    assert not Professional.objects.exists()


def test_no_cnp_on_the_terminal(refs, tmp_path):
    """A CNP typed into the birth-date column: the error names the cell, the CNP masked."""
    cnp = build_cnp("2", timezone.localdate().replace(year=1985, month=3, day=4))
    path = write(
        tmp_path,
        make_xlsx([["Popescu", "Ana", "ana@example.org", "CJ", cnp]], [*HEADERS, "Data nașterii"]),
    )
    for args in ((), ("--format", "json")):
        code, message, stdout = cli_fails("import_registry", path, *args)
        assert code == 1
        assert cnp not in stdout + message
        assert cnp[-3:] in stdout  # masked, still recognisable


# --- files that cannot be imported: 2 ---------------------------------------------------------


def test_missing_file_exit_status_2(refs, tmp_path):
    code, message, _out = cli_fails("import_registry", str(tmp_path / "nu-exista.xlsx"))
    assert code == 2
    assert "nu-exista.xlsx" in message


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        (b"", "The file is empty."),
        (make_csv([["Titlu"], ["a", "b"]]), None),  # no header row
        (make_xlsx([["x@example.org"]], ["Email"]), None),  # no name columns
    ],
)
def test_unreadable_file_exit_status_2(refs, tmp_path, data, msgid):
    path = write(tmp_path, data, "lista.csv")
    before = counts()[:5]
    code, message, stdout = cli_fails("import_registry", path, "--format", "json")
    assert code == 2
    assert stdout == ""
    if msgid:
        assert ro(msgid) in message
    assert counts()[:5] == before


def test_unreadable_file_dry_run_exit_status_2(refs, tmp_path):
    path = write(tmp_path, b"", "gol.csv")
    code, message, _out = cli_fails("import_registry", path, "--dry-run")
    assert code == 2
    assert ro("The file is empty.") in message


def test_real_exit_status_and_stderr(refs, tmp_path, capsys, monkeypatch):
    """As a script sees it: the process's exit status and the message on stderr."""
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection
    path = write(tmp_path, b"", "gol.csv")
    command = load_command_class("imports", "import_registry")
    with translation.override("ro"), pytest.raises(SystemExit) as caught:
        command.run_from_argv(["manage.py", "import_registry", path, "--skip-checks"])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert ro("The file is empty.") in captured.err
    assert captured.out == ""


# --- Windows-1250 CSV -------------------------------------------------------------------------


def test_windows_1250_csv(refs, tmp_path):
    """Excel on a Romanian Windows: Windows-1250, ";"-separated, cedilla ş ţ."""
    data = make_csv(
        [
            ["Nume", "Prenume", "E-mail", "Judeţ"],
            ["Ştefănescu", "Ţicu", "stef@example.org", "Iaşi"],
        ],
        encoding="cp1250",
        delimiter=";",
    )
    path = write(tmp_path, data, "lista.csv")
    summary, _err = cli("import_registry", path, "--format", "json")
    assert summary["created"] == 1
    person = Professional.objects.get()
    assert (person.last_name, person.first_name) == ("Ștefănescu", "Țicu")
    assert person.county.code == "IS"


# --- the roster -------------------------------------------------------------------------------


def test_roster_with_attendance(refs, tmp_path):
    session = make_session(start_in=-3, day_count=2)
    days = [timezone.localtime(d.starts_at).strftime("%d.%m.%Y") for d in session.days.all()]
    path = write(
        tmp_path,
        make_xlsx(
            [[*GOOD[0], "P", "A"], [*GOOD[1], "P", "P"]],
            [*HEADERS, *days],
        ),
    )
    summary, _err = cli("import_roster", path, "--session", session.code, "--format", "json")
    assert (summary["created"], summary["enrolments"], summary["attendance_marks"]) == (2, 2, 4)
    assert Attendance.objects.filter(status=Attendance.Status.ABSENT).count() == 1


def test_roster_unknown_session_exit_status_2(refs, tmp_path):
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    code, message, _out = cli_fails("import_roster", path, "--session", "NU-EXISTA")
    assert code == 2
    assert "NU-EXISTA" in message
    assert not ImportBatch.objects.exists()


def test_roster_needs_the_session_option(refs, tmp_path):
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    with pytest.raises(CommandError):
        call_command("import_roster", path)


# --- historical participations ----------------------------------------------------------------

P_HEADERS = [*HEADERS, "Proiect", "Curs", "Data început", "Data sfârșit", "Județ sesiune"]


def test_participations_with_project_option(refs, tmp_path):
    project = ProjectFactory(acronym="IST")
    course = CourseFactory(title="Convenția de la Istanbul")
    rows = [[*GOOD[0], "", course.title, "03.04.2019", "04.04.2019", "CJ"]]
    path = write(tmp_path, make_xlsx(rows, P_HEADERS))
    summary, _err = cli("import_participations", path, "--project", "ist", "--format", "json")
    assert (summary["created"], summary["sessions_created"], summary["enrolments"]) == (1, 1, 1)
    assert TrainingSession.objects.get().project == project


def test_participations_unknown_project_exit_status_2(refs, tmp_path):
    path = write(tmp_path, make_xlsx(GOOD, HEADERS))
    code, message, _out = cli_fails("import_participations", path, "--project", "NIMIC")
    assert code == 2
    assert "NIMIC" in message


def test_participations_create_missing(refs, tmp_path):
    rows = [[*GOOD[0], "Proiect nou", "Curs nou", "03.04.2019", "04.04.2019", "CJ"]]
    path = write(tmp_path, make_xlsx(rows, P_HEADERS))
    code, _message, stdout = cli_fails("import_participations", path, "--format", "json")
    assert code == 1  # the project and course do not exist
    assert {e["column"] for e in json.loads(stdout)["errors"]} == {"Proiect", "Curs"}
    summary, _err = cli("import_participations", path, "--create-missing", "--format", "json")
    assert (summary["sessions_created"], summary["enrolments"]) == (1, 1)
    assert TrainingSession.objects.get().course.title == "Curs nou"
