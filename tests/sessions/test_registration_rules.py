"""Self-registration (`enrolment_create(source="self")`): who may register, when, for which
sessions; cancellation by the participant (until the cut-off) or the organisers; moving between
sessions and enrolling several people at once."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from sessions.models import Enrolment, SessionDay, TrainingSession
from sessions.services import (
    enrolment_bulk_create,
    enrolment_cancel,
    enrolment_create,
    enrolment_move,
)
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory, ProfessionalFactory, UserFactory, county
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages below are matched in English (the source language)."""
    with translation.override("en"):
        yield


E = Enrolment.Status
Approval = TrainingSession.ApprovalMode
Status = TrainingSession.Status


def register(session, person=None, acting_user=None) -> Enrolment:
    person = person or PersonFactory()
    return enrolment_create(
        training_session=session,
        professional=person,
        acting_user=acting_user if acting_user is not None else person.user,
        source="self",
    )


def staff_enrol(session, staff_user, person=None) -> Enrolment:
    return enrolment_create(
        training_session=session,
        professional=person or PersonFactory(),
        acting_user=staff_user,
        source="staff",
    )


def refused(session, person=None, match=None) -> ValidationError:
    person = person or PersonFactory()
    with pytest.raises(ValidationError, match=match) as error:
        register(session, person)
    assert not Enrolment.objects.filter(training_session=session, professional=person).exists()
    return error.value


def history(enrolment) -> list[tuple[str, str, str]]:
    return [(h.from_status, h.to_status, h.reason) for h in enrolment.history.all()]


class TestSelfRegistration:
    def test_an_open_session_confirms_at_once(self):
        enrolment = register(make_session(approval_mode=Approval.AUTOMATIC))
        assert Enrolment.objects.get(pk=enrolment.pk).status == E.CONFIRMED
        assert enrolment.source == Enrolment.Source.SELF

    def test_an_approval_session_keeps_the_request_pending(self):
        enrolment = register(make_session(approval_mode=Approval.MANUAL))
        assert Enrolment.objects.get(pk=enrolment.pk).status == E.PENDING

    def test_nobody_registers_someone_else(self):
        session = make_session()
        someone, other = PersonFactory(), PersonFactory()
        with pytest.raises(PermissionDenied):
            register(session, someone, acting_user=other.user)
        with pytest.raises(PermissionDenied):
            register(session, ProfessionalFactory(), acting_user=other.user)  # no account
        assert not Enrolment.objects.exists()

    def test_a_nomination_session_is_refused(self):
        refused(make_session(approval_mode=Approval.NOMINATION), match="nomination")

    def test_registration_not_yet_open_is_refused(self):
        opens = timezone.now() + datetime.timedelta(days=2)
        refused(make_session(registration_opens_at=opens), match="Registration opens")

    def test_registration_closed_is_refused(self):
        closes = timezone.now() - datetime.timedelta(minutes=1)
        refused(make_session(registration_closes_at=closes), match="closed")

    def test_within_the_window_is_accepted(self):
        now = timezone.now()
        session = make_session(
            registration_opens_at=now - datetime.timedelta(hours=1),
            registration_closes_at=now + datetime.timedelta(hours=1),
        )
        assert register(session).status == E.CONFIRMED

    def test_a_started_session_is_refused(self):
        session = make_session(start_in=0, day_count=1)
        started = timezone.now() - datetime.timedelta(hours=1)
        SessionDay.objects.filter(training_session=session).update(
            starts_at=started, ends_at=started + datetime.timedelta(hours=2)
        )
        refused(session, match="already started")

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.CANCELLED, Status.COMPLETED])
    def test_a_session_not_published_is_refused(self, status):
        start_in = -10 if status == Status.COMPLETED else 10
        refused(make_session(start_in=start_in, status=status))

    def test_an_ineligible_category_is_refused(self):
        session = make_session()
        session.target_categories.set([ProfessionalCategory.objects.get(name="psiholog")])
        session.save()  # parental many-to-many: written on save
        refused(session, match="categories")
        psychologist = PersonFactory(category=ProfessionalCategory.objects.get(name="psiholog"))
        assert register(session, psychologist).status == E.CONFIRMED

    def test_an_ineligible_county_is_refused(self):
        session = make_session()
        session.eligible_counties.set([county("IS")])
        session.save()
        refused(session, match="counties")
        assert register(session, PersonFactory(county=county("IS"))).status == E.CONFIRMED

    def test_registering_twice_changes_nothing(self):
        session = make_session(capacity=1)
        person = PersonFactory()
        first = register(session, person)
        with pytest.raises(ValidationError, match="already registered") as error:
            register(session, person)
        assert error.value.code == "duplicate"  # the API answers 409 on it
        assert Enrolment.objects.filter(professional=person).count() == 1
        first.refresh_from_db()
        assert first.status == E.CONFIRMED
        assert len(history(first)) == 1

    def test_the_first_status_is_recorded_with_the_person_as_author(self):
        person = PersonFactory()
        enrolment = register(make_session(), person)
        change = enrolment.history.get()
        assert (change.from_status, change.to_status, change.changed_by) == (
            "",
            E.CONFIRMED,
            person.user,
        )
        entry = ModelLogEntry.objects.for_instance(enrolment).get()
        assert (entry.action, entry.user_id) == ("formativ.enrolment.status", person.user.pk)


class TestStaffEnrolment:
    def test_a_user_without_rights_cannot_enrol_others(self):
        with pytest.raises(PermissionDenied):
            staff_enrol(make_session(), UserFactory())
        assert not Enrolment.objects.exists()

    def test_organisers_enrol_outside_the_window_and_eligibility(self, staff_user):
        session = make_session(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
        session.eligible_counties.set([county("IS")])
        session.save()
        assert staff_enrol(session, staff_user).status == E.CONFIRMED


def cutoff_session(hours_before_start: float, cutoff_hours: int = 24) -> TrainingSession:
    """A session whose first day starts `hours_before_start` hours from now."""
    session = make_session(start_in=5, day_count=1, cancellation_cutoff_hours=cutoff_hours)
    start = timezone.now() + datetime.timedelta(hours=hours_before_start)
    SessionDay.objects.filter(training_session=session).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    return session


class TestCancellation:
    def test_the_participant_cancels_before_the_cutoff(self):
        session = cutoff_session(hours_before_start=25, cutoff_hours=24)
        enrolment = register(session)
        enrolment_cancel(enrolment=enrolment, acting_user=enrolment.professional.user)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CANCELLED
        assert enrolment.status_reason == "Cancelled by the participant."

    def test_the_participant_cannot_cancel_after_the_cutoff(self):
        session = cutoff_session(hours_before_start=23, cutoff_hours=24)
        enrolment = register(session)
        with pytest.raises(ValidationError, match="until"):
            enrolment_cancel(enrolment=enrolment, acting_user=enrolment.professional.user)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED

    def test_the_organisers_cancel_at_any_time(self, staff_user):
        session = cutoff_session(hours_before_start=1, cutoff_hours=24)
        enrolment = register(session)
        enrolment_cancel(enrolment=enrolment, acting_user=staff_user, reason="  boala ")
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.status_reason) == (E.CANCELLED, "boala")
        assert history(enrolment)[-1] == (E.CONFIRMED, E.CANCELLED, "boala")

    def test_a_reason_too_long_is_refused_and_nothing_changes(self, staff_user):
        enrolment = register(make_session())
        with pytest.raises(ValidationError) as error:
            enrolment_cancel(enrolment=enrolment, acting_user=staff_user, reason="x" * 256)
        assert "reason" in error.value.message_dict
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED
        assert len(history(enrolment)) == 1

    def test_the_participant_cannot_cancel_in_a_session_no_longer_published(self, staff_user):
        session = make_session()
        enrolment = register(session)
        TrainingSession.objects.filter(pk=session.pk).update(status=Status.DRAFT)
        with pytest.raises(ValidationError):
            enrolment_cancel(enrolment=enrolment, acting_user=enrolment.professional.user)
        enrolment_cancel(enrolment=enrolment, acting_user=staff_user)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CANCELLED

    def test_someone_else_cannot_cancel(self):
        enrolment = register(make_session())
        with pytest.raises(PermissionDenied):
            enrolment_cancel(enrolment=enrolment, acting_user=UserFactory())
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED

    def test_a_waiting_person_may_leave_the_list_even_after_the_cutoff(self, staff_user):
        session = cutoff_session(hours_before_start=2)
        staff_enrol(session, staff_user)  # not used below
        session.capacity = 1
        TrainingSession.objects.filter(pk=session.pk).update(capacity=1)
        waiting = register(session)
        assert waiting.status == E.WAITLISTED
        enrolment_cancel(enrolment=waiting, acting_user=waiting.professional.user)
        waiting.refresh_from_db()
        assert waiting.status == E.CANCELLED

    def test_cancelling_a_waiting_place_promotes_no_one(self, staff_user):
        session = make_session(capacity=1)
        seated = register(session)
        first, second = register(session), register(session)
        enrolment_cancel(enrolment=first, acting_user=first.professional.user)
        seated.refresh_from_db()
        second.refresh_from_db()
        assert (seated.status, second.status) == (E.CONFIRMED, E.WAITLISTED)
        assert len(history(second)) == 1

    def test_a_cancelled_registration_cannot_be_cancelled_again(self):
        enrolment = register(make_session())
        enrolment_cancel(enrolment=enrolment, acting_user=enrolment.professional.user)
        with pytest.raises(ValidationError):
            enrolment_cancel(enrolment=enrolment, acting_user=enrolment.professional.user)
        assert len(history(enrolment)) == 2


class TestMove:
    def test_moves_the_person_and_frees_the_old_seat(self, staff_user):
        old, new = make_session(capacity=1), make_session(capacity=5)
        enrolment = register(old)
        waiting = register(old)
        moved = enrolment_move(enrolment=enrolment, to_session=new, acting_user=staff_user)
        enrolment.refresh_from_db()
        waiting.refresh_from_db()
        assert (moved.training_session, moved.status) == (new, E.CONFIRMED)
        assert moved.professional == enrolment.professional
        assert enrolment.status == E.CANCELLED
        assert enrolment.status_reason == "Moved to another session."
        assert waiting.status == E.CONFIRMED

    def test_into_a_full_session_the_person_waits(self, staff_user):
        old, new = make_session(), make_session(capacity=1)
        staff_enrol(new, staff_user)
        moved = enrolment_move(enrolment=register(old), to_session=new, acting_user=staff_user)
        assert moved.status == E.WAITLISTED

    def test_needs_the_right_to_change_enrolments(self):
        old, new = make_session(), make_session()
        enrolment = register(old)
        with pytest.raises(PermissionDenied):
            enrolment_move(
                enrolment=enrolment, to_session=new, acting_user=enrolment.professional.user
            )
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED
        assert not new.enrolments.exists()

    def test_a_refused_move_keeps_the_old_place(self, staff_user):
        old, new = make_session(), make_session()
        enrolment = register(old)
        staff_enrol(new, staff_user, enrolment.professional)  # already there
        with pytest.raises(ValidationError):
            enrolment_move(enrolment=enrolment, to_session=new, acting_user=staff_user)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CONFIRMED

    def test_not_to_the_same_session(self, staff_user):
        session = make_session()
        with pytest.raises(ValidationError):
            enrolment_move(enrolment=register(session), to_session=session, acting_user=staff_user)


class TestBulkCreate:
    def test_seats_then_waiting_list_in_the_order_given(self, staff_user):
        session = make_session(capacity=2)
        people = ProfessionalFactory.create_batch(4)
        result = enrolment_bulk_create(
            training_session=session, professionals=people, acting_user=staff_user
        )
        assert [(e.professional, e.status) for e in result.created] == [
            (people[0], E.CONFIRMED),
            (people[1], E.CONFIRMED),
            (people[2], E.WAITLISTED),
            (people[3], E.WAITLISTED),
        ]
        assert result.refused == []
        waiting = session.enrolments.filter(status=E.WAITLISTED).order_by("waitlisted_at", "pk")
        assert [e.professional for e in waiting] == people[2:]

    def test_refused_people_are_listed_with_the_reason(self, staff_user):
        session = make_session(capacity=5)
        already, fresh = ProfessionalFactory(), ProfessionalFactory()
        staff_enrol(session, staff_user, already)
        result = enrolment_bulk_create(
            training_session=session, professionals=[already, fresh], acting_user=staff_user
        )
        assert [e.professional for e in result.created] == [fresh]
        assert result.refused == [(already, "This person is already registered for this session.")]
        assert session.enrolments.filter(professional=already).count() == 1

    def test_a_user_without_rights_is_refused_before_anything_is_written(self):
        session = make_session()
        with pytest.raises(PermissionDenied):
            enrolment_bulk_create(
                training_session=session,
                professionals=ProfessionalFactory.create_batch(2),
                acting_user=UserFactory(),
            )
        assert not session.enrolments.exists()
