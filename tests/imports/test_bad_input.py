"""Bad input (issue 8): every file people really send either imports or says clearly why
not, and nothing is half-written."""

import datetime
import io
import time

import pytest
import tablib
from django.utils import translation
from django.utils.translation import gettext

from imports.engine import FileProblem
from imports.reader import UnreadableFile
from sessions.models import Attendance, Enrolment
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProjectFactory, build_cnp
from tests.imports.conftest import make_csv, make_xlsx
from training.models import Institution, Professional

HEADERS = ["Nume", "Prenume", "Email", "Județ", "Instituția", "Tip instituție"]
SPITAL = "Spital / UPU / medic de familie"
ROWS = [
    ["Popescu", "Ana", "ana@example.org", "CJ", "DGASPC Cluj", "DGASPC"],
    ["Ionescu", "Mihai", "mihai@example.org", "Cluj", "DGASPC Cluj", "DGASPC"],
]


def ro(msgid: str, **values) -> str:
    with translation.override("ro"):
        text = gettext(msgid)
    return text % values if values else text


def run_ro(run, *args, **kw):
    with translation.override("ro"):
        return run(*args, **kw)


def fails_ro(run, exception, *args, **kw):
    with translation.override("ro"), pytest.raises(exception) as caught:
        run(*args, **kw)
    return caught.value.message


# --- files that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n  "])
def test_empty_file(run, data):
    message = fails_ro(run, UnreadableFile, "registry", data)
    assert message == ro("The file is empty.")
    assert not Professional.objects.exists()


def test_file_with_nothing_but_blank_cells(run):
    message = fails_ro(run, UnreadableFile, "registry", make_csv([[";;"], [";;"]]))
    assert message == ro("The file has no rows with data.")


def test_password_protected_xlsx(run):
    # Excel saves an encrypted workbook as a compound file (CFB) holding an "EncryptionInfo"
    # stream instead of a zip: the container's magic and the stream's UTF-16 name
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 1016
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 2048
    )
    message = fails_ro(run, UnreadableFile, "registry", data)
    assert message == ro(
        "The file is protected with a password. Open it in Excel, remove the password "
        "(File › Info › Protect Workbook) and upload it again."
    )


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"%PDF-1.7\x00\x01\x02"])
def test_a_file_that_is_not_a_spreadsheet(run, data):
    with pytest.raises(UnreadableFile):
        run("registry", data)


def test_damaged_xlsx(run):
    data = make_xlsx(ROWS, HEADERS)
    with pytest.raises(UnreadableFile):
        run("registry", data[: len(data) // 2])


def test_file_over_the_size_limit(run, settings):
    data = make_xlsx(ROWS, HEADERS)
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data) - 1
    message = fails_ro(run, UnreadableFile, "registry", data)
    assert message == ro(
        "The file is larger than %(size)d MB. Split it into smaller files.", size=0
    )
    assert not Professional.objects.exists()
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data)
    assert run("registry", data).created == 2


def test_too_many_rows(run, settings):
    settings.IMPORT_MAX_ROWS = 1
    message = fails_ro(run, UnreadableFile, "registry", make_xlsx(ROWS, HEADERS))
    assert message == ro(
        "The file has more than %(limit)d rows. Split it into smaller files.", limit=1
    )


# --- other formats and encodings ----------------------------------------------------------


def test_xls_file(run):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Participanți")
    sheet.write_merge(0, 0, 0, 5, "Lista participanților")
    for c, header in enumerate(HEADERS + ["Data nașterii"]):
        sheet.write(1, c, header)
    date_style = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for r, values in enumerate(ROWS, start=2):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
        sheet.write(r, len(values), datetime.date(1980, 1, r), date_style)
    buffer = io.BytesIO()
    book.save(buffer)

    summary = run("registry", buffer.getvalue())

    assert summary.errors == []
    assert summary.header_row == 2
    assert summary.created == 2
    assert Professional.objects.get(last_name="Popescu").birth_date == datetime.date(1980, 1, 2)


def test_ods_file(run):
    dataset = tablib.Dataset(*ROWS, headers=HEADERS)
    summary = run("registry", dataset.export("ods"))
    assert summary.errors == []
    assert summary.created == 2
    assert set(Professional.objects.values_list("email", flat=True)) == {
        "ana@example.org",
        "mihai@example.org",
    }


def test_windows_1250_csv_with_cedillas_is_stored_with_comma_below(run):
    # Windows-1250 has only the cedilla letters ş ţ Ş Ţ (and ă â î)
    data = make_csv(
        [
            ["Nume", "Prenume", "Judet", "Institutia", "Tip institutie"],
            ["Ţăranu", "Ştefania", "Iaşi", "Şcoala Gimnazială Tătăraşi", "ISJ / ISMB; CJRAE"],
            ["ŞERBAN", "MIHAIŢĂ", "IS", "Şcoala Gimnazială Tătăraşi", None],
        ],
        encoding="cp1250",
        delimiter=";",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    summary = run("registry", data)

    assert summary.errors == []
    names = set(Professional.objects.values_list("last_name", "first_name"))
    assert names == {("Țăranu", "Ștefania"), ("Șerban", "Mihaiță")}
    assert Institution.objects.get().name == "Școala Gimnazială Tătărași"
    assert Professional.objects.filter(county__code="IS").count() == 2


def test_semicolon_csv_with_commas_inside_values(run):
    data = make_csv(
        [
            ["Nume", "Prenume", "Județ", "Instituția", "Tip instituție"],
            ["Popescu", "Ana", "CJ", "Spitalul Clinic, Cluj-Napoca", SPITAL],
            ["Marin", "Ion", "CJ", "Spitalul Clinic, Cluj-Napoca", None],
        ],
        delimiter=";",
    )
    summary = run("registry", data)
    assert summary.errors == []
    assert summary.created == 2
    assert Institution.objects.get().name == "Spitalul Clinic, Cluj-Napoca"


def test_utf16_tab_separated_csv(run):
    data = make_csv([HEADERS, *ROWS], encoding="utf-16", delimiter="\t")
    summary = run("registry", data)
    assert summary.errors == []
    assert summary.created == 2


# --- the shape of the sheet ---------------------------------------------------------------


def test_100000_blank_rows_before_the_data(run):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    formatted = WriteOnlyCell(sheet)
    formatted.font = Font(bold=True)  # a cell with formatting and no value
    for i in range(100_000):
        sheet.append([formatted, formatted] if i % 2 else [])
    for values in ROWS:
        sheet.append(values)
    for _ in range(1000):
        sheet.append(["", None, "  "])  # blank cells with something in them
    buffer = io.BytesIO()
    workbook.save(buffer)

    started = time.perf_counter()
    summary = run("registry", buffer.getvalue())
    elapsed = time.perf_counter() - started

    assert summary.errors == []
    assert summary.rows == 2
    assert summary.created == 2
    assert elapsed < 5, f"{elapsed:.1f} s for 100,000 blank rows"


def test_merged_cells_and_a_merged_title_row(run):
    headers = ["Nume", "Prenume", "Județ", "Instituția", "Tip instituție"]
    rows = [
        ["Popescu", "Ana", "CJ", "DGASPC Cluj", "DGASPC"],
        ["Ionescu", "Mihai", "CJ", None, "DGASPC"],
        ["Marin", "Ioana", "CJ", None, "DGASPC"],
        ["Vasile", "Dan", "CJ", "Spitalul Județean", SPITAL],
    ]
    # the title on row 1 merged across the table; Instituția merged over rows 3-5
    data = make_xlsx(rows, headers, title_rows=1, merged=["A1:E1", "D3:D5"])

    summary = run("registry", data)

    assert summary.errors == []
    assert summary.header_row == 2
    by_institution = {
        p.last_name: p.institution.name for p in Professional.objects.select_related("institution")
    }
    assert by_institution == {
        "Popescu": "DGASPC Cluj",
        "Ionescu": "DGASPC Cluj",
        "Marin": "DGASPC Cluj",
        "Vasile": "Spitalul Județean",
    }


def test_header_row_on_line_3_and_errors_numbered_as_the_sheet_shows(run):
    rows = [*ROWS, ["Vasile", "Dan", "dan@example.org", "Atlantida", "DGASPC Cluj", None]]
    summary = run_ro(run, "registry", make_xlsx(rows, HEADERS, title_rows=2))
    assert summary.header_row == 3
    assert summary.rows == 3
    assert [(e.row, e.column) for e in summary.errors] == [(6, "Județ")]


def test_no_header_row(run):
    data = make_xlsx([["a", "b"], ["c", "d"]], ["x", "y"])
    message = fails_ro(run, UnreadableFile, "registry", data)
    assert message == ro(
        "No header row found: the first row of the table must name its columns (e.g. "
        "Nume, Prenume, Email). Download the template to see them."
    )


# --- bad cells -----------------------------------------------------------------------------


def test_cnp_with_a_bad_check_digit(run):
    good = build_cnp("2", datetime.date(1984, 3, 15))
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    data = make_xlsx(
        [["Popescu", "Ana", bad, "CJ"], ["Marin", "Ion", good, "CJ"]],
        ["Nume", "Prenume", "CNP", "Județ"],
    )
    summary = run_ro(run, "registry", data)
    assert [(e.row, e.column, e.message) for e in summary.errors] == [
        (2, "CNP", ro("The CNP control digit is wrong."))
    ]
    assert summary.rejected == [2]
    assert not summary.written
    assert not Professional.objects.exists()


def test_impossible_date(run):
    data = make_xlsx(
        [["Popescu", "Ana", "31.02.2019", "CJ"]], ["Nume", "Prenume", "Data nașterii", "Județ"]
    )
    summary = run_ro(run, "registry", data)
    assert [(e.row, e.column, e.message) for e in summary.errors] == [
        (2, "Data nașterii", ro("“%(value)s” is not a date that exists.", value="31.02.2019"))
    ]
    assert not Professional.objects.exists()


def test_unknown_county(run):
    data = make_xlsx([["Popescu", "Ana", "Transilvania"]], ["Nume", "Prenume", "Judet"])
    summary = run_ro(run, "registry", data)
    assert [(e.row, e.column, e.message) for e in summary.errors] == [
        (
            2,
            "Judet",
            ro(
                "There is no county “%(value)s”: write its name or its code (e.g. CJ).",
                value="Transilvania",
            ),
        )
    ]
    assert not Professional.objects.exists()


def test_unknown_columns_are_reported_not_dropped_silently(run):
    data = make_xlsx(
        [["Popescu", "Ana", "CJ", "x", "y"]],
        ["Nume", "Prenume", "Județ", "Observații", "Nr. crt."],
    )
    summary = run("registry", data)
    assert summary.unknown_columns == ["Observații", "Nr. crt."]
    assert summary.created == 1


def test_header_synonyms_and_spelling(run):
    data = make_xlsx(
        [["Popescu", "Ana", "CJ", "ana@example.org"]],
        ["NUME:", "prenume", "JUDET", "E-mail"],
    )
    summary = run("registry", data)
    assert summary.unknown_columns == []
    assert Professional.objects.get().email == "ana@example.org"


def test_a_required_column_missing(run):
    data = make_xlsx([["Ana", "CJ"]], ["Prenume", "Județ"])
    message = fails_ro(run, FileProblem, "registry", data)
    assert message == ro("The table needs the columns “Nume” and “Prenume”, or “Nume și prenume”.")


def test_participations_need_the_session_columns(run):
    data = make_xlsx([["Popescu", "Ana", "CJ"]], ["Nume", "Prenume", "Județ", "Proiect"][:3])
    with pytest.raises(FileProblem):
        run("participations", data)


# --- all or nothing ------------------------------------------------------------------------

PARTICIPATION_HEADERS = [
    "Nume",
    "Prenume",
    "Județ",
    "Proiect",
    "Curs",
    "Data început",
    "Data sfârșit",
    "Județ sesiune",
    "Data nașterii",
]


@pytest.fixture
def participations(db):
    ProjectFactory(acronym="CONV", name="Convenția de la Istanbul")
    CourseFactory(code="VD1", title="Violența domestică")

    def rows(bad_birth: str = "01.01.1980"):
        return [
            ["Popescu", "Ana", "CJ", "CONV", "VD1", "10.05.2021", "11.05.2021", "CJ", None],
            ["Ionescu", "Mihai", "BV", "CONV", "VD1", "10.05.2021", "11.05.2021", "CJ", None],
            ["Marin", "Ion", "IS", "CONV", "VD1", "10.05.2021", "11.05.2021", "CJ", bad_birth],
        ]

    return rows


def _counts():
    return (Professional.objects.count(), Enrolment.objects.count(), Attendance.objects.count())


def test_one_invalid_row_and_nothing_is_written(run, participations):
    make_session(start_in=5)  # something already there
    before = _counts()

    summary = run("participations", make_xlsx(participations("30.02.1980"), PARTICIPATION_HEADERS))

    assert [(e.row, e.column) for e in summary.errors] == [(4, "Data nașterii")]
    assert not summary.written
    assert _counts() == before
    assert summary.rejected == [4]


def test_dry_run_writes_nothing_but_counts_everything(run, participations):
    before = _counts()
    summary = run(
        "participations",
        make_xlsx(participations(), PARTICIPATION_HEADERS),
        dry_run=True,
    )
    assert summary.errors == []
    assert (summary.created, summary.sessions_created, summary.enrolments) == (3, 1, 3)
    assert summary.attendance_marks == 6
    assert not summary.written
    assert _counts() == before


def test_skip_invalid_writes_the_valid_rows_and_lists_the_rejected(run, participations):
    rows = participations("30.02.1980")
    rows.append(["Vasile", "Dan", "Atlantida", "CONV", "VD1", "10.05.2021", None, "CJ", None])
    summary = run("participations", make_xlsx(rows, PARTICIPATION_HEADERS), skip_invalid=True)
    assert summary.written
    assert summary.rejected == [4, 5]
    assert {(e.row, e.column) for e in summary.errors} == {(4, "Data nașterii"), (5, "Județ")}
    assert set(Professional.objects.values_list("last_name", flat=True)) == {"Popescu", "Ionescu"}
    assert Enrolment.objects.count() == 2
    assert summary.enrolments == 2
