"""Reads for sessions: each selector owns its joins and annotations."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from sessions.models import Enrolment, SessionDay, TrainingSession


def _per_session(queryset, expression, output_field):
    """A correlated subquery: one aggregate of `queryset` for the outer session row. Cheaper
    than joining days and enrolments together, whose product grows with both."""
    return Subquery(
        queryset.filter(training_session=OuterRef("pk"))
        .order_by()
        .values("training_session")
        .annotate(value=expression)
        .values("value"),
        output_field=output_field,
    )


def training_session_list() -> QuerySet[TrainingSession]:
    """Sessions with what a list shows: course, county, project, dates and seat counts."""
    days = SessionDay.objects.all()
    seats = Enrolment.objects.filter(status__in=Enrolment.SEAT_HOLDING)
    return TrainingSession.objects.select_related("course", "county", "project", "venue").annotate(
        first_day=_per_session(days, Min("starts_at"), DateTimeField()),
        last_day=_per_session(days, Max("ends_at"), DateTimeField()),
        day_count=Coalesce(_per_session(days, Count("pk"), IntegerField()), 0),
        seats_taken=Coalesce(_per_session(seats, Count("pk"), IntegerField()), 0),
    )


def enrolment_list() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "training_session__course",
        "training_session__county",
        "professional__county",
        "professional__institution",
    )


def seats_taken(*, training_session: TrainingSession) -> int:
    return training_session.enrolments.active().count()


@dataclass(frozen=True)
class Conflict:
    other: TrainingSession
    reason: str  # "venue" or "trainer"
    detail: str


def training_session_conflicts(*, training_session: TrainingSession) -> list[Conflict]:
    """Other live sessions that overlap in time and share the venue or a trainer.
    Works on unsaved sessions too (days and trainers held in memory by the admin form)."""
    days = list(training_session.days.all())
    trainers = list(training_session.trainers.all())
    if not days or (training_session.venue_id is None and not trainers):
        return []
    overlap = Q()
    for day in days:
        overlap |= Q(starts_at__lt=day.ends_at, ends_at__gt=day.starts_at)
    shared = Q()
    if training_session.venue_id is not None:
        shared |= Q(training_session__venue_id=training_session.venue_id)
    if trainers:
        shared |= Q(training_session__trainers__in=[t.pk for t in trainers])
    other_days = (
        SessionDay.objects.filter(overlap & shared)
        .exclude(training_session__status=TrainingSession.Status.CANCELLED)
        .select_related("training_session__venue", "training_session__course")
        .prefetch_related("training_session__trainers")
    )
    if training_session.pk:
        other_days = other_days.exclude(training_session_id=training_session.pk)
    conflicts: dict[tuple[int, str, str], Conflict] = {}
    trainer_ids = {t.pk for t in trainers}
    for day in other_days:
        other = day.training_session
        if training_session.venue_id and other.venue_id == training_session.venue_id:
            key = (other.pk, "venue", str(other.venue))
            conflicts[key] = Conflict(other, "venue", str(other.venue))
        for trainer in other.trainers.all():
            if trainer.pk in trainer_ids:
                key = (other.pk, "trainer", str(trainer))
                conflicts[key] = Conflict(other, "trainer", str(trainer))
    return list(conflicts.values())
