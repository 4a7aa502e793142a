"""Back-office list pages: the number of queries must not grow with the number of rows."""

import datetime
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions.models import Attendance, Enrolment
from tests.factories.sessions import VenueFactory, make_session
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    ProjectFactory,
    TrainerFactory,
)
from training.models import (
    Indicator,
    InstitutionType,
    LocalTeamMembership,
    ProfessionalCategory,
)


def _sessions(n):
    for _ in range(n):
        session = make_session(start_in=-5, day_count=2, project=ProjectFactory())
        session.trainers.add(TrainerFactory())
        for person in ProfessionalFactory.create_batch(2):
            enrolment = Enrolment.objects.create(
                training_session=session,
                professional=person,
                status="confirmed",
                source="staff",
            )
            for day in session.days.all():
                Attendance.objects.create(enrolment=enrolment, day=day, status="present")


def _memberships(n):
    team = LocalTeamFactory()
    for person in ProfessionalFactory.create_batch(n, institution=InstitutionFactory()):
        LocalTeamMembership.objects.create(
            team=team, professional=person, since=datetime.date(2021, 1, 1)
        )


def _indicators(n):
    for i in range(n):
        Indicator.objects.create(project=ProjectFactory(), code=f"O{i}", name="x", target=10)


def _courses(n):
    curriculum = CurriculumFactory()
    for _ in range(n):
        make_session(course=CourseFactory(curriculum=curriculum))


LISTS = {
    "sessions": ("/admin/trainingsession/", _sessions),
    "enrolments": ("/admin/enrolment/", _sessions),
    "attendance": ("/admin/attendance/", _sessions),
    "venues": ("/admin/venue/", lambda n: VenueFactory.create_batch(n)),
    "professionals": (
        "/admin/snippets/training/professional/",
        lambda n: ProfessionalFactory.create_batch(n, institution=InstitutionFactory()),
    ),
    "institutions": (
        "/admin/snippets/training/institution/",
        lambda n: InstitutionFactory.create_batch(n),
    ),
    "local teams": (
        "/admin/snippets/training/localteam/",
        lambda n: LocalTeamFactory.create_batch(n, coordinator=InstitutionFactory()),
    ),
    "team members": ("/admin/snippets/training/localteammembership/", _memberships),
    "trainers": (
        "/admin/snippets/training/trainer/",
        lambda n: TrainerFactory.create_batch(n, organisation=InstitutionFactory()),
    ),
    "courses": ("/admin/snippets/training/course/", _courses),
    "curricula": (
        "/admin/snippets/training/curriculum/",
        lambda n: CurriculumFactory.create_batch(n, project=ProjectFactory()),
    ),
    "projects": ("/admin/snippets/training/project/", lambda n: ProjectFactory.create_batch(n)),
    "indicators": ("/admin/snippets/training/indicator/", _indicators),
    # Reference lists (loaded by migrations): their rows grow with new types and categories.
    "counties": ("/admin/snippets/training/county/", lambda n: None),
    "sectors": ("/admin/snippets/training/sector/", lambda n: None),
    "institution types": (
        "/admin/snippets/training/institutiontype/",
        lambda n: [InstitutionType.objects.create(name=f"Tip {uuid4()}") for _ in range(n)],
    ),
    "professional categories": (
        "/admin/snippets/training/professionalcategory/",
        lambda n: [ProfessionalCategory.objects.create(name=f"Cat {uuid4()}") for _ in range(n)],
    ),
    "session chooser": ("/admin/training_session_chooser/", _sessions),
    "professional chooser": (
        "/admin/snippets/choose/training/professional/",
        lambda n: ProfessionalFactory.create_batch(n, institution=InstitutionFactory()),
    ),
}


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(admin_client, name):
    url, build = LISTS[name]
    build(2)
    _count_queries(admin_client, url)  # warm per-process caches (content types, site)
    few = _count_queries(admin_client, url)
    build(10)
    many = _count_queries(admin_client, url)
    assert many <= few, f"{name}: {few} queries with few rows, {many} with more"
    assert many <= 40, f"{name}: {many} queries for one list page"


@pytest.mark.django_db
def test_session_list_shows_seats_and_days(admin_client):
    session = make_session(start_in=3, day_count=3, capacity=12)
    Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="staff",
    )
    Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="cancelled",
        source="staff",
    )
    page = admin_client.get("/admin/trainingsession/").content.decode()
    assert session.code in page
    assert "1 / 12" in page  # the cancelled enrolment holds no seat


@pytest.mark.django_db
def test_session_list_filters_by_county(admin_client):
    from training.models import County

    cluj = make_session(county=County.objects.get(code="CJ"))
    iasi = make_session(county=County.objects.get(code="IS"))
    county_id = County.objects.get(code="IS").pk
    page = admin_client.get(f"/admin/trainingsession/?county={county_id}").content.decode()
    assert iasi.code in page
    assert cluj.code not in page


@pytest.mark.django_db
def test_session_list_shows_the_first_day_as_a_local_date(admin_client):
    session = make_session(start_in=40, day_count=2)
    first = session.days.order_by("starts_at").first().starts_at
    page = admin_client.get("/admin/trainingsession/").content.decode()
    assert timezone.localtime(first).strftime("%d.%m.%Y") in page
