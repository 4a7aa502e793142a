"""The public registration pages, through the views: a session's page and the visitor's state,
registering, cancelling, answering an offer, and nominating. Pages are requested in English
(/en/) so that the assertions read the English texts."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from sessions.models import Enrolment, TrainingSession
from sessions.services import enrolment_create, enrolment_set_status
from tests.factories.sessions import add_quota, make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    LocalTeamFactory,
    PersonFactory,
    ProfessionalFactory,
    TrainerFactory,
    UserFactory,
    county,
    team_member,
)
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Source = Enrolment.Source
Approval = TrainingSession.ApprovalMode


def url(name, *args, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"training_sessions:{name}", args=args, kwargs=kwargs)


def en(name, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def page(client, session) -> str:
    response = client.get(url("detail", session.code))
    assert response.status_code == 200
    return response.content.decode()


def register(client, session):
    # Ticks "I have read the privacy notice" (asked until the person has accepted it).
    return client.post(url("register", session.code), {"privacy_notice": "on"}, follow=True)


def text(response) -> str:
    return response.content.decode()


def enrol(session, person, status=None, staff=None):
    """`person` registers themselves; `status` then set by an organiser if given."""
    enrolment = enrolment_create(
        training_session=session, professional=person, acting_user=person.user, source=Source.SELF
    )
    if status and status != enrolment.status:
        enrolment_set_status(
            enrolment=enrolment, status=status, acting_user=staff, reason="Lipsește avizul."
        )
    return enrolment


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture
def person_client(client, person):
    client.force_login(person.user)
    return client


# --- the session's page ---------------------------------------------------------------------


class TestSessionPage:
    def test_drafts_have_no_page(self, client):
        session = make_session(status=TrainingSession.Status.DRAFT)
        assert client.get(url("detail", session.code)).status_code == 404
        assert client.get(url("detail", "NU-EXISTA")).status_code == 404

    def test_shows_what_when_where_and_for_whom(self, client):
        trainer = TrainerFactory(full_name="Maria Ionescu")
        session = make_session(approval_mode=Approval.MANUAL, capacity=12, day_count=2)
        session.trainers.add(trainer)
        session.save()
        session.target_categories.add(ProfessionalCategory.objects.get(name="asistent social"))
        session.eligible_counties.add(county("CJ"), county("AB"))
        session.save()
        html = page(client, session)
        assert session.display_title in html
        assert "Maria Ionescu" in html
        category = ProfessionalCategory.objects.get(name="asistent social")
        assert (category.name_en or category.name) in html
        assert county("AB").name in html
        assert session.venue.name in html
        assert "12 seats left" in html
        assert "An organiser approves each registration" in html
        for day in session.days.all():
            start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
            assert f"{start:%A}, {start.day} {start:%B %Y}" in html  # each day, named
            assert f">{end:%H:%M}</time>" in html

    def test_explains_each_approval_mode(self, client):
        expected = {
            Approval.AUTOMATIC: "Confirmed at once",
            Approval.MANUAL: "An organiser approves each registration",
            Approval.NOMINATION: "Places are given by nomination",
        }
        for mode, wording in expected.items():
            assert wording in page(client, make_session(approval_mode=mode))

    def test_anonymous_visitors_are_asked_to_sign_in_and_come_back(self, client):
        session = make_session()
        html = page(client, session)
        back = url("detail", session.code)
        assert f'href="{en("account_login")}?next={back.replace("/", "%2F")}"' in html
        assert "Sign in to register" in html
        assert f'href="{en("account_signup")}?next=' in html
        assert "Create an account" in html
        assert f'action="{url("register", session.code)}"' not in html

    def test_people_without_a_profile_are_sent_to_complete_it(self, client):
        client.force_login(UserFactory())
        session = make_session()
        html = page(client, session)
        assert "Complete your profile to register" in html
        assert f'href="{en("accounts:profile")}?next=' in html
        assert f'action="{url("register", session.code)}"' not in html

    def test_a_person_with_a_profile_gets_the_register_button(self, person_client):
        session = make_session()
        html = page(person_client, session)
        assert f'action="{url("register", session.code)}"' in html
        assert ">Register</button>" in html

    def test_a_full_session_offers_the_waiting_list(self, person_client):
        session = make_session(capacity=1)
        enrol(session, PersonFactory())
        html = page(person_client, session)
        assert "Join the waiting list</button>" in html
        assert ">Register</button>" not in html

    def test_a_seat_the_waiting_person_was_passed_over_for_is_offered(self, client, staff_user):
        """A seat is free while someone waits who is no longer eligible: a newcomer gets it,
        as the service decides."""
        other = ProfessionalCategory.objects.exclude(name="asistent social").first()
        session = make_session(capacity=1)
        seated = enrol(session, PersonFactory())
        waiting = enrol(session, PersonFactory())
        session.target_categories.add(other)
        session.save()
        enrolment_set_status(enrolment=seated, status=E.CANCELLED, acting_user=staff_user)
        newcomer = PersonFactory(category=other)
        client.force_login(newcomer.user)
        html = page(client, session)
        assert "1 seat left" in html
        assert "1 person waiting" in html
        assert ">Register</button>" in html
        assert "your place is confirmed" in text(register(client, session))
        waiting.refresh_from_db()
        assert waiting.status == E.WAITLISTED

    @pytest.mark.parametrize(
        ("kwargs", "reason"),
        [
            ({"status": TrainingSession.Status.CANCELLED}, "This session has been cancelled."),
            ({"start_in": -1, "day_count": 3}, "This session has already started."),
            (
                {"approval_mode": Approval.NOMINATION},
                "Places in this session are given by nomination",
            ),
        ],
    )
    def test_says_why_registration_is_closed(self, person_client, kwargs, reason):
        session = make_session(**kwargs)
        html = page(person_client, session)
        assert reason in html
        assert f'action="{url("register", session.code)}"' not in html

    def test_says_when_registration_opens_and_that_it_closed(self, person_client):
        opens = timezone.now() + datetime.timedelta(days=3)
        html = page(person_client, make_session(registration_opens_at=opens))
        assert "Registration opens on" in html
        closed = make_session(
            registration_opens_at=timezone.now() - datetime.timedelta(days=5),
            registration_closes_at=timezone.now() - datetime.timedelta(days=1),
        )
        assert "Registration for this session has closed." in page(person_client, closed)

    def test_says_when_the_person_is_not_eligible(self, person_client, person):
        other = ProfessionalCategory.objects.exclude(pk=person.category_id).first()
        session = make_session()
        session.target_categories.add(other)
        session.save()
        html = page(person_client, session)
        assert "meant for other professional categories" in html
        assert ">Register</button>" not in html
        elsewhere = make_session()
        elsewhere.eligible_counties.add(county("AB"))
        elsewhere.save()
        assert "meant for people from other counties" in page(person_client, elsewhere)

    def test_completed_sessions_keep_their_page(self, client):
        session = make_session(start_in=-5, status=TrainingSession.Status.COMPLETED)
        assert "This session has already taken place." in page(client, session)


class TestOwnStateOnTheSessionPage:
    def test_confirmed(self, person_client, person):
        session = make_session(start_in=10)
        enrolment = enrol(session, person)
        html = page(person_client, session)
        assert "Confirmed: you have a place." in html
        assert f'href="{url("cancel", enrolment.pk)}?next=' in html
        assert "You can cancel online until" in html
        assert ">Register</button>" not in html

    def test_confirmed_people_of_an_online_session_see_the_meeting_link(
        self, person_client, person, client
    ):
        session = make_session(
            delivery_mode="online", venue=None, online_url="https://meet.example.org/abc"
        )
        assert "https://meet.example.org/abc" not in page(person_client, session)
        enrol(session, person)
        assert "https://meet.example.org/abc" in page(person_client, session)

    def test_awaiting_approval(self, person_client, person):
        session = make_session(approval_mode=Approval.MANUAL)
        enrol(session, person)
        assert "Awaiting approval" in page(person_client, session)

    def test_waiting_list_position(self, person_client, person):
        session = make_session(capacity=1)
        enrol(session, PersonFactory())
        enrol(session, PersonFactory())
        enrol(session, person)
        html = page(person_client, session)
        assert "On the waiting list, number 2." in html
        assert "Leave the waiting list" in html

    def test_rejected_with_the_reason(self, person_client, person, staff_user):
        session = make_session(approval_mode=Approval.MANUAL)
        enrol(session, person, status=E.REJECTED, staff=staff_user)
        html = page(person_client, session)
        assert "Rejected." in html
        assert "Lipsește avizul." in html
        assert "Cancel my registration" not in html

    def test_cancelled_with_the_reason(self, person_client, person):
        session = make_session()
        enrolment = enrol(session, person)
        person_client.post(url("cancel", enrolment.pk))
        html = page(person_client, session)
        assert "Cancelled." in html
        assert "Cancelled by the participant." in html
        assert ">Register</button>" not in html

    def test_an_offered_seat_can_be_accepted_or_declined(self, person_client, person):
        session = make_session(approval_mode=Approval.NOMINATION)
        focal = FocalPointFactory(county=person.county)
        enrolment = enrolment_create(
            training_session=session,
            professional=person,
            acting_user=focal.user,
            source=Source.NOMINATION,
        )
        assert enrolment.status == E.OFFERED
        html = page(person_client, session)
        assert "A seat is offered to you." in html
        assert f'action="{url("respond", enrolment.pk)}"' in html
        assert "Accept the seat" in html
        assert "Decline the seat" in html

    def test_cancelling_is_not_offered_after_the_cut_off(self, person_client, person):
        session = make_session(start_in=1, cancellation_cutoff_hours=72)
        enrol(session, person)
        html = page(person_client, session)
        assert "Cancel my registration" not in html
        assert "too late to cancel online" in html


# --- registering ----------------------------------------------------------------------------


class TestRegister:
    def test_anonymous_visitors_sign_in_first_and_nothing_is_created(self, client):
        session = make_session()
        response = client.post(url("register", session.code))
        assert response.status_code == 302
        assert response.url.startswith(en("account_login"))
        assert response.url.endswith("?next=" + url("detail", session.code))
        assert not Enrolment.objects.exists()

    def test_people_without_a_profile_complete_it_first(self, client):
        client.force_login(UserFactory())
        session = make_session()
        response = client.post(url("register", session.code))
        assert response.status_code == 302
        assert response.url.startswith(en("accounts:profile") + "?next=")
        assert not Enrolment.objects.exists()

    def test_get_only_shows_the_session(self, person_client):
        session = make_session()
        response = person_client.get(url("register", session.code))
        assert response.status_code == 302
        assert response.url == url("detail", session.code)
        assert not Enrolment.objects.exists()

    def test_open_session_confirms_at_once(
        self, person_client, person, django_capture_on_commit_callbacks
    ):
        session = make_session()
        with django_capture_on_commit_callbacks(execute=True):
            response = register(person_client, session)
        assert response.redirect_chain[-1][0] == url("detail", session.code)
        enrolment = Enrolment.objects.get(professional=person)
        assert (enrolment.status, enrolment.source) == (E.CONFIRMED, Source.SELF)
        html = text(response)
        assert "your place is confirmed" in html
        assert "Confirmed: you have a place." in html
        assert [m.to for m in mail.outbox] == [[person.email]]

    def test_approval_session_keeps_the_registration_pending(self, person_client, person):
        session = make_session(approval_mode=Approval.MANUAL)
        html = text(register(person_client, session))
        assert Enrolment.objects.get(professional=person).status == E.PENDING
        assert "An organiser will approve it" in html

    def test_full_session_puts_the_person_on_the_waiting_list_with_the_position(
        self, person_client, person
    ):
        session = make_session(capacity=1)
        enrol(session, PersonFactory())
        enrol(session, PersonFactory())
        html = text(register(person_client, session))
        assert Enrolment.objects.get(professional=person).status == E.WAITLISTED
        assert "you are on the waiting list, number 2" in html

    def test_registering_twice_says_so_and_changes_nothing(self, person_client, person):
        session = make_session()
        register(person_client, session)
        enrolment = Enrolment.objects.get(professional=person)
        html = text(register(person_client, session))
        assert "You are already registered for this session." in html
        assert Enrolment.objects.filter(professional=person).count() == 1
        assert enrolment.history.count() == 1

    def test_registering_again_after_cancelling_is_refused(self, person_client, person):
        session = make_session()
        register(person_client, session)
        enrolment = Enrolment.objects.get(professional=person)
        person_client.post(url("cancel", enrolment.pk))
        html = text(register(person_client, session))
        assert "already registered" in html
        enrolment.refresh_from_db()
        assert enrolment.status == E.CANCELLED

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            (
                {"registration_closes_at_days": -1},
                "Registration for this session has closed.",
            ),
            ({"registration_opens_at_days": 2}, "Registration opens on"),
            ({"status": TrainingSession.Status.CANCELLED}, "This session has been cancelled."),
            ({"start_in": -1, "day_count": 3}, "This session has already started."),
            (
                {"start_in": -5, "status": TrainingSession.Status.COMPLETED},
                "This session has already taken place.",
            ),
            (
                {"approval_mode": Approval.NOMINATION},
                "Places in this session are given by nomination",
            ),
        ],
    )
    def test_refusals_show_the_reason_and_change_nothing(self, person_client, kwargs, message):
        now = timezone.now()
        if "registration_closes_at_days" in kwargs:
            kwargs["registration_opens_at"] = now - datetime.timedelta(days=5)
            kwargs["registration_closes_at"] = now + datetime.timedelta(
                days=kwargs.pop("registration_closes_at_days")
            )
        if "registration_opens_at_days" in kwargs:
            kwargs["registration_opens_at"] = now + datetime.timedelta(
                days=kwargs.pop("registration_opens_at_days")
            )
        session = make_session(**kwargs)
        response = register(person_client, session)
        assert response.status_code == 200
        assert message in text(response)
        assert 'class="message message--error"' in text(response)
        assert not Enrolment.objects.exists()

    def test_ineligible_category_or_county_is_refused(self, person_client, person):
        other = ProfessionalCategory.objects.exclude(pk=person.category_id).first()
        for_others = make_session()
        for_others.target_categories.add(other)
        for_others.save()
        assert "meant for other professional categories" in text(
            register(person_client, for_others)
        )
        elsewhere = make_session()
        elsewhere.eligible_counties.add(county("AB"))
        elsewhere.save()
        assert "meant for people from other counties" in text(register(person_client, elsewhere))
        assert not Enrolment.objects.exists()

    def test_drafts_cannot_be_registered_for(self, person_client):
        session = make_session(status=TrainingSession.Status.DRAFT)
        assert person_client.post(url("register", session.code)).status_code == 404
        assert not Enrolment.objects.exists()


# --- cancelling and answering offers --------------------------------------------------------


class TestCancel:
    def test_asks_to_confirm_then_cancels_and_the_seat_goes_to_the_next(
        self, person_client, person
    ):
        session = make_session(capacity=1)
        enrolment = enrol(session, person)
        waiting = enrol(session, PersonFactory())
        confirm = person_client.get(url("cancel", enrolment.pk))
        assert confirm.status_code == 200
        assert "Yes, cancel my registration" in text(confirm)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED  # looking at the question changes nothing
        response = person_client.post(url("cancel", enrolment.pk), follow=True)
        assert response.redirect_chain[-1][0] == url("my_trainings")
        assert "has been cancelled" in text(response)
        enrolment.refresh_from_db()
        waiting.refresh_from_db()
        assert enrolment.status == E.CANCELLED
        assert waiting.status == E.CONFIRMED

    def test_after_the_cut_off_it_is_refused(self, person_client, person):
        session = make_session(start_in=1, cancellation_cutoff_hours=72)
        enrolment = enrol(session, person)
        response = person_client.post(url("cancel", enrolment.pk), follow=True)
        assert "can be cancelled online until" in text(response)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED

    def test_returns_to_a_safe_next_page_only(self, person_client, person):
        session = make_session()
        enrolment = enrol(session, person)
        response = person_client.post(
            url("cancel", enrolment.pk), {"next": "https://rau.example.com/"}
        )
        assert response.url == url("my_trainings")
        other = enrol(make_session(), person)
        response = person_client.post(
            url("cancel", other.pk), {"next": url("detail", other.training_session.code)}
        )
        assert response.url == url("detail", other.training_session.code)

    def test_another_persons_registration_is_not_found_and_unchanged(self, person_client):
        session = make_session()
        theirs = enrol(session, PersonFactory())
        assert person_client.get(url("cancel", theirs.pk)).status_code == 404
        assert person_client.post(url("cancel", theirs.pk)).status_code == 404
        assert person_client.post(url("respond", theirs.pk), {"accept": "0"}).status_code == 404
        assert person_client.post(url("cancel", 999999)).status_code == 404
        theirs.refresh_from_db()
        assert theirs.status == E.CONFIRMED

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        session = make_session()
        enrolment = enrol(session, PersonFactory())
        for name in ("cancel", "respond"):
            response = client.post(url(name, enrolment.pk), {"accept": "0"})
            assert response.status_code == 302
            assert response.url.startswith(en("account_login"))
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED


class TestRespond:
    @pytest.fixture
    def offer(self, person):
        session = make_session(approval_mode=Approval.NOMINATION)
        focal = FocalPointFactory(county=person.county)
        return enrolment_create(
            training_session=session,
            professional=person,
            acting_user=focal.user,
            source=Source.NOMINATION,
        )

    def test_accepting_confirms_the_seat(self, person_client, offer):
        response = person_client.post(url("respond", offer.pk), {"accept": "1"}, follow=True)
        offer.refresh_from_db()
        assert offer.status == E.CONFIRMED
        assert "your place in" in text(response)

    def test_declining_gives_the_seat_up(self, person_client, offer):
        response = person_client.post(url("respond", offer.pk), {"accept": "0"}, follow=True)
        offer.refresh_from_db()
        assert offer.status == E.CANCELLED
        assert "You declined the seat" in text(response)

    def test_no_answer_without_an_offer(self, person_client, person):
        enrolment = enrol(make_session(), person)
        response = person_client.post(url("respond", enrolment.pk), {"accept": "0"}, follow=True)
        assert "There is no offer to answer" in text(response)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED

    def test_a_missing_answer_changes_nothing(self, person_client, offer):
        response = person_client.post(url("respond", offer.pk), follow=True)
        assert "Choose whether you accept the seat." in text(response)
        offer.refresh_from_db()
        assert offer.status == E.OFFERED


# --- nominating -----------------------------------------------------------------------------


class TestNominate:
    @pytest.fixture
    def institutions(self):
        return InstitutionFactory(name="DGASPC Alfa"), InstitutionFactory(name="DGASPC Beta")

    @pytest.fixture
    def focal(self, client, institutions):
        right = FocalPointFactory(institution=institutions[0])
        client.force_login(right.user)
        return right

    def test_anonymous_visitors_sign_in_and_others_are_refused(self, client, person):
        session = make_session(approval_mode=Approval.NOMINATION)
        response = client.get(url("nominate", session.code))
        assert response.status_code == 302
        assert response.url.startswith(en("account_login"))
        client.force_login(person.user)
        assert client.get(url("nominate", session.code)).status_code == 403
        assert (
            client.post(url("nominate", session.code), {"people": [person.pk]}).status_code == 403
        )
        assert not Enrolment.objects.exists()

    def test_the_session_page_links_focal_points_to_it(self, client, focal, person):
        session = make_session(approval_mode=Approval.NOMINATION)
        assert f'href="{url("nominate", session.code)}"' in page(client, session)
        client.force_login(person.user)
        assert f'href="{url("nominate", session.code)}"' not in page(client, session)

    def test_a_focal_point_sees_and_nominates_only_their_institutions_people(
        self, client, focal, institutions
    ):
        alfa, beta = institutions
        ours = ProfessionalFactory(first_name="Ioana", last_name="Alfescu", institution=alfa)
        theirs = ProfessionalFactory(first_name="Radu", last_name="Betescu", institution=beta)
        session = make_session(approval_mode=Approval.NOMINATION)
        html = text(client.get(url("nominate", session.code)))
        assert "Ioana Alfescu" in html
        assert "Radu Betescu" not in html
        response = client.post(url("nominate", session.code), {"people": [theirs.pk]})
        assert response.status_code == 200
        assert "cannot be nominated by you" in text(response)
        assert "Radu Betescu" not in text(response)
        assert not Enrolment.objects.exists()
        response = client.post(url("nominate", session.code), {"people": [ours.pk]}, follow=True)
        assert "Ioana Alfescu is nominated" in text(response)
        enrolment = Enrolment.objects.get()
        assert (enrolment.professional, enrolment.status, enrolment.source) == (
            ours,
            E.OFFERED,
            Source.NOMINATION,
        )
        assert enrolment.nominated_by == alfa
        assert "already registered" in text(response)

    def test_a_team_coordinator_sees_the_current_members(self, client):
        team = LocalTeamFactory()
        right = FocalPointFactory(local_team=team)
        client.force_login(right.user)
        current = ProfessionalFactory(first_name="Elena", last_name="Actuala", county=county("AB"))
        former = ProfessionalFactory(first_name="Dan", last_name="Fostu", county=county("AB"))
        team_member(team, current)
        team_member(team, former, since=datetime.date(2020, 1, 1), until=datetime.date(2021, 1, 1))
        html = text(client.get(url("nominate", make_session().code)))
        assert "Elena Actuala" in html
        assert "Dan Fostu" not in html

    def test_search_by_name_with_or_without_diacritics(self, client, focal, institutions):
        ProfessionalFactory(first_name="Ștefan", last_name="Țurcanu", institution=institutions[0])
        ProfessionalFactory(first_name="Ana", last_name="Marin", institution=institutions[0])
        session = make_session(approval_mode=Approval.NOMINATION)
        html = text(client.get(url("nominate", session.code), {"q": "stefan turcanu"}))
        assert "Ștefan Țurcanu" in html
        assert "Ana Marin" not in html
        html = text(client.get(url("nominate", session.code), {"q": "nimeni"}))
        assert "Nobody in your scope matches this name." in html

    def test_each_person_is_reported_and_a_used_up_quota_refuses(self, client, focal, institutions):
        alfa = institutions[0]
        # People are taken in the list's order (by name).
        first = ProfessionalFactory(first_name="Ioana", last_name="Albu", institution=alfa)
        second = ProfessionalFactory(first_name="Mihai", last_name="Zamfir", institution=alfa)
        session = make_session(approval_mode=Approval.NOMINATION)
        add_quota(session, 1, institution=alfa)
        html = text(client.get(url("nominate", session.code)))
        assert "Seats reserved for nominations" in html
        assert "DGASPC Alfa" in html
        response = client.post(
            url("nominate", session.code), {"people": [first.pk, second.pk]}, follow=True
        )
        html = text(response)
        assert "Ioana Albu is nominated" in html
        assert "Mihai Zamfir was not nominated" in html
        assert "The quota for DGASPC Alfa is used up (1 of 1)." in html
        assert list(Enrolment.objects.values_list("professional", flat=True)) == [first.pk]
        assert "used up" in html

    def test_a_full_session_puts_nominees_on_the_waiting_list(self, client, focal, institutions):
        session = make_session(approval_mode=Approval.NOMINATION, capacity=1)
        nominee = ProfessionalFactory(
            first_name="Ion", last_name="Plin", institution=institutions[0]
        )
        Enrolment.objects.create(
            training_session=session,
            professional=ProfessionalFactory(),
            status=E.CONFIRMED,
            source=Source.STAFF,
        )
        html = text(
            client.post(url("nominate", session.code), {"people": [nominee.pk]}, follow=True)
        )
        assert "Ion Plin is on the waiting list, number 1." in html

    def test_organisers_see_everyone(self, client, institutions):
        # ANES staff enrolling into any session: the permission and every record in scope
        # (a project's organiser: into their project's sessions, tests/security).
        organiser = UserFactory()
        organiser.user_permissions.add(
            Permission.objects.get(
                codename="add_enrolment", content_type__app_label="training_sessions"
            ),
            Permission.objects.get(codename="see_all_records", content_type__app_label="training"),
        )
        client.force_login(organiser)
        ProfessionalFactory(first_name="Ioana", last_name="Alfescu", institution=institutions[0])
        ProfessionalFactory(first_name="Radu", last_name="Betescu", institution=institutions[1])
        html = text(
            client.get(url("nominate", make_session(approval_mode=Approval.NOMINATION).code))
        )
        assert "Ioana Alfescu" in html
        assert "Radu Betescu" in html

    def test_closed_sessions_take_no_nominations(self, client, focal, institutions):
        session = make_session(start_in=-1, day_count=3, approval_mode=Approval.NOMINATION)
        ProfessionalFactory(institution=institutions[0])
        html = text(client.get(url("nominate", session.code)))
        assert "This session has already started." in html
        assert 'name="people"' not in html

    @pytest.mark.parametrize("people", [3, 40])
    def test_the_list_costs_the_same_whatever_its_length(
        self, client, focal, institutions, people, django_assert_max_num_queries
    ):
        session = make_session(approval_mode=Approval.NOMINATION)
        add_quota(session, 5, institution=institutions[0])
        for _ in range(people):
            nominee = ProfessionalFactory(institution=institutions[0])
        Enrolment.objects.create(
            training_session=session,
            professional=nominee,
            status=E.OFFERED,
            source=Source.NOMINATION,
        )
        client.get(url("nominate", session.code))
        # Page chrome (menu, language links) included; the same for 3 people as for 40.
        with django_assert_max_num_queries(20):
            response = client.get(url("nominate", session.code))
        assert response.status_code == 200


def test_nominating_nobody_says_so(client):
    right = FocalPointFactory(institution=InstitutionFactory())
    client.force_login(right.user)
    ProfessionalFactory(institution=right.institution)
    session = make_session(approval_mode=Approval.NOMINATION)
    response = client.post(url("nominate", session.code), {})
    assert response.status_code == 200
    assert "Choose at least one person to nominate." in text(response)
    assert not Enrolment.objects.exists()


def test_calendar_cards_and_month_view_link_to_the_session_page(client):
    from tests.factories.cms import page_tree
    from tests.factories.training import CourseFactory, CurriculumFactory, ProjectFactory

    curriculum = CurriculumFactory()
    course = CourseFactory(curriculum=curriculum)
    tree = page_tree(course=course, curriculum=curriculum, project=ProjectFactory())
    session = make_session(course=course, start_in=3)
    with translation.override("ro"):  # the Romanian pages, without a prefix
        detail = reverse("training_sessions:detail", kwargs={"code": session.code})
    calendar = client.get(tree["calendar"].url).content.decode()
    assert f'href="{detail}"' in calendar
    assert "Registration opens soon" not in calendar
    month = client.get(tree["calendar"].url, {"view": "month"}).content.decode()
    assert f'href="{detail}"' in month
    seminar = client.get(tree["seminar"].url).content.decode()
    assert f'href="{detail}"' in seminar
    # and the session page leads back to the calendar
    assert f'href="{tree["calendar"].url}"' in client.get(detail).content.decode()
