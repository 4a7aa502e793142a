"""The public figures (home page) and project indicators (project pages) come from the report
service, with small counts (1 to 4, and none) shown as "fewer than 5": the public never sees
who attends."""

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext

from certificates.models import Certificate
from sessions.models import TrainingSession
from tests.factories.cms import page_tree
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    ProjectFactory,
    team_member,
)
from tests.reports.conftest import A, CountedWorld, attend, certificate, held_session
from training.models import Indicator

pytestmark = pytest.mark.django_db

d = datetime.date


def fewer_than_5() -> str:
    with translation.override("ro"):  # the language of the pages under test
        return gettext("fewer than 5")


def tree_for(project):
    curriculum = CurriculumFactory()
    return page_tree(
        course=CourseFactory(curriculum=curriculum), curriculum=curriculum, project=project
    )


def indicator_row(html: str, indicator: Indicator) -> str:
    start = html.index(f'id="indicator-{indicator.pk}"')
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


# --- home page ----------------------------------------------------------------------------


def test_the_home_page_shows_the_unique_persons_of_the_report(client):
    # The hand-counted world: 6 persons (Mihai's two registry entries count once, Elena's
    # cancelled session and Florin's absences not at all), 3 sessions, 2 counties (CJ, IS).
    world = CountedWorld()
    tree = tree_for(world.venus)
    response = client.get(tree["home"].url)
    assert response.context["figures"] == {
        "persons_trained": 6,
        "participations": 9,
        "sessions_held": 3,  # sessions are public: never suppressed
        "counties_reached": 2,
    }
    html = response.content.decode()
    assert '<span class="figures__number">6</span>' in html
    assert '<span class="figures__number">3</span>' in html
    assert fewer_than_5() not in html


def test_the_home_page_shows_fewer_than_5_for_one_to_four_persons(client):
    session = held_session(days=[d(2023, 5, 2)])
    for _ in range(3):  # three people: 3 persons
        attend(session, ProfessionalFactory(), [A.PRESENT])
    tree = tree_for(ProjectFactory())
    response = client.get(tree["home"].url)
    assert response.context["figures"]["persons_trained"] is None
    html = response.content.decode()
    assert html.count(fewer_than_5()) == 1  # the persons; the one session is public
    assert '<span class="figures__number">3</span>' not in html
    assert html.count('<span class="figures__number">1</span>') == 2  # one session, one county


def test_the_home_page_hides_the_figures_before_anyone_is_trained(client):
    tree = tree_for(ProjectFactory())
    html = client.get(tree["home"].url).content.decode()
    assert 'class="figures"' not in html


# --- project pages ------------------------------------------------------------------------


class ProjectWorld:
    """Project NORVEGIA, counted by hand:

    - session A (1 February 2023): p1–p6 present; p1–p5 hold valid certificates, p6's was
      revoked. p1–p5 and p7 are EIL members.
    - session B (1 June 2023): p1 present again (with an imported certificate), p7 absent.
    - session C (cancelled): p7 present.

    Persons 6 (p1–p6; p1 once though in two sessions), participations 7, EIL members trained 5
    (p1–p5; p7 never attended), persons certified 5 (p1–p5), completed 0, sessions 2.
    """

    def __init__(self):
        self.project = ProjectFactory(acronym="NORVEGIA")
        a = held_session(project=self.project, days=[d(2023, 2, 1)])
        b = held_session(project=self.project, days=[d(2023, 6, 1)])
        c = held_session(
            project=self.project, days=[d(2023, 3, 1)], status=TrainingSession.Status.CANCELLED
        )
        people = [ProfessionalFactory() for _ in range(7)]
        team = LocalTeamFactory()
        for p in people[:5] + people[6:]:
            team_member(team, p)
        for i, p in enumerate(people[:6]):
            enrolment = attend(a, p, [A.PRESENT])
            certificate(
                enrolment, Certificate.Status.VALID if i < 5 else Certificate.Status.REVOKED
            )
        attend(b, people[0], [A.PRESENT], reference="Seria N nr. 1")
        attend(b, people[6], [A.ABSENT])
        attend(c, people[6], [A.PRESENT])

        def indicator(code, unit, target):
            return Indicator.objects.create(
                project=self.project, code=code, name=f"Indicator {code}", unit=unit, target=target
            )

        U = Indicator.Unit
        self.persons = indicator("O1", U.PERSONS, 200)
        self.eil = indicator("O2", U.EIL_MEMBERS, 150)
        self.certified = indicator("O3", U.CERTIFICATES, 100)
        self.sessions = indicator("O4", U.SESSIONS, 10)
        self.participations = indicator("O5", U.PARTICIPATIONS, 14)
        self.completed = indicator("O6", U.PERSONS_COMPLETED, 50)


@pytest.fixture
def project_world():
    return ProjectWorld()


def test_a_project_page_shows_what_the_report_service_counts(client, project_world):
    w = project_world
    tree = tree_for(w.project)
    response = client.get(tree["project"].url)
    shown = {
        item.indicator.code: (item.achieved, item.percent, item.suppressed)
        for item in response.context["indicators"]
    }
    assert shown == {
        "O1": (6, 3, False),  # persons, not the 7 participations
        "O2": (5, 3, False),  # EIL members trained
        "O3": (5, 5, False),  # persons certified (p1's two certificates count once)
        "O4": (2, 20, False),  # sessions are public: never suppressed
        "O5": (7, 50, False),
        "O6": (0, 0, False),  # nobody completed yet: a zero points at nobody
    }
    html = response.content.decode()
    persons = indicator_row(html, w.persons)
    assert '<td class="num">6</td>' in persons
    assert 'value="6" max="200"' in persons
    assert '<td class="num">5</td>' in indicator_row(html, w.eil)
    assert '<td class="num">5</td>' in indicator_row(html, w.certified)
    assert '<td class="num">7</td>' in indicator_row(html, w.participations)
    assert "50%" in indicator_row(html, w.participations)


def test_sessions_and_zeros_are_shown_as_they_are(client, project_world):
    w = project_world
    tree = tree_for(w.project)
    html = client.get(tree["project"].url).content.decode()
    sessions = indicator_row(html, w.sessions)
    assert fewer_than_5() not in sessions
    assert '<td class="num">2</td>' in sessions
    assert fewer_than_5() not in indicator_row(html, w.completed)


def test_a_project_with_few_people_shows_no_count(client):
    # Two people, one of them in two sessions: 2 persons, 3 participations.
    project = ProjectFactory()
    one = held_session(project=project, days=[d(2023, 2, 1)])
    two = held_session(project=project, days=[d(2023, 2, 8)])
    ana, dan = ProfessionalFactory(), ProfessionalFactory()
    attend(one, ana, [A.PRESENT])
    attend(two, ana, [A.PARTIAL])
    attend(two, dan, [A.PRESENT])
    team_member(LocalTeamFactory(), ana)
    persons = Indicator.objects.create(project=project, code="P", name="Persoane", target=20)
    eil = Indicator.objects.create(
        project=project, code="E", name="Membri EIL", unit=Indicator.Unit.EIL_MEMBERS, target=10
    )
    tree = tree_for(project)
    html = client.get(tree["project"].url).content.decode()
    for indicator in (persons, eil):
        row = indicator_row(html, indicator)
        assert fewer_than_5() in row
        assert "<progress" not in row


def test_english_pages_show_fewer_than_5_in_english(client):
    from wagtail.models import Locale

    project = ProjectFactory()
    session = held_session(project=project, days=[d(2023, 2, 1)])
    attend(session, ProfessionalFactory(), [A.PRESENT])  # one person
    persons = Indicator.objects.create(project=project, code="P", name="Persons", target=20)
    tree = tree_for(project)
    english = Locale.objects.get(language_code="en")
    for key in ("home", "project_index", "project"):
        page = tree[key].copy_for_translation(english)
        page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "fewer than 5" in indicator_row(html, persons)


def test_a_new_certificate_counts_at_once(project_world):
    # The indicators read the report service live: a sixth valid certificate shows at once.
    from cms.models import public_indicators

    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED)
    certificate(revoked.enrolment)
    shown = {i.indicator.code: i.achieved for i in public_indicators(project=project_world.project)}
    assert shown["O3"] == 6


def test_a_project_page_counts_once_then_reads_its_cache(client, project_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tree = tree_for(project_world.project)
    with CaptureQueriesContext(connection) as first:
        client.get(tree["project"].url)
    with CaptureQueriesContext(connection) as second:
        client.get(tree["project"].url)
    counted = [q for q in first.captured_queries if "COUNT(DISTINCT" in q["sql"]]
    assert counted  # the first visit counted the indicators
    assert not [q for q in second.captured_queries if "COUNT(DISTINCT" in q["sql"]]
