"""Creating and editing sessions with their days (`training_session_save`), and the venue and
trainer double bookings it reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sessions.models import Enrolment, SessionDay, TrainingSession
from sessions.services import training_session_save
from tests.factories.sessions import VenueFactory, at, make_session
from tests.factories.training import (
    CourseFactory,
    ProfessionalFactory,
    TrainerFactory,
    county,
)
from training.models import Sector

pytestmark = pytest.mark.django_db

Status = TrainingSession.Status


def new_session(*, days=(), code="S-NOU", **fields) -> TrainingSession:
    """An unsaved session holding its days on the instance, as the API and admin form do."""
    fields.setdefault("course", CourseFactory())
    fields.setdefault("county", county())
    fields.setdefault("capacity", 20)
    fields.setdefault("status", Status.DRAFT)
    if "venue" not in fields and fields.get("delivery_mode", "in_person") != "online":
        fields["venue"] = VenueFactory()
    session = TrainingSession(code=code, **fields)
    session.days = [SessionDay(starts_at=start, ends_at=end) for start, end in days]
    return session


def save(session, user):
    return training_session_save(training_session=session, acting_user=user)


def refused_on(field, session, user) -> None:
    with pytest.raises(ValidationError) as excinfo:
        save(session, user)
    assert field in excinfo.value.message_dict


class TestDays:
    def test_a_session_is_saved_with_its_days(self, staff_user):
        session = new_session(days=[(at(10, 9), at(10, 17)), (at(11, 9), at(11, 13))])
        result = save(session, staff_user)
        saved = TrainingSession.objects.get(pk=result.training_session.pk)
        assert [(d.starts_at, d.ends_at) for d in saved.days.all()] == [
            (at(10, 9), at(10, 17)),
            (at(11, 9), at(11, 13)),
        ]
        assert result.conflicts == []

    def test_day_ending_before_it_starts_is_refused_and_nothing_saved(self, staff_user):
        session = new_session(days=[(at(10, 9), at(10, 17)), (at(11, 17), at(11, 9))])
        refused_on("days", session, staff_user)
        assert not TrainingSession.objects.exists()
        assert not SessionDay.objects.exists()

    def test_day_ending_when_it_starts_is_refused(self, staff_user):
        refused_on("days", new_session(days=[(at(10, 9), at(10, 9))]), staff_user)
        assert not TrainingSession.objects.exists()

    def test_two_days_on_the_same_date_are_refused(self, staff_user):
        session = new_session(days=[(at(10, 9), at(10, 12)), (at(10, 13), at(10, 17))])
        refused_on("days", session, staff_user)
        assert not SessionDay.objects.exists()

    def test_a_day_crossing_midnight_is_refused(self, staff_user):
        refused_on("days", new_session(days=[(at(10, 20), at(11, 1))]), staff_user)
        assert not TrainingSession.objects.exists()

    def test_the_date_of_a_day_is_read_in_bucharest_time(self, staff_user):
        # 01:00-04:00 in Bucharest starts on the previous UTC date, summer or winter.
        start = at(10, 1)
        session = new_session(days=[(start, start + datetime.timedelta(hours=3))])
        assert save(session, staff_user).training_session.pk is not None

    def test_publishing_without_days_is_refused(self, staff_user):
        refused_on("status", new_session(status=Status.PUBLISHED), staff_user)
        assert not TrainingSession.objects.exists()

    def test_a_draft_may_wait_for_its_days(self, staff_user):
        assert save(new_session(), staff_user).training_session.pk is not None

    def test_a_published_session_cannot_lose_all_its_days(self, staff_user):
        session = make_session(day_count=2)
        session.days = []
        refused_on("status", session, staff_user)
        assert SessionDay.objects.filter(training_session_id=session.pk).count() == 2

    def test_sector_must_belong_to_the_county(self, staff_user):
        session = new_session(
            days=[(at(10, 9), at(10, 17))], county=county("CJ"), sector=Sector.objects.first()
        )
        refused_on("sector", session, staff_user)


class TestCapacity:
    @pytest.fixture
    def full_session(self):
        session = make_session(capacity=3)
        for status in ("confirmed", "confirmed", "pending", "waitlisted", "cancelled"):
            Enrolment.objects.create(
                training_session=session,
                professional=ProfessionalFactory(),
                status=status,
                source="staff",
            )
        return session

    def test_capacity_below_the_seats_held_is_refused_and_nothing_changes(
        self, staff_user, full_session
    ):
        session = TrainingSession.objects.get(pk=full_session.pk)
        session.capacity = 2
        session.title = "Titlu nou"
        refused_on("capacity", session, staff_user)
        full_session.refresh_from_db()
        assert full_session.capacity == 3
        assert full_session.title == ""

    def test_capacity_may_drop_to_the_seats_held(self, staff_user, full_session):
        # Waitlisted and cancelled enrolments hold no seat.
        session = TrainingSession.objects.get(pk=full_session.pk)
        session.capacity = 3
        session.title = "Titlu nou"
        save(session, staff_user)
        full_session.refresh_from_db()
        assert full_session.title == "Titlu nou"


class TestRegistrationWindow:
    def test_registration_closing_after_the_last_day_ends_is_refused(self, staff_user):
        session = new_session(
            days=[(at(10, 9), at(10, 17)), (at(11, 9), at(11, 17))],
            registration_opens_at=at(1, 9),
            registration_closes_at=at(11, 18),
        )
        refused_on("registration_closes_at", session, staff_user)
        assert not TrainingSession.objects.exists()

    def test_registration_closing_before_the_session_is_accepted(self, staff_user):
        session = new_session(
            days=[(at(10, 9), at(10, 17))],
            registration_opens_at=at(1, 9),
            registration_closes_at=at(9, 12),
        )
        assert save(session, staff_user).training_session.pk is not None

    def test_registration_closing_before_it_opens_is_refused(self, staff_user):
        session = new_session(
            days=[(at(10, 9), at(10, 17))],
            registration_opens_at=at(5, 9),
            registration_closes_at=at(4, 9),
        )
        refused_on("__all__", session, staff_user)
        assert not TrainingSession.objects.exists()


class TestDoubleBookings:
    @pytest.fixture
    def venue(self):
        return VenueFactory()

    @pytest.fixture
    def trainer(self):
        return TrainerFactory()

    def test_same_venue_at_overlapping_times_is_reported(self, staff_user, venue):
        other = make_session(start_in=10, day_count=1, venue=venue)
        session = new_session(days=[(at(10, 13), at(10, 15))], venue=venue)
        result = save(session, staff_user)
        assert result.training_session.pk is not None  # a warning, not a refusal
        assert [(c.other, c.reason) for c in result.conflicts] == [(other, "venue")]

    def test_same_trainer_at_overlapping_times_is_reported(self, staff_user, trainer):
        other = make_session(start_in=10, day_count=1)
        other.trainers.add(trainer)
        other.save()
        session = new_session(days=[(at(10, 16), at(10, 18))], venue=VenueFactory())
        session.trainers.set([trainer])
        result = save(session, staff_user)
        assert [(c.other, c.reason, c.detail) for c in result.conflicts] == [
            (other, "trainer", str(trainer))
        ]
        assert list(result.training_session.trainers.all()) == [trainer]

    def test_online_session_with_a_busy_trainer_is_reported(self, staff_user, trainer):
        other = make_session(start_in=10, day_count=1)
        other.trainers.add(trainer)
        other.save()
        session = new_session(
            days=[(at(10, 10), at(10, 12))],
            delivery_mode="online",
            online_url="https://meet.example.org/x",
        )
        session.trainers.set([trainer])
        assert [c.reason for c in save(session, staff_user).conflicts] == ["trainer"]

    def test_a_cancelled_session_does_not_conflict(self, staff_user, venue, trainer):
        other = make_session(start_in=10, day_count=1, venue=venue, status=Status.CANCELLED)
        other.trainers.add(trainer)
        other.save()
        session = new_session(days=[(at(10, 9), at(10, 17))], venue=venue)
        session.trainers.set([trainer])
        assert save(session, staff_user).conflicts == []

    def test_back_to_back_sessions_do_not_conflict(self, staff_user, venue, trainer):
        other = make_session(start_in=10, day_count=1, venue=venue)  # 09:00-17:00
        other.trainers.add(trainer)
        other.save()
        session = new_session(days=[(at(10, 17), at(10, 19))], venue=venue)
        session.trainers.set([trainer])
        assert save(session, staff_user).conflicts == []

    def test_another_day_does_not_conflict(self, staff_user, venue):
        make_session(start_in=10, day_count=1, venue=venue)
        session = new_session(days=[(at(11, 9), at(11, 17))], venue=venue)
        assert save(session, staff_user).conflicts == []

    def test_another_venue_and_trainer_do_not_conflict(self, staff_user, venue, trainer):
        other = make_session(start_in=10, day_count=1)
        other.trainers.add(TrainerFactory())
        other.save()
        session = new_session(days=[(at(10, 9), at(10, 17))], venue=venue)
        session.trainers.set([trainer])
        assert save(session, staff_user).conflicts == []

    def test_editing_a_session_does_not_report_it_against_itself(self, staff_user, venue):
        session = make_session(start_in=10, day_count=2, venue=venue)
        session = TrainingSession.objects.get(pk=session.pk)
        session.title = "Ediție revizuită"
        assert save(session, staff_user).conflicts == []

    def test_both_bookings_of_one_session_are_reported_once_each(self, staff_user, venue, trainer):
        other = make_session(start_in=10, day_count=2, venue=venue)
        other.trainers.add(trainer)
        other.save()
        session = new_session(days=[(at(10, 9), at(10, 12)), (at(11, 9), at(11, 12))], venue=venue)
        session.trainers.set([trainer])
        reasons = sorted(c.reason for c in save(session, staff_user).conflicts)
        assert reasons == ["trainer", "venue"]
