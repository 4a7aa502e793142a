import datetime

import factory
from django.utils import timezone

from sessions.models import SessionDay, SessionQuota, TrainingSession, Venue
from tests.factories.training import CourseFactory, county


def at(days_from_now: int, hour: int) -> datetime.datetime:
    """An aware datetime `days_from_now` days away, at `hour` o'clock Bucharest time."""
    day = timezone.localdate() + datetime.timedelta(days=days_from_now)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def running_span(
    before: datetime.timedelta = datetime.timedelta(hours=1),
    after: datetime.timedelta = datetime.timedelta(hours=3),
) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a day under way now: from `before` ago until `after` from now, but
    kept within today's Bucharest date, since a session day starts and ends on one date (late
    in the evening it ends at midnight, just after midnight it starts at 00:00)."""
    now = timezone.now()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    day_end = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    return max(now - before, midnight), min(now + after, day_end)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Sala {n}")
    city = "Cluj-Napoca"
    county = factory.LazyFunction(county)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """A published in-person session without days; use `make_session` for one with days."""

    class Meta:
        model = TrainingSession

    code = factory.Sequence(lambda n: f"S-{n:05d}")
    course = factory.SubFactory(CourseFactory)
    county = factory.LazyFunction(county)
    venue = factory.SubFactory(VenueFactory)
    capacity = 20
    status = TrainingSession.Status.PUBLISHED


def make_session(*, start_in: int = 10, day_count: int = 2, **kwargs) -> TrainingSession:
    """A session whose `day_count` days (09:00–17:00) start `start_in` days from today
    (negative: in the past)."""
    session = TrainingSessionFactory(**kwargs)
    for i in range(day_count):
        SessionDay.objects.create(
            training_session=session, starts_at=at(start_in + i, 9), ends_at=at(start_in + i, 17)
        )
    return session


def add_quota(session: TrainingSession, seats: int, **scope) -> SessionQuota:
    """A nomination quota: `scope` is one of county=, local_team=, institution=."""
    return SessionQuota.objects.create(training_session=session, seats=seats, **scope)
