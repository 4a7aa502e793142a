"""The attendance spreadsheet (`attendance_workbook`) and reading it back
(`attendance_rows_parse`): what organisers download, fill in from the signed sheets and import."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from openpyxl import load_workbook

from sessions.attendance_sheet import (
    ATTENDANCE_CODES,
    FIXED_COLUMNS,
    attendance_rows_parse,
    attendance_workbook,
)
from sessions.models import Attendance, Enrolment
from sessions.services import Mark, attendance_mark_many
from tests.factories.sessions import make_session
from tests.factories.training import InstitutionFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

A = Attendance.Status
FORMULA = '=HYPERLINK("https://example.org/x","Click")'


def enrol(session, last_name="Popescu", first_name="Ana", status=Enrolment.Status.CONFIRMED, **kw):
    professional = ProfessionalFactory(last_name=last_name, first_name=first_name, **kw)
    return Enrolment.objects.create(
        training_session=session, professional=professional, status=status, source="staff"
    )


def iso(day) -> str:
    return timezone.localtime(day.starts_at).date().isoformat()


def read_back(xlsx: bytes):
    """The first sheet's rows as a spreadsheet reader yields them: dicts keyed by row 1."""
    workbook = load_workbook(io.BytesIO(xlsx))
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return workbook, list(header), [dict(zip(header, values, strict=True)) for values in rows]


@pytest.fixture
def session():
    return make_session(start_in=-5, day_count=3)


def test_marks_go_out_to_the_spreadsheet_and_come_back_the_same(staff_user, session):
    d1, d2, d3 = session.days.order_by("starts_at")
    tara = enrol(
        session,
        "Țărănescu",
        "Ștefania",
        institution=InstitutionFactory(name="Direcția Generală de Asistență Socială Brașov"),
    )
    ion = enrol(session, "Ionescu", "Îon")
    formula = enrol(session, FORMULA, "Ana")
    unmarked = enrol(session, "Albu", "Nemarcat")
    enrol(session, "Waitlisted", "Person", status=Enrolment.Status.WAITLISTED)
    marks = [
        Mark(tara.pk, d1.pk, A.PRESENT),
        Mark(tara.pk, d2.pk, A.PARTIAL, 45),
        Mark(tara.pk, d3.pk, A.EXCUSED),
        Mark(ion.pk, d1.pk, A.ABSENT),
        Mark(ion.pk, d3.pk, A.PARTIAL, 479),
        Mark(formula.pk, d2.pk, A.PRESENT),
    ]
    attendance_mark_many(training_session=session, marks=marks, acting_user=staff_user)

    workbook, header, rows = read_back(attendance_workbook(training_session=session))

    assert header == [*FIXED_COLUMNS, iso(d1), iso(d2), iso(d3)]
    by_id = {row["enrolment_id"]: row for row in rows}
    assert set(by_id) == {tara.pk, ion.pk, formula.pk, unmarked.pk}  # no waitlisted person
    assert [row["last_name"] for row in rows] == sorted(row["last_name"] for row in rows)
    assert by_id[tara.pk] == {
        "enrolment_id": tara.pk,
        "last_name": "Țărănescu",
        "first_name": "Ștefania",
        "email": tara.professional.email,
        "institution": "Direcția Generală de Asistență Socială Brașov",
        iso(d1): "P",
        iso(d2): 45,
        iso(d3): "M",
    }
    assert [by_id[unmarked.pk][iso(d)] for d in (d1, d2, d3)] == [None, None, None]
    # A name that looks like a formula stays text: nothing runs when the file is opened.
    sheet = workbook.worksheets[0]
    formula_cell = next(c for c in sheet["B"] if c.value == FORMULA)
    assert formula_cell.data_type == "s"
    assert sheet.freeze_panes == "D2"

    parsed = attendance_rows_parse(training_session=session, rows=rows)
    assert len(parsed) == len(marks) and set(parsed) == set(marks)

    # ... and imported into a session whose marks were lost, they are the same marks again.
    Attendance.objects.all().delete()
    attendance_mark_many(
        training_session=session,
        marks=attendance_rows_parse(training_session=session, rows=rows),
        acting_user=staff_user,
        method=Attendance.Method.IMPORT,
    )
    stored = Attendance.objects.values_list("enrolment_id", "day_id", "status", "minutes")
    assert sorted(stored) == sorted((m.enrolment_id, m.day_id, m.status, m.minutes) for m in marks)
    assert set(Attendance.objects.values_list("method", flat=True)) == {"import"}


def test_the_legend_explains_the_codes_and_the_day_columns(session):
    d1, d2, d3 = session.days.order_by("starts_at")
    with translation.override("en"):
        workbook, _header, _rows = read_back(attendance_workbook(training_session=session))
    legend = workbook.worksheets[1]
    text = [cell for row in legend.iter_rows(values_only=True) for cell in row if cell]
    assert legend.title == "Legend"
    for code in ATTENDANCE_CODES:
        assert code in text
    assert "excused absence" in text
    for day in (d1, d2, d3):
        assert iso(day) in text
    assert any("480 minutes" in str(cell) for cell in text)  # 09:00–17:00


def test_codes_are_read_in_any_case_and_minutes_as_numbers_or_text(session):
    d1, d2, d3 = session.days.order_by("starts_at")
    first, second, third = enrol(session), enrol(session), enrol(session)
    rows = [
        {"enrolment_id": first.pk, iso(d1): " p ", iso(d2): "a", iso(d3): "m"},
        {"enrolment_id": str(second.pk), iso(d1): 45, iso(d2): "45", iso(d3): " 30 "},
        {"enrolment_id": float(third.pk), iso(d1): 60.0, iso(d2): "", iso(d3): None},
        {"enrolment_id": None, "last_name": None, iso(d1): None},  # an empty row
    ]
    assert attendance_rows_parse(training_session=session, rows=rows) == [
        Mark(first.pk, d1.pk, A.PRESENT),
        Mark(first.pk, d2.pk, A.ABSENT),
        Mark(first.pk, d3.pk, A.EXCUSED),
        Mark(second.pk, d1.pk, A.PARTIAL, 45),
        Mark(second.pk, d2.pk, A.PARTIAL, 45),
        Mark(second.pk, d3.pk, A.PARTIAL, 30),
        Mark(third.pk, d1.pk, A.PARTIAL, 60),
    ]


def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_returned(session):
    d1, d2, _d3 = session.days.order_by("starts_at")
    good, other = enrol(session), enrol(session)
    cancelled = enrol(session, status=Enrolment.Status.CANCELLED)
    rows = [
        {"enrolment_id": good.pk, iso(d1): "P", iso(d2): "X", "2031-01-15": None},
        {"enrolment_id": other.pk, iso(d1): 0, iso(d2): 480},
        {"enrolment_id": cancelled.pk, iso(d1): "P"},
        {"enrolment_id": "abc", iso(d1): "P"},
        {"enrolment_id": good.pk, iso(d1): "A"},
        {"enrolment_id": None, "last_name": "Venit Fără Loc", iso(d1): "P"},
    ]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        attendance_rows_parse(training_session=session, rows=rows)

    found = [(e.params["row"], e.params["column"]) for e in caught.value.error_list]
    assert found == [
        (1, "2031-01-15"),  # not a day of the session
        (2, iso(d2)),  # "X"
        (3, iso(d1)),  # 0 minutes
        (3, iso(d2)),  # the whole day (480 minutes) in minutes
        (4, "enrolment_id"),  # cancelled
        (5, "enrolment_id"),  # not a number
        (6, "enrolment_id"),  # the same person twice
        (7, "enrolment_id"),  # marks without an enrolment
    ]
    messages = caught.value.messages
    assert messages[0] == "Row 1, column 2031-01-15: 2031-01-15 is not a day of this session."
    assert messages[1].startswith(f"Row 2, column {iso(d2)}: “X” is not an attendance code")
    assert "less than the day's 480" in messages[3]
    assert "already in row 2" in messages[6]


def test_an_enrolment_of_another_session_is_refused(session):
    other_session = make_session(start_in=-5, day_count=1)
    stranger = enrol(other_session)
    rows = [{"enrolment_id": stranger.pk, iso(session.days.first()): "P"}]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        attendance_rows_parse(training_session=session, rows=rows)
    (error,) = caught.value.error_list
    assert (error.params["row"], error.params["column"]) == (2, "enrolment_id")
    assert "is not an enrolment of this session" in caught.value.messages[0]


def test_headers_as_typed_by_people_or_read_as_dates_are_understood(session):
    d1 = session.days.order_by("starts_at").first()
    local = timezone.localtime(d1.starts_at)
    person = enrol(session)
    rows = [
        {
            " Enrolment_ID ": person.pk,
            local.replace(hour=0, minute=0, tzinfo=None): "P",  # a date cell in row 1
            "Notes": "came by train",  # a column of the organiser's own: ignored
        }
    ]
    assert attendance_rows_parse(training_session=session, rows=rows) == [
        Mark(person.pk, d1.pk, A.PRESENT)
    ]


@pytest.mark.parametrize("people", [2, 25])
def test_the_queries_do_not_grow_with_the_participants(
    staff_user, session, people, django_assert_max_num_queries
):
    day = session.days.first()
    enrolments = [enrol(session, f"Popescu{n}") for n in range(people)]
    marks = [Mark(e.pk, day.pk, A.PRESENT) for e in enrolments]
    attendance_mark_many(training_session=session, marks=marks, acting_user=staff_user)
    with django_assert_max_num_queries(3):
        xlsx = attendance_workbook(training_session=session)
    _workbook, _header, rows = read_back(xlsx)
    with django_assert_max_num_queries(2):
        assert len(attendance_rows_parse(training_session=session, rows=rows)) == people
