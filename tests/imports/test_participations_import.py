"""The historical participations import: one row per person and session."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sessions.models import Attendance, Enrolment, TrainingSession
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProjectFactory, county
from tests.imports.conftest import make_xlsx
from training.models import Course, Professional, Project

A = Attendance.Status
HEADERS = [
    "Nume",
    "Prenume",
    "Email",
    "Județ",
    "Proiect",
    "Curs",
    "Cod sesiune",
    "Data început",
    "Data sfârșit",
    "Județ sesiune",
    "Tip activitate",
    "Prezent",
    "Zile prezent",
    "Ore prezent",
    "Serie certificat",
]


def row(last, first, email, county="CJ", **kw):
    values = {
        "project": "CONV",
        "course": "VD1",
        "code": None,
        "start": "10.05.2021",
        "end": "12.05.2021",
        "session_county": "CJ",
        "activity": "sesiune de formare",
        "present": None,
        "days": None,
        "hours": None,
        "serial": None,
    } | kw
    return [last, first, email, county, *values.values()]


@pytest.fixture
def offer(refs):
    project = ProjectFactory(acronym="CONV", name="Convenția de la Istanbul")
    course = CourseFactory(code="VD1", title="Violența domestică", hours=Decimal("24"))
    return project, course


def marks(person_last_name):
    enrolment = Enrolment.objects.get(professional__last_name=person_last_name)
    return [(m.status, m.minutes) for m in enrolment.attendance.order_by("day__starts_at")]


def test_a_session_is_created_completed_with_one_day_per_calendar_day(run, offer):
    project, course = offer
    summary = run(
        "participations",
        make_xlsx(
            [row("Popescu", "Ana", "ana@example.org"), row("Ionescu", "Mihai", "m@example.org")],
            HEADERS,
        ),
    )
    assert summary.errors == []
    assert (summary.created, summary.sessions_created, summary.enrolments) == (2, 1, 2)
    session = TrainingSession.objects.get()
    assert session.status == TrainingSession.Status.COMPLETED
    assert (session.course, session.project, session.county.code) == (course, project, "CJ")
    days = [timezone.localtime(d.starts_at).date() for d in session.days.order_by("starts_at")]
    assert days == [
        datetime.date(2021, 5, 10),
        datetime.date(2021, 5, 11),
        datetime.date(2021, 5, 12),
    ]
    # no Prezent column value: present every day, and the session's result is worked out
    assert summary.attendance_marks == 6
    assert marks("Popescu") == [(A.PRESENT, None)] * 3
    assert Enrolment.objects.get(professional__last_name="Popescu").completion == (
        Enrolment.Completion.COMPLETED
    )


def test_the_session_is_found_by_its_code(run, offer):
    existing = make_session(start_in=-40, day_count=1, code="IST-2021-07")
    summary = run(
        "participations",
        make_xlsx(
            [
                row(
                    "Popescu",
                    "Ana",
                    "ana@example.org",
                    code="IST-2021-07",
                    project=None,
                    course=None,
                    start=None,
                    end=None,
                    session_county=None,
                )
            ],
            HEADERS,
        ),
    )
    assert summary.errors == []
    assert summary.sessions_created == 0
    assert Enrolment.objects.get().training_session == existing


def test_an_unknown_session_code_alone_is_a_row_error(run, offer):
    rows = [
        row("Popescu", "Ana", "a@example.org", code="NU-EXISTA", course=None, start=None),
        # with its course and dates, the code names a new session
        row("Ionescu", "Mihai", "m@example.org", code="IST-NOU"),
    ]
    summary = run("participations", make_xlsx(rows, HEADERS), skip_invalid=True)
    assert [(e.row, e.column) for e in summary.errors] == [(2, "Cod sesiune")]
    assert summary.written
    assert TrainingSession.objects.get().code == "IST-NOU"


def test_the_session_is_found_by_course_start_date_and_county(run, offer):
    _project, course = offer
    existing = make_session(start_in=-40, day_count=2, course=course)  # county CJ
    start = timezone.localtime(existing.days.order_by("starts_at")[0].starts_at).date()
    make_session(start_in=-40, day_count=2, course=course, county=county("BV"))
    summary = run(
        "participations",
        make_xlsx(
            [row("Popescu", "Ana", "ana@example.org", start=start.strftime("%d.%m.%Y"), end=None)],
            HEADERS,
        ),
    )
    assert summary.errors == []
    assert summary.sessions_created == 0
    assert Enrolment.objects.get().training_session == existing


def test_another_county_or_date_is_another_session(run, offer):
    _project, course = offer
    existing = make_session(start_in=-40, day_count=1, course=course)
    start = timezone.localtime(existing.days.get().starts_at).date()
    later = (start + datetime.timedelta(days=1)).strftime("%d.%m.%Y")
    rows = [
        row(
            "Popescu",
            "Ana",
            "a@example.org",
            start=start.strftime("%d.%m.%Y"),
            end=None,
            session_county="BV",
        ),
        row("Ionescu", "Mihai", "m@example.org", start=later, end=None),
    ]
    summary = run("participations", make_xlsx(rows, HEADERS))
    assert summary.errors == []
    assert summary.sessions_created == 2
    assert not Enrolment.objects.filter(training_session=existing).exists()


def test_missing_project_or_course_is_a_row_error(run, offer):
    rows = [
        row("Popescu", "Ana", "a@example.org", project="Proiect nou"),
        row("Ionescu", "Mihai", "m@example.org", course="Curs nou"),
    ]
    summary = run("participations", make_xlsx(rows, HEADERS))
    assert [(e.row, e.column) for e in summary.errors] == [(2, "Proiect"), (3, "Curs")]
    assert not summary.written
    assert Project.objects.count() == 1
    assert not TrainingSession.objects.exists()


def test_create_missing_creates_the_project_and_the_course(run, offer):
    rows = [
        row("Popescu", "Ana", "a@example.org", project="Proiect nou", course="Curs nou"),
        row("Ionescu", "Mihai", "m@example.org", project="proiect NOU", course="Curs Nou"),
    ]
    summary = run("participations", make_xlsx(rows, HEADERS), create_missing=True)
    assert summary.errors == []
    assert (summary.projects_created, summary.courses_created, summary.sessions_created) == (
        1,
        1,
        1,
    )
    session = TrainingSession.objects.get()
    assert session.project.name == "Proiect nou"
    assert session.course.title == "Curs nou"
    assert Course.objects.count() == 2
    assert session.enrolments.count() == 2


def test_presence_columns(run, offer):
    rows = [
        row("Popescu", "Ana", "a@example.org", present="Nu"),
        row("Ionescu", "Mihai", "m@example.org", present="Da"),
        row("Marin", "Ioana", "i@example.org", days=1),
        row("Vasile", "Dan", "d@example.org", hours=12),  # 24 hours over 3 days: 8 a day
    ]
    summary = run("participations", make_xlsx(rows, HEADERS))
    assert summary.errors == []
    assert summary.enrolments == 4
    # Prezent = Nu: enrolled, no attendance
    assert Enrolment.objects.filter(professional__last_name="Popescu").exists()
    assert marks("Popescu") == []
    assert marks("Ionescu") == [(A.PRESENT, None)] * 3
    assert marks("Marin") == [(A.PRESENT, None), (A.ABSENT, None), (A.ABSENT, None)]
    assert marks("Vasile") == [(A.PRESENT, None), (A.PARTIAL, 240), (A.ABSENT, None)]
    assert summary.attendance_marks == 9
    completion = dict(Enrolment.objects.values_list("professional__last_name", "completion"))
    assert completion["Ionescu"] == Enrolment.Completion.COMPLETED
    assert completion["Vasile"] == Enrolment.Completion.NOT_COMPLETED


def test_certificate_series_is_kept_on_the_enrolment(run, offer):
    rows = [row("Popescu", "Ana", "a@example.org", serial="ANES-2021 nr. 0457")]
    run("participations", make_xlsx(rows, HEADERS))
    assert Enrolment.objects.get().certificate_reference == "ANES-2021 nr. 0457"


def test_the_person_county_is_their_own_not_the_session_county(run, offer):
    rows = [
        row("Popescu", "Ana", "a@example.org", county="BV", session_county="CJ"),
        row("Ionescu", "Mihai", "m@example.org", county="IS", session_county="CJ"),
    ]
    run("participations", make_xlsx(rows, HEADERS))
    assert dict(Professional.objects.values_list("last_name", "county__code")) == {
        "Popescu": "BV",
        "Ionescu": "IS",
    }
    assert TrainingSession.objects.get().county.code == "CJ"


def test_a_person_in_five_sessions_is_one_person(run, offer):
    rows = [
        row("Popescu", "Ana", "ana@example.org", start=f"1{i}.05.2021", end=None) for i in range(5)
    ]
    rows[3][0:3] = ["POPESCU", "ANA", "Ana@Example.ORG"]
    summary = run("participations", make_xlsx(rows, HEADERS))
    assert summary.errors == []
    assert (summary.created, summary.sessions_created, summary.enrolments) == (1, 5, 5)
    assert Professional.objects.count() == 1
