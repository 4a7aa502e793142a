"""The reports dashboard in the admin (reports.admin_views.DashboardView), against a world
counted by hand:

- Session S1 (project VENUS, 2 days, 40 days ago, in Cluj): Ana (Cluj, F, social worker)
  present day 1, absent day 2, completed, valid certificate; Bogdan (Cluj, M, psychologist)
  present both days; Carmen (Cluj, F) absent both days (no participation).
- Session S2 (project ISTANBUL, 1 day, 10 days ago): Ana present; Dan (Brașov, M, social
  worker) present.

Totals: 3 persons (Ana, Bogdan, Dan), 4 participations, 1 person / 1 participation completed,
1 person certified, 2 sessions. By person's county: Brașov 1, Cluj 2. By sex: F 1, M 2. By
category: social worker 2, psychologist 1. VENUS: 2 persons of a target of 4 (50 %), 1 session
of 2 (50 %). Cross-table county × project: Brașov·ISTANBUL 1, Cluj·ISTANBUL 1, Cluj·VENUS 2;
row totals Brașov 1, Cluj 2; column totals ISTANBUL 2, VENUS 2; total 3 (not 4).
"""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from reports.countymap import FILLS
from sessions.models import Attendance, Enrolment
from tests.factories.certificates import stored_certificate as certify
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    ProfessionalFactory,
    ProjectFactory,
    UserFactory,
    county,
)
from training.models import Indicator, ProfessionalCategory

A = Attendance.Status
URL = "/admin/reports/"


def attend(session, professional, marks) -> Enrolment:
    enrolment = Enrolment.objects.create(
        training_session=session, professional=professional, status="confirmed", source="staff"
    )
    for day, status in zip(session.days.all(), marks, strict=True):
        Attendance.objects.create(enrolment=enrolment, day=day, status=status)
    return enrolment


class World:
    def __init__(self):
        self.social = ProfessionalCategory.objects.get(name="asistent social")
        self.psychologist = ProfessionalCategory.objects.get(name="psiholog")
        self.cluj, self.brasov = county("CJ"), county("BV")
        self.venus = ProjectFactory(acronym="VENUS", name="Rețeaua VENUS")
        self.istanbul = ProjectFactory(acronym="ISTANBUL", name="Convenția de la Istanbul")
        Indicator.objects.create(
            project=self.venus, code="O1", name="Persons trained", unit="persons", target=4
        )
        Indicator.objects.create(
            project=self.venus, code="O2", name="Sessions held", unit="sessions", target=2
        )
        self.s1 = make_session(start_in=-40, day_count=2, project=self.venus, county=self.cluj)
        self.s2 = make_session(start_in=-10, day_count=1, project=self.istanbul)

        self.ana = ProfessionalFactory(
            first_name="Ana", county=self.cluj, category=self.social, sex="F"
        )
        bogdan = ProfessionalFactory(
            first_name="Bogdan", county=self.cluj, category=self.psychologist, sex="M"
        )
        carmen = ProfessionalFactory(
            first_name="Carmen", county=self.cluj, category=self.social, sex="F"
        )
        dan = ProfessionalFactory(
            first_name="Dan", county=self.brasov, category=self.social, sex="M"
        )

        ana_s1 = attend(self.s1, self.ana, [A.PRESENT, A.ABSENT])
        Enrolment.objects.filter(pk=ana_s1.pk).update(completion=Enrolment.Completion.COMPLETED)
        certify(ana_s1)
        attend(self.s1, bogdan, [A.PRESENT, A.PRESENT])
        attend(self.s1, carmen, [A.ABSENT, A.ABSENT])
        attend(self.s2, self.ana, [A.PRESENT])
        attend(self.s2, dan, [A.PRESENT])


@pytest.fixture
def world(db) -> World:
    return World()


def reader(*codenames, counties=()):
    user = UserFactory()
    perms = [
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    ]
    perms += [
        Permission.objects.get(content_type__app_label="reports", codename=c) for c in codenames
    ]
    user.user_permissions.add(*perms)
    for code in counties:
        FocalPointFactory(user=user, county=county(code))
    # The admin speaks the reader's language: English here, whatever the site's default.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def get(client, user, query=""):
    client.force_login(user)
    with translation.override("en"):
        return client.get(URL + query, HTTP_ACCEPT_LANGUAGE="en")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def headline(page) -> dict[str, str]:
    return {
        div["data-figure-name"]: div.dd.get_text(strip=True)
        for div in page.select("[data-headline] > div")
    }


def table_rows(page, selector) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in page.select(f"{selector} tbody tr")
    ]


def chart_bars(response, chart_id) -> dict[str, str]:
    svg = soup(response).select_one(f'svg[data-chart="{chart_id}"]')
    assert svg["role"] == "img"
    assert svg.title.get_text() and svg.desc.get_text()
    return {g["data-label"]: g["data-value"] for g in svg.select("g.chart-bar")}


def test_anes_sees_every_county(client, world):
    response = get(client, reader("view_reports", "view_all_counties"))

    assert response.status_code == 200
    page = soup(response)
    assert headline(page) == {
        "unique_persons": "3",
        "participations": "4",
        "unique_persons_completed": "1",
        "participations_completed": "1",
        "unique_persons_certified": "1",
        "sessions": "2",
        "at_least_2": "1",  # Ana, in both sessions
    }
    assert page.select_one("[data-scope]") is None
    assert page.select_one("[data-scope-indicators]") is None
    assert table_rows(page, "[data-map-table]") == [["Brașov", "1"], ["Cluj", "2"]]
    assert chart_bars(response, "chart-sex") == {"female": "1", "male": "2"}
    assert chart_bars(response, "chart-categories") == {"social worker": "2", "psychologist": "1"}
    # Bogdan and Dan once, Ana twice.
    assert chart_bars(response, "chart-repeats") == {
        "1": "2",
        "2": "1",
        "3": "0",
        "4": "0",
        "5+": "0",
    }


def test_the_map_shades_the_counties_with_data(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties")))
    tiles = {g["data-county"]: g for g in page.select('svg[data-chart="chart-map"] g.map-tile')}
    assert len(tiles) == 42
    # Maximum 2 persons: classes of one person each; Cluj (2) in the 2nd, Brașov (1) in the 1st.
    assert tiles["CJ"]["data-bucket"] == "2"
    assert tiles["CJ"].rect["fill"] == FILLS[1]
    assert tiles["CJ"].title.get_text() == "Cluj: 2 persons"
    assert tiles["BV"]["data-bucket"] == "1"
    assert tiles["BV"].title.get_text() == "Brașov: 1 person"
    assert tiles["IS"]["data-bucket"] == "0"
    assert "tile grid" in page.select_one("[data-map] figcaption").get_text()


def test_project_indicators(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties")))
    table = page.select_one('[data-indicator-table="VENUS"]')
    rows = [
        [
            tr.select("td")[0].get_text(strip=True),
            tr.select_one("[data-achieved]").get_text(strip=True),
            tr.select_one("[data-percent]").get_text(strip=True),
        ]
        for tr in table.select("tbody tr")
    ]
    assert rows == [["4", "2", "50%"], ["2", "1", "50%"]]
    progress = page.select('[data-indicator-table="VENUS"] progress')
    assert [(p["max"], p["value"]) for p in progress] == [("100", "50"), ("100", "50")]
    # ISTANBUL has no indicators: not listed.
    assert page.select_one('[data-indicator-table="ISTANBUL"]') is None


def test_county_coordinator_sees_only_their_county(client, world):
    response = get(client, reader("view_reports", counties=["BV"]))

    assert response.status_code == 200
    page = soup(response)
    assert "Your county:" in page.select_one("[data-scope]").get_text()
    assert "Brașov" in page.select_one("[data-scope]").get_text()
    # The indicators are the county's contribution to project-wide targets, and say so.
    assert "contribution" in page.select_one("[data-scope-indicators]").get_text()
    assert headline(page)["unique_persons"] == "1"
    assert headline(page)["participations"] == "1"
    # Dan's county only; Cluj's two persons appear nowhere in the table or on the map.
    map_table = page.select_one("[data-map-table]").get_text()
    assert table_rows(page, "[data-map-table]") == [["Brașov", "1"]]
    assert "Cluj" not in map_table
    tiles = {g["data-county"]: g for g in page.select("g.map-tile")}
    # The other counties are drawn as outside the reader's scope, not as "no one".
    assert tiles["CJ"]["data-value"] == "0"
    assert tiles["CJ"]["data-bucket"] == "-1"
    assert "outside your counties" in tiles["CJ"].title.get_text()
    assert tiles["BV"]["data-bucket"] != "-1"
    assert "outside your counties" in page.select_one("[data-legend]").get_text()
    assert chart_bars(response, "chart-sex") == {"male": "1"}
    # The county PDF of their county is offered.
    pdf = page.select_one('[data-download="pdf"]')["href"]
    assert pdf.startswith(reverse("reports:county_pdf")) and "person_county=BV" in pdf


def test_no_county_pdf_link_for_a_county_outside_the_scope(client, world):
    page = soup(get(client, reader("view_reports", counties=["BV"]), "?person_county=CJ"))
    links = [a["href"] for a in page.select('[data-download="pdf"]')]
    assert not any("person_county=CJ" in href for href in links)


def test_coordinator_cannot_widen_their_scope_with_a_filter(client, world):
    page = soup(get(client, reader("view_reports", counties=["BV"]), "?person_county=CJ"))
    assert headline(page)["unique_persons"] == "0"
    assert table_rows(page, "[data-map-table]") == [["No participations match these filters."]]


@pytest.mark.parametrize("codenames", [(), ("view_all_counties",)])
def test_without_the_reports_right_403(client, world, codenames):
    response = get(client, reader(*codenames))
    assert response.status_code == 403
    assert b"data-headline" not in response.content


def test_reports_right_without_a_county_403(client, world):
    assert get(client, reader("view_reports")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=31.12.2024", "Write the date as YYYY-MM-DD."),
        ("?project=NOPE", "There is no project with the short name “NOPE”."),
        (
            "?date_from=2024-05-01&date_to=2024-01-01",
            "The end of the period comes before its start.",
        ),
        ("?group_by=sex&then_by=sex", "Group by two different fields."),
    ],
)
def test_bad_filters_show_the_error(client, world, query, message):
    response = get(client, reader("view_reports", "view_all_counties"), query)
    assert response.status_code == 200
    errors = soup(response).select_one("[data-form-errors]").get_text()
    assert message in errors
    assert b"data-headline" not in response.content


def test_a_field_in_error_points_screen_readers_to_its_message(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties"), "?project=NOPE"))
    field = page.select_one("#id_project")
    assert field["aria-invalid"] == "true"
    message = page.select_one("#" + field["aria-describedby"])
    assert "NOPE" in message.get_text()


def test_each_progress_bar_is_named_by_its_indicator(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties")))
    bars = page.select("progress")
    assert bars
    for bar in bars:
        assert page.select_one("#" + bar["aria-labelledby"]).get_text().startswith("O")


def test_the_eil_filter_is_a_yes_no_choice(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties"), "?eil_member=no"))
    choices = [o["value"] for o in page.select("select#id_eil_member option")]
    assert choices == ["", "yes", "no"]
    assert page.select_one("select#id_eil_member option[selected]")["value"] == "no"
    # Nobody in this world is an EIL member: "no" counts everyone.
    assert headline(page)["unique_persons"] == "3"


def test_filter_by_project(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties"), "?project=istanbul"))
    # ISTANBUL: Ana and Dan in S2.
    assert headline(page)["unique_persons"] == "2"
    assert headline(page)["sessions"] == "1"
    assert table_rows(page, "[data-map-table]") == [["Brașov", "1"], ["Cluj", "1"]]
    links = {a["data-download"]: a["href"] for a in page.select("[data-download]")}
    assert links["xlsx"] == reverse("reports:export") + "?project=istanbul&format=xlsx"
    assert links["csv"] == reverse("reports:export") + "?project=istanbul&format=csv"
    assert "pdf" not in links  # no county chosen, and ANES is not a county coordinator


def test_one_field_table(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties"), "?group_by=project"))
    rows = table_rows(page, "[data-group-table]")
    # persons, participations, persons completed, persons certified, sessions
    assert rows == [
        ["ISTANBUL – Convenția de la Istanbul", "2", "2", "0", "0", "1"],
        ["VENUS – Rețeaua VENUS", "2", "2", "1", "1", "1"],
    ]
    totals = page.select("[data-group-table] tfoot td")
    assert [td.get_text(strip=True) for td in totals] == ["3", "4", "1", "1", "2"]
    assert page.select_one("[data-overlap]") is not None


def test_person_field_table_does_not_overlap(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties"), "?group_by=sex"))
    assert table_rows(page, "[data-group-table]")[0][:2] == ["female", "1"]
    assert page.select_one("[data-overlap]") is None


def test_cross_table_totals_are_the_margins(client, world):
    page = soup(
        get(
            client,
            reader("view_reports", "view_all_counties"),
            "?group_by=person_county&then_by=project",
        )
    )
    table = page.select_one("[data-cross-table]")
    head = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert head[1:] == ["ISTANBUL – Convenția de la Istanbul", "VENUS – Rețeaua VENUS", "Total"]
    assert table_rows(page, "[data-cross-table]") == [
        ["Brașov", "1", "0", "1"],
        ["Cluj", "1", "2", "2"],
    ]
    foot = [td.get_text(strip=True) for td in table.tfoot.find_all("td")]
    assert foot == ["2", "2", "3"]  # 3 persons, not 1 + 1 + 2 = 4
    assert page.select_one("[data-overlap]") is not None
    pdfs = page.select('[data-download="pdf"]')
    assert pdfs == []


def test_county_filter_offers_the_county_pdf(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties"), "?person_county=CJ"))
    href = page.select_one('[data-download="pdf"]')["href"]
    assert href == reverse("reports:county_pdf") + "?person_county=CJ"


def test_labels_are_escaped(client, world):
    evil = ProfessionalCategory.objects.create(name='<script>alert("x")</script>')
    ProfessionalFactory.reset_sequence(100)
    eve = ProfessionalFactory(first_name="Eve", county=world.cluj, category=evil, sex="F")
    attend(world.s2, eve, [A.PRESENT])
    response = get(client, reader("view_reports", "view_all_counties"))
    assert b'<script>alert("x")' not in response.content
    assert chart_bars(response, "chart-categories")['<script>alert("x")</script>'] == "1"


def test_definitions_are_on_the_page(client, world):
    page = soup(get(client, reader("view_reports", "view_all_counties")))
    text = page.select_one("[data-definitions]").get_text(" ", strip=True)
    assert "A participation is an enrolment with at least one session day attended" in text


def more_participants(world, n):
    for _ in range(n):
        person = ProfessionalFactory(county=world.brasov, category=world.psychologist, sex="M")
        attend(world.s2, person, [A.PRESENT])


def queries(client, user, query):
    client.force_login(user)
    client.get(URL + query)  # warm caches (Wagtail's menu, the site)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL + query)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", ["", "?group_by=person_county&then_by=project"])
def test_query_budget_does_not_grow_with_the_participations(client, world, query):
    user = reader("view_reports", "view_all_counties")
    few = queries(client, user, query)  # 4 participations
    more_participants(world, 27)  # 31 participations
    many = queries(client, user, query)
    assert few == many
    assert many <= 25
