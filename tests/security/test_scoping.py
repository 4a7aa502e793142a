"""The staff scope (training.access) applied to every list and record of the back office and
the API: each role reaches the records of its scope, and a record outside it — even by
guessing its id — answers 404 (or 403), never the record.

The world (hand-built): two counties, Cluj (CJ) and Timiș (TM); project A (organised by the
organiser) holds the Cluj session, project B the Timiș session, trained by the trainer.
  ana   (CJ, Cluj institution)  enrolled in the Timiș session
  tudor (TM)                    enrolled in the Cluj and the Timiș sessions
  vlad  (TM)                    enrolled nowhere
"""

import json
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from wagtail.models import APIToken

from sessions.models import Enrolment, TrainingSession
from tests.factories.certificates import stored_certificate
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    ProjectFactory,
    TrainerFactory,
    UserFactory,
    county,
    team_member,
)
from training.roles import (
    CMS_EDITOR,
    COUNTY_COORDINATOR,
    INSTITUTION_FOCAL_POINT,
    ORGANISER,
    TRAINER,
    role_group,
)

pytestmark = pytest.mark.django_db


def _user(name, role=None):
    user = UserFactory(username=name)
    if role is not None:
        user.groups.add(role_group(role))
    return user


@pytest.fixture
def world():
    cj, tm = county("CJ"), county("TM")
    project_a, project_b = ProjectFactory(acronym="PROA"), ProjectFactory(acronym="PROB")
    cluj_institution = InstitutionFactory(name="DGASPC Cluj", county=cj)
    trainer = TrainerFactory()
    cluj_session = make_session(code="S-CLUJ", county=cj, project=project_a, start_in=-3)
    timis_session = make_session(code="S-TIMIS", county=tm, project=project_b, start_in=-3)
    TrainingSession.trainers.through.objects.create(trainingsession=timis_session, trainer=trainer)
    ana = ProfessionalFactory(
        first_name="Ana", last_name="Ardeleanu", county=cj, institution=cluj_institution
    )
    tudor = ProfessionalFactory(first_name="Tudor", last_name="Timișan", county=tm)
    vlad = ProfessionalFactory(first_name="Vlad", last_name="Vântu", county=tm)
    confirmed = Enrolment.Status.CONFIRMED
    ana_in_timis = Enrolment.objects.create(
        training_session=timis_session, professional=ana, status=confirmed
    )
    tudor_in_timis = Enrolment.objects.create(
        training_session=timis_session, professional=tudor, status=confirmed
    )
    tudor_in_cluj = Enrolment.objects.create(
        training_session=cluj_session, professional=tudor, status=confirmed
    )

    organiser = _user("organizator", ORGANISER)
    project_a.organisers.add(organiser)
    project_a.save()  # a ParentalManyToManyField: written on save
    coordinator = _user("coordonator.cluj", COUNTY_COORDINATOR)
    FocalPointFactory(user=coordinator, county=cj)
    focal_point = _user("punct.focal", INSTITUTION_FOCAL_POINT)
    FocalPointFactory(user=focal_point, institution=cluj_institution)
    trainer_user = _user("formator", TRAINER)
    trainer.user = trainer_user
    trainer.save(update_fields=["user"])
    editor = _user("editor", CMS_EDITOR)
    return SimpleNamespace(
        cluj_session=cluj_session,
        timis_session=timis_session,
        ana=ana,
        tudor=tudor,
        vlad=vlad,
        ana_in_timis=ana_in_timis,
        tudor_in_timis=tudor_in_timis,
        tudor_in_cluj=tudor_in_cluj,
        organiser=organiser,
        coordinator=coordinator,
        focal_point=focal_point,
        trainer=trainer_user,
        editor=editor,
    )


def bearer(user) -> dict:
    _, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def api_ids(client, url, user) -> set[int]:
    response = client.get(url, **bearer(user))
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def assert_refused(response):
    """Refused: not found, forbidden, or Wagtail's way (its home, with a message)."""
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")


def names_on(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def chooser_html(response) -> str:
    """A chooser's modal: its HTML, out of the JSON it travels in (which escapes accents)."""
    assert response.status_code == 200
    return response.json()["html"]


# --- the registry -----------------------------------------------------------------------------

PROFESSIONALS = "wagtailsnippets_training_professional"


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        # the coordinator: their county's people only; Tudor, of Timiș, sits in a Cluj room
        # (a line of that roster) but his registry record is not theirs to open
        ("coordinator", {"ana"}, {"tudor", "vlad"}),
        # the organiser: the people enrolled in their project's sessions
        ("organiser", {"tudor"}, {"ana", "vlad"}),
        # the focal point: their institution's people
        ("focal_point", {"ana"}, {"tudor", "vlad"}),
    ],
)
def test_the_registry_lists_and_opens_only_the_people_in_scope(
    client, world, role, visible, hidden
):
    user = getattr(world, role)
    client.force_login(user)
    listing = names_on(client.get(reverse(f"{PROFESSIONALS}:list")))
    for name in visible:
        person = getattr(world, name)
        assert person.last_name in listing
        assert client.get(reverse(f"{PROFESSIONALS}:inspect", args=[person.pk])).status_code == 200
    for name in hidden:
        person = getattr(world, name)
        assert person.last_name not in listing
        assert client.get(reverse(f"{PROFESSIONALS}:inspect", args=[person.pk])).status_code == 404
        assert client.get(reverse(f"{PROFESSIONALS}:history", args=[person.pk])).status_code == 404
    # the API: the same people, and 404 for the others
    assert api_ids(client, "/api/v1/professionals", user) == {getattr(world, n).pk for n in visible}
    for name in hidden:
        response = client.get(f"/api/v1/professionals/{getattr(world, name).pk}", **bearer(user))
        assert response.status_code == 404


def test_a_coordinator_edits_their_people_and_not_another_countys(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse(f"{PROFESSIONALS}:edit", args=[world.ana.pk])).status_code == 200
    response = client.post(
        reverse(f"{PROFESSIONALS}:edit", args=[world.vlad.pk]),
        {"first_name": "Schimbat", "last_name": "Vântu", "county": world.vlad.county_id},
    )
    assert response.status_code == 404
    world.vlad.refresh_from_db()
    assert world.vlad.first_name == "Vlad"


PERSON_CHOOSER = "wagtailsnippetchoosers_training_professional"


def chosen_multiple(client, namespace, *pks):
    return client.get(reverse(f"{namespace}:chosen_multiple"), {"id": [str(pk) for pk in pks]})


def test_the_person_chooser_lists_only_the_people_in_scope(client, world):
    client.force_login(world.coordinator)
    page = chooser_html(client.get(reverse(f"{PERSON_CHOOSER}:choose")))
    assert "Ardeleanu" in page and "Vântu" not in page and "Timișan" not in page
    chosen = reverse(f"{PERSON_CHOOSER}:chosen", args=[world.vlad.pk])
    assert client.get(chosen).status_code == 404
    assert chosen_multiple(client, PERSON_CHOOSER, world.ana.pk).status_code == 200
    # one person outside the scope among those asked for: none is returned
    response = chosen_multiple(client, PERSON_CHOOSER, world.ana.pk, world.vlad.pk)
    assert response.status_code == 404
    assert "Vântu" not in response.content.decode()


def test_the_organisers_person_chooser_holds_their_participants_only(client, world):
    client.force_login(world.organiser)
    page = chooser_html(client.get(reverse(f"{PERSON_CHOOSER}:choose")))
    assert "Timișan" in page and "Vântu" not in page and "Ardeleanu" not in page
    chosen = reverse(f"{PERSON_CHOOSER}:chosen", args=[world.vlad.pk])
    assert client.get(chosen).status_code == 404
    # the roster's bulk enrolment search still reaches the whole registry
    url = reverse("training_sessions_admin:bulk_enrol", args=[world.cluj_session.pk])
    assert "Vântu" in names_on(client.get(url, {"q": "Vântu"}))


def test_the_person_chooser_needs_the_registry_permission(client, world):
    # the trainer's participants are in their scope, but they hold no registry permission
    client.force_login(world.trainer)
    chosen = reverse(f"{PERSON_CHOOSER}:chosen", args=[world.tudor.pk])
    assert_refused(client.get(chosen))
    assert_refused(chosen_multiple(client, PERSON_CHOOSER, world.tudor.pk))


def test_the_nomination_rights_and_user_choosers_are_for_administrators(client, world):
    focal = world.coordinator.focal_points.get()
    focal_chooser = "wagtailsnippetchoosers_training_focalpoint"
    user_chooser = "formativ_user_chooser"
    for user in (world.organiser, world.coordinator, world.focal_point, world.editor):
        client.force_login(user)
        assert_refused(client.get(reverse(f"{focal_chooser}:choose")))
        assert_refused(client.get(reverse(f"{focal_chooser}:chosen", args=[focal.pk])))
        assert_refused(chosen_multiple(client, focal_chooser, focal.pk))
        assert_refused(client.get(reverse(f"{user_chooser}:chosen", args=[world.trainer.pk])))
        assert_refused(chosen_multiple(client, user_chooser, world.trainer.pk))
    client.force_login(UserFactory(username="anes.admin", is_superuser=True))
    response = chosen_multiple(client, user_chooser, world.trainer.pk)
    assert response.status_code == 200
    assert "formator" in response.content.decode()
    assert client.get(reverse(f"{focal_chooser}:choose")).status_code == 200


def test_opening_a_persons_record_is_logged(client, world):
    from wagtail.models import ModelLogEntry

    client.force_login(world.coordinator)
    inspect = reverse(f"{PROFESSIONALS}:inspect", args=[world.ana.pk])
    assert client.get(inspect).status_code == 200
    response = client.get(f"/api/v1/professionals/{world.ana.pk}", **bearer(world.coordinator))
    assert response.status_code == 200
    # refused: nothing logged
    client.get(f"/api/v1/professionals/{world.vlad.pk}", **bearer(world.coordinator))
    entries = ModelLogEntry.objects.filter(action="formativ.person.view")
    assert sorted((e.object_id, e.user_id, e.data["via"]) for e in entries) == [
        (str(world.ana.pk), world.coordinator.pk, "admin.inspect"),
        (str(world.ana.pk), world.coordinator.pk, "api"),
    ]


def test_users_with_the_registry_permission_but_no_scope_see_nobody(client, world):
    from django.contrib.auth.models import Permission

    nobody = _user("fara.arie")
    nobody.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_professional"],
            content_type__app_label__in=["wagtailadmin", "training"],
        )
    )
    client.force_login(nobody)
    listing = names_on(client.get(reverse(f"{PROFESSIONALS}:list")))
    assert "Ardeleanu" not in listing and "Timișan" not in listing
    assert api_ids(client, "/api/v1/professionals", nobody) == set()


# --- local teams and institutions ---------------------------------------------------------------

TEAMS = "wagtailsnippets_training_localteam"
MEMBERS = "wagtailsnippets_training_localteammembership"
INSTITUTIONS = "wagtailsnippets_training_institution"


@pytest.fixture
def teams(world):
    cluj_team = LocalTeamFactory(name="EIL Cluj-Napoca", county=county("CJ"))
    timis_team = LocalTeamFactory(name="EIL Timișoara", county=county("TM"))
    return SimpleNamespace(
        cluj=cluj_team,
        timis=timis_team,
        ana_in_cluj=team_member(cluj_team, world.ana),
        vlad_in_timis=team_member(timis_team, world.vlad),
    )


def test_a_coordinator_manages_their_countys_local_teams_and_members_only(client, world, teams):
    client.force_login(world.coordinator)
    listing = names_on(client.get(reverse(f"{TEAMS}:list")))
    assert "EIL Cluj-Napoca" in listing and "EIL Timișoara" not in listing
    assert client.get(reverse(f"{TEAMS}:edit", args=[teams.cluj.pk])).status_code == 200
    for view in ("edit", "inspect", "history", "usage"):
        assert client.get(reverse(f"{TEAMS}:{view}", args=[teams.timis.pk])).status_code == 404
    members = names_on(client.get(reverse(f"{MEMBERS}:list")))
    assert "Ardeleanu" in members and "Vântu" not in members
    assert client.get(reverse(f"{MEMBERS}:edit", args=[teams.ana_in_cluj.pk])).status_code == 200
    for view in ("edit", "inspect", "delete", "history", "usage"):
        url = reverse(f"{MEMBERS}:{view}", args=[teams.vlad_in_timis.pk])
        assert client.get(url).status_code == 404
    response = client.post(reverse(f"{MEMBERS}:delete", args=[teams.vlad_in_timis.pk]))
    assert response.status_code == 404
    assert teams.vlad_in_timis.__class__.objects.filter(pk=teams.vlad_in_timis.pk).exists()
    # the membership chooser: the same memberships
    chooser = "wagtailsnippetchoosers_training_localteammembership"
    page = chooser_html(client.get(reverse(f"{chooser}:choose")))
    assert "Ardeleanu" in page and "Vântu" not in page
    chosen = reverse(f"{chooser}:chosen", args=[teams.vlad_in_timis.pk])
    assert client.get(chosen).status_code == 404
    # and nobody without the membership permission opens it
    client.force_login(world.organiser)
    assert_refused(client.get(reverse(f"{chooser}:choose")))


def test_a_coordinator_cannot_add_a_team_or_member_in_another_county(client, world, teams):
    client.force_login(world.coordinator)
    response = client.post(
        reverse(f"{TEAMS}:add"), {"name": "EIL Lugoj", "county": county("TM").pk, "is_active": "on"}
    )
    assert escape(gettext("You can only manage the local teams of your county.")) in names_on(
        response
    )
    assert not teams.cluj.__class__.objects.filter(name="EIL Lugoj").exists()
    response = client.post(
        reverse(f"{TEAMS}:add"), {"name": "EIL Dej", "county": county("CJ").pk, "is_active": "on"}
    )
    assert response.status_code == 302
    assert teams.cluj.__class__.objects.filter(name="EIL Dej").exists()
    response = client.post(
        reverse(f"{MEMBERS}:add"),
        {
            "team": teams.timis.pk,
            "professional": world.ana.pk,
            "role": "member",
            "since": "2024-01-01",
        },
    )
    assert escape(
        gettext("You can only manage the members of your county's local teams.")
    ) in names_on(response)
    assert not teams.timis.memberships.filter(professional=world.ana).exists()
    # a person of another county cannot be put in the coordinator's own team either
    stranger = ProfessionalFactory(first_name="Ilie", last_name="Bega", county=county("TM"))
    response = client.post(
        reverse(f"{MEMBERS}:add"),
        {
            "team": teams.cluj.pk,
            "professional": stranger.pk,
            "role": "member",
            "since": "2024-01-01",
        },
    )
    assert escape(gettext("You can only add people whose records you manage.")) in names_on(
        response
    )
    assert not teams.cluj.memberships.filter(professional=stranger).exists()
    newcomer = ProfessionalFactory(first_name="Ioana", last_name="Someșan", county=county("CJ"))
    response = client.post(
        reverse(f"{MEMBERS}:add"),
        {
            "team": teams.cluj.pk,
            "professional": newcomer.pk,
            "role": "secretary",
            "since": "2024-01-01",
        },
    )
    assert response.status_code == 302
    assert teams.cluj.memberships.filter(professional=newcomer, role="secretary").exists()


def test_institutions_are_read_by_all_and_changed_by_a_coordinator_in_their_county(client, world):
    timis_institution = InstitutionFactory(name="DGASPC Timiș", county=county("TM"))
    cluj_institution = world.ana.institution
    client.force_login(world.coordinator)
    listing = names_on(client.get(reverse(f"{INSTITUTIONS}:list")))
    assert "DGASPC Cluj" in listing and "DGASPC Timiș" in listing
    inspect = reverse(f"{INSTITUTIONS}:inspect", args=[timis_institution.pk])
    assert client.get(inspect).status_code == 200
    chooser = "wagtailsnippetchoosers_training_institution"
    assert "DGASPC Timiș" in chooser_html(client.get(reverse(f"{chooser}:choose")))
    assert client.get(reverse(f"{chooser}:chosen", args=[timis_institution.pk])).status_code == 200
    edit = reverse(f"{INSTITUTIONS}:edit", args=[cluj_institution.pk])
    assert client.get(edit).status_code == 200
    for view in ("edit", "history", "usage"):
        url = reverse(f"{INSTITUTIONS}:{view}", args=[timis_institution.pk])
        assert client.get(url).status_code == 404
    response = client.post(
        reverse(f"{INSTITUTIONS}:edit", args=[timis_institution.pk]),
        {"name": "Schimbat", "county": timis_institution.county_id},
    )
    assert response.status_code == 404
    timis_institution.refresh_from_db()
    assert timis_institution.name == "DGASPC Timiș"
    # the organiser keeps the reference data of every county
    client.force_login(world.organiser)
    edit = reverse(f"{INSTITUTIONS}:edit", args=[timis_institution.pk])
    assert client.get(edit).status_code == 200


def test_a_coordinator_adds_people_of_their_county_only_through_the_api(client, world):
    headers = bearer(world.coordinator)
    body = {"first_name": "Ion", "last_name": "Nou", "county": "TM"}
    response = client.post(
        "/api/v1/professionals", json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 403
    body["county"] = "CJ"
    response = client.post(
        "/api/v1/professionals", json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 201


def test_the_cms_editor_reaches_no_record(client, world):
    client.force_login(world.editor)
    assert client.get(reverse(f"{PROFESSIONALS}:list")).status_code in (302, 403)
    assert client.get(reverse("trainingsession:index")).status_code in (302, 403)
    assert client.get("/api/v1/professionals", **bearer(world.editor)).status_code == 403


# --- sessions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("organiser", "cluj_session", "timis_session"),
        ("coordinator", "cluj_session", "timis_session"),
        ("trainer", "timis_session", "cluj_session"),
    ],
)
def test_the_session_list_and_pages_hold_only_the_sessions_in_scope(
    client, world, role, own, other
):
    client.force_login(getattr(world, role))
    own, other = getattr(world, own), getattr(world, other)
    listing = names_on(client.get(reverse("trainingsession:index")))
    assert own.code in listing and other.code not in listing
    assert client.get(reverse("trainingsession:inspect", args=[own.pk])).status_code == 200
    assert client.get(reverse("trainingsession:inspect", args=[other.pk])).status_code == 404
    assert_refused(client.get(reverse("trainingsession:edit", args=[other.pk])))


def test_a_coordinator_cannot_change_another_countys_session(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse("trainingsession:edit", args=[world.cluj_session.pk]))
    assert response.status_code == 200
    response = client.post(reverse("trainingsession:edit", args=[world.timis_session.pk]), {})
    assert response.status_code == 404
    patch = client.patch(
        f"/api/v1/sessions/{world.timis_session.pk}",
        json.dumps({"capacity": 99}),
        content_type="application/json",
        **bearer(world.coordinator),
    )
    assert patch.status_code == 404
    world.timis_session.refresh_from_db()
    assert world.timis_session.capacity == 20


def roster(client, session):
    return client.get(reverse("training_sessions_admin:roster", args=[session.pk]))


def test_a_coordinator_sees_the_whole_roster_at_home_and_only_their_people_elsewhere(client, world):
    client.force_login(world.coordinator)
    at_home = names_on(roster(client, world.cluj_session))
    assert "Timișan" in at_home  # someone from elsewhere, in the room in Cluj
    elsewhere = names_on(roster(client, world.timis_session))
    assert "Ardeleanu" in elsewhere and "Timișan" not in elsewhere


def test_the_organiser_and_trainer_see_the_rosters_of_their_sessions_only(client, world):
    client.force_login(world.organiser)
    assert "Timișan" in names_on(roster(client, world.cluj_session))
    assert roster(client, world.timis_session).status_code == 404
    client.force_login(world.trainer)
    page = names_on(roster(client, world.timis_session))
    assert "Ardeleanu" in page and "Timișan" in page
    assert roster(client, world.cluj_session).status_code == 404


def action_url(enrolment, action="cancel"):
    return reverse(
        "training_sessions_admin:enrolment_action",
        args=[enrolment.training_session_id, enrolment.pk, action],
    )


def test_enrolment_actions_reach_only_the_enrolments_in_scope(client, world):
    client.force_login(world.coordinator)
    # another county's person in another county's session: as if it did not exist
    assert client.get(action_url(world.tudor_in_timis)).status_code == 404
    response = client.post(action_url(world.tudor_in_timis), {"reason": "x"})
    assert response.status_code == 404
    world.tudor_in_timis.refresh_from_db()
    assert world.tudor_in_timis.status == Enrolment.Status.CONFIRMED
    # their own person in that session: allowed
    response = client.post(action_url(world.ana_in_timis), {"reason": "nu mai poate"})
    assert response.status_code == 302
    world.ana_in_timis.refresh_from_db()
    assert world.ana_in_timis.status == Enrolment.Status.CANCELLED
    # promoting the waiting list of another county's session: not theirs to manage
    promote = reverse("training_sessions_admin:promote", args=[world.timis_session.pk])
    assert client.post(promote).status_code == 404


def test_the_enrolment_list_and_pages_hold_only_the_enrolments_in_scope(client, world):
    client.force_login(world.coordinator)
    listing = names_on(client.get(reverse("enrolment:index")))
    # their person in Timiș, and who sits in the room in Cluj; not Timiș's own people
    assert reverse("enrolment:edit", args=[world.ana_in_timis.pk]) in listing
    assert reverse("enrolment:edit", args=[world.tudor_in_cluj.pk]) in listing
    assert reverse("enrolment:edit", args=[world.tudor_in_timis.pk]) not in listing
    assert client.get(reverse("enrolment:inspect", args=[world.ana_in_timis.pk])).status_code == (
        200
    )
    inspect = reverse("enrolment:inspect", args=[world.tudor_in_timis.pk])
    assert client.get(inspect).status_code == 404
    edit = reverse("enrolment:edit", args=[world.tudor_in_timis.pk])
    assert client.post(edit, {"status": "cancelled"}).status_code == 404


def test_the_focal_point_reads_their_peoples_enrolments_through_the_api(client, world):
    headers = bearer(world.focal_point)
    assert client.get(f"/api/v1/enrolments/{world.ana_in_timis.pk}", **headers).status_code == 200
    response = client.get(f"/api/v1/enrolments/{world.tudor_in_timis.pk}", **headers)
    assert response.status_code == 404
    # the organiser: their project's enrolments only
    headers = bearer(world.organiser)
    assert client.get(f"/api/v1/enrolments/{world.tudor_in_cluj.pk}", **headers).status_code == 200
    response = client.get(f"/api/v1/enrolments/{world.tudor_in_timis.pk}", **headers)
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/enrolments/{world.tudor_in_timis.pk}/cancel",
        "{}",
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404


# --- enrolling people -------------------------------------------------------------------------


def enrol(client, user, session, person):
    return client.post(
        f"/api/v1/sessions/{session.pk}/enrolments",
        json.dumps({"professional_id": person.pk}),
        content_type="application/json",
        **bearer(user),
    )


def test_a_coordinator_enrols_their_own_people_only(client, world):
    open_session = make_session(code="S-NOU", county=county("TM"), start_in=20)
    assert enrol(client, world.coordinator, open_session, world.vlad).status_code == 403
    assert enrol(client, world.coordinator, open_session, world.ana).status_code == 201
    assert set(open_session.enrolments.values_list("professional__first_name", flat=True)) == {
        "Ana"
    }


def test_the_organiser_fills_their_projects_seats_from_the_whole_registry(client, world):
    ours = make_session(code="S-A2", county=county("TM"), project=world.cluj_session.project)
    theirs = make_session(code="S-B2", county=county("TM"), project=world.timis_session.project)
    response = enrol(client, world.organiser, ours, world.vlad)
    assert response.status_code == 201
    assert response.json()["source"] == "staff"
    assert enrol(client, world.organiser, theirs, world.vlad).status_code == 403


def test_bulk_enrolment_refuses_people_outside_the_scope(client, world):
    session = make_session(code="S-CJ2", county=county("CJ"), start_in=20)
    client.force_login(world.coordinator)
    url = reverse("training_sessions_admin:bulk_enrol", args=[session.pk])
    search = names_on(client.get(url, {"q": "a"}))
    assert "Ardeleanu" in search and "Vântu" not in search
    client.post(url, {"professional": [world.ana.pk, world.vlad.pk]})
    assert set(session.enrolments.values_list("professional__first_name", flat=True)) == {"Ana"}


# --- attendance -------------------------------------------------------------------------------


def test_attendance_is_taken_for_the_sessions_in_scope_only(client, world):
    client.force_login(world.coordinator)
    url = "training_sessions_admin:attendance"
    assert client.get(reverse(url, args=[world.cluj_session.pk])).status_code == 200
    assert client.get(reverse(url, args=[world.timis_session.pk])).status_code == 403
    headers = bearer(world.coordinator)
    response = client.get(f"/api/v1/sessions/{world.timis_session.pk}/attendance", **headers)
    assert response.status_code == 403
    client.force_login(world.trainer)
    assert client.get(reverse(url, args=[world.timis_session.pk])).status_code == 200
    assert client.get(reverse(url, args=[world.cluj_session.pk])).status_code == 403
    index = names_on(client.get(reverse("training_sessions_admin:attendance_index")))
    assert "S-TIMIS" in index and "S-CLUJ" not in index


def test_the_attendance_index_is_refused_to_those_who_take_no_attendance(client, world):
    index = reverse("training_sessions_admin:attendance_index")
    for user in (world.editor, world.focal_point):
        client.force_login(user)
        assert client.get(index).status_code == 403
    client.force_login(world.coordinator)
    page = names_on(client.get(index))
    assert "S-CLUJ" in page and "S-TIMIS" not in page


def test_a_trainer_corrects_the_marks_of_their_sessions_only(client, world):
    from sessions.models import Attendance

    ours = Attendance.objects.create(
        enrolment=world.tudor_in_timis, day=world.timis_session.days.first()
    )
    theirs = Attendance.objects.create(
        enrolment=world.tudor_in_cluj, day=world.cluj_session.days.first()
    )
    client.force_login(world.trainer)
    listing = names_on(client.get(reverse("attendance:index")))
    assert "S-TIMIS" in listing and "S-CLUJ" not in listing
    assert client.get(reverse("attendance:edit", args=[ours.pk])).status_code == 200
    assert client.get(reverse("attendance:inspect", args=[ours.pk])).status_code == 200
    for view in ("edit", "inspect"):
        assert client.get(reverse(f"attendance:{view}", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("attendance:edit", args=[ours.pk]), {"status": "absent"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.status == "absent"
    response = client.post(reverse("attendance:edit", args=[theirs.pk]), {"status": "absent"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status != "absent"


def test_the_attendance_list_holds_only_the_marks_in_scope(client, world):
    from sessions.models import Attendance

    day_cluj = world.cluj_session.days.first()
    day_timis = world.timis_session.days.first()
    in_scope = Attendance.objects.create(enrolment=world.tudor_in_cluj, day=day_cluj)
    out_of_scope = Attendance.objects.create(enrolment=world.tudor_in_timis, day=day_timis)
    client.force_login(world.organiser)
    listing = names_on(client.get(reverse("attendance:index")))
    assert "S-CLUJ" in listing and "S-TIMIS" not in listing
    assert client.get(reverse("attendance:edit", args=[in_scope.pk])).status_code in (200, 403)
    assert client.get(reverse("attendance:edit", args=[out_of_scope.pk])).status_code == 404


# --- certificates -----------------------------------------------------------------------------


def test_certificates_are_reached_through_enrolments_in_scope(client, world):
    ours = stored_certificate(world.tudor_in_cluj)
    theirs = stored_certificate(world.tudor_in_timis)
    client.force_login(world.organiser)
    listing = names_on(client.get(reverse("certificate:index")))
    assert ours.serial in listing and theirs.serial not in listing
    assert client.get(reverse("certificate:inspect", args=[ours.pk])).status_code == 200
    assert client.get(reverse("certificate:inspect", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("certificate:history", args=[theirs.pk])).status_code == 404
    pdf = reverse("certificates_admin:pdf", args=[theirs.pk])
    assert client.get(pdf).status_code == 404
    revoke = reverse("certificates_admin:revoke", args=[theirs.pk])
    assert client.post(revoke, {"reason": "greșit", "confirm": "on"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "valid"
    headers = bearer(world.organiser)
    assert client.get(f"/api/v1/certificates/{ours.serial}", **headers).status_code == 200
    assert client.get(f"/api/v1/certificates/{theirs.serial}", **headers).status_code == 404
    issue = f"/api/v1/sessions/{world.timis_session.pk}/certificates/issue"
    assert client.post(issue, **headers).status_code == 404
    issue_page = reverse("certificates_admin:issue", args=[world.timis_session.pk])
    assert client.get(issue_page).status_code == 404


# --- imports: ANES only -----------------------------------------------------------------------


def test_the_duplicates_queue_and_imports_are_for_anes_only(client, world):
    from django.contrib.auth.models import Permission

    world.coordinator.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_duplicatecandidate", "run_import"])
    )
    client.force_login(world.coordinator)
    assert_refused(client.get(reverse("duplicates:index")))
    assert_refused(client.get(reverse("imports:index")))
    # the roster export: the whole roster, for those who manage the session
    client.force_login(world.organiser)
    export = "imports:roster_export"
    ours = reverse(export, kwargs={"pk": world.cluj_session.pk, "file_format": "csv"})
    assert client.get(ours).status_code == 200
    theirs = reverse(export, kwargs={"pk": world.timis_session.pk, "file_format": "csv"})
    assert_refused(client.get(theirs))
