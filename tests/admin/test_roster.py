"""The organisers' roster of a session: who is registered and in which state, the waiting list in
order, the quotas, and the decisions taken there (each through a service, in the enrolment's
history and the audit log), the session form's registration settings and quotas."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from wagtail.models import ModelLogEntry

from sessions.models import Enrolment, EnrolmentStatusChange, SessionQuota, TrainingSession
from sessions.services import enrolment_create
from tests.admin.test_admin_forms import session_form
from tests.factories.sessions import VenueFactory, add_quota, at, make_session
from tests.factories.training import (
    CourseFactory,
    InstitutionFactory,
    LocalTeamFactory,
    PersonFactory,
    ProfessionalFactory,
    county,
)


def romanian(message: str) -> str:
    """A message as the page shows it (Romanian, HTML-escaped)."""
    with translation.override("ro"):
        return escape(translation.gettext(message))


pytestmark = pytest.mark.django_db


def roster(pk):
    return f"/admin/training-sessions/{pk}/roster/"


def action(enrolment, name):
    return f"/admin/training-sessions/{enrolment.training_session_id}/roster/{enrolment.pk}/{name}/"


def enrol(session, person=None, user=None, **kwargs):
    return enrolment_create(
        training_session=session,
        professional=person or ProfessionalFactory(),
        acting_user=user,
        **kwargs,
    )


def pending_enrolment(session):
    """A self-registration in an approval session: awaiting the organisers' decision."""
    person = PersonFactory()
    return enrolment_create(
        training_session=session, professional=person, acting_user=person.user, source="self"
    )


def rows(page: str) -> list[str]:
    """The roster's rows (enrolment pk, status), top to bottom."""
    return re.findall(r'data-enrolment="(\d+)" data-status="(\w+)"', page)


def messages_of(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


# --- what the roster shows ---------------------------------------------------------------


def test_the_roster_shows_everyone_with_their_place_the_counters_and_the_waiting_list_in_order(
    admin_client,
):
    session = make_session(capacity=2)
    institution = InstitutionFactory(name="DGASPC Cluj")
    seated = [
        enrol(session, ProfessionalFactory(last_name="Ardelean", institution=institution)),
        enrol(session, ProfessionalFactory(last_name="Bălan", county=county("AB"))),
    ]
    first = enrol(session, ProfessionalFactory(last_name="Zamfir"))
    second = enrol(session, ProfessionalFactory(last_name="Anghel"))
    assert {e.status for e in seated} == {"confirmed"}
    assert first.status == second.status == "waitlisted"

    page = admin_client.get(roster(session.pk)).content.decode()

    assert "Ardelean" in page and "DGASPC Cluj" in page and "Alba" in page
    # Zamfir waited first: position 1, although "Anghel" sorts first by name.
    listed = rows(page)
    assert listed[-2:] == [(str(first.pk), "waitlisted"), (str(second.pk), "waitlisted")]
    positions = re.findall(r"<td data-position>(\S+)</td>", page)
    assert positions == ["—", "—", "1", "2"]
    assert re.search(r'data-counter="capacity">2<', page)
    assert re.search(r'data-counter="taken">2<', page)
    assert re.search(r'data-counter="free">0<', page)
    assert re.search(r'data-counter="waiting">2<', page)


def test_the_roster_shows_each_quota_with_what_is_used_and_left(admin_client):
    session = make_session(capacity=10, approval_mode="nomination")
    cluj = add_quota(session, 3, county=county("CJ"))
    add_quota(session, 2, county=county("AB"))
    enrol(session, ProfessionalFactory(county=county("CJ")))
    enrol(session, ProfessionalFactory(county=county("CJ")))

    page = admin_client.get(roster(session.pk)).content.decode()

    quota_row = re.search(rf'data-quota="{cluj.pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", quota_row) == ["3", "2", "1"]


def test_the_session_list_edit_and_inspect_pages_link_to_the_roster(admin_client):
    session = make_session()
    link = roster(session.pk)
    assert link in admin_client.get("/admin/trainingsession/").content.decode()
    assert link in admin_client.get(f"/admin/trainingsession/edit/{session.pk}/").content.decode()
    assert (
        link in admin_client.get(f"/admin/trainingsession/inspect/{session.pk}/").content.decode()
    )


def test_the_roster_query_count_does_not_grow_with_its_rows(admin_client):
    session = make_session(capacity=20, approval_mode="nomination")
    add_quota(session, 10, county=county("CJ"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(roster(session.pk))
        assert response.status_code == 200
        return len(queries)

    for _ in range(3):
        enrol(session, ProfessionalFactory(institution=InstitutionFactory()))
    count()  # warm per-process caches
    few = count()
    for _ in range(27):  # 30 in all: 20 seated, 10 waiting
        enrol(session, ProfessionalFactory(institution=InstitutionFactory()))
    assert session.enrolments.filter(status="waitlisted").count() == 10
    many = count()
    assert many <= few, f"{few} queries with 3 rows, {many} with 30"


# --- decisions --------------------------------------------------------------------------


def test_approving_a_pending_request_confirms_it_with_history_and_audit(admin_client, staff_user):
    session = make_session(capacity=5, approval_mode="manual")
    enrolment = pending_enrolment(session)
    assert enrolment.status == "pending"

    response = admin_client.post(action(enrolment, "approve"), follow=True)

    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"
    assert any(str(enrolment.professional) in m for m in messages_of(response))
    change = enrolment.history.last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "pending",
        "confirmed",
        staff_user,
    )
    assert ModelLogEntry.objects.filter(
        object_id=str(enrolment.pk), action="formativ.enrolment.status", user=staff_user
    ).exists()


def test_rejecting_needs_a_reason_which_the_person_then_sees(admin_client):
    session = make_session(capacity=5, approval_mode="manual")
    enrolment = pending_enrolment(session)

    response = admin_client.post(action(enrolment, "reject"), {"reason": "  "})
    assert response.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == "pending"

    response = admin_client.post(
        action(enrolment, "reject"), {"reason": "Sesiunea este pentru DGASPC."}, follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "rejected"
    assert enrolment.status_reason == "Sesiunea este pentru DGASPC."
    assert "Sesiunea este pentru DGASPC." in response.content.decode()  # on the roster
    assert enrolment.history.last().reason == "Sesiunea este pentru DGASPC."


def test_cancelling_a_seat_gives_it_to_the_first_person_waiting(admin_client, staff_user):
    session = make_session(capacity=1)
    seated = enrol(session)
    first, second = enrol(session), enrol(session)

    response = admin_client.post(
        action(seated, "cancel"), {"reason": "Nu mai lucrează în domeniu."}, follow=True
    )

    assert response.status_code == 200
    statuses = dict(session.enrolments.values_list("pk", "status"))
    assert statuses == {seated.pk: "cancelled", first.pk: "confirmed", second.pk: "waitlisted"}
    seated.refresh_from_db()
    assert seated.status_reason == "Nu mai lucrează în domeniu."
    assert seated.history.last().changed_by == staff_user
    assert first.history.last().reason  # "A seat became free."


def test_a_refused_decision_shows_the_services_message_and_changes_nothing(admin_client):
    session = make_session(capacity=5)
    enrolment = enrol(session)
    enrolment_cancel_url = action(enrolment, "cancel")
    admin_client.post(enrolment_cancel_url, {"reason": ""})
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"

    response = admin_client.post(enrolment_cancel_url, {"reason": ""})
    assert response.status_code == 200
    assert "nu mai este activă" in response.content.decode() or "no longer active" in (
        response.content.decode()
    )
    assert enrolment.history.count() == 2


def test_moving_someone_cancels_the_place_here_and_makes_one_in_the_other_session(
    admin_client,
):
    session = make_session(capacity=5)
    other = make_session(start_in=20, capacity=5)
    enrolment = enrol(session)

    page = admin_client.get(action(enrolment, "move")).content.decode()
    assert other.code in page and f'value="{session.pk}"' not in page

    response = admin_client.post(
        action(enrolment, "move"), {"to_session": other.pk, "reason": ""}, follow=True
    )

    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"
    assert enrolment.status_reason  # why, for the person and the history
    moved = Enrolment.objects.get(training_session=other, professional=enrolment.professional)
    assert moved.status == "confirmed"
    assert any(other.code in m for m in messages_of(response))


def test_promote_now_gives_free_seats_to_those_waiting(admin_client):
    session = make_session(capacity=1)
    enrol(session)
    waiting = enrol(session)
    TrainingSession.objects.filter(pk=session.pk).update(capacity=2)  # e.g. a bigger room

    response = admin_client.post(f"/admin/training-sessions/{session.pk}/roster/promote/")

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert waiting.history.last().from_status == "waitlisted"


def test_promote_now_does_not_accept_get(admin_client):
    session = make_session(capacity=1)
    enrol(session)
    waiting = enrol(session)
    TrainingSession.objects.filter(pk=session.pk).update(capacity=2)
    response = admin_client.get(f"/admin/training-sessions/{session.pk}/roster/promote/")
    assert response.status_code == 405
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_an_enrolment_of_another_session_is_not_reachable_through_this_roster(admin_client):
    session, other = make_session(), make_session()
    enrolment = enrol(other)
    response = admin_client.post(
        f"/admin/training-sessions/{session.pk}/roster/{enrolment.pk}/cancel/", {"reason": "x"}
    )
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"


# --- enrolling from the registry -------------------------------------------------------


def test_bulk_enrolment_finds_people_and_enrols_the_ones_ticked(admin_client):
    session = make_session(capacity=1)
    already = enrol(session, ProfessionalFactory(first_name="Ioana", last_name="Mureșan"))
    ioana = ProfessionalFactory(first_name="Ioana", last_name="Mureșanu")
    maria = ProfessionalFactory(first_name="Maria", last_name="Muresan")
    ProfessionalFactory(first_name="Elena", last_name="Vlad")
    url = f"/admin/training-sessions/{session.pk}/roster/add/"

    page = admin_client.get(url, {"q": "muresan"}).content.decode()
    assert re.search(rf'value="{ioana.pk}" id="person-{ioana.pk}">', page)
    assert re.search(rf'value="{maria.pk}" id="person-{maria.pk}">', page)
    assert re.search(rf'value="{already.professional.pk}" id="person-\d+" disabled>', page)
    assert "Vlad" not in page

    response = admin_client.post(
        url, {"professional": [ioana.pk, maria.pk, already.professional.pk]}
    )

    assert response.status_code == 200
    statuses = dict(session.enrolments.values_list("professional_id", "status"))
    assert statuses[ioana.pk] == statuses[maria.pk] == "waitlisted"  # the only seat is taken
    page = response.content.decode()
    created = re.search(r'data-result="created">(.*?)</ul>', page, re.S).group(1)
    refused = re.search(r'data-result="refused">(.*?)</ul>', page, re.S).group(1)
    assert "Mureșanu" in created and "Muresan" in created
    assert "Mureșan" in refused and ("deja" in refused or "already" in refused)


def test_bulk_enrolment_with_nobody_ticked_says_so(admin_client):
    session = make_session()
    response = admin_client.post(f"/admin/training-sessions/{session.pk}/roster/add/", {})
    assert response.status_code == 200
    assert messages_of(response)
    assert not session.enrolments.exists()


# --- permissions ------------------------------------------------------------------------


def _user(client, *codenames):
    """ANES staff (every session in their scope) holding `codenames`."""
    user = get_user_model().objects.create_user("coleg", "coleg@example.org", "x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="see_all_records"),
        *(Permission.objects.get(codename=c) for c in codenames),
    )
    client.force_login(user)
    return user


def test_without_view_rights_the_roster_is_closed(client):
    session = make_session()
    person = ProfessionalFactory(last_name="Ascunsă")
    enrol(session, person)
    _user(client)
    response = client.get(roster(session.pk))
    assert response.status_code in (302, 403)
    assert "Ascunsă" not in response.content.decode()


def test_seeing_the_roster_is_not_deciding_on_it(client):
    session = make_session(capacity=1, approval_mode="manual")
    pending = pending_enrolment(session)
    waiting = enrol(session)
    TrainingSession.objects.filter(pk=session.pk).update(capacity=2)
    _user(client, "view_enrolment")

    page = client.get(roster(session.pk))
    assert page.status_code == 200
    assert action(pending, "approve") not in page.content.decode()

    attempts = [
        (action(pending, "approve"), {}),
        (action(pending, "reject"), {"reason": "nu"}),
        (action(pending, "cancel"), {"reason": "nu"}),
        (action(pending, "move"), {"to_session": make_session(start_in=30).pk}),
        (f"/admin/training-sessions/{session.pk}/roster/promote/", {}),
        (
            f"/admin/training-sessions/{session.pk}/roster/add/",
            {"professional": [ProfessionalFactory().pk]},
        ),
    ]
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/roster/" not in response["Location"], url
    pending.refresh_from_db()
    waiting.refresh_from_db()
    assert (pending.status, waiting.status) == ("pending", "waitlisted")
    assert session.enrolments.count() == 2
    assert EnrolmentStatusChange.objects.filter(changed_by__username="coleg").count() == 0


def test_changing_without_adding_rights_cannot_bulk_enrol(client):
    session = make_session()
    _user(client, "view_enrolment", "change_enrolment")
    person = ProfessionalFactory()
    url = f"/admin/training-sessions/{session.pk}/roster/add/"
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"professional": [person.pk]}).status_code in (302, 403)
    assert not session.enrolments.exists()


# --- the session form ---------------------------------------------------------------------


def _new_session(code, **extra):
    data = session_form(
        code=code, course=CourseFactory(), venue=VenueFactory(), days=[(at(30, 9), at(30, 17))]
    )
    data.update(extra)
    return data


def _quotas(*quotas):
    data = {"quotas-TOTAL_FORMS": len(quotas)}
    for i, quota in enumerate(quotas):
        row = {"county": "", "local_team": "", "institution": "", "seats": "", "id": ""}
        row.update(quota)
        data.update({f"quotas-{i}-{k}": v for k, v in row.items()})
        data[f"quotas-{i}-DELETE"] = ""
    return data


def test_the_session_form_saves_the_registration_settings_and_quotas(admin_client):
    team = LocalTeamFactory()
    data = _new_session(
        "CJ-NOM-1",
        approval_mode="nomination",
        eligible_counties=[county("CJ").pk, county("AB").pk],
        cancellation_cutoff_hours=48,
        offer_hours=24,
        reminder_days=3,
        **_quotas({"county": county("CJ").pk, "seats": 5}, {"local_team": team.pk, "seats": 2}),
    )
    response = admin_client.post("/admin/trainingsession/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = TrainingSession.objects.get(code="CJ-NOM-1")
    assert set(session.eligible_counties.values_list("code", flat=True)) == {"CJ", "AB"}
    assert (session.cancellation_cutoff_hours, session.offer_hours, session.reminder_days) == (
        48,
        24,
        3,
    )
    assert sorted((q.seats, q.scope.pk) for q in session.quotas.all()) == [
        (2, team.pk),
        (5, county("CJ").pk),
    ]


@pytest.mark.parametrize(
    "quota",
    [
        pytest.param({"seats": 3}, id="no scope"),
        pytest.param({"county": "CJ", "institution": True, "seats": 3}, id="two scopes"),
    ],
)
def test_a_quota_needs_exactly_one_scope(admin_client, quota):
    quota = dict(quota)
    if quota.get("county"):
        quota["county"] = county(quota["county"]).pk
    if quota.get("institution"):
        quota["institution"] = InstitutionFactory().pk
    data = _new_session("CJ-NOM-BAD", approval_mode="nomination", **_quotas(quota))
    response = admin_client.post("/admin/trainingsession/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert (
        romanian("A quota is for exactly one of: a county, a local team or an institution.")
        in response.content.decode()
    )
    assert not TrainingSession.objects.filter(code="CJ-NOM-BAD").exists()
    assert not SessionQuota.objects.exists()


def test_two_quotas_for_the_same_county_are_refused_on_the_form(admin_client):
    data = _new_session(
        "CJ-NOM-DUP",
        approval_mode="nomination",
        **_quotas({"county": county("CJ").pk, "seats": 3}, {"county": county("CJ").pk, "seats": 2}),
    )
    response = admin_client.post("/admin/trainingsession/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert romanian("This session already has a quota for it.") in response.content.decode()
    assert not TrainingSession.objects.filter(code="CJ-NOM-DUP").exists()


def test_editing_a_session_keeps_and_changes_its_quotas(admin_client):
    session = make_session(approval_mode="nomination")
    quota = add_quota(session, 3, county=county("CJ"))
    days = list(session.days.all())
    data = session_form(
        code=session.code,
        course=session.course,
        venue=session.venue,
        days=[(d.starts_at, d.ends_at) for d in days],
    )
    data.update({"days-INITIAL_FORMS": len(days), "approval_mode": "nomination"})
    for i, day in enumerate(days):
        data[f"days-{i}-id"] = day.pk
    data.update(_quotas({"county": county("CJ").pk, "seats": 7, "id": quota.pk}))
    data["quotas-INITIAL_FORMS"] = 1
    response = admin_client.post(f"/admin/trainingsession/edit/{session.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    quota.refresh_from_db()
    assert quota.seats == 7
