"""Exports (issue 8): the registry, certificates, a session's roster with per-day attendance
and the review queue, as XLSX and CSV; filtered like the admin lists, limited to what the user
may see; every cell that would start a formula neutralised; and the registry and the roster
import again as they are (round trip)."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from imports import columns, exports
from imports.engine import Importer
from imports.export_views import ReviewQueueExportView, RosterExportView
from imports.reader import read_table
from sessions.models import Attendance, Enrolment
from tests.factories.sessions import make_session
from tests.factories.training import (
    InstitutionFactory,
    ProfessionalFactory,
    TrainerFactory,
    UserFactory,
    county,
)
from training.models import DuplicateCandidate, Institution, Professional
from training.viewsets import PROFESSIONAL_EXPORT

A = Attendance.Status
# Names a spreadsheet program would run as formulas.
FORMULAS = ['=HYPERLINK("http://rau.example","clic")', "+1", "@SUM(A1)", "-2", "\tx"]
PERSONS_URL = "wagtailsnippets_training_professional:list"


def xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def any_header(_header) -> bool:
    return True


def registry_people():
    """Four people the registry knows well enough to recognise: by e-mail, or by name and
    birth date (no e-mail)."""
    cluj = InstitutionFactory(name="DGASPC Cluj", county=county("CJ"))
    return [
        ProfessionalFactory(
            last_name="Țîrlea",
            first_name="Ștefania",
            email="stefania@example.org",
            phone="0722123456",
            sex="F",
            birth_date=datetime.date(1984, 5, 6),
            institution=cluj,
        ),
        ProfessionalFactory(last_name="Popa", first_name="Ion", institution=cluj, sex="M"),
        ProfessionalFactory(
            last_name="Munteanu",
            first_name="Dan",
            email="",
            birth_date=datetime.date(1975, 1, 2),
            county=county("B"),
        ),
        ProfessionalFactory(last_name="Dobre", first_name=FORMULAS[0]),
    ]


# --- the registry (persons) -------------------------------------------------------------------


def test_registry_headers_are_the_import_headers():
    headers = list(PROFESSIONAL_EXPORT.values())
    assert all(columns.column_for(h) in columns.KIND_COLUMNS["registry"] for h in headers)
    assert headers == [columns.COLUMNS[columns.column_for(h)][0] for h in headers]
    assert "cnp" not in {columns.column_for(h) for h in headers}


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_registry_export_round_trip(refs, admin_client, file_format):
    people = registry_people()
    data = download(admin_client, reverse(PERSONS_URL) + f"?export={file_format}")
    table = read_table(data, is_header=lambda h: columns.column_for(h) is not None)
    assert table.headers == list(PROFESSIONAL_EXPORT.values())
    assert len(table.rows) == len(people)
    by_name = {cells[0]: cells for _n, cells in table.rows}
    stefania = by_name["Țîrlea"]
    assert stefania[1:] == [
        "Ștefania",
        "stefania@example.org",
        "0722123456",
        datetime.date(1984, 5, 6) if file_format == "xlsx" else "06.05.1984",
        "F",
        "CJ",
        "DGASPC Cluj",
        "DGASPC",
        "asistent social",
    ]
    assert by_name["Dobre"][1] == FORMULAS[0]  # the formula neutralised, then restored
    institutions = Institution.objects.count()

    summary = Importer(kind="registry", acting_user=None).run(data)
    assert summary.errors == []
    assert (summary.created, summary.matched) == (0, len(people))
    assert summary.institutions_created == 0
    assert Professional.objects.count() == len(people)
    assert Institution.objects.count() == institutions


def test_registry_export_never_has_the_cnp(refs, admin_client):
    from tests.factories.training import build_cnp
    from training import cnp as cnp_utils

    number = build_cnp("2", datetime.date(1984, 5, 6))
    ProfessionalFactory(
        cnp_encrypted=cnp_utils.encrypt_cnp(number), cnp_hash=cnp_utils.hash_cnp(number)
    )
    for file_format in ("xlsx", "csv"):
        data = download(admin_client, reverse(PERSONS_URL) + f"?export={file_format}")
        rows = xlsx_rows(data) if file_format == "xlsx" else [data.decode("utf-8-sig")]
        assert number not in repr(rows)
        assert number[-6:] not in repr(rows)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_registry_export_neutralises_formulas(refs, admin_client, file_format):
    for name in FORMULAS:
        ProfessionalFactory(last_name="Formula", first_name=name, email="")
    data = download(admin_client, reverse(PERSONS_URL) + f"?export={file_format}")
    if file_format == "xlsx":
        cells = [row[1] for row in xlsx_rows(data)[1:]]
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    else:
        text = data.decode("utf-8-sig")
        assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")
        cells = [row[1] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert set(cells) >= {"'+1", "'-2", "'@SUM(A1)"}
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    # the import reads back what was written
    table = read_table(data, is_header=lambda h: columns.column_for(h) is not None)
    assert sorted(cells[1] for _n, cells in table.rows) == sorted(FORMULAS)


def test_registry_export_is_filtered_like_the_list(refs, admin_client):
    cj = [ProfessionalFactory(county=county("CJ")) for _ in range(2)]
    ProfessionalFactory(county=county("B"), last_name="Bucureșteanu")
    url = reverse(PERSONS_URL) + f"?county={county('CJ').pk}&export=xlsx"
    rows = xlsx_rows(download(admin_client, url))[1:]
    assert sorted(r[2] for r in rows) == sorted(p.email for p in cj)
    assert {r[6] for r in rows} == {"CJ"}
    # and searched like the list
    rows = xlsx_rows(download(admin_client, reverse(PERSONS_URL) + "?q=Bucure&export=xlsx"))
    assert [r[0] for r in rows[1:]] == ["Bucureșteanu"]


def test_registry_export_only_for_those_who_see_the_list(refs, client):
    ProfessionalFactory()
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse(PERSONS_URL) + "?export=csv")
    assert response.status_code in (302, 403)
    assert b"example.org" not in b"".join(getattr(response, "streaming_content", [b""]))


def test_registry_export_query_count_does_not_grow(refs, admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(admin_client, reverse(PERSONS_URL) + "?export=xlsx")
        return len(captured)

    cluj = InstitutionFactory()
    ProfessionalFactory.create_batch(3, institution=cluj)
    few = queries()
    ProfessionalFactory.create_batch(30, institution=InstitutionFactory())
    assert queries() == few


# --- certificates -----------------------------------------------------------------------------


def test_certificate_list_export(refs, admin_client, staff_user):
    from certificates.services import certificate_issue_all
    from tests.certificates.conftest import held_session

    held = held_session(staff_user)
    second = held.completed[1].professional
    second.first_name = "=2+3"
    second.save()
    certificate_issue_all(training_session=held.session, acting_user=staff_user)
    url = reverse("certificate:index") + f"?session={held.session.code}&export=xlsx"
    rows = xlsx_rows(download(admin_client, url))
    assert len(rows) == 3
    serials = {r[0] for r in rows[1:]}
    assert serials == set(
        held.session.enrolments.filter(certificates__isnull=False).values_list(
            "certificates__serial", flat=True
        )
    )
    holders = {r[1] for r in rows[1:]}
    frozen = held.completed[1].certificates.get().data["holder_name"]
    assert frozen.startswith("=2+3")
    assert "'" + frozen in holders
    assert not any(isinstance(h, str) and h.startswith("=") for r in rows for h in r)
    assert {r[3] for r in rows[1:]} == {held.session.code}
    # another session's filter: none of these
    url = reverse("certificate:index") + "?session=ALTA&export=csv"
    text = download(admin_client, url).decode("utf-8-sig")
    assert len([line for line in text.splitlines() if line]) == 1


# --- the roster -------------------------------------------------------------------------------


def roster_session(participants: int = 3):
    """A two-day session in the past; the first three participants marked P/A, M/3.5 hours,
    P/(none)."""
    session = make_session(start_in=-5, day_count=2)
    cluj = InstitutionFactory(county=county("CJ"))
    enrolments = [
        Enrolment.objects.create(
            training_session=session,
            professional=ProfessionalFactory(institution=cluj),
            status=Enrolment.Status.CONFIRMED,
            source="staff",
        )
        for _ in range(participants)
    ]
    # not on the roster: a cancelled registration
    Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(last_name="Anulat"),
        status=Enrolment.Status.CANCELLED,
        source="staff",
    )
    first, second = session.days.order_by("starts_at")
    marks = [
        (0, first, A.PRESENT, None),
        (0, second, A.ABSENT, None),
        (1, first, A.EXCUSED, None),
        (1, second, A.PARTIAL, 210),
        (2, first, A.PRESENT, None),
    ]
    Attendance.objects.bulk_create(
        Attendance(enrolment=enrolments[i], day=day, status=status, minutes=minutes)
        for i, day, status, minutes in marks
        if i < participants
    )
    return session, enrolments


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_roster_export_round_trip(refs, file_format):
    session, enrolments = roster_session()
    enrolments[2].professional.last_name = "@SUM(A1)"
    enrolments[2].professional.save()
    writer = exports.roster_workbook if file_format == "xlsx" else exports.roster_csv
    data = writer(training_session=session)
    table = read_table(data, is_header=lambda h: columns.column_for(h) is not None)
    assert table.headers[:8] == [
        "Nume",
        "Prenume",
        "Email",
        "Telefon",
        "Data nașterii",
        "Județ",
        "Instituția",
        "Categoria profesională",
    ]
    assert len(table.headers) == 10
    assert all(columns.header_date(h) for h in table.headers[8:])
    marks = {cells[2]: cells[8:] for _n, cells in table.rows}
    assert len(marks) == 3  # the cancelled registration is not on the roster
    people = [e.professional for e in enrolments]
    assert marks[people[0].email] == ["P", "A"]
    hours = 3.5 if file_format == "xlsx" else "3,5"
    assert marks[people[1].email] == ["M", hours]
    assert marks[people[2].email] == ["P", None]
    assert {cells[0] for _n, cells in table.rows} >= {"@SUM(A1)"}
    if file_format == "csv":
        assert "'@SUM(A1)" in data.decode("utf-8-sig")
    before = sorted(Attendance.objects.values_list("enrolment_id", "day_id", "status", "minutes"))
    counts = (Professional.objects.count(), Enrolment.objects.count())

    summary = Importer(kind="roster", acting_user=None, training_session=session).run(data)
    assert summary.errors == []
    assert (summary.created, summary.enrolments, summary.attendance_marks) == (0, 0, 0)
    assert (Professional.objects.count(), Enrolment.objects.count()) == counts
    assert (
        sorted(Attendance.objects.values_list("enrolment_id", "day_id", "status", "minutes"))
        == before
    )


def test_roster_export_odd_minutes_round_trip(refs):
    """Partial attendance in minutes that are no round number of hours come back the same."""
    session, enrolments = roster_session(participants=1)
    mark = Attendance.objects.get(enrolment=enrolments[0], status=A.ABSENT)
    mark.status, mark.minutes = A.PARTIAL, 101
    mark.save()
    for writer in (exports.roster_workbook, exports.roster_csv):
        summary = Importer(kind="roster", acting_user=None, training_session=session).run(
            writer(training_session=session)
        )
        assert summary.attendance_marks == 0
    mark.refresh_from_db()
    assert (mark.status, mark.minutes) == (A.PARTIAL, 101)


def test_roster_export_query_budget(refs):
    def queries(session) -> int:
        with CaptureQueriesContext(connection) as captured:
            exports.roster_workbook(training_session=session)
            exports.roster_csv(training_session=session)
        return len(captured)

    small, _e = roster_session(participants=5)
    large, _e = roster_session(participants=50)
    assert queries(small) == queries(large) <= 6


def _get(view, user, **kwargs):
    request = RequestFactory().get("/")
    request.user = user
    return view.as_view()(request, **kwargs)


def test_roster_export_view_permissions(refs, staff_user):
    session, _e = roster_session(participants=1)
    response = _get(RosterExportView, staff_user, pk=session.pk, file_format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"prezenta-{session.code}.csv" in response["Content-Disposition"]
    response = _get(RosterExportView, staff_user, pk=session.pk, file_format="xlsx")
    assert xlsx_rows(response.content)[0][0] == "Nume"

    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        _get(RosterExportView, stranger, pk=session.pk, file_format="xlsx")

    trainer_user = UserFactory()
    trainer = TrainerFactory(user=trainer_user)
    session.trainers.add(trainer)
    session.save()
    assert _get(RosterExportView, trainer_user, pk=session.pk, file_format="xlsx").status_code == (
        200
    )
    other, _e = roster_session(participants=1)
    with pytest.raises(PermissionDenied):
        _get(RosterExportView, trainer_user, pk=other.pk, file_format="xlsx")


# --- the review queue -------------------------------------------------------------------------


def test_review_queue_export(refs, staff_user):
    people = [
        ProfessionalFactory(last_name="Popescu", first_name="-Ana"),
        ProfessionalFactory(last_name="Popescu", first_name="Ana"),
        ProfessionalFactory(last_name="Ionescu", first_name="Dan"),
        ProfessionalFactory(last_name="Ionescu", first_name="Dana"),
    ]
    DuplicateCandidate.objects.create(first=people[0], second=people[1], reason="near_name")
    DuplicateCandidate.objects.create(
        first=people[2], second=people[3], reason="near_name", status="distinct"
    )
    response = _get(ReviewQueueExportView, staff_user, file_format="xlsx")
    rows = xlsx_rows(response.content)
    assert len(rows) == 2  # the open pair only, as the queue shows
    assert "'-Ana" in rows[1] and "Ana" in rows[1]
    response = _get(ReviewQueueExportView, staff_user, file_format="csv")
    assert "'-Ana" in response.content.decode("utf-8-sig")
    request = RequestFactory().get("/", {"status": "distinct"})
    request.user = staff_user
    response = ReviewQueueExportView.as_view()(request, file_format="xlsx")
    rows = xlsx_rows(response.content)
    assert len(rows) == 2
    assert "Dana" in rows[1]
    assert "Ana" not in rows[1]

    with CaptureQueriesContext(connection) as captured:
        exports.review_queue_workbook(DuplicateCandidate.objects.all())
    assert len(captured) == 1

    with pytest.raises(PermissionDenied):
        _get(ReviewQueueExportView, UserFactory(), file_format="xlsx")


def test_roster_export_one_hour_partial_round_trip(refs):
    session, enrolments = roster_session(participants=1)
    mark = Attendance.objects.get(enrolment=enrolments[0], status=A.ABSENT)
    mark.status, mark.minutes = A.PARTIAL, 60
    mark.save()
    Importer(kind="roster", acting_user=None, training_session=session).run(
        exports.roster_workbook(training_session=session)
    )
    mark.refresh_from_db()
    assert (mark.status, mark.minutes) == (A.PARTIAL, 60)
