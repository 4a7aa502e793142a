"""The session roster import: persons plus one attendance column per session day."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from imports.engine import FileProblem
from sessions.models import Attendance, Enrolment, TrainingSession
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory
from tests.imports.conftest import make_csv, make_xlsx
from training.models import Professional

A = Attendance.Status
PERSON = ["Nume", "Prenume", "Email", "Județ"]


@pytest.fixture
def session(refs):
    """Three past days, 09:00-17:00 (8 hours each), completed."""
    return make_session(start_in=-10, day_count=3, status=TrainingSession.Status.COMPLETED)


def day_dates(session):
    return [timezone.localtime(d.starts_at).date() for d in session.days.order_by("starts_at")]


def marks_of(session):
    """{last name: [(status, minutes) per day]}"""
    days = list(session.days.order_by("starts_at"))
    result = {}
    for enrolment in Enrolment.objects.filter(training_session=session).select_related(
        "professional"
    ):
        by_day = {m.day_id: (m.status, m.minutes) for m in enrolment.attendance.all()}
        result[enrolment.professional.last_name] = [by_day.get(d.pk) for d in days]
    return result


def test_day_columns_headed_by_date_with_every_kind_of_value(run, session):
    dates = day_dates(session)
    headers = PERSON + [d.strftime("%d.%m.%Y") for d in dates]
    rows = [
        ["Popescu", "Ana", "ana@example.org", "CJ", "P", "A", "M"],
        ["Ionescu", "Mihai", "mihai@example.org", "CJ", "Da", "Nu", "prezent"],
        ["Marin", "Ioana", "ioana@example.org", "CJ", "absent", 1, 0],
        ["Vasile", "Dan", "dan@example.org", "BV", 8, 4, 2.5],
        ["Dobre", "Elena", "elena@example.org", "CJ", None, "x", "motivat"],
    ]

    summary = run("roster", make_xlsx(rows, headers), training_session=session)

    assert summary.errors == []
    assert summary.unknown_columns == []
    assert (summary.created, summary.enrolments) == (5, 5)
    assert summary.attendance_marks == 14
    assert marks_of(session) == {
        "Popescu": [(A.PRESENT, None), (A.ABSENT, None), (A.EXCUSED, None)],
        "Ionescu": [(A.PRESENT, None), (A.ABSENT, None), (A.PRESENT, None)],
        "Marin": [(A.ABSENT, None), (A.PRESENT, None), (A.ABSENT, None)],
        "Vasile": [(A.PRESENT, None), (A.PARTIAL, 240), (A.PARTIAL, 150)],
        "Dobre": [None, (A.PRESENT, None), (A.EXCUSED, None)],
    }


def test_date_headers_as_excel_dates_and_ziua_n(run, session):
    first, second, _third = day_dates(session)
    # a real date cell heads day 1, "Ziua 2" day 2 and "ZIUA 3" day 3
    headers = PERSON + [first, "Ziua 2", "ZIUA 3"]
    rows = [["Popescu", "Ana", "ana@example.org", "CJ", "P", "P", "A"]]
    summary = run("roster", make_xlsx(rows, headers), training_session=session)
    assert summary.errors == []
    assert marks_of(session) == {
        "Popescu": [(A.PRESENT, None), (A.PRESENT, None), (A.ABSENT, None)]
    }


def test_completion_is_computed_for_a_completed_session(run, session):
    dates = day_dates(session)
    headers = PERSON + [d.strftime("%d.%m.%Y") for d in dates]
    rows = [
        ["Popescu", "Ana", "ana@example.org", "CJ", "P", "P", "P"],
        ["Ionescu", "Mihai", "mihai@example.org", "CJ", "P", "A", "A"],
    ]
    run("roster", make_xlsx(rows, headers), training_session=session)
    results = dict(
        Enrolment.objects.filter(training_session=session).values_list(
            "professional__last_name", "completion"
        )
    )
    assert results == {
        "Popescu": Enrolment.Completion.COMPLETED,
        "Ionescu": Enrolment.Completion.NOT_COMPLETED,
    }
    enrolment = Enrolment.objects.get(professional__last_name="Popescu")
    assert (enrolment.attended_days, enrolment.attended_minutes) == (3, 3 * 8 * 60)


def test_a_date_that_is_not_a_session_day_is_a_file_problem(run, session):
    headers = PERSON + ["01.01.2001"]
    with translation.override("ro"), pytest.raises(FileProblem) as caught:
        run(
            "roster",
            make_xlsx([["Popescu", "Ana", "a@example.org", "CJ", "P"]], headers),
            training_session=session,
        )
    with translation.override("ro"):
        expected = gettext("The column “%(header)s”: the session has no day on that date.") % {
            "header": "01.01.2001"
        }
    assert caught.value.message == expected
    assert not Professional.objects.exists()


def test_a_day_number_beyond_the_session_is_a_file_problem(run, session):
    headers = PERSON + ["Ziua 4"]
    with pytest.raises(FileProblem):
        run(
            "roster",
            make_xlsx([["Popescu", "Ana", "a@example.org", "CJ", "P"]], headers),
            training_session=session,
        )


def test_a_value_that_is_not_attendance_is_a_row_error_on_its_day_column(run, session):
    header = day_dates(session)[0].strftime("%d.%m.%Y")
    rows = [
        ["Popescu", "Ana", "a@example.org", "CJ", "poate"],
        ["Ionescu", "Mihai", "m@example.org", "CJ", 9],  # more than the 8-hour day
    ]
    summary = run("roster", make_xlsx(rows, [*PERSON, header]), training_session=session)
    assert [(e.row, e.column) for e in summary.errors] == [(2, header), (3, header)]
    assert not Enrolment.objects.exists()


def test_a_known_person_is_enrolled_not_duplicated_and_a_csv_roster_works(run, session):
    known = ProfessionalFactory(first_name="Ana", last_name="Popescu", email="ana@example.org")
    dates = day_dates(session)
    data = make_csv(
        [
            PERSON + [d.strftime("%d.%m.%Y") for d in dates],
            ["POPESCU", "ANA", "Ana@Example.org", "CJ", "1", "1", "0"],
        ],
        delimiter=";",
    )
    summary = run("roster", data, training_session=session)
    assert (summary.created, summary.matched, summary.enrolments) == (0, 1, 1)
    assert Enrolment.objects.get().professional_id == known.pk
    assert Professional.objects.count() == 1


def test_reimporting_a_corrected_roster_changes_the_marks(run, session):
    header = day_dates(session)[0].strftime("%d.%m.%Y")
    row = ["Popescu", "Ana", "a@example.org", "CJ"]
    run("roster", make_xlsx([[*row, "A"]], [*PERSON, header]), training_session=session)
    summary = run("roster", make_xlsx([[*row, "P"]], [*PERSON, header]), training_session=session)
    assert (summary.created, summary.enrolments, summary.attendance_marks) == (0, 0, 1)
    assert Attendance.objects.get().status == A.PRESENT


def test_hours_and_minutes_with_their_unit(run, session):
    """A bare 1 is "present"; with a unit it is one hour. Minutes may be written too."""
    dates = day_dates(session)
    headers = PERSON + [d.strftime("%d.%m.%Y") for d in dates]
    rows = [["Popescu", "Ana", "ana@example.org", "CJ", "1 h", "45 min", "2,5 ore"]]
    run("roster", make_xlsx(rows, headers), training_session=session)
    marks = list(Attendance.objects.order_by("day__starts_at").values_list("status", "minutes"))
    assert marks == [("partial", 60), ("partial", 45), ("partial", 150)]
