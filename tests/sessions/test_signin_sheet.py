"""The printable sign-in sheet of a session day (`signin_sheet_pdf`), checked by reading the
PDF's text back as a person (or a screen reader) would: names and diacritics exact."""

import datetime
import io
import re

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from sessions.models import Enrolment, SessionDay, TrainingSession
from sessions.signin_sheet import signin_sheet_pdf
from tests.factories.sessions import TrainingSessionFactory, VenueFactory
from tests.factories.training import (
    InstitutionFactory,
    ProfessionalFactory,
    ProjectFactory,
    TrainerFactory,
)

pytestmark = pytest.mark.django_db

DGASPC = "Direcția Generală de Asistență Socială și Protecția Copilului Brașov"
SCHOOL = "Școala Gimnazială „Ion Creangă” Târgu Mureș"
CEDILLAS = set("\u015f\u0163\u015e\u0162")  # s and t with a cedilla, the wrong forms


def on(date: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


def session_on(*dates: datetime.date, **kwargs) -> TrainingSession:
    session = TrainingSessionFactory(**kwargs)
    for date in dates:
        SessionDay.objects.create(
            training_session=session, starts_at=on(date, 9), ends_at=on(date, 17)
        )
    return session


def enrol(session, last_name, first_name, institution=None, status=Enrolment.Status.CONFIRMED):
    professional = ProfessionalFactory(
        last_name=last_name, first_name=first_name, institution=institution
    )
    return Enrolment.objects.create(
        training_session=session, professional=professional, status=status, source="staff"
    )


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text, with runs of white space (a wrapped line) made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def brasov_session():
    project = ProjectFactory(
        acronym="VENUS",
        name="Împreună pentru o viață în siguranță",
        funder="esf",
        contract_number="POCU/468/4/4/127058",
        smis_code="127058",
    )
    venue = VenueFactory(name="Sala Ștefan", address="Str. Mureșenilor 12", city="Brașov")
    session = session_on(
        datetime.date(2026, 11, 24),
        datetime.date(2026, 11, 25),
        code="BV-2026-07",
        title="Intervenția în cazurile de violență domestică",
        project=project,
        venue=venue,
    )
    session.trainers.set(
        [TrainerFactory(full_name="Ioana Mureșan"), TrainerFactory(full_name="Vlad Țepeș")]
    )
    session.save()  # a ClusterableModel keeps its trainers until saved
    return session


def test_the_sheet_lists_the_confirmed_participants_with_diacritics_exact(brasov_session):
    dgaspc = InstitutionFactory(name=DGASPC)
    school = InstitutionFactory(name=SCHOOL)
    enrol(brasov_session, "Țărănescu", "Ștefania", dgaspc)
    enrol(brasov_session, "ÎNCĂRCĂTORU", "Ăna-Âna", school)
    enrol(brasov_session, "Șerban", "Țuțu", None)
    enrol(brasov_session, "Așteptescu", "Waitlisted", dgaspc, status=Enrolment.Status.WAITLISTED)
    enrol(brasov_session, "Anulatu", "Cancelled", dgaspc, status=Enrolment.Status.CANCELLED)

    with translation.override("ro"):
        pdf = signin_sheet_pdf(day=brasov_session.days.first())
    (text,) = pages_of(pdf)

    for expected in (
        "Țărănescu Ștefania",
        "ÎNCĂRCĂTORU Ăna-Âna",
        "Șerban Țuțu",
        DGASPC,
        SCHOOL,
        "Intervenția în cazurile de violență domestică",
        "24 noiembrie 2026, 09:00–17:00",
        "Sala Ștefan, Str. Mureșenilor 12, Brașov",
        "Ioana Mureșan, Vlad Țepeș",
        "VENUS – Împreună pentru o viață în siguranță",
        "POCU/468/4/4/127058",
        "127058",
        "Proiect cofinanțat din Fondul Social European prin Programul Operațional Capital "
        "Uman 2014–2020",
        "Pagina 1 din 1",
        "BV-2026-07",
    ):
        assert expected in text
    assert "Waitlisted" not in text and "Așteptescu" not in text
    assert "Cancelled" not in text and "Anulatu" not in text
    assert not CEDILLAS & set(text)


def test_participants_come_by_last_name_then_first_name(brasov_session):
    for last, first in [("Popescu", "Maria"), ("Albu", "Zoe"), ("Popescu", "Ana"), ("Popa", "Ion")]:
        enrol(brasov_session, last, first)
    (text,) = pages_of(signin_sheet_pdf(day=brasov_session.days.first()))
    order = ["1 Albu Zoe", "2 Popa Ion", "3 Popescu Ana", "4 Popescu Maria"]
    positions = [text.index(row) for row in order]
    assert positions == sorted(positions)


def test_names_and_institutions_are_printed_literally_never_as_markup(brasov_session):
    long_one = InstitutionFactory(
        name="Asociația <Salvați Copiii> & Partenerii din Regiunea de Dezvoltare Centru <br/>"
    )
    short_one = InstitutionFactory(name="ONG <b>&amp;")
    enrol(brasov_session, "Popa <b>&", "Ana & <i>Co", long_one)
    enrol(brasov_session, "Radu", "Ion", short_one)
    (text,) = pages_of(signin_sheet_pdf(day=brasov_session.days.first()))
    assert "Popa <b>& Ana & <i>Co" in text
    assert long_one.name in text
    assert "ONG <b>&amp;" in text


def test_a_long_list_runs_over_several_numbered_pages(brasov_session):
    names = [f"Participant{n:02d} Ștefan" for n in range(60)]
    for n in range(60):
        enrol(brasov_session, f"Participant{n:02d}", "Ștefan")
    day = brasov_session.days.last()
    with translation.override("en"):
        pages = pages_of(signin_sheet_pdf(day=day))
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "BV-2026-07 · 25 November 2026" in text
        assert "No. Name Institution Signature" in text  # the table's header on every page
    everything = " ".join(pages)
    assert all(name in everything for name in names)
    assert "day 2 of 2" in pages[0]

    with translation.override("ro"):
        pages = pages_of(signin_sheet_pdf(day=day))
    assert f"Pagina 2 din {total}" in pages[1]
    assert "BV-2026-07 · 25 noiembrie 2026" in pages[1]


def test_a_sheet_without_participants_has_numbered_rows_for_walk_ins(brasov_session):
    with translation.override("en"):
        (text,) = pages_of(signin_sheet_pdf(day=brasov_session.days.first()))
    table = text[text.index("No. Name Institution Signature") :]
    assert re.match(r"No\. Name Institution Signature 1 2 3 4 5 Trainer", table)


def test_five_blank_rows_follow_the_participants(brasov_session):
    enrol(brasov_session, "Albu", "Zoe")
    with translation.override("en"):
        (text,) = pages_of(signin_sheet_pdf(day=brasov_session.days.first()))
    assert "1 Albu Zoe 2 3 4 5 6 Trainer" in text


@pytest.mark.parametrize(
    ("funder", "line"),
    [
        ("esf", "Project co-financed by the European Social Fund through the Human Capital"),
        ("norway", "This project is funded by Norway through the Norway Grants 2014–2021"),
        ("state", None),
    ],
)
def test_the_funder_publicity_line_follows_the_project(funder, line):
    session = session_on(datetime.date(2026, 11, 24), project=ProjectFactory(funder=funder))
    with translation.override("en"):
        (text,) = pages_of(signin_sheet_pdf(day=session.days.get()))
    if line:
        assert line in text
    else:
        assert "co-financed" not in text and "Norway" not in text


def test_an_online_session_says_online_instead_of_a_venue():
    session = session_on(
        datetime.date(2026, 11, 24),
        delivery_mode=TrainingSession.DeliveryMode.ONLINE,
        venue=None,
        online_url="https://meet.example.org/abc",
    )
    with translation.override("en"):
        (text,) = pages_of(signin_sheet_pdf(day=session.days.get()))
    assert "Venue Online" in text
    assert "https://meet.example.org" not in text


@pytest.mark.parametrize("people", [2, 25])
def test_the_queries_do_not_grow_with_the_participants(
    brasov_session, people, django_assert_max_num_queries
):
    institution = InstitutionFactory()
    for n in range(people):
        enrol(brasov_session, f"Popescu{n}", "Ana", institution)
    day = SessionDay.objects.get(pk=brasov_session.days.first().pk)
    with django_assert_max_num_queries(5):
        signin_sheet_pdf(day=day)
