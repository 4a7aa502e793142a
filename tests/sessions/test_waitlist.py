"""Capacity and the waiting list: nobody jumps the queue, and every freed seat (cancellation,
rejection, a raised capacity) goes to the first eligible person waiting."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from sessions.models import Enrolment, SessionDay, TrainingSession
from sessions.selectors import waitlist_position
from sessions.services import (
    enrolment_cancel,
    enrolment_create,
    enrolment_set_status,
    training_session_save,
    waitlist_promote,
)
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory, county

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Approval = TrainingSession.ApprovalMode
Status = TrainingSession.Status
SEAT_FREED = "A seat became free."


def register(session, person=None) -> Enrolment:
    person = person or PersonFactory()
    return enrolment_create(
        training_session=session, professional=person, acting_user=person.user, source="self"
    )


def statuses(*enrolments) -> list[str]:
    return [Enrolment.objects.get(pk=e.pk).status for e in enrolments]


def last_change(enrolment):
    return enrolment.history.order_by("changed_at", "pk").last()


@pytest.fixture
def full_session():
    """One seat taken, three people waiting (in this order)."""
    session = make_session(capacity=1)
    seated = register(session)
    waiting = [register(session) for _ in range(3)]
    return session, seated, waiting


class TestCapacity:
    def test_the_person_after_the_last_seat_waits(self):
        session = make_session(capacity=3)
        assert [register(session).status for _ in range(4)] == [E.CONFIRMED] * 3 + [E.WAITLISTED]
        assert session.enrolments.active().count() == 3

    def test_waiting_positions_follow_arrival(self, full_session):
        _, _, waiting = full_session
        assert [waitlist_position(enrolment=e) for e in waiting] == [1, 2, 3]

    def test_nobody_jumps_the_queue_while_people_wait(self, full_session, staff_user):
        session, seated, waiting = full_session
        # A seat frees without promotion (e.g. the capacity raised behind the services' back):
        TrainingSession.objects.filter(pk=session.pk).update(capacity=2)
        late = register(session)
        assert late.status == E.WAITLISTED
        late_staff = enrolment_create(
            training_session=session,
            professional=PersonFactory(),
            acting_user=staff_user,
            source="staff",
        )
        assert late_staff.status == E.WAITLISTED
        # The seat is then given to the first in line, not to the newcomers.
        assert [e.pk for e in waitlist_promote(training_session=session)] == [waiting[0].pk]


class TestSeatsFreed:
    def test_by_a_cancellation_go_to_the_first_waiting(self, full_session):
        _, seated, waiting = full_session
        enrolment_cancel(enrolment=seated, acting_user=seated.professional.user)
        assert statuses(seated, *waiting) == [E.CANCELLED, E.CONFIRMED, E.WAITLISTED, E.WAITLISTED]
        change = last_change(waiting[0])
        assert (change.from_status, change.to_status, change.reason) == (
            E.WAITLISTED,
            E.CONFIRMED,
            SEAT_FREED,
        )
        assert [waitlist_position(enrolment=e) for e in waiting[1:]] == [1, 2]

    def test_each_change_is_in_the_history_and_the_audit_log(self, full_session):
        _, seated, waiting = full_session
        user = seated.professional.user
        enrolment_cancel(enrolment=seated, acting_user=user)
        cancelled = seated.history.order_by("pk").last()
        assert (cancelled.to_status, cancelled.changed_by, cancelled.reason) == (
            E.CANCELLED,
            user,
            "Cancelled by the participant.",
        )
        logged = ModelLogEntry.objects.for_instance(seated).order_by("pk").last()
        assert (logged.action, logged.user_id, logged.data["to"]) == (
            "formativ.enrolment.status",
            user.pk,
            E.CANCELLED,
        )
        # The promotion is the system's doing: no user, the reason recorded.
        promoted = ModelLogEntry.objects.for_instance(waiting[0]).order_by("pk").last()
        assert (promoted.user_id, promoted.data["from"], promoted.data["to"]) == (
            None,
            E.WAITLISTED,
            E.CONFIRMED,
        )
        assert promoted.data["reason"] == SEAT_FREED
        assert last_change(waiting[0]).changed_by is None

    def test_by_a_rejection_go_to_the_first_waiting(self, staff_user):
        session = make_session(capacity=1, approval_mode=Approval.MANUAL)
        pending = register(session)
        waiting = [register(session) for _ in range(2)]
        with pytest.raises(ValidationError):
            enrolment_set_status(enrolment=pending, status=E.REJECTED, acting_user=staff_user)
        assert statuses(pending, *waiting) == [E.PENDING, E.WAITLISTED, E.WAITLISTED]
        enrolment_set_status(
            enrolment=pending, status=E.REJECTED, acting_user=staff_user, reason="alt domeniu"
        )
        # An approval session promotes to "awaiting approval", not straight to a seat.
        assert statuses(pending, *waiting) == [E.REJECTED, E.PENDING, E.WAITLISTED]
        assert last_change(waiting[0]).reason == SEAT_FREED

    def test_by_a_raised_capacity_go_to_the_first_waiting(self, full_session, staff_user):
        session, _, waiting = full_session
        session.capacity = 3
        training_session_save(training_session=session, acting_user=staff_user)
        assert statuses(*waiting) == [E.CONFIRMED, E.CONFIRMED, E.WAITLISTED]

    def test_an_ineligible_person_is_passed_over_not_removed(self, full_session, staff_user):
        session, seated, waiting = full_session
        moved_away = waiting[0].professional
        moved_away.county = county("IS")
        moved_away.save()
        session.eligible_counties.set([county("CJ")])
        session.save()
        enrolment_cancel(enrolment=seated, acting_user=staff_user)
        assert statuses(*waiting) == [E.WAITLISTED, E.CONFIRMED, E.WAITLISTED]
        assert waitlist_position(enrolment=Enrolment.objects.get(pk=waiting[0].pk)) == 1

    def test_a_seat_left_to_people_passed_over_goes_to_a_newcomer(self, staff_user):
        # The only person waiting is no longer eligible: the freed seat stays free for them
        # to keep their place, but a newcomer who may have it is not made to wait behind them.
        session = make_session(capacity=1)
        seated = register(session)
        stranger = register(session)
        stranger.professional.county = county("IS")
        stranger.professional.save()
        session.eligible_counties.set([county("CJ")])
        session.save()
        enrolment_cancel(enrolment=seated, acting_user=staff_user)
        assert statuses(stranger) == [E.WAITLISTED]
        newcomer = register(session)
        assert statuses(newcomer, stranger) == [E.CONFIRMED, E.WAITLISTED]
        assert session.enrolments.active().count() == 1


class TestNoPromotion:
    def test_after_the_session_started(self, full_session, staff_user):
        session, seated, waiting = full_session
        started = timezone.now() - datetime.timedelta(hours=1)
        day = SessionDay.objects.filter(training_session=session).order_by("starts_at").first()
        SessionDay.objects.filter(pk=day.pk).update(
            starts_at=started, ends_at=started + datetime.timedelta(minutes=30)
        )
        enrolment_cancel(enrolment=seated, acting_user=staff_user)
        assert statuses(*waiting) == [E.WAITLISTED] * 3
        assert waitlist_promote(training_session=session) == []

    def test_for_a_draft_session(self, full_session, staff_user):
        session, seated, waiting = full_session
        TrainingSession.objects.filter(pk=session.pk).update(status=Status.DRAFT)
        enrolment_cancel(enrolment=seated, acting_user=staff_user)
        assert statuses(*waiting) == [E.WAITLISTED] * 3

    def test_a_session_published_again_gives_the_seats(self, full_session, staff_user):
        session, seated, waiting = full_session
        TrainingSession.objects.filter(pk=session.pk).update(status=Status.DRAFT)
        enrolment_cancel(enrolment=seated, acting_user=staff_user)
        session.refresh_from_db()
        session.status = Status.PUBLISHED
        training_session_save(training_session=session, acting_user=staff_user)
        assert statuses(*waiting) == [E.CONFIRMED, E.WAITLISTED, E.WAITLISTED]

    def test_a_cancelled_session_cancels_everyone(self, full_session, staff_user):
        session, seated, waiting = full_session
        session.status = Status.CANCELLED
        training_session_save(training_session=session, acting_user=staff_user)
        assert statuses(seated, *waiting) == [E.CANCELLED] * 4
        assert last_change(waiting[0]).reason == "The session was cancelled."
