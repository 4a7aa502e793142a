"""Reads for sessions: each selector owns its joins and annotations."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from sessions.models import Attendance, Enrolment, SessionDay, SessionQuota, TrainingSession
from training.models import FocalPoint, LocalTeamMembership


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


# --- registration -------------------------------------------------------------------------

ENROL_PERMISSION = "training_sessions.add_enrolment"


def session_first_start(training_session: TrainingSession):
    return training_session.days.aggregate(first=Min("starts_at"))["first"]


def person_scopes(*, professional) -> dict[str, set[int]]:
    today = timezone.localdate()
    teams = set(
        LocalTeamMembership.objects.filter(professional=professional, since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values_list("team_id", flat=True)
    )
    return {
        "county": {professional.county_id},
        "institution": {professional.institution_id} if professional.institution_id else set(),
        "local_team": teams,
    }


def can_nominate(*, user, professional) -> bool:
    """Whether this user may nominate this person: an organiser, or a focal point whose
    institution, county or local team the person belongs to."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_perm(ENROL_PERMISSION):
        return True
    scopes = person_scopes(professional=professional)
    return FocalPoint.objects.filter(
        Q(user=user)
        & (
            Q(institution_id__in=scopes["institution"])
            | Q(county_id__in=scopes["county"])
            | Q(local_team_id__in=scopes["local_team"])
        )
    ).exists()


@dataclass(frozen=True)
class QuotaUse:
    quota: SessionQuota
    used: int

    @property
    def left(self) -> int:
        return max(self.quota.seats - self.used, 0)


def quota_use(*, training_session: TrainingSession) -> list[QuotaUse]:
    """Each quota of a session with the open enrolments (seat holders and waiting) it covers."""
    today = timezone.localdate()
    open_enrolments = Enrolment.objects.filter(
        training_session_id=training_session.pk, status__in=Enrolment.OPEN
    )
    result = []
    for quota in training_session.quotas.select_related("county", "local_team", "institution"):
        if quota.county_id:
            covered = open_enrolments.filter(professional__county_id=quota.county_id)
        elif quota.institution_id:
            covered = open_enrolments.filter(professional__institution_id=quota.institution_id)
        else:
            members = LocalTeamMembership.objects.filter(
                team_id=quota.local_team_id, since__lte=today
            ).filter(Q(until__isnull=True) | Q(until__gte=today))
            covered = open_enrolments.filter(professional__in=members.values("professional_id"))
        result.append(QuotaUse(quota, covered.count()))
    return result


def waitlist_position(*, enrolment: Enrolment) -> int | None:
    """1 for the first person waiting; None when not on the waiting list."""
    if enrolment.status != Enrolment.Status.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(
        training_session_id=enrolment.training_session_id, status=Enrolment.Status.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=enrolment.waitlisted_at)
        | Q(waitlisted_at=enrolment.waitlisted_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


# --- public site ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFilters:
    """What a visitor can narrow the public calendar by (all optional)."""

    county: object = None
    category: object = None
    course: object = None
    delivery_type: str = ""
    month: datetime.date | None = None  # any day of the month
    mode: str = ""  # "online" or "in_person"; hybrid sessions match both


def public_session_list(*, filters: SessionFilters | None = None) -> QuerySet[TrainingSession]:
    """Published sessions that have not ended yet, soonest first, with the seats left."""
    filters = filters or SessionFilters()
    qs = (
        training_session_list()
        .filter(status=TrainingSession.Status.PUBLISHED, last_day__gte=timezone.now())
        .annotate(seats_left=Greatest(F("capacity") - F("seats_taken"), 0))
        .order_by("first_day", "pk")
    )
    if filters.county is not None:
        qs = qs.filter(county=filters.county)
    if filters.course is not None:
        qs = qs.filter(course=filters.course)
    if filters.category is not None:
        qs = qs.filter(course__target_categories=filters.category)
    if filters.delivery_type:
        qs = qs.filter(course__delivery_type=filters.delivery_type)
    if filters.mode:
        qs = qs.filter(delivery_mode__in=[filters.mode, TrainingSession.DeliveryMode.HYBRID])
    if filters.month is not None:
        start = filters.month.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        qs = qs.filter(
            Exists(
                SessionDay.objects.filter(
                    training_session=OuterRef("pk"),
                    starts_at__date__gte=start,
                    starts_at__date__lt=end,
                )
            )
        )
    return qs


def course_trainers(*, course) -> QuerySet:
    """Trainers of a course's upcoming published sessions."""
    from training.models import Trainer

    upcoming = public_session_list(filters=SessionFilters(course=course)).values("pk")
    return Trainer.objects.filter(sessions__in=upcoming).select_related("organisation").distinct()


def headline_figures() -> dict[str, int]:
    """What the home page shows: unique persons present at least once, sessions held,
    counties reached."""
    held = TrainingSession.objects.filter(status=TrainingSession.Status.COMPLETED)
    return {
        "persons_trained": Attendance.objects.filter(status=Attendance.Status.PRESENT)
        .values("enrolment__professional")
        .distinct()
        .count(),
        "sessions_held": held.count(),
        "counties_reached": held.values("county").distinct().count(),
    }


def project_indicator_progress(*, project) -> list[tuple[object, int | None]]:
    """Each indicator of a project with what has been achieved so far (None where Formativ
    does not measure it yet)."""
    from training.models import Indicator

    sessions = TrainingSession.objects.filter(project=project)
    achieved = {
        Indicator.Unit.PERSONS: Attendance.objects.filter(
            status=Attendance.Status.PRESENT, enrolment__training_session__in=sessions
        )
        .values("enrolment__professional")
        .distinct()
        .count(),
        Indicator.Unit.SESSIONS: sessions.filter(status=TrainingSession.Status.COMPLETED).count(),
    }
    return [(indicator, achieved.get(indicator.unit)) for indicator in project.indicators.all()]
