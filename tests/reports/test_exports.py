"""The report's downloads: XLSX and CSV of the report and of a cross-table (reports.exports)
and the admin views that serve them (reports.export_views), against a hand-counted world.

The world (`World`), counted by hand:

- Session S1 (project VENUS, 2 days, 40 days ago): Ana (Cluj) present day 1, absent day 2,
  completed, valid certificate; Bogdan (Cluj) present both days, not completed; Carmen (Cluj)
  absent both days (no participation).
- Session S2 (project ISTANBUL, 1 day, 10 days ago): Ana present; Dan (Brașov) present.
- Session S3 (project VENUS, cancelled): Elena (Cluj) present: not counted.

Totals: 3 persons (Ana, Bogdan, Dan), 4 participations (Ana ×2, Bogdan, Dan), 1 completed
(Ana in S1, one participation), 1 certified, 2 sessions.
By person's county: Brașov 1 person / 1 participation; Cluj 2 / 3.
By project: VENUS 2 / 2 (Ana, Bogdan); ISTANBUL 2 / 2 (Ana, Dan): 4 > 3, groups overlap.
Cross-table county × project: Brașov·ISTANBUL 1, Cluj·VENUS 2, Cluj·ISTANBUL 1.
"""

import csv
import datetime
import html
import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from reports.exports import report_csv, report_xlsx
from reports.selectors import ReportFilters, participation_report
from sessions.models import Attendance, Enrolment, TrainingSession
from tests.factories.certificates import stored_certificate as certificate
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    ProfessionalFactory,
    ProjectFactory,
    UserFactory,
    county,
)
from training.models import ProfessionalCategory

A = Attendance.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_NAME = '=HYPERLINK("http://rau.example/","Click")'


def attend(session, professional, marks) -> Enrolment:
    enrolment = Enrolment.objects.create(
        training_session=session, professional=professional, status="confirmed", source="staff"
    )
    for day, status in zip(session.days.all(), marks, strict=True):
        Attendance.objects.create(enrolment=enrolment, day=day, status=status)
    return enrolment


class World:
    def __init__(self):
        social = ProfessionalCategory.objects.get(name="asistent social")
        psychologist = ProfessionalCategory.objects.get(name="psiholog")
        self.cluj, self.brasov = county("CJ"), county("BV")
        self.venus = ProjectFactory(acronym="VENUS", name="Rețeaua VENUS")
        self.istanbul = ProjectFactory(acronym="ISTANBUL", name="Convenția de la Istanbul")
        s1 = make_session(start_in=-40, day_count=2, project=self.venus)
        s2 = make_session(start_in=-10, day_count=1, project=self.istanbul)
        s3 = make_session(start_in=-20, day_count=1, project=self.venus)
        TrainingSession.objects.filter(pk=s3.pk).update(status=TrainingSession.Status.CANCELLED)

        self.evil = InstitutionFactory(name=FORMULA_NAME, county=self.cluj)
        self.ana = ProfessionalFactory(
            first_name="Ana", county=self.cluj, category=social, institution=self.evil
        )
        self.bogdan = ProfessionalFactory(
            first_name="Bogdan", county=self.cluj, category=psychologist
        )
        self.carmen = ProfessionalFactory(first_name="Carmen", county=self.cluj, category=social)
        self.dan = ProfessionalFactory(first_name="Dan", county=self.brasov, category=social)
        self.elena = ProfessionalFactory(first_name="Elena", county=self.cluj, category=social)

        ana_s1 = attend(s1, self.ana, [A.PRESENT, A.ABSENT])
        Enrolment.objects.filter(pk=ana_s1.pk).update(completion=Enrolment.Completion.COMPLETED)
        certificate(ana_s1)
        attend(s1, self.bogdan, [A.PRESENT, A.PRESENT])
        attend(s1, self.carmen, [A.ABSENT, A.ABSENT])
        attend(s2, self.ana, [A.PRESENT])
        attend(s2, self.dan, [A.PRESENT])
        attend(s3, self.elena, [A.PRESENT])


@pytest.fixture
def world(db) -> World:
    return World()


def workbook(report):
    return load_workbook(io.BytesIO(report_xlsx(report)))


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def find_row(sheet, first_cell) -> list:
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == first_cell:
            return list(row)
    raise AssertionError(f"no row starting with {first_cell!r} in {sheet.title}")


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_of_the_totals_has_the_filters_sheet_and_the_hand_counted_totals(world):
    with translation.override("en"):
        book = workbook(participation_report())
        assert book.sheetnames == ["Filters and definitions", "Totals"]
        totals = book["Totals"]
        assert [c.value for c in totals[1]] == ["Figure", "Total"]
        assert totals[1][0].font.bold
        assert totals.freeze_panes == "A2"
        assert rows_of(totals)[1:] == [
            ["persons trained", 3],
            ["participations", 4],
            ["persons who completed", 1],
            ["participations completed", 1],
            ["persons certified", 1],
            ["participations certified", 1],
            ["sessions", 2],
        ]
        first = book["Filters and definitions"]
        text = " ".join(str(v) for row in rows_of(first) for v in row if v)
        assert "Counties covered" in text
        assert "all counties" in text
        assert "A person counts once in a total and once in each group" in text


def test_the_filters_sheet_names_the_filters(world):
    with translation.override("en"):
        filters = ReportFilters(project=world.venus, person_county=world.cluj)
        book = workbook(participation_report(filters=filters))
        first = book["Filters and definitions"]
        assert find_row(first, "project")[1] == str(world.venus)
        assert find_row(first, "person's county")[1] == "Cluj"
        # VENUS in Cluj: Ana and Bogdan in S1
        assert find_row(book["Totals"], "persons trained")[1] == 2
        assert find_row(book["Totals"], "participations")[1] == 2


def test_xlsx_by_county_has_one_sheet_with_the_counts_as_numbers(world):
    with translation.override("en"):
        book = workbook(participation_report(group_by=["person_county"]))
        assert book.sheetnames == ["Filters and definitions", "Totals", "person's county"]
        sheet = book["person's county"]
        # the table: the note on overlap, the bold frozen header, then the rows
        assert "Each person is counted in one row" in sheet["A2"].value
        header = [c.value for c in sheet[3]]
        assert header[:3] == ["person's county", "persons trained", "participations"]
        assert all(c.font.bold for c in sheet[3])
        assert sheet.freeze_panes == "A4"
        assert [c.value for c in sheet[4]] == ["Brașov", 1, 1, 0, 0, 0, 0, 1]
        assert [c.value for c in sheet[5]] == ["Cluj", 2, 3, 1, 1, 1, 1, 2]
        assert sheet["B5"].data_type == "n"
        assert find_row(sheet, "Total (each person once)")[1:3] == [3, 4]


def test_xlsx_says_when_a_person_may_be_counted_twice(world):
    with translation.override("en"):
        book = workbook(participation_report(group_by=["project"]))
        sheet = book["project"]
        assert "a person may be counted in more than one row" in sheet["A2"].value
        by_project = {row[0]: row[1:3] for row in rows_of(sheet)[3:] if row[0]}
        venus = next(k for k in by_project if k.startswith("VENUS"))
        istanbul = next(k for k in by_project if k.startswith("ISTANBUL"))
        assert by_project[venus] == [2, 2]
        assert by_project[istanbul] == [2, 2]


def test_xlsx_cross_table_has_the_table_the_pivot_and_the_margins(world):
    with translation.override("en"):
        report = participation_report(group_by=["person_county", "project"])
        book = workbook(report)
        assert book.sheetnames[:3] == [
            "Filters and definitions",
            "Totals",
            "person's county × project",
        ]
        assert len(book.sheetnames) == 6  # + the pivot and each field's own table
        assert all(len(name) <= 31 for name in book.sheetnames)
        assert "person's county" in book.sheetnames and "project" in book.sheetnames

        table = book["person's county × project"]
        assert "may be counted in more than one row" in table["A2"].value
        assert [c.value for c in table[3]][:4] == [
            "person's county",
            "project",
            "persons trained",
            "participations",
        ]
        data = [row for row in rows_of(table)[3:] if row[0] in ("Brașov", "Cluj")]
        assert [(r[0], r[1].split(" ")[0], r[2], r[3]) for r in data] == [
            ("Brașov", "ISTANBUL", 1, 1),
            ("Cluj", "ISTANBUL", 1, 1),
            ("Cluj", "VENUS", 2, 2),
        ]

        pivot = book[book.sheetnames[3]]
        grid = rows_of(pivot)
        columns = [str(v).split(" ")[0] for v in grid[2][1:]]
        assert columns == ["ISTANBUL", "VENUS", "Total"]
        assert grid[3] == ["Brașov", 1, 0, 1]
        assert grid[4] == ["Cluj", 1, 2, 2]
        # the margins are persons, not the sums of the cells: Ana is in both projects
        assert grid[5] == ["Total", 2, 2, 3]


def test_xlsx_and_csv_neutralise_a_formula_in_a_name(world):
    report = participation_report(group_by=["institution"])
    book = workbook(report)
    labels = [row[0] for row in rows_of(book[book.sheetnames[2]])]
    assert "'" + FORMULA_NAME in labels
    assert FORMULA_NAME not in labels

    rows = list(csv.reader(io.StringIO(report_csv(report)), delimiter=";"))
    labels = [row[1] for row in rows[1:]]
    assert "'" + FORMULA_NAME in labels
    assert FORMULA_NAME not in labels


def test_sheet_names_stay_valid_for_a_long_cross_table(world):
    report = participation_report(group_by=["professional_category", "institution_type"])
    book = workbook(report)
    for name in book.sheetnames:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
    assert len(set(book.sheetnames)) == len(book.sheetnames) == 6


# --- CSV ------------------------------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_without_grouping_is_one_row_of_totals(world):
    with translation.override("en"):
        rows = read_csv(report_csv(participation_report()))
    assert rows[0][:2] == ["persons trained", "participations"]
    assert rows[1:] == [["3", "4", "1", "1", "1", "1", "2"]]


def test_csv_by_county_has_a_code_and_a_label_column(world):
    with translation.override("en"):
        rows = read_csv(report_csv(participation_report(group_by=["person_county"])))
    assert rows[0][:4] == [
        "person's county (code)",
        "person's county",
        "persons trained",
        "participations",
    ]
    assert rows[1:] == [
        ["BV", "Brașov", "1", "1", "0", "0", "0", "0", "1"],
        ["CJ", "Cluj", "2", "3", "1", "1", "1", "1", "2"],
        ["", "Total (each person once)", "3", "4", "1", "1", "1", "1", "2"],
    ]


def test_csv_cross_table(world):
    rows = read_csv(report_csv(participation_report(group_by=["person_county", "project"])))
    assert len(rows[0]) == 4 + 7
    with translation.override("ro"):
        everything, total = (
            translation.gettext("all"),
            translation.gettext("Total (each person once)"),
        )
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("BV", "Brașov", "ISTANBUL", rows[1][3], "1", "1"),
        ("CJ", "Cluj", "ISTANBUL", rows[2][3], "1", "1"),
        ("CJ", "Cluj", "VENUS", rows[3][3], "2", "2"),
        # The margins: each county and each project on its own, counted (Ana, of Cluj, is in
        # both projects: Cluj has 2 persons, not 1 + 2).
        ("BV", "Brașov", "", everything, "1", "1"),
        ("CJ", "Cluj", "", everything, "2", "3"),
        ("", everything, "ISTANBUL", rows[6][3], "2", "2"),
        ("", everything, "VENUS", rows[7][3], "2", "2"),
        ("", total, "", "", "3", "4"),
    ]


# --- the views ------------------------------------------------------------------------------

EXPORT = "reports:export"


def export_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse(EXPORT) + "?" + urlencode(params)


def coordinator(county_code: str = "CJ"):
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_reports"],
            content_type__app_label__in=["wagtailadmin", "reports"],
        )
    )
    FocalPointFactory(user=user, county=county(county_code))
    return user


def english_admin(user) -> None:
    """The admin speaks the user's preferred language: English for these tests."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


def csv_of(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return read_csv(body[1:])


def test_anes_downloads_the_xlsx(admin_client, world):
    response = admin_client.get(export_url(format="xlsx", group_by="person_county"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="formativ-raport-{today}.xlsx"'
    assert "no-store" in response["Cache-Control"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 3
    assert find_row(book.worksheets[2], "Cluj")[1:3] == [2, 3]


def test_anes_downloads_the_csv_with_the_filters(admin_client, world):
    since = (timezone.localdate() - datetime.timedelta(days=20)).isoformat()
    response = admin_client.get(
        export_url(format="csv", group_by="person_county", **{"from": since})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    # only S2 since then: Ana (Cluj) and Dan (Brașov)
    rows = csv_of(response)
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("BV", "1", "1"),
        ("CJ", "1", "1"),
        ("", "2", "2"),  # the total
    ]


def test_a_county_coordinator_exports_only_their_county(client, world):
    client.force_login(coordinator("CJ"))
    response = client.get(export_url(format="csv", group_by="person_county"))
    assert response.status_code == 200
    rows = csv_of(response)
    assert [r[0] for r in rows[1:]] == ["CJ", ""]  # Cluj, then the total
    assert rows[1][2:4] == ["2", "3"]

    # asking for Brașov's people gives nothing rather than Brașov's figures
    response = client.get(export_url(format="csv", person_county="BV"))
    assert csv_of(response)[1] == ["0"] * 7

    response = client.get(export_url(format="xlsx", group_by="person_county"))
    book = load_workbook(io.BytesIO(response.content))
    labels = [row[0] for row in rows_of(book.worksheets[2])]
    assert "Cluj" in labels and "Brașov" not in labels


def test_without_the_reports_right_the_export_is_refused(client, world):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(export_url(format="csv")).status_code == 403

    # a coordinator right alone, without the reports right, opens nothing either
    FocalPointFactory(user=user, county=county("CJ"))
    assert client.get(export_url(format="csv")).status_code == 403


def test_visitors_are_sent_to_sign_in(client, world):
    response = client.get(export_url(format="xlsx"))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xlsx", "from": "31.12.2024"}, "From"),
        ({"format": "csv", "group_by": "shoe_size"}, "Group by"),
        ({"format": "csv", "person_county": "ZZ"}, "Person's county"),
        ({"format": "pdf"}, None),
    ],
)
def test_bad_parameters_go_back_to_the_dashboard_with_a_message(
    admin_client, staff_user, world, params, field
):
    english_admin(staff_user)
    response = admin_client.get(export_url(**params))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("reports:dashboard"))
    assert "format=" not in location
    for name, value in params.items():
        if name != "format":
            assert f"{name}=" in location and value.split(".")[0] in location
    messages = [html.unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1
    if field:
        assert field in messages[0]
