"""Importing the same file twice changes nothing the second time (each import kind)."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from sessions.models import TrainingSession
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProjectFactory, build_cnp
from tests.imports.conftest import make_xlsx

MODELS = [
    "training.Professional",
    "training.PersonIdentifier",
    "training.DuplicateCandidate",
    "training.Institution",
    "training.LocalTeam",
    "training.LocalTeamMembership",
    "training.Project",
    "training.Course",
    "training_sessions.TrainingSession",
    "training_sessions.SessionDay",
    "training_sessions.Enrolment",
    "training_sessions.EnrolmentStatusChange",
    "training_sessions.Attendance",
]
PERSON = [
    "Nume",
    "Prenume",
    "CNP",
    "Data nașterii",
    "Email",
    "Telefon",
    "Județ",
    "Instituția",
    "Tip instituție",
    "Categoria profesională",
    "Membru EIL",
]
CNP = build_cnp("1", datetime.date(1979, 7, 1))
PEOPLE = [
    # the same woman three times: two e-mails, cedilla and comma-below, swapped order
    ["Ştefănescu", "Ana-Maria", None, "15.03.1984", "ana@dgaspc.ro", None, "CJ", "DGASPC Cluj",
     "DGASPC", "asistent social", "Da"],
    ["Ana-Maria", "ȘTEFĂNESCU", None, "15.03.1984", "ana.st@gmail.com", "0722111222", "Cluj",
     "DGASPC Cluj", None, None, None],
    ["Stefanescu", "Ana Maria", None, None, "ANA@dgaspc.ro", None, "CJ", None, None, None, None],
    # a man known by his CNP, then by another e-mail
    ["Câmpeanu", "Ion", CNP, None, "ion@politia.ro", None, "BV", "IPJ Brașov",
     "IPJ / DGPMB (Poliția Română)", None, "Nu"],
    ["Cîmpeanu", "Ion", CNP, None, "ion.c@yahoo.com", None, "BV", "IPJ Brașov", None, None, None],
    # probable duplicates: same name, same institution; and one letter apart in the county
    ["Popescu", "Maria", None, None, None, None, "CJ", "DGASPC Cluj", None, None, None],
    ["Popescu", "Maria", None, None, "maria.p@dgaspc.ro", None, "CJ", "DGASPC Cluj", None,
     None, None],
    ["Popesco", "Maria", None, None, "m.popesco@example.org", None, "CJ", None, None, None, None],
    # no e-mail, CNP or birth date: the row itself is how a re-import finds her
    ["Marin", "Elena", None, None, None, None, "IS", None, None, None, None],
]  # fmt: skip


def counts():
    return {label: apps.get_model(label).objects.count() for label in MODELS}


def assert_nothing_new(summary):
    assert summary.errors == []
    assert summary.written
    assert (
        summary.created,
        summary.enrolments,
        summary.attendance_marks,
        summary.sessions_created,
        summary.review_candidates,
        summary.institutions_created,
        summary.eil_memberships,
        summary.projects_created,
        summary.courses_created,
        summary.updated,
    ) == (0,) * 10


def twice(run, kind, data, **kw):
    first = run(kind, data, **kw)
    assert first.errors == []
    assert first.written
    after_first = counts()
    second = run(kind, data, **kw)
    assert counts() == after_first
    return first, second


def test_registry_twice(run):
    first, second = twice(run, "registry", make_xlsx(PEOPLE, PERSON))
    assert first.created == 6
    assert first.review_candidates == 3  # Popescu × Popescu, Popesco × each
    assert first.eil_memberships == 1
    assert_nothing_new(second)
    assert second.matched == 6


def test_roster_twice(run):
    session = make_session(start_in=-5, day_count=2, status=TrainingSession.Status.COMPLETED)
    dates = [
        timezone.localtime(d.starts_at).strftime("%d.%m.%Y")
        for d in session.days.order_by("starts_at")
    ]
    values = [("P", 4), ("Da", "M"), ("1", "0"), ("A", "P"), (8, None), ("x", 2.5)] * 2
    rows = [[*person, *values[i]] for i, person in enumerate(PEOPLE)]
    first, second = twice(
        run, "roster", make_xlsx(rows, [*PERSON, *dates]), training_session=session
    )
    assert first.enrolments == 6
    assert first.attendance_marks > 0
    assert_nothing_new(second)


@pytest.mark.parametrize("create_missing", [False, True])
def test_participations_twice(run, create_missing):
    if not create_missing:
        ProjectFactory(acronym="CONV", name="Convenția de la Istanbul")
        CourseFactory(code="VD1", title="Violența domestică", hours=Decimal("16"))
    headers = [*PERSON, "Proiect", "Curs", "Data început", "Data sfârșit", "Județ sesiune",
               "Zile prezent", "Ore prezent", "Prezent", "Serie certificat"]  # fmt: skip
    sessions = [
        ["CONV", "VD1", "10.05.2021", "11.05.2021", "CJ", None, None, None, "S1/0001"],
        ["CONV", "VD1", "10.05.2021", "11.05.2021", "CJ", 1, None, None, None],
        ["CONV", "VD1", "03.06.2021", None, "BV", None, 5, None, None],
        ["CONV", "Curs de bază", "03.06.2021", None, "BV", None, None, "Nu", None],
    ]
    rows = [[*person, *sessions[i % len(sessions)]] for i, person in enumerate(PEOPLE)]
    if not create_missing:  # only what the registry has
        for r in rows:
            r[len(PERSON) + 1] = "VD1"
    first, second = twice(
        run, "participations", make_xlsx(rows, headers), create_missing=create_missing
    )
    assert first.sessions_created >= 2
    assert first.enrolments > 0
    assert_nothing_new(second)
