"""Giving people a place (`enrolment_create`) and moving them between statuses
(`enrolment_set_status`)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from sessions.models import Enrolment, EnrolmentStatusChange, TrainingSession
from sessions.services import enrolment_create, enrolment_set_status
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Source = Enrolment.Source
Approval = TrainingSession.ApprovalMode
APP = "training_sessions"


def enrol(session, user, person=None, source=Source.STAFF) -> Enrolment:
    """Staff enrol `person` (anyone, by default); a self-registration is made by the person's
    own account, as the rules require (`user` is then ignored)."""
    if source == Source.SELF:
        person = person or PersonFactory()
        user = person.user
    return enrolment_create(
        training_session=session,
        professional=person or ProfessionalFactory(),
        acting_user=user,
        source=source,
    )


def set_status(enrolment, status, user, reason="") -> Enrolment:
    return enrolment_set_status(enrolment=enrolment, status=status, acting_user=user, reason=reason)


def history(enrolment) -> list[tuple[str, str]]:
    return [(h.from_status, h.to_status) for h in enrolment.history.all()]


class TestEnrolmentCreate:
    def test_automatic_approval_confirms_self_registrations(self, staff_user):
        session = make_session(approval_mode=Approval.AUTOMATIC)
        enrolment = enrol(session, staff_user, source=Source.SELF)
        assert Enrolment.objects.get(pk=enrolment.pk).status == E.CONFIRMED

    def test_manual_approval_keeps_self_registrations_pending(self, staff_user):
        session = make_session(approval_mode=Approval.MANUAL)
        enrolment = enrol(session, staff_user, source=Source.SELF)
        assert Enrolment.objects.get(pk=enrolment.pk).status == E.PENDING

    def test_staff_place_people_directly_even_under_manual_approval(self, staff_user):
        session = make_session(approval_mode=Approval.MANUAL)
        assert enrol(session, staff_user, source=Source.STAFF).status == E.CONFIRMED

    def test_a_full_session_puts_people_on_the_waiting_list(self, staff_user):
        session = make_session(capacity=2)
        statuses = [enrol(session, staff_user).status for _ in range(4)]
        assert statuses == [E.CONFIRMED, E.CONFIRMED, E.WAITLISTED, E.WAITLISTED]
        assert Enrolment.objects.filter(status__in=Enrolment.SEAT_HOLDING).count() == 2

    def test_pending_requests_hold_seats(self, staff_user):
        session = make_session(capacity=1, approval_mode=Approval.MANUAL)
        assert enrol(session, staff_user, source=Source.SELF).status == E.PENDING
        assert enrol(session, staff_user, source=Source.SELF).status == E.WAITLISTED
        assert enrol(session, staff_user, source=Source.STAFF).status == E.WAITLISTED

    def test_enrolling_twice_is_refused(self, staff_user):
        session = make_session()
        person = PersonFactory()
        enrol(session, staff_user, person)
        with pytest.raises(ValidationError):
            enrol(session, staff_user, person, source=Source.SELF)
        assert Enrolment.objects.filter(professional=person).count() == 1

    def test_a_cancelled_enrolment_still_blocks_a_second_one(self, staff_user):
        session = make_session()
        person = ProfessionalFactory()
        set_status(enrol(session, staff_user, person), E.CANCELLED, staff_user)
        with pytest.raises(ValidationError):
            enrol(session, staff_user, person)
        assert Enrolment.objects.filter(professional=person).count() == 1

    def test_a_cancelled_session_takes_no_enrolment(self, staff_user):
        session = make_session(status=TrainingSession.Status.CANCELLED)
        with pytest.raises(ValidationError):
            enrol(session, staff_user)
        assert not Enrolment.objects.exists()

    def test_a_completed_session_takes_only_imported_enrolments(self, staff_user):
        session = make_session(start_in=-10, status=TrainingSession.Status.COMPLETED)
        with pytest.raises(ValidationError):
            enrol(session, staff_user, source=Source.STAFF)
        assert enrol(session, staff_user, source=Source.IMPORT).status == E.CONFIRMED

    def test_the_first_status_is_recorded_with_the_user(self, staff_user):
        enrolment = enrol(make_session(), staff_user)
        change = enrolment.history.get()
        assert (change.from_status, change.to_status) == ("", E.CONFIRMED)
        assert change.changed_by == staff_user
        entry = ModelLogEntry.objects.for_instance(enrolment).get()
        assert entry.user_id == staff_user.pk

    def test_seats_freed_by_a_cancellation_can_be_taken(self, staff_user):
        session = make_session(capacity=1)
        first = enrol(session, staff_user)
        set_status(first, E.CANCELLED, staff_user)
        assert enrol(session, staff_user).status == E.CONFIRMED

    def test_newcomers_do_not_jump_the_waiting_list(self, staff_user):
        session = make_session(capacity=1)
        first = enrol(session, staff_user)
        waiting = enrol(session, staff_user)
        assert waiting.status == E.WAITLISTED
        set_status(first, E.CANCELLED, staff_user)
        assert enrol(session, staff_user).status == E.WAITLISTED
        # The freed seat goes to the person who waited.
        assert set_status(waiting, E.CONFIRMED, staff_user).status == E.CONFIRMED


class TestEnrolmentSetStatus:
    @pytest.mark.parametrize(
        "path",
        [
            [E.CONFIRMED, E.CANCELLED],
            [E.PENDING, E.CONFIRMED],
            [E.PENDING, E.REJECTED, E.PENDING],
            [E.CONFIRMED, E.CANCELLED, E.CONFIRMED],
        ],
    )
    def test_allowed_transitions(self, staff_user, path):
        session = make_session(approval_mode=Approval.MANUAL)
        start, *steps = path
        source = Source.SELF if start == E.PENDING else Source.STAFF
        enrolment = enrol(session, staff_user, source=source)
        assert enrolment.status == start
        for status in steps:
            # Rejections must say why.
            set_status(enrolment, status, staff_user, reason="loc ocupat")
        enrolment.refresh_from_db()
        assert enrolment.status == path[-1]
        assert [to for _, to in history(enrolment)] == path

    def test_a_request_put_back_on_the_waiting_list_yields_its_seat(self, staff_user):
        session = make_session(capacity=1, approval_mode=Approval.MANUAL)
        pending = enrol(session, None, source=Source.SELF)
        waiting = enrol(session, None, source=Source.SELF)
        set_status(pending, E.WAITLISTED, staff_user, reason="prioritate")
        pending.refresh_from_db()
        waiting.refresh_from_db()
        # The seat goes to the one who waited first; the other joins the end of the queue.
        assert (pending.status, waiting.status) == (E.WAITLISTED, E.PENDING)
        set_status(waiting, E.CONFIRMED, staff_user)
        assert session.enrolments.active().count() == 1

    def test_alone_on_the_waiting_list_a_request_gets_the_free_seat_back(self, staff_user):
        # Seats are never left free while someone waits: with nobody else waiting, the
        # person put back on the list is given the seat again (history shows both moves).
        session = make_session(capacity=5, approval_mode=Approval.MANUAL)
        pending = enrol(session, None, source=Source.SELF)
        set_status(pending, E.WAITLISTED, staff_user)
        pending.refresh_from_db()
        assert pending.status == E.PENDING
        assert [to for _, to in history(pending)] == [E.PENDING, E.WAITLISTED, E.PENDING]

    @pytest.mark.parametrize(
        ("steps", "forbidden"),
        [
            ([], E.PENDING),  # a confirmed person is not sent back to the approval queue
            ([], E.WAITLISTED),  # nor pushed off their seat onto the waiting list
            ([], E.REJECTED),  # a confirmed person is cancelled, not rejected
            ([E.CANCELLED], E.REJECTED),
        ],
    )
    def test_forbidden_transitions_change_nothing(self, staff_user, steps, forbidden):
        enrolment = enrol(make_session(), staff_user)
        for status in steps:
            set_status(enrolment, status, staff_user)
        before = enrolment.history.count()
        with pytest.raises(ValidationError):
            set_status(enrolment, forbidden, staff_user)
        enrolment.refresh_from_db()
        assert enrolment.status == (steps[-1] if steps else E.CONFIRMED)
        assert enrolment.history.count() == before

    def test_confirming_from_the_waiting_list_when_full_is_refused(self, staff_user):
        session = make_session(capacity=1)
        enrol(session, staff_user)
        waiting = enrol(session, staff_user)
        with pytest.raises(ValidationError):
            set_status(waiting, E.CONFIRMED, staff_user)
        waiting.refresh_from_db()
        assert waiting.status == E.WAITLISTED

    def test_reinstating_a_cancellation_when_full_is_refused(self, staff_user):
        session = make_session(capacity=1)
        first = enrol(session, staff_user)
        set_status(first, E.CANCELLED, staff_user)
        enrol(session, staff_user)  # takes the freed seat
        with pytest.raises(ValidationError):
            set_status(first, E.CONFIRMED, staff_user)
        first.refresh_from_db()
        assert first.status == E.CANCELLED

    def test_confirming_a_pending_request_when_full_is_allowed(self, staff_user):
        # The pending request already holds its seat.
        session = make_session(capacity=1, approval_mode=Approval.MANUAL)
        pending = enrol(session, staff_user, source=Source.SELF)
        assert set_status(pending, E.CONFIRMED, staff_user).status == E.CONFIRMED

    def test_a_seat_freed_by_a_cancellation_goes_to_the_waiting_list(self, staff_user):
        session = make_session(capacity=1)
        first = enrol(session, staff_user)
        waiting = enrol(session, staff_user)
        set_status(first, E.CANCELLED, staff_user, reason="bolnavă")
        set_status(waiting, E.CONFIRMED, staff_user)
        waiting.refresh_from_db()
        assert waiting.status == E.CONFIRMED
        assert session.enrolments.active().count() == 1

    def test_history_records_who_and_why(self, staff_user, django_user_model):
        other_user = django_user_model.objects.create_user("secretar", "s@example.org", "x")
        other_user.user_permissions.add(
            Permission.objects.get(codename="change_enrolment", content_type__app_label=APP),
            # ANES staff: every enrolment in their scope (training.access)
            Permission.objects.get(codename="see_all_records", content_type__app_label="training"),
        )
        person = PersonFactory()
        enrolment = enrol(make_session(approval_mode=Approval.MANUAL), None, person, "self")
        set_status(enrolment, E.CONFIRMED, other_user, reason="aprobat de DGASPC")
        set_status(enrolment, E.CANCELLED, staff_user, reason="s-a retras")
        rows = list(EnrolmentStatusChange.objects.filter(enrolment=enrolment))
        assert [(r.from_status, r.to_status, r.changed_by, r.reason) for r in rows] == [
            ("", E.PENDING, person.user, ""),
            (E.PENDING, E.CONFIRMED, other_user, "aprobat de DGASPC"),
            (E.CONFIRMED, E.CANCELLED, staff_user, "s-a retras"),
        ]
        logged = ModelLogEntry.objects.for_instance(enrolment).order_by("timestamp", "pk")
        assert [(e.user_id, e.data["to"]) for e in logged] == [
            (person.user.pk, E.PENDING),
            (other_user.pk, E.CONFIRMED),
            (staff_user.pk, E.CANCELLED),
        ]

    def test_a_user_without_rights_cannot_decide(self, django_user_model):
        clerk = django_user_model.objects.create_user("vizitator", "v@example.org", "x")
        enrolment = enrol(make_session(approval_mode=Approval.MANUAL), None, source=Source.SELF)
        with pytest.raises(PermissionDenied):
            set_status(enrolment, E.CONFIRMED, clerk)
        enrolment.refresh_from_db()
        assert enrolment.status == E.PENDING
        assert history(enrolment) == [("", E.PENDING)]

    def test_a_rejection_needs_a_reason(self, staff_user):
        enrolment = enrol(make_session(approval_mode=Approval.MANUAL), None, source=Source.SELF)
        with pytest.raises(ValidationError) as error:
            set_status(enrolment, E.REJECTED, staff_user, reason="   ")
        assert "reason" in error.value.message_dict
        enrolment.refresh_from_db()
        assert enrolment.status == E.PENDING
        set_status(enrolment, E.REJECTED, staff_user, reason="nu lucrați în domeniu")
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.status_reason) == (
            E.REJECTED,
            "nu lucrați în domeniu",
        )

    def test_setting_the_same_status_records_nothing(self, staff_user):
        enrolment = enrol(make_session(), staff_user)
        set_status(enrolment, E.CONFIRMED, staff_user)
        assert history(enrolment) == [("", E.CONFIRMED)]

    def test_no_one_is_confirmed_into_a_cancelled_session(self, staff_user):
        session = make_session(capacity=1)
        enrol(session, staff_user)
        waiting = enrol(session, staff_user)
        TrainingSession.objects.filter(pk=session.pk).update(
            status=TrainingSession.Status.CANCELLED
        )
        set_status(session.enrolments.exclude(pk=waiting.pk).get(), E.CANCELLED, staff_user)
        with pytest.raises(ValidationError):
            set_status(waiting, E.CONFIRMED, staff_user)

    def test_a_stale_copy_cannot_skip_the_rules(self, staff_user):
        # The status is read from the database, not from the caller's copy.
        enrolment = enrol(make_session(), staff_user)
        stale = Enrolment.objects.get(pk=enrolment.pk)
        set_status(enrolment, E.CANCELLED, staff_user)
        stale.status = E.PENDING
        with pytest.raises(ValidationError):
            set_status(stale, E.REJECTED, staff_user)
        enrolment.refresh_from_db()
        assert enrolment.status == E.CANCELLED
