"""GET /api/v1/reports/participants (reports.api), against a hand-counted world.

The world (`World`), counted by hand:

- Session S1 (project VENUS, county CJ, 2 days, 40 days ago): Ana (Cluj, F, social worker)
  present day 1, absent day 2, completed; Bogdan (Cluj, M, psychologist) present both days,
  not completed; Carmen (Cluj, F) absent both days (no participation).
- Session S2 (project ISTANBUL, county BV, 1 day, 10 days ago): Ana present; Dan (Brașov, M,
  social worker) present, with the reference of a certificate issued outside Formativ.

Totals: 3 persons (Ana, Bogdan, Dan), 4 participations (Ana ×2, Bogdan, Dan); completed: 1
person / 1 participation (Ana in S1); certified: 1 / 1 (Dan in S2); 2 sessions.
By person's county: Brașov 1 person, 1 participation, 0 completed, 1 certified, 1 session (S2);
Cluj 2 persons, 3 participations, 1 completed, 0 certified, 2 sessions (S1; S2 through Ana).
By project: ISTANBUL 2 persons (Ana, Dan) / 2; VENUS 2 (Ana, Bogdan) / 2: 4 > 3, overlapping.
Cross-table county × project: Brașov·ISTANBUL 1/1; Cluj·ISTANBUL 1/1 (Ana); Cluj·VENUS 2/2.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import APIToken

from sessions.models import Attendance, Enrolment
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    ProfessionalFactory,
    ProjectFactory,
    UserFactory,
    county,
)
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/participants"
A = Attendance.Status
FIGURE_NAMES = (
    "unique_persons",
    "participations",
    "unique_persons_completed",
    "participations_completed",
    "unique_persons_certified",
    "participations_certified",
    "sessions",
)


def figures(*values) -> dict[str, int]:
    return dict(zip(FIGURE_NAMES, values, strict=True))


def attend(session, professional, marks, **fields) -> Enrolment:
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=professional,
        status="confirmed",
        source="staff",
        **fields,
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
        self.s1 = make_session(start_in=-40, day_count=2, project=self.venus, county=self.cluj)
        self.s2 = make_session(start_in=-10, day_count=1, project=self.istanbul, county=self.brasov)
        self.ana = self.person("Ana", self.cluj, "F", self.social)
        self.bogdan = self.person("Bogdan", self.cluj, "M", self.psychologist)
        self.carmen = self.person("Carmen", self.cluj, "F", self.social)
        self.dan = self.person("Dan", self.brasov, "M", self.social)

        attend(self.s1, self.ana, [A.PRESENT, A.ABSENT], completion=Enrolment.Completion.COMPLETED)
        attend(self.s1, self.bogdan, [A.PRESENT, A.PRESENT])
        attend(self.s1, self.carmen, [A.ABSENT, A.ABSENT])
        attend(self.s2, self.ana, [A.PRESENT])
        attend(self.s2, self.dan, [A.PRESENT], certificate_reference="EXT-2019-17")

    @staticmethod
    def person(name, where, sex, category):
        return ProfessionalFactory(first_name=name, county=where, sex=sex, category=category)


@pytest.fixture
def world(db) -> World:
    return World()


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
    )


@pytest.fixture
def anes(client):
    """ANES staff: the reports right for every county."""
    user = UserFactory(username="anes")
    grant(user, "view_reports", "view_all_counties")
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(client, world):
    """The Cluj county coordinator: the reports right, a county nomination right for Cluj."""
    user = UserFactory(username="coordonator-cj")
    grant(user, "view_reports")
    FocalPointFactory(user=user, county=world.cluj)
    client.force_login(user)
    return client


def get(client, **params):
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    return response


def ok(client, **params) -> dict:
    response = get(client, **params)
    assert response.status_code == 200, response.content
    return response.json()


# --- the numbers ----------------------------------------------------------------------------


def test_totals_are_the_hand_counted_ones(world, anes):
    data = ok(anes)
    assert data["totals"] == figures(3, 4, 1, 1, 1, 1, 2)
    assert data["groups"] == []
    assert data["group_by"] == []
    assert data["filters"] == {}
    assert "margins" not in data


def test_persons_by_number_of_participations(world, anes):
    # Ana in S1 and S2 (twice), Bogdan and Dan once; Carmen was never present.
    assert ok(anes)["participations_per_person"] == [
        {"participations": 1, "unique_persons": 2},
        {"participations": 2, "unique_persons": 1},
    ]
    # Within VENUS, Ana took part once.
    assert ok(anes, project="VENUS")["participations_per_person"] == [
        {"participations": 1, "unique_persons": 2}
    ]


def test_filters_narrow_the_totals_and_are_echoed_as_codes(world, anes):
    data = ok(anes, project="venus", **{"from": "2000-01-01"})
    # VENUS: Ana (completed) and Bogdan in S1
    assert data["totals"] == figures(2, 2, 1, 1, 0, 0, 1)
    assert data["filters"] == {"from": "2000-01-01", "project": "VENUS"}


def test_the_period_is_the_sessions_first_day(world, anes):
    today = timezone.localdate()
    since = (today - datetime.timedelta(days=20)).isoformat()
    data = ok(anes, **{"from": since, "to": today.isoformat()})
    # only S2 (10 days ago): Ana and Dan
    assert data["totals"] == figures(2, 2, 0, 0, 1, 1, 1)


def test_group_by_person_county(world, anes):
    data = ok(anes, group_by="person_county")
    assert data["group_by"] == ["person_county"]
    assert data["groups_may_overlap"] is False
    assert data["groups"] == [
        {
            "key": {"person_county": "BV"},
            "label": {"person_county": "Brașov"},
            **figures(1, 1, 0, 0, 1, 1, 1),
        },
        {
            "key": {"person_county": "CJ"},
            "label": {"person_county": "Cluj"},
            **figures(2, 3, 1, 1, 0, 0, 2),
        },
    ]
    assert data["totals"] == figures(3, 4, 1, 1, 1, 1, 2)


def test_group_by_project_overlaps(world, anes):
    data = ok(anes, group_by="project")
    assert data["groups_may_overlap"] is True
    rows = {row["key"]["project"]: row for row in data["groups"]}
    assert set(rows) == {"VENUS", "ISTANBUL"}
    assert (rows["VENUS"]["unique_persons"], rows["VENUS"]["participations"]) == (2, 2)
    assert (rows["ISTANBUL"]["unique_persons"], rows["ISTANBUL"]["participations"]) == (2, 2)
    assert rows["VENUS"]["label"]["project"].startswith("VENUS")


def test_cross_table_with_margins(world, anes):
    data = ok(anes, group_by="person_county,project")
    assert data["group_by"] == ["person_county", "project"]
    cells = {
        (row["key"]["person_county"], row["key"]["project"]): (
            row["unique_persons"],
            row["participations"],
        )
        for row in data["groups"]
    }
    assert cells == {
        ("BV", "ISTANBUL"): (1, 1),
        ("CJ", "ISTANBUL"): (1, 1),
        ("CJ", "VENUS"): (2, 2),
    }
    margins = data["margins"]
    assert set(margins) == {"person_county", "project"}
    assert [(r["key"]["person_county"], r["unique_persons"]) for r in margins["person_county"]] == [
        ("BV", 1),
        ("CJ", 2),
    ]
    by_project = {r["key"]["project"]: r["unique_persons"] for r in margins["project"]}
    assert by_project == {"ISTANBUL": 2, "VENUS": 2}


def test_group_by_sex_and_eil_member_keys(world, anes):
    data = ok(anes, group_by="sex")
    assert {row["key"]["sex"]: row["unique_persons"] for row in data["groups"]} == {"F": 1, "M": 2}
    data = ok(anes, group_by="eil_member")
    assert [(row["key"]["eil_member"], row["unique_persons"]) for row in data["groups"]] == [
        (False, 3)
    ]


def test_labels_follow_accept_language(world, anes):
    def labels(language):
        response = anes.get(
            URL, {"group_by": "professional_category"}, HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200
        return {
            r["label"]["professional_category"]: r["unique_persons"]
            for r in response.json()["groups"]
        }

    assert labels("en") == {"psychologist": 1, "social worker": 2}
    assert labels("ro") == {"psiholog": 1, "asistent social": 2}


def test_bearer_token_works(world):
    user = UserFactory(username="integrare")
    grant(user, "view_reports", "view_all_counties")
    _, token = APIToken.create_token(user=user, name="test")
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["totals"]["unique_persons"] == 3


# --- invalid parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"project": "NU-EXISTA"}, "project"),
        ({"course": "NU-EXISTA"}, "course"),
        ({"person_county": "ZZ"}, "person_county"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "31.12.2024"}, "to"),
        ({"from": "2024-06-01", "to": "2024-01-01"}, "to"),
        ({"group_by": "shoe_size"}, "group_by"),
        ({"group_by": "sex,project,month"}, "group_by"),
        ({"group_by": "sex,sex"}, "group_by"),
        ({"sex": "X"}, "sex"),
        ({"age_band": "old"}, "age_band"),
        ({"eil_member": "maybe"}, "eil_member"),
        ({"institution": "abc"}, "institution"),
        ({"institution_type": "99999999999999999999999"}, "institution_type"),
        ({"delivery_type": "telepathy"}, "delivery_type"),
        ({"professional_category": "999999"}, "professional_category"),
        ({"project": "VEN\x00US"}, "project"),
    ],
)
def test_invalid_parameters_are_a_json_400_naming_the_parameter(world, anes, params, field):
    response = get(anes, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert field in body["errors"]
    assert body["errors"][field]
    assert body["detail"]


def test_the_error_message_is_readable(world, anes):
    body = get(anes, project="NU-EXISTA").json()
    assert body["errors"]["project"] == ["There is no project with the short name “NU-EXISTA”."]
    body = get(anes, **{"from": "2024-06-01", "to": "2024-01-01"}).json()
    assert body["errors"] == {"to": ["The end of the period comes before its start."]}


# --- who may read ---------------------------------------------------------------------------


def test_anonymous_is_refused(world, client):
    response = client.get(URL)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_a_user_without_the_reports_right_is_refused(world, client):
    client.force_login(UserFactory(username="fara-drepturi"))
    response = client.get(URL)
    assert response.status_code == 403
    assert "totals" not in response.json()


def test_the_reports_right_without_a_county_is_refused(world, client):
    user = UserFactory(username="fara-judet")
    grant(user, "view_reports")
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_a_county_coordinator_counts_the_people_of_their_county(world, coordinator):
    data = ok(coordinator)
    # Cluj people: Ana (S1 completed, S2) and Bogdan (S1); Dan (Brașov) is not counted
    assert data["totals"] == figures(2, 3, 1, 1, 0, 0, 2)
    data = ok(coordinator, group_by="person_county")
    assert [row["key"] for row in data["groups"]] == [{"person_county": "CJ"}]
    # S2 was held in Brașov, but only Ana (Cluj) counts there
    data = ok(coordinator, group_by="session_county")
    rows = {row["key"]["session_county"]: row["unique_persons"] for row in data["groups"]}
    assert rows == {"BV": 1, "CJ": 2}


def test_a_county_coordinator_asking_for_another_county_gets_nothing(world, coordinator):
    data = ok(coordinator, person_county="BV", group_by="person_county")
    assert data["totals"] == figures(0, 0, 0, 0, 0, 0, 0)
    assert data["groups"] == []


# --- queries and documentation --------------------------------------------------------------


def add_participations(world, n: int) -> None:
    for i in range(n):
        person = ProfessionalFactory(county=world.brasov if i % 2 else world.cluj)
        attend(world.s2, person, [A.PRESENT])


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"group_by": "person_county,project", "project": "ISTANBUL"})
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(world, coordinator):
    few = count_queries(coordinator)
    assert ok(coordinator, project="ISTANBUL")["totals"]["participations"] == 1  # Ana
    add_participations(world, 27)  # 14 more in Cluj (even i), 13 in Brașov
    many = count_queries(coordinator)
    assert ok(coordinator, project="ISTANBUL")["totals"]["participations"] == 15
    assert many == few
    assert few <= 10  # session, user, 2 permission reads, scope, project, 4 report queries


def test_the_parameters_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {
        "from",
        "to",
        "project",
        "course",
        "curriculum",
        "delivery_type",
        "session_county",
        "person_county",
        "institution",
        "institution_type",
        "professional_category",
        "sex",
        "age_band",
        "eil_member",
        "group_by",
    }
    assert all(p["in"] == "query" and p.get("description") for p in parameters.values())
    assert "person_county" in parameters["group_by"]["description"]
    assert "400" in operation["responses"]
