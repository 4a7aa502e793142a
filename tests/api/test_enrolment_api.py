"""Registering through the API: yourself, a nominee or anyone (organisers); reading and
cancelling a registration; your own list. Errors are JSON, never a 500, and change nothing."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone, translation
from wagtail.models import APIToken

from sessions.models import Enrolment, EnrolmentStatusChange, SessionQuota, TrainingSession
from sessions.services import enrolment_create
from tests.factories.sessions import make_session
from tests.factories.training import InstitutionFactory, ProfessionalFactory, county
from training.models import FocalPoint

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Approval = TrainingSession.ApprovalMode


def ro(message: str) -> str:
    """A message as the API says it: /api/v1/ is outside the language prefixes, so always in
    the site's default language, Romanian (English while a message awaits its translation)."""
    with translation.override("ro"):
        return translation.gettext(message)


def ro_start(message: str) -> str:
    """The part of a message before its first placeholder."""
    return ro(message).split("%(")[0]


DUPLICATE = "This person is already registered for this session."
QUOTA_USED_UP = "The quota for %(scope)s is used up (%(used)d of %(seats)d)."
CUT_OFF_PASSED = (
    "Registrations can be cancelled online until %(date)s. Please write to the organisers."
)


def bearer(user) -> dict:
    _, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def make_user(username: str, *perms: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def person_with_account(username: str, **kwargs):
    """A professional who signs in: (user, professional)."""
    user = make_user(username)
    return user, ProfessionalFactory(user=user, **kwargs)


def post(client, url, payload, headers):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json", **headers)


def enrol_url(session_or_id) -> str:
    pk = getattr(session_or_id, "pk", session_or_id)
    return f"/api/v1/sessions/{pk}/enrolments"


def cancel_url(enrolment_or_id) -> str:
    pk = getattr(enrolment_or_id, "pk", enrolment_or_id)
    return f"/api/v1/enrolments/{pk}/cancel"


def staff_enrol(session, staff_user, person=None) -> Enrolment:
    return enrolment_create(
        training_session=session,
        professional=person or ProfessionalFactory(),
        acting_user=staff_user,
        source=Enrolment.Source.STAFF,
    )


def snapshot() -> list[tuple]:
    """Everything a registration request could change."""
    return [
        *Enrolment.objects.order_by("pk").values_list(
            "pk", "status", "status_reason", "waitlisted_at", "offer_expires_at"
        ),
        ("history", EnrolmentStatusChange.objects.count()),
    ]


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    return body


@pytest.fixture
def me():
    return person_with_account("ana")


@pytest.fixture
def my_auth(me) -> dict:
    return bearer(me[0])


class TestSelfRegistration:
    def test_an_open_session_confirms_at_once(self, client, me, my_auth):
        session = make_session(approval_mode=Approval.AUTOMATIC)
        response = post(client, enrol_url(session), {}, my_auth)
        assert response.status_code == 201
        body = response.json()
        enrolment = Enrolment.objects.get()
        assert body == {
            "id": enrolment.pk,
            "session_id": session.pk,
            "session_code": session.code,
            "professional_id": me[1].pk,
            "status": "confirmed",
            "source": "self",
            "waitlist_position": None,
            "offer_expires_at": None,
            "status_reason": "",
            "created_at": body["created_at"],
        }
        assert enrolment.professional == me[1]
        assert (enrolment.status, enrolment.source) == (E.CONFIRMED, "self")

    def test_no_body_at_all_also_registers_yourself(self, client, me, my_auth):
        session = make_session()
        response = client.generic("POST", enrol_url(session), b"", **my_auth)
        assert response.status_code == 201
        assert Enrolment.objects.get().professional == me[1]

    def test_an_approval_session_keeps_you_pending(self, client, my_auth):
        session = make_session(approval_mode=Approval.MANUAL)
        response = post(client, enrol_url(session), {}, my_auth)
        assert response.status_code == 201
        assert response.json()["status"] == "pending"
        assert Enrolment.objects.get().status == E.PENDING

    def test_a_full_session_puts_you_on_the_waiting_list(self, client, staff_user, my_auth):
        session = make_session(capacity=1)
        staff_enrol(session, staff_user)
        response = post(client, enrol_url(session), {}, my_auth)
        assert response.status_code == 201
        assert response.json()["status"] == "waitlisted"
        assert response.json()["waitlist_position"] == 1
        seen = client.get(f"/api/v1/sessions/{session.pk}", **my_auth).json()
        assert (seen["seats_total"], seen["seats_taken"], seen["waitlist_length"]) == (1, 1, 1)

    def test_an_account_without_a_registry_entry_is_400(self, client):
        user = make_user("fara-profil")
        session = make_session()
        body = assert_json_error(post(client, enrol_url(session), {}, bearer(user)), 400)
        assert body["detail"] == ro(
            "Your account is not linked to a person in the registry, so you cannot "
            "register yourself. Complete your profile first."
        )
        assert body["errors"]["non_field_errors"]
        assert not Enrolment.objects.exists()

    def test_registering_twice_is_409_and_leaves_one_row(self, client, me, my_auth):
        session = make_session()
        assert post(client, enrol_url(session), {}, my_auth).status_code == 201
        before = snapshot()
        body = assert_json_error(post(client, enrol_url(session), {}, my_auth), 409)
        assert body["detail"] == ro(DUPLICATE)
        assert body["errors"] == {"non_field_errors": [ro(DUPLICATE)]}
        assert Enrolment.objects.filter(professional=me[1]).count() == 1
        assert snapshot() == before

    def test_registering_again_after_cancelling_is_409(self, client, me, my_auth):
        session = make_session()
        enrolment_id = post(client, enrol_url(session), {}, my_auth).json()["id"]
        assert post(client, cancel_url(enrolment_id), {}, my_auth).status_code == 200
        assert_json_error(post(client, enrol_url(session), {}, my_auth), 409)
        assert Enrolment.objects.get().status == E.CANCELLED

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            (
                {"registration_closes_at": timezone.now() - datetime.timedelta(hours=1)},
                ro("Registration for this session has closed."),
            ),
            (
                {"registration_opens_at": timezone.now() + datetime.timedelta(days=2)},
                ro_start("Registration opens on %(date)s."),
            ),
            ({"status": TrainingSession.Status.CANCELLED}, ro("This session has been cancelled.")),
            (
                {"status": TrainingSession.Status.COMPLETED, "start_in": -5},
                ro("This session has already taken place."),
            ),
            ({"start_in": -1}, ro("This session has already started.")),
            (
                {"approval_mode": Approval.NOMINATION},
                ro(
                    "Places in this session are given by nomination: "
                    "ask your institution's focal point."
                ),
            ),
        ],
        ids=["window-closed", "window-not-open", "cancelled", "completed", "started", "nomination"],
    )
    def test_a_session_not_open_to_you_is_400_and_nothing_saved(
        self, client, my_auth, setup, message
    ):
        session = make_session(**setup)
        body = assert_json_error(post(client, enrol_url(session), {}, my_auth), 400)
        assert message in body["detail"]
        assert not Enrolment.objects.exists()

    def test_a_session_for_another_county_is_400(self, client, my_auth):
        session = make_session()
        session.eligible_counties.set([county("B")])
        session.save()
        body = assert_json_error(post(client, enrol_url(session), {}, my_auth), 400)
        assert body["detail"] == ro("This session is meant for people from other counties.")
        assert not Enrolment.objects.exists()

    def test_a_draft_is_404_as_if_it_did_not_exist(self, client, my_auth):
        session = make_session(status=TrainingSession.Status.DRAFT)
        assert_json_error(post(client, enrol_url(session), {}, my_auth), 404)
        assert not Enrolment.objects.exists()

    def test_an_unknown_session_is_404(self, client, my_auth):
        assert_json_error(post(client, enrol_url(999_999), {}, my_auth), 404)

    def test_anonymous_callers_get_401(self, client):
        session = make_session()
        assert_json_error(post(client, enrol_url(session), {}, {}), 401)
        assert not Enrolment.objects.exists()

    def test_naming_yourself_is_self_registration(self, client, me, my_auth):
        session = make_session(approval_mode=Approval.MANUAL)
        response = post(client, enrol_url(session), {"professional_id": me[1].pk}, my_auth)
        assert response.status_code == 201
        assert (response.json()["source"], response.json()["status"]) == ("self", "pending")


class TestNomination:
    @pytest.fixture
    def institution(self):
        return InstitutionFactory()

    @pytest.fixture
    def focal_point(self, institution):
        user = make_user("punct-focal")
        FocalPoint.objects.create(user=user, institution=institution)
        return user

    def test_a_focal_point_nominates_a_person_of_their_institution(
        self, client, institution, focal_point
    ):
        person = ProfessionalFactory(institution=institution)
        session = make_session(approval_mode=Approval.NOMINATION)
        response = post(
            client, enrol_url(session), {"professional_id": person.pk}, bearer(focal_point)
        )
        assert response.status_code == 201
        assert (response.json()["source"], response.json()["status"]) == ("nomination", "offered")
        enrolment = Enrolment.objects.get()
        assert enrolment.professional == person
        assert enrolment.nominated_by == institution

    def test_a_person_outside_the_scope_is_403_and_nothing_saved(self, client, focal_point):
        outsider = ProfessionalFactory(institution=InstitutionFactory())
        session = make_session(approval_mode=Approval.NOMINATION)
        response = post(
            client, enrol_url(session), {"professional_id": outsider.pk}, bearer(focal_point)
        )
        assert_json_error(response, 403)
        assert not Enrolment.objects.exists()

    def test_a_user_without_rights_cannot_name_anyone(self, client, my_auth):
        person = ProfessionalFactory()
        response = post(client, enrol_url(make_session()), {"professional_id": person.pk}, my_auth)
        assert_json_error(response, 403)
        assert not Enrolment.objects.exists()

    def test_an_unknown_person_is_403_to_a_focal_point(self, client, focal_point):
        response = post(
            client, enrol_url(make_session()), {"professional_id": 999_999}, bearer(focal_point)
        )
        assert_json_error(response, 403)

    def test_an_unknown_person_is_400_on_professional_id_to_an_organiser(self, client, staff_user):
        response = post(
            client, enrol_url(make_session()), {"professional_id": 999_999}, bearer(staff_user)
        )
        body = assert_json_error(response, 400)
        assert list(body["errors"]) == ["professional_id"]

    def test_a_used_up_quota_is_400_with_the_reason(self, client, institution, focal_point):
        session = make_session(approval_mode=Approval.NOMINATION)
        SessionQuota.objects.create(training_session=session, county=county("CJ"), seats=1)
        first, second = ProfessionalFactory.create_batch(2, institution=institution)
        headers = bearer(focal_point)
        assert post(client, enrol_url(session), {"professional_id": first.pk}, headers).status_code
        before = snapshot()
        response = post(client, enrol_url(session), {"professional_id": second.pk}, headers)
        body = assert_json_error(response, 400)
        assert body["detail"].startswith(ro_start(QUOTA_USED_UP))
        assert snapshot() == before
        assert list(Enrolment.objects.values_list("professional", flat=True)) == [first.pk]

    def test_an_organiser_enrols_anyone_directly(self, client, staff_user):
        person = ProfessionalFactory()
        session = make_session(approval_mode=Approval.MANUAL)
        response = post(
            client, enrol_url(session), {"professional_id": person.pk}, bearer(staff_user)
        )
        assert response.status_code == 201
        assert (response.json()["source"], response.json()["status"]) == ("staff", "confirmed")

    def test_an_organiser_sees_and_enrols_into_drafts(self, client, staff_user):
        session = make_session(status=TrainingSession.Status.DRAFT)
        person = ProfessionalFactory()
        response = post(
            client, enrol_url(session), {"professional_id": person.pk}, bearer(staff_user)
        )
        assert response.status_code == 201


class TestReadingAnEnrolment:
    def test_its_person_reads_it(self, client, staff_user, me, my_auth):
        enrolment = staff_enrol(make_session(), staff_user, me[1])
        response = client.get(f"/api/v1/enrolments/{enrolment.pk}", **my_auth)
        assert response.status_code == 200
        assert response.json()["id"] == enrolment.pk
        assert response.json()["source"] == "staff"

    def test_someone_elses_is_404(self, client, staff_user, my_auth):
        enrolment = staff_enrol(make_session(), staff_user)
        assert_json_error(client.get(f"/api/v1/enrolments/{enrolment.pk}", **my_auth), 404)

    def test_an_organiser_with_view_permission_reads_any(self, client, staff_user):
        viewer = make_user(
            "observator", "training_sessions.view_enrolment", "training.see_all_records"
        )
        enrolment = staff_enrol(make_session(), staff_user)
        response = client.get(f"/api/v1/enrolments/{enrolment.pk}", **bearer(viewer))
        assert response.status_code == 200

    def test_the_view_permission_alone_reads_only_the_enrolments_in_scope(self, client, staff_user):
        viewer = make_user("observator", "training_sessions.view_enrolment")
        enrolment = staff_enrol(make_session(), staff_user)
        response = client.get(f"/api/v1/enrolments/{enrolment.pk}", **bearer(viewer))
        assert response.status_code == 404

    def test_a_focal_point_reads_those_of_their_scope_only(self, client, staff_user):
        institution = InstitutionFactory()
        user = make_user("punct-focal")
        FocalPoint.objects.create(user=user, institution=institution)
        session = make_session()
        mine = staff_enrol(session, staff_user, ProfessionalFactory(institution=institution))
        other = staff_enrol(session, staff_user, ProfessionalFactory())
        headers = bearer(user)
        assert client.get(f"/api/v1/enrolments/{mine.pk}", **headers).status_code == 200
        assert_json_error(client.get(f"/api/v1/enrolments/{other.pk}", **headers), 404)

    @pytest.mark.parametrize("enrolment_id", ["999999", "0", "-1", str(10**30), "abc"])
    def test_unknown_or_malformed_ids_are_a_4xx(self, client, my_auth, enrolment_id):
        response = client.get(f"/api/v1/enrolments/{enrolment_id}", **my_auth)
        assert 400 <= response.status_code < 500
        assert response["Content-Type"].startswith("application/json")


class TestCancelling:
    def test_cancelling_frees_the_seat_for_the_first_waiting(self, client, staff_user, me, my_auth):
        session = make_session(capacity=1)
        mine = post(client, enrol_url(session), {}, my_auth).json()
        first = staff_enrol(session, staff_user)
        second = staff_enrol(session, staff_user)
        assert (first.status, second.status) == (E.WAITLISTED, E.WAITLISTED)
        response = post(client, cancel_url(mine["id"]), {"reason": "Sunt bolnavă."}, my_auth)
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert response.json()["status_reason"] == "Sunt bolnavă."
        organiser = bearer(staff_user)
        promoted = client.get(f"/api/v1/enrolments/{first.pk}", **organiser).json()
        assert (promoted["status"], promoted["waitlist_position"]) == ("confirmed", None)
        waiting = client.get(f"/api/v1/enrolments/{second.pk}", **organiser).json()
        assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
        seen = client.get(f"/api/v1/sessions/{session.pk}", **organiser).json()
        assert (seen["seats_taken"], seen["waitlist_length"]) == (1, 1)

    def test_cancelling_without_a_body_gives_the_default_reason(self, client, me, my_auth):
        enrolment_id = post(client, enrol_url(make_session()), {}, my_auth).json()["id"]
        response = client.generic("POST", cancel_url(enrolment_id), b"", **my_auth)
        assert response.status_code == 200
        assert response.json()["status_reason"] == ro("Cancelled by the participant.")

    def test_someone_elses_is_404_and_unchanged(self, client, staff_user, my_auth):
        enrolment = staff_enrol(make_session(), staff_user)
        before = snapshot()
        assert_json_error(post(client, cancel_url(enrolment), {}, my_auth), 404)
        assert snapshot() == before

    def test_a_focal_point_may_see_but_not_cancel(self, client, staff_user):
        institution = InstitutionFactory()
        user = make_user("punct-focal")
        FocalPoint.objects.create(user=user, institution=institution)
        enrolment = staff_enrol(
            make_session(), staff_user, ProfessionalFactory(institution=institution)
        )
        before = snapshot()
        assert_json_error(post(client, cancel_url(enrolment), {}, bearer(user)), 403)
        assert snapshot() == before

    def test_an_organiser_cancels_anyones(self, client, staff_user):
        enrolment = staff_enrol(make_session(), staff_user)
        response = post(client, cancel_url(enrolment), {}, bearer(staff_user))
        assert response.status_code == 200
        assert response.json()["status_reason"] == ro("Cancelled by the organisers.")

    def test_cancelling_twice_is_400(self, client, my_auth):
        enrolment_id = post(client, enrol_url(make_session()), {}, my_auth).json()["id"]
        assert post(client, cancel_url(enrolment_id), {}, my_auth).status_code == 200
        before = snapshot()
        body = assert_json_error(post(client, cancel_url(enrolment_id), {}, my_auth), 400)
        assert body["detail"] == ro("This registration is no longer active.")
        assert snapshot() == before

    def test_after_the_cut_off_the_person_is_told_to_write(self, client, staff_user, me, my_auth):
        session = make_session(start_in=1, cancellation_cutoff_hours=72)
        enrolment = staff_enrol(session, staff_user, me[1])
        before = snapshot()
        body = assert_json_error(post(client, cancel_url(enrolment), {}, my_auth), 400)
        assert body["detail"].startswith(ro_start(CUT_OFF_PASSED))
        assert snapshot() == before

    @pytest.mark.parametrize(
        "payload",
        [
            "{",
            "not json",
            b"\xff\xfe",
            "[]",
            '"text"',
            {"reason": "x" * 256},
            {"reason": "a\x00b"},
            {"reason": 5},
        ],
    )
    def test_bad_bodies_are_a_4xx_and_change_nothing(self, client, my_auth, payload):
        enrolment_id = post(client, enrol_url(make_session()), {}, my_auth).json()["id"]
        before = snapshot()
        response = post(client, cancel_url(enrolment_id), payload, my_auth)
        assert_json_error(response, response.status_code)
        assert 400 <= response.status_code < 500
        assert snapshot() == before
        assert Enrolment.objects.get().status == E.CONFIRMED


class TestBadInput:
    @pytest.mark.parametrize(
        "payload",
        [
            "{",
            "null x",
            b"\x00\x01",
            "[]",
            '"me"',
            {"professional_id": "5"},
            {"professional_id": "\x00"},
            {"professional_id": True},
            {"professional_id": 1.5},
            {"professional_id": -1},
            {"professional_id": 0},
            {"professional_id": 10**30},
            {"professional_id": [1]},
        ],
    )
    def test_malformed_bodies_are_a_4xx_and_save_nothing(self, client, staff_user, payload):
        ProfessionalFactory()  # someone the id 1 could name
        response = post(client, enrol_url(make_session()), payload, bearer(staff_user))
        assert 400 <= response.status_code < 500, response.content
        assert_json_error(response, response.status_code)
        assert not Enrolment.objects.exists()

    @pytest.mark.parametrize("session_id", ["-1", "0", str(10**30), str(2**63), "1e3", "%00"])
    def test_odd_session_ids_are_a_4xx(self, client, my_auth, session_id):
        response = post(client, f"/api/v1/sessions/{session_id}/enrolments", {}, my_auth)
        assert 400 <= response.status_code < 500
        assert response["Content-Type"].startswith("application/json")
        assert not Enrolment.objects.exists()


class TestMyEnrolments:
    def test_only_mine_latest_session_first(self, client, staff_user, me, my_auth):
        soon = make_session(start_in=5)
        later = make_session(start_in=40)
        past = make_session(start_in=-30, status=TrainingSession.Status.COMPLETED)
        for session in (soon, later):
            staff_enrol(session, staff_user, me[1])
        Enrolment.objects.create(
            training_session=past, professional=me[1], status=E.CONFIRMED, source="import"
        )
        staff_enrol(soon, staff_user)  # someone else's
        response = client.get("/api/v1/me/enrolments", **my_auth)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert [item["session_id"] for item in body["items"]] == [later.pk, soon.pk, past.pk]

    def test_is_paginated(self, client, staff_user, me, my_auth):
        for start in (5, 10, 15):
            staff_enrol(make_session(start_in=start), staff_user, me[1])
        body = client.get("/api/v1/me/enrolments?limit=2&offset=2", **my_auth).json()
        assert body["count"] == 3
        assert len(body["items"]) == 1

    def test_an_account_without_a_registry_entry_has_none(self, client):
        response = client.get("/api/v1/me/enrolments", **bearer(make_user("fara-profil")))
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}

    def test_waitlist_positions_are_listed(self, client, staff_user, me, my_auth):
        session = make_session(capacity=1)
        staff_enrol(session, staff_user)
        staff_enrol(session, staff_user)
        staff_enrol(session, staff_user, me[1])
        item = client.get("/api/v1/me/enrolments", **my_auth).json()["items"][0]
        assert (item["status"], item["waitlist_position"]) == ("waitlisted", 2)

    def test_queries_do_not_grow_with_the_rows(
        self, client, staff_user, me, my_auth, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/api/v1/me/enrolments?limit=200", **my_auth).status_code == 200
            return len(ctx)

        for _ in range(3):
            staff_enrol(make_session(capacity=1), staff_user, me[1])
        count_queries()  # the token's first use is recorded once
        few = count_queries()
        for _ in range(27):
            session = make_session(capacity=1)
            staff_enrol(session, staff_user)
            staff_enrol(session, staff_user, me[1])  # waiting: its position is computed
        assert count_queries() == few
        with django_assert_max_num_queries(8):
            client.get("/api/v1/me/enrolments?limit=200", **my_auth)


class TestBrowserSession:
    """The site's own pages call the API with the signed-in user's session cookie."""

    @pytest.fixture
    def browser(self, me):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(me[0])
        return browser

    def test_reading_needs_no_token(self, browser, staff_user, me):
        staff_enrol(make_session(), staff_user, me[1])
        response = browser.get("/api/v1/me/enrolments")
        assert response.status_code == 200
        assert response.json()["count"] == 1

    def test_registering_without_the_csrf_token_is_403(self, browser):
        session = make_session()
        response = browser.post(enrol_url(session), data="{}", content_type="application/json")
        body = assert_json_error(response, 403)
        assert "CSRF" in body["detail"]
        assert not Enrolment.objects.exists()

    def test_registering_with_the_csrf_token_works(self, browser, me):
        session = make_session()
        browser.cookies["csrftoken"] = "b" * 32
        response = browser.post(
            enrol_url(session),
            data="{}",
            content_type="application/json",
            HTTP_X_CSRFTOKEN="b" * 32,
        )
        assert response.status_code == 201
        assert Enrolment.objects.get().professional == me[1]

    def test_a_wrong_bearer_token_is_not_rescued_by_the_session(self, browser):
        response = browser.get(
            "/api/v1/me/enrolments", HTTP_AUTHORIZATION="Bearer wagtail_nu-exista"
        )
        assert_json_error(response, 401)
