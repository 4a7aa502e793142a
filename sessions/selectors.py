"""Reads for sessions: each selector owns its joins and annotations."""

import datetime
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace

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

from sessions.models import (
    Attendance,
    AttendanceEvidence,
    CheckInWindow,
    Enrolment,
    SessionDay,
    SessionQuota,
    TrainingSession,
)
from training.access import staff_scope
from training.models import CertificateType, FocalPoint, LocalTeamMembership


def _per_session(queryset, expression, output_field, *, key: str = "pk"):
    """A correlated subquery: one aggregate of `queryset` for the outer session row (or, with
    `key`, the outer row's field holding the session). Cheaper than joining days and enrolments
    together, whose product grows with both."""
    return Subquery(
        queryset.filter(training_session=OuterRef(key))
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


def staff_session_list(*, user) -> QuerySet[TrainingSession]:
    """`training_session_list()` narrowed to the sessions this user manages (their scope:
    training.access)."""
    return training_session_list().filter(staff_scope(user).sessions_q())


def staff_enrolment_list(*, user) -> QuerySet[Enrolment]:
    """`enrolment_list()` narrowed to the enrolments in this user's scope."""
    return enrolment_list().filter(staff_scope(user).enrolments_q())


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


def enrols_anyone(*, user, training_session: TrainingSession | None = None) -> bool:
    """Whether the user may enrol any person of the registry (into this session): an
    administrator holding the enrolment permission, or a project's organiser into their
    project's sessions (organisers fill their seats from the whole registry). County
    coordinators hold the permission too, but enrol only the people of their scope."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(ENROL_PERMISSION):
        return False
    scope = staff_scope(user)
    return scope.all or (
        training_session is not None and training_session.project_id in scope.project_ids
    )


def can_nominate(*, user, professional, training_session: TrainingSession | None = None) -> bool:
    """Whether this user may nominate (or enrol) this person: see `enrols_anyone`; otherwise
    a focal point or coordinator whose institution, county or local team the person belongs
    to (training.access: `people_q`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if enrols_anyone(user=user, training_session=training_session):
        return True
    scope = staff_scope(user)
    if scope.all or not scope.looks_after_people:
        return False
    from training.models import Professional

    return Professional.objects.filter(scope.people_q(), pk=professional.pk).exists()


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
    project: object = None
    category: object = None
    course: object = None
    delivery_type: str = ""
    month: datetime.date | None = None  # any day of the month
    mode: str = ""  # "online" or "in_person"; hybrid sessions match both


def public_session_list(*, filters: SessionFilters | None = None) -> QuerySet[TrainingSession]:
    """Published sessions that have not ended yet, soonest first, with the seats left."""
    qs = (
        training_session_list()
        .filter(status=TrainingSession.Status.PUBLISHED, last_day__gte=timezone.now())
        .annotate(seats_left=Greatest(F("capacity") - F("seats_taken"), 0))
        .order_by("first_day", "pk")
    )
    return _filtered(qs, filters or SessionFilters())


def _filtered(qs: QuerySet[TrainingSession], filters: SessionFilters) -> QuerySet:
    if filters.county is not None:
        qs = qs.filter(county=filters.county)
    if filters.course is not None:
        qs = qs.filter(course=filters.course)
    if filters.project is not None:
        qs = qs.filter(project=filters.project)
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


# --- API ---

VIEW_SESSION_PERMISSION = "training_sessions.view_trainingsession"
VIEW_ENROLMENT_PERMISSION = "training_sessions.view_enrolment"
# What anyone may see of the offer: sessions announced or held, never drafts or cancelled ones.
# The marks that count as having attended the day.
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.PARTIAL)

PUBLIC_STATUSES = (TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED)


def sees_all_sessions(user) -> bool:
    """Organisers see every session; everyone else (people, focal points, visitors) only the
    published and completed ones."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.has_perm(VIEW_SESSION_PERMISSION) or user.has_perm(ENROL_PERMISSION)
    )


def api_session_list(
    *,
    user=None,
    county=None,
    course=None,
    project=None,
    status: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[TrainingSession]:
    """Sessions as the API lists them, for this caller: seat counts, the waiting list's length
    and the days prefetched, soonest first. `date_from`/`date_to` keep sessions with at least
    one day (local date) in that range; either bound may be left open."""
    waiting = Enrolment.objects.filter(status=Enrolment.Status.WAITLISTED)
    qs = (
        training_session_list()
        .annotate(waitlist_length=Coalesce(_per_session(waiting, Count("pk"), IntegerField()), 0))
        .prefetch_related("days")
        .order_by("first_day", "pk")
    )
    if not sees_all_sessions(user):
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    elif not staff_scope(user).all:
        # Staff see every status of the sessions they manage, the public offer of the others.
        qs = qs.filter(Q(status__in=PUBLIC_STATUSES) | staff_scope(user).sessions_q())
    if county is not None:
        qs = qs.filter(county=county)
    if course is not None:
        qs = qs.filter(course=course)
    if project is not None:
        qs = qs.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if date_from is not None or date_to is not None:
        days = SessionDay.objects.filter(training_session=OuterRef("pk"))
        if date_from is not None:
            days = days.filter(starts_at__date__gte=date_from)
        if date_to is not None:
            days = days.filter(starts_at__date__lte=date_to)
        qs = qs.filter(Exists(days))
    return qs


def api_enrolment_list() -> QuerySet[Enrolment]:
    """Enrolments with their session, the session's first day and, for those waiting, their
    place in the queue (1 = next), without a query per row."""
    from django.db.models import Case, When

    ahead = Enrolment.objects.filter(
        training_session_id=OuterRef("training_session_id"),
        status=Enrolment.Status.WAITLISTED,
    ).filter(
        Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
        | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
    )
    ahead_count = Subquery(
        ahead.order_by().values("training_session_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )
    days = SessionDay.objects.all()
    return Enrolment.objects.select_related("training_session__course", "professional").annotate(
        session_first_day=Subquery(
            days.filter(training_session=OuterRef("training_session_id"))
            .order_by()
            .values("training_session")
            .annotate(value=Min("starts_at"))
            .values("value"),
            output_field=DateTimeField(),
        ),
        waitlist_position_value=Case(
            When(
                status=Enrolment.Status.WAITLISTED,
                then=Coalesce(ahead_count, 0) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        ),
    )


# --- public registration pages ---

# Sessions with a public page: drafts have none.
PAGE_STATUSES = (
    TrainingSession.Status.PUBLISHED,
    TrainingSession.Status.COMPLETED,
    TrainingSession.Status.CANCELLED,
)


def public_session_page() -> QuerySet[TrainingSession]:
    """Sessions as their public page shows them: dates, seats left, the waiting list's length,
    trainers and who the session is for, without a query per item."""
    waiting = Enrolment.objects.filter(status=Enrolment.Status.WAITLISTED)
    return (
        training_session_list()
        .filter(status__in=PAGE_STATUSES)
        .select_related("venue__county", "sector")
        .annotate(
            seats_left=Greatest(F("capacity") - F("seats_taken"), 0),
            waitlist_length=Coalesce(_per_session(waiting, Count("pk"), IntegerField()), 0),
        )
        .prefetch_related("days", "trainers", "target_categories", "eligible_counties")
    )


@dataclass(frozen=True)
class EnrolmentActions:
    """What the person may do with their registration now, for display: the services still
    decide when asked."""

    enrolment: Enrolment
    waitlist_position: int | None
    can_cancel: bool
    cancel_until: datetime.datetime | None  # when seat holders stop cancelling online
    cancel_closed: bool  # holds a seat, but the cut-off has passed
    can_respond: bool


def enrolment_actions(
    *, enrolment: Enrolment, first_start, waitlist_position=None, now=None
) -> EnrolmentActions:
    """`first_start`: the session's first day (annotated or prefetched by the caller, so that a
    list costs no query per row)."""
    now = now or timezone.now()
    session = enrolment.training_session
    status = enrolment.status
    published = session.status == TrainingSession.Status.PUBLISHED
    started = first_start is not None and first_start <= now
    cancel_until = None
    if first_start is not None and status in Enrolment.SEAT_HOLDING:
        cancel_until = first_start - datetime.timedelta(hours=session.cancellation_cutoff_hours)
    within_cutoff = cancel_until is None or now < cancel_until
    open_registration = status in Enrolment.OPEN and published and not started
    return EnrolmentActions(
        enrolment=enrolment,
        waitlist_position=waitlist_position,
        can_cancel=open_registration and within_cutoff,
        cancel_until=cancel_until,
        cancel_closed=open_registration and not within_cutoff,
        can_respond=(
            status == Enrolment.Status.OFFERED
            and published
            and not started
            and (enrolment.offer_expires_at is None or enrolment.offer_expires_at > now)
        ),
    )


@dataclass(frozen=True)
class RegistrationState:
    """What a session's page offers this visitor.

    visitor: "anonymous" (sign in or create an account), "no_profile" (complete the profile),
    "enrolled" (their registration: see `actions`), "can_register" (the register button;
    `joins_waitlist` when it puts them on the waiting list) or "closed" (`closed_reason`).
    `closed_reason` is also set for anonymous visitors and people without a profile when
    nobody can register."""

    visitor: str
    closed_reason: str = ""
    actions: EnrolmentActions | None = None
    joins_waitlist: bool = False
    can_nominate: bool = False


def session_closed_reason(session: TrainingSession, *, now=None, nominating=False) -> str:
    """Why nobody can register now (empty when they can), for a session annotated with
    `first_day`. Nominations are not held back by the session being nomination-only."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    Status = TrainingSession.Status
    if session.status == Status.CANCELLED:
        return _("This session has been cancelled.")
    if session.status == Status.COMPLETED:
        return _("This session has already taken place.")
    if session.first_day is not None and session.first_day <= now:
        return _("This session has already started.")
    if not nominating and session.approval_mode == TrainingSession.ApprovalMode.NOMINATION:
        return _(
            "Places in this session are given by nomination: ask your institution's focal point."
        )
    if session.registration_opens_at and now < session.registration_opens_at:
        return _("Registration opens on %(date)s.") % {
            "date": date_format(
                timezone.localtime(session.registration_opens_at), "DATETIME_FORMAT"
            )
        }
    if session.registration_closes_at and now >= session.registration_closes_at:
        return _("Registration for this session has closed.")
    return ""


def _ineligible_reason(session: TrainingSession, professional) -> str:
    from django.utils.translation import gettext as _

    categories = {c.pk for c in session.target_categories.all()}
    if categories and professional.category_id not in categories:
        return _("This session is meant for other professional categories.")
    counties = {c.pk for c in session.eligible_counties.all()}
    if counties and professional.county_id not in counties:
        return _("This session is meant for people from other counties.")
    return ""


def may_nominate_someone(*, user) -> bool:
    """Whether the user nominates at all: an organiser, or someone with a nomination right."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm(ENROL_PERMISSION) or FocalPoint.objects.filter(user=user).exists()


def registration_state(*, training_session: TrainingSession, user, now=None) -> RegistrationState:
    """`training_session` as `public_session_page()` returns it."""
    now = now or timezone.now()
    session = training_session
    closed = session_closed_reason(session, now=now)
    can_nominate = (
        session.approval_mode == TrainingSession.ApprovalMode.NOMINATION
        and session.status == TrainingSession.Status.PUBLISHED
        and not (session.first_day is not None and session.first_day <= now)
        and may_nominate_someone(user=user)
    )
    if not getattr(user, "is_authenticated", False):
        return RegistrationState("anonymous", closed_reason=closed)
    professional = getattr(user, "professional", None)
    if professional is None:
        return RegistrationState("no_profile", closed_reason=closed, can_nominate=can_nominate)
    enrolment = (
        Enrolment.objects.filter(training_session=session, professional=professional)
        .select_related("training_session")
        .first()
    )
    if enrolment is not None:
        actions = enrolment_actions(
            enrolment=enrolment,
            first_start=session.first_day,
            waitlist_position=waitlist_position(enrolment=enrolment),
            now=now,
        )
        return RegistrationState("enrolled", actions=actions, can_nominate=can_nominate)
    closed = closed or _ineligible_reason(session, professional)
    if closed:
        return RegistrationState("closed", closed_reason=closed, can_nominate=can_nominate)
    return RegistrationState(
        "can_register",
        # A free seat while people wait is one they were passed over for (no longer
        # eligible): it is the newcomer's (the service's rule).
        joins_waitlist=session.seats_left <= 0,
        can_nominate=can_nominate,
    )


def person_enrolment_list(*, professional) -> QuerySet[Enrolment]:
    """A person's registrations, each with its session, place, days, first and last day and
    (for those waiting) the place in the queue, without a query per row."""
    days = SessionDay.objects.filter(training_session=OuterRef("training_session_id"))
    return (
        api_enrolment_list()
        .filter(professional=professional)
        .select_related("training_session__county", "training_session__venue")
        # The marks: per-day attendance on "my trainings"; the certificates issued.
        .prefetch_related("training_session__days", "attendance", "certificates")
        .annotate(
            session_last_day=Subquery(
                days.order_by()
                .values("training_session")
                .annotate(value=Max("ends_at"))
                .values("value"),
                output_field=DateTimeField(),
            )
        )
    )


def nomination_scope(*, user, training_session: TrainingSession | None = None) -> Q | None:
    """Which people the user may nominate (into this session), as a filter on Professional:
    everyone for whom `enrols_anyone`; for a focal point or coordinator, the people of their
    institutions, counties and the current members of their local teams. None: nobody."""
    if not getattr(user, "is_authenticated", False):
        return None
    if enrols_anyone(user=user, training_session=training_session):
        return Q()
    scope = staff_scope(user)
    if scope.all or not scope.looks_after_people:
        return None
    return scope.people_q()


def nominable_people(*, user, training_session: TrainingSession, query: str = "") -> QuerySet:
    """The people the user may nominate, searchable by name (every word must match the first
    or last name, with or without diacritics), each with their registration's status in this
    session (`session_status`, None when not registered)."""
    from training.models import Professional
    from training.text import name_match_key

    scope = nomination_scope(user=user, training_session=training_session)
    if scope is None:
        return Professional.objects.none()
    status = Enrolment.objects.filter(
        training_session_id=training_session.pk, professional_id=OuterRef("pk")
    ).values("status")[:1]
    qs = (
        Professional.objects.filter(scope)
        .select_related("institution", "county", "category")
        .annotate(session_status=Subquery(status))
        .order_by("last_name", "first_name", "pk")
    )
    for word in query.split()[:6]:
        folded = name_match_key(word)
        condition = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if folded:
            condition |= Q(match_key__contains=folded)
        qs = qs.filter(condition)
    return qs


def nominating_institution(*, user, professional):
    """The institution a focal point nominates on behalf of: the one whose right covers the
    person, else their first institution right; None for county or team coordinators and
    organisers."""
    rights = list(
        FocalPoint.objects.filter(user=user, institution__isnull=False).select_related(
            "institution"
        )
    )
    for right in rights:
        if right.institution_id == professional.institution_id:
            return right.institution
    return rights[0].institution if rights else None


# --- calendar feeds ---------------------------------------------------------------------------

# How long an ended session stays in the feeds, so that subscribed calendars keep it a while.
PUBLIC_FEED_PAST = datetime.timedelta(days=30)
COUNTY_FEED_PAST = datetime.timedelta(days=90)
PERSONAL_FEED_PAST = datetime.timedelta(days=365)


def _for_calendar(qs: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return qs.select_related("course", "project", "venue", "county").prefetch_related(
        "days", "trainers"
    )


def calendar_session(*, code: str) -> TrainingSession | None:
    """A session whose .ics anyone may download: published, completed or cancelled."""
    return (
        _for_calendar(
            TrainingSession.objects.filter(
                status__in=(*PUBLIC_STATUSES, TrainingSession.Status.CANCELLED)
            )
        )
        .filter(code=code)
        .first()
    )


def public_feed_sessions(*, filters: SessionFilters | None = None) -> QuerySet[TrainingSession]:
    """The public feed: sessions not yet ended (or ended within the last 30 days), with the
    calendar page's filters; cancelled ones stay, marked cancelled, so calendars update."""
    qs = training_session_list().filter(
        status__in=(*PUBLIC_STATUSES, TrainingSession.Status.CANCELLED),
        last_day__gte=timezone.now() - PUBLIC_FEED_PAST,
    )
    filters = filters or SessionFilters()
    return _for_calendar(_filtered(qs, dataclass_replace(filters, month=None))).order_by(
        "first_day", "pk"
    )


def county_feed_sessions(*, county) -> QuerySet[TrainingSession]:
    """An organiser's feed of one county: every session of it, drafts included, not ended more
    than 90 days ago, with the seat counts and the waiting list's length."""
    waiting = Enrolment.objects.filter(status=Enrolment.Status.WAITLISTED)
    qs = (
        training_session_list()
        .filter(county=county, last_day__gte=timezone.now() - COUNTY_FEED_PAST)
        .annotate(waitlist_length=Coalesce(_per_session(waiting, Count("pk"), IntegerField()), 0))
    )
    return _for_calendar(qs).order_by("first_day", "pk")


def personal_feed_enrolments(*, user) -> QuerySet[Enrolment]:
    """A person's own calendar: their live registrations, and those ended by a cancelled
    session (shown cancelled), for sessions not ended more than a year ago. A registration
    the person had cancelled before the session was does not come back, cancelled."""
    last_day = _per_session(
        SessionDay.objects.all(), Max("ends_at"), DateTimeField(), key="training_session_id"
    )
    return (
        Enrolment.objects.filter(professional__user=user)
        .filter(
            Q(status__in=Enrolment.OPEN)
            | Q(
                status=Enrolment.Status.CANCELLED,
                status_reason=Enrolment.SESSION_CANCELLED,
                training_session__status=TrainingSession.Status.CANCELLED,
            )
        )
        .exclude(training_session__status=TrainingSession.Status.DRAFT)
        .annotate(last_day=last_day)
        .filter(last_day__gte=timezone.now() - PERSONAL_FEED_PAST)
        .select_related(
            "professional",
            "training_session__course",
            "training_session__project",
            "training_session__venue",
            "training_session__county",
        )
        .prefetch_related("training_session__days", "training_session__trainers")
        .order_by("last_day", "pk")
    )


def calendar_token_owner(*, token: str):
    """The user whose calendar addresses carry this secret, or None."""
    from sessions.models import CalendarToken

    if not token or len(token) > 64:
        return None
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return None
    return found.user


def calendar_token_of(*, user) -> str | None:
    from sessions.models import CalendarToken

    return CalendarToken.objects.filter(user=user).values_list("token", flat=True).first()


def followable_counties(*, user) -> QuerySet:
    """The counties whose organiser feed this user may follow (see can_follow_county): every
    county for organisers, their own for county coordinators, none for anyone else."""
    from training.models import County

    if sees_all_sessions(user):
        return County.objects.order_by("name_ascii")
    return County.objects.filter(focal_points__user=user).distinct().order_by("name_ascii")


def can_follow_county(*, user, county) -> bool:
    """Who may subscribe to a county's organiser feed: organisers, and the county's
    coordinators (focal points for the whole county)."""
    if sees_all_sessions(user):
        return True
    return FocalPoint.objects.filter(user=user, county=county).exists()


def calendar_version(*, sessions: QuerySet[TrainingSession], enrolments=None) -> tuple:
    """A cheap version of a feed's content: how many sessions (and registrations) it holds and
    when any of them, their days, courses, projects, venues or trainers last changed. Equal
    versions mean equal feeds, so a feed can answer a poll from its cache after these few
    aggregate queries instead of loading and rendering every event."""
    from training.models import Trainer

    ids = sessions.order_by().values("pk")
    version = (
        TrainingSession.objects.filter(pk__in=ids).aggregate(
            n=Count("pk"),
            session=Max("updated_at"),
            course=Max("course__updated_at"),
            project=Max("project__updated_at"),
            venue=Max("venue__updated_at"),
        ),
        SessionDay.objects.filter(training_session__in=ids).aggregate(
            n=Count("pk"), changed=Max("calendar_changed_at")
        ),
        Trainer.objects.filter(sessions__in=ids).aggregate(n=Count("pk"), t=Max("updated_at")),
    )
    if enrolments is not None:
        version += (enrolments.order_by().aggregate(n=Count("pk"), e=Max("updated_at")),)
    return version


# --- attendance -------------------------------------------------------------------------------

ATTENDANCE_PERMISSION = "training_sessions.change_attendance"
# Check-in (QR scans and self check-in) is open from an hour before a day starts until it ends.
CHECKIN_EARLY = datetime.timedelta(hours=1)


def can_take_attendance(*, user, training_session: TrainingSession) -> bool:
    """Holders of the attendance permission for the sessions in their scope (administrators:
    every session; organisers: their projects'; county coordinators: those held in their
    county), and the session's own trainers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm(ATTENDANCE_PERMISSION):
        scope = staff_scope(user)
        if scope.all:
            return True
        return TrainingSession.objects.filter(scope.sessions_q(), pk=training_session.pk).exists()
    return training_session.trainers.filter(user=user).exists()


def attendance_session_list(*, user) -> QuerySet[TrainingSession]:
    """The sessions whose attendance the user may take, most recent first."""
    qs = training_session_list().exclude(status=TrainingSession.Status.DRAFT)
    if user.has_perm(ATTENDANCE_PERMISSION):
        return qs.filter(staff_scope(user).sessions_q())
    return qs.filter(trainers__user=user).distinct()


def day_minutes(day: SessionDay) -> int:
    """The scheduled length of a day, in whole minutes."""
    return int((day.ends_at - day.starts_at).total_seconds() // 60)


def checkin_open(day: SessionDay, *, now=None) -> bool:
    """Whether check-in codes are accepted for the day now."""
    now = now or timezone.now()
    return day.starts_at - CHECKIN_EARLY <= now < day.ends_at


def checkin_day(*, training_session: TrainingSession, now=None) -> SessionDay | None:
    """The session's day whose check-in is open now (at most one: days fall on different
    dates)."""
    now = now or timezone.now()
    return (
        training_session.days.filter(starts_at__lte=now + CHECKIN_EARLY, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )


def attendance_participants(*, training_session: TrainingSession) -> QuerySet[Enrolment]:
    """The confirmed participants of a session, by name, with their institution."""
    return _participants(training_session.pk)


def _participants(session_id: int) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(training_session_id=session_id, status=Enrolment.Status.CONFIRMED)
        .select_related("professional__institution", "professional__category")
        .order_by("professional__last_name", "professional__first_name", "pk")
    )


def attendance_day_rows(*, day: SessionDay) -> list[Enrolment]:
    """The confirmed participants of the day's session, by name, each with `mark` (their
    Attendance for the day, or None). Two queries, whatever the number of people."""
    rows = list(_participants(day.training_session_id))
    marks = {
        a.enrolment_id: a for a in Attendance.objects.filter(day=day).select_related("marked_by")
    }
    for enrolment in rows:
        enrolment.mark = marks.get(enrolment.pk)
    return rows


def attendance_marks(*, training_session: TrainingSession) -> QuerySet[Attendance]:
    """Every mark of the session, for the API and spreadsheets."""
    return (
        Attendance.objects.filter(enrolment__training_session=training_session)
        .select_related("day", "marked_by")
        .order_by("day__starts_at", "enrolment_id")
    )


def open_checkin_window(*, day: SessionDay, now=None) -> CheckInWindow | None:
    now = now or timezone.now()
    return (
        CheckInWindow.objects.filter(day=day, opens_at__lte=now, closes_at__gt=now)
        .order_by("-opens_at")
        .first()
    )


@dataclass
class DayReconciliation:
    """One day of the reconciliation view: the marks taken against the evidence uploaded."""

    day: SessionDay
    confirmed: int
    attended: int
    absent: int
    unmarked: int
    evidence: list[AttendanceEvidence]

    @property
    def marked(self) -> int:
        return self.attended + self.absent

    @property
    def marks_without_evidence(self) -> bool:
        return self.marked > 0 and not self.evidence

    @property
    def evidence_without_marks(self) -> bool:
        return bool(self.evidence) and self.marked == 0

    @property
    def ok(self) -> bool:
        return not (self.marks_without_evidence or self.evidence_without_marks)


def attendance_reconciliation(*, training_session: TrainingSession) -> list[DayReconciliation]:
    """Per day: confirmed participants, marks by kind, and the scanned sheets. Four queries,
    whatever the number of days and people."""
    days = list(training_session.days.order_by("starts_at"))
    confirmed = training_session.enrolments.filter(status=Enrolment.Status.CONFIRMED).count()
    counts = {
        row["day_id"]: row
        for row in Attendance.objects.filter(
            day__in=days, enrolment__status=Enrolment.Status.CONFIRMED
        )
        .values("day_id")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            absent=Count("pk", filter=~Q(status__in=ATTENDED)),
        )
    }
    evidence: dict[int, list] = {}
    for item in AttendanceEvidence.objects.filter(day__in=days).select_related("uploaded_by"):
        evidence.setdefault(item.day_id, []).append(item)
    result = []
    for day in days:
        row = counts.get(day.pk, {"attended": 0, "absent": 0})
        result.append(
            DayReconciliation(
                day=day,
                confirmed=confirmed,
                attended=row["attended"],
                absent=row["absent"],
                unmarked=max(confirmed - row["attended"] - row["absent"], 0),
                evidence=evidence.get(day.pk, []),
            )
        )
    return result


def certificate_eligible(*, enrolment: Enrolment) -> bool:
    """Whether the person has earned the course's certificate: a confirmed participant whose
    stored completion result says completed, in a course that gives one."""
    return (
        enrolment.status == Enrolment.Status.CONFIRMED
        and enrolment.completion == Enrolment.Completion.COMPLETED
        and enrolment.training_session.course.certificate_type != CertificateType.NONE
    )


# --- participant check-in (helper C)


@dataclass(frozen=True)
class SelfCheckinPreview:
    """What a self check-in with a projected code would do now, for the page the projected QR
    opens. Reads only: `services.checkin_self` decides when the person confirms.

    problem: "" when the person may check in, else the service's refusal ("unknown",
    "expired", "not_participant"); already: they are marked present for the day."""

    window: CheckInWindow | None
    problem: str = ""
    already: bool = False


def self_checkin_preview(*, code: str, user, now=None) -> SelfCheckinPreview:
    """`code`: normalised (`services.normalise_checkin_code`). Three queries at most."""
    now = now or timezone.now()
    window = (
        CheckInWindow.objects.select_related("day__training_session__course")
        .filter(code=code)
        .first()
        if code
        else None
    )
    if window is None:
        return SelfCheckinPreview(None, "unknown")
    if not (window.opens_at <= now < window.closes_at):
        return SelfCheckinPreview(window, "expired")
    enrolment = (
        Enrolment.objects.filter(
            training_session_id=window.day.training_session_id,
            professional__user=user,
            status=Enrolment.Status.CONFIRMED,
        ).first()
        if getattr(user, "pk", None)
        else None
    )
    if enrolment is None:
        return SelfCheckinPreview(window, "not_participant")
    already = Attendance.objects.filter(
        enrolment=enrolment, day=window.day, status=Attendance.Status.PRESENT
    ).exists()
    return SelfCheckinPreview(window, "", already)
