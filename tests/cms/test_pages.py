"""Every page type: where editors may create it, and that it renders with live data."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Page

from cms.models import (
    CalendarPage,
    CurriculumPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
    SeminarIndexPage,
    SeminarPage,
    StandardPage,
)
from sessions.models import Enrolment
from tests.factories.cms import page_tree
from tests.factories.sessions import make_session
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    ProfessionalFactory,
    ProjectFactory,
)
from training.models import County, Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    curriculum = CurriculumFactory(title="Set de instrumente", learning_outcomes="Evaluează riscul")
    course = CourseFactory(curriculum=curriculum, title="Evaluarea riscului")
    project = ProjectFactory(acronym="VENUS", name="VENUS – Împreună")
    Indicator.objects.create(project=project, code="O1", name="Profesioniști formați", target=200)
    return page_tree(course=course, curriculum=curriculum, project=project)


@pytest.mark.parametrize(
    ("child", "allowed_parents"),
    [
        (SeminarPage, {SeminarIndexPage}),
        (CurriculumPage, {SeminarIndexPage}),
        (CalendarPage, {HomePage}),
        (ProjectPage, {ProjectIndexPage}),
        (NewsPage, {NewsIndexPage}),
        (SeminarIndexPage, {HomePage}),
        (StandardPage, {HomePage, StandardPage}),
    ],
)
def test_pages_only_go_where_they_belong(child, allowed_parents):
    assert set(child.allowed_parent_page_models()) == allowed_parents


def test_one_calendar_per_home_page(tree):
    assert not CalendarPage.can_create_at(tree["home"])
    assert SeminarPage.can_create_at(tree["seminar_index"])
    assert not SeminarPage.can_create_at(tree["home"])


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "seminar_index",
        "seminar",
        "curriculum",
        "calendar",
        "project_index",
        "project",
        "news_index",
        "news",
        "standard",
    ],
)
def test_every_page_type_renders(client, tree, name):
    page = tree[name]
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_seminar_page_lists_its_upcoming_sessions_with_seats_left(client, tree):
    course = tree["seminar"].course
    session = make_session(course=course, capacity=10, county=County.objects.get(code="IS"))
    for person in ProfessionalFactory.create_batch(3):
        Enrolment.objects.create(
            training_session=session, professional=person, status="confirmed", source="staff"
        )
    past = make_session(course=course, start_in=-20)
    other = make_session()  # another course's session
    page = client.get(tree["seminar"].url).content.decode()
    assert "Iași" in page
    assert "7" in page  # seats left: 10 - 3
    assert past.code not in page and other.display_title not in page


def test_calendar_filters_by_county_and_ignores_unknown_values(client, tree):
    iasi = make_session(county=County.objects.get(code="IS"), title="Sesiune la Iași")
    cluj = make_session(county=County.objects.get(code="CJ"), title="Sesiune la Cluj")
    url = tree["calendar"].url
    page = client.get(url, {"county": "IS"}).content.decode()
    assert iasi.display_title in page and cluj.display_title not in page
    response = client.get(url, {"county": "ZZ", "month": "<script>x</script>", "page": "999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>x</script>" not in body
    assert iasi.display_title in body and cluj.display_title in body


def test_calendar_month_view_shows_sessions_on_their_days(client, tree):
    session = make_session(start_in=3, title="Sesiune lunară")
    first = session.days.order_by("starts_at").first().starts_at
    response = client.get(tree["calendar"].url, {"view": "month", "month": first.strftime("%Y-%m")})
    assert response.status_code == 200
    assert "Sesiune lunară" in response.content.decode()


def test_home_page_shows_live_headline_figures(client, tree):
    from sessions.services import attendance_mark

    session = make_session(start_in=-3, day_count=1)
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="staff",
    )
    attendance_mark(
        enrolment=enrolment, day=session.days.first(), status="present", acting_user=None
    )
    response = client.get(tree["home"].url)
    # One person: counted by the report service, and shown only as "fewer than 5".
    assert response.context["figures"]["persons_trained"] is None
    assert response.context["figures"]["counties_reached"] == 1
    with translation.override("ro"):
        assert gettext("fewer than 5") in response.content.decode()


def test_project_page_shows_indicators_and_the_funder_block(client, tree):
    page = client.get(tree["project"].url).content.decode()
    assert "Profesioniști formați" in page
    assert "200" in page


def test_site_search_finds_pages_and_courses(client, tree):
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    response = client.get("/cautare/", {"q": "riscului"})
    assert response.status_code == 200
    assert "Evaluarea riscului" in response.content.decode()
    assert client.get("/cautare/", {"q": "x" * 5000, "page": "abc"}).status_code == 200


def test_english_pages_live_under_en(client, tree):
    from wagtail.models import Locale

    english = tree["home"].copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "Formativ EN"
    english.save_revision().publish()
    response = client.get("/en/")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()
    assert Page.objects.filter(locale__language_code="en").exists()


def test_a_seminar_page_shows_the_next_sessions_and_links_to_all_of_them(client, tree):
    course = tree["seminar"].course
    for i in range(14):
        make_session(course=course, start_in=3 + i)
    response = client.get(tree["seminar"].url)
    assert len(response.context["sessions"]) == 12
    assert f"?course={course.code}" in response.content.decode()
    assert "14" in response.content.decode()
