"""Writes for sessions, enrolments and attendance. Views, admin, API, importers and tasks call
these; none of them saves a session model itself."""

import copy
import datetime
import hashlib
import os
import secrets
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from PIL import Image
from wagtail.log_actions import log

from sessions import ical
from sessions.models import (
    Attendance,
    AttendanceEvidence,
    CalendarToken,
    CheckInWindow,
    Enrolment,
    EnrolmentStatusChange,
    SessionDay,
    TrainingSession,
    Venue,
    new_calendar_token,
    new_checkin_code,
)
from sessions.notifications import notify_enrolment, notify_session_changed
from sessions.selectors import (
    ATTENDED,
    ENROL_PERMISSION,
    Conflict,
    can_nominate,
    can_take_attendance,
    checkin_day,
    checkin_open,
    day_minutes,
    person_scopes,
    quota_use,
    seats_taken,
    session_first_start,
    training_session_conflicts,
)
from training.models import CompletionBasis, Sector
from training.services import model_save

Status = TrainingSession.Status


@dataclass
class SessionSaveResult:
    training_session: TrainingSession
    conflicts: list[Conflict] = field(default_factory=list)


EARLIEST_DAY = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST_DAY = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)

# Which status a session may move to from each status.
SESSION_TRANSITIONS = {
    Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
    Status.PUBLISHED: {Status.DRAFT, Status.CANCELLED, Status.COMPLETED},
    Status.CANCELLED: {Status.DRAFT},
    Status.COMPLETED: {Status.PUBLISHED},
}


def _validate_days(days: list[SessionDay]) -> list[str]:
    errors = []
    seen_dates = set()
    plausible = []
    for day in days:
        if timezone.is_naive(day.starts_at) or timezone.is_naive(day.ends_at):
            errors.append(_("Give each day's start and end with their time zone."))
        elif not (
            EARLIEST_DAY <= day.starts_at < LATEST_DAY and EARLIEST_DAY <= day.ends_at < LATEST_DAY
        ):
            errors.append(_("A session day must fall between the years 2000 and 2099."))
        else:
            plausible.append(day)
    for day in sorted(plausible, key=lambda d: d.starts_at):
        if day.ends_at <= day.starts_at:
            errors.append(_("A session day must end after it starts."))
            continue
        start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
        if start.date() != end.date():
            errors.append(_("A session day must start and end on the same date."))
        if start.date() in seen_dates:
            errors.append(
                _("Two days of the session fall on the same date (%(date)s).")
                % {"date": start.date().strftime("%d.%m.%Y")}
            )
        seen_dates.add(start.date())
    return errors


def _session_validator(training_session: TrainingSession):
    days = [d for d in training_session.days.all() if d.starts_at and d.ends_at]
    errors: dict[str, list] = {}
    day_errors = _validate_days(days)
    if day_errors:
        errors["days"] = day_errors
    if training_session.status != Status.DRAFT and not days:
        errors["status"] = [_("Add at least one day before publishing the session.")]
    if (
        training_session.sector_id is not None
        and not Sector.objects.filter(
            pk=training_session.sector_id, county_id=training_session.county_id
        ).exists()
    ):
        errors["sector"] = [_("The sector must belong to the chosen county.")]
    previous = (
        TrainingSession.objects.filter(pk=training_session.pk)
        .values_list("status", flat=True)
        .first()
        if training_session.pk
        else None
    )
    status = training_session.status
    if (
        previous
        and status in Status.values  # an unknown status is full_clean's to report
        and status != previous
        and status not in SESSION_TRANSITIONS.get(previous, ())
    ):
        errors["status"] = [
            _("A session cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(previous).label, "to": Status(status).label}
        ]
    if (
        status == Status.COMPLETED
        and status != previous
        and days
        and max(d.ends_at for d in days if not timezone.is_naive(d.ends_at)) > timezone.now()
    ):
        errors["status"] = [_("A session is completed only once its last day has ended.")]
    if training_session.pk:
        kept = {d.pk for d in training_session.days.all() if d.pk}
        removed = SessionDay.objects.filter(training_session_id=training_session.pk).exclude(
            pk__in=kept
        )
        if Attendance.objects.filter(day__in=removed).exists():
            errors["days"] = [
                *errors.get("days", []),
                _("A day that already has attendance marks cannot be removed."),
            ]
    if training_session.pk and training_session.capacity is not None:
        taken = seats_taken(training_session=training_session)
        if training_session.capacity < taken:
            errors["capacity"] = [
                ngettext(
                    "%(taken)d person already holds a seat; the capacity cannot be lower.",
                    "%(taken)d people already hold a seat; the capacity cannot be lower.",
                    taken,
                )
                % {"taken": taken}
            ]
    closes = training_session.registration_closes_at
    if closes and days and closes > max(d.ends_at for d in days):
        errors["registration_closes_at"] = [
            _("Registration must close before the session's last day ends.")
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def training_session_save(*, training_session: TrainingSession, acting_user) -> SessionSaveResult:
    """Create or update a session together with its days and trainers (held on the instance,
    as the admin form leaves them). Returns the trainer and venue double bookings found, as
    warnings: organisers may go ahead, but are told."""
    if training_session.pk:
        # Lock the row so that a concurrent enrolment cannot slip under a lowered capacity.
        TrainingSession.objects.select_for_update().filter(pk=training_session.pk).first()
    stored = (
        TrainingSession.objects.select_related("venue").filter(pk=training_session.pk).first()
        if training_session.pk
        else None
    )
    previous = stored.status if stored else None
    before = (
        list(SessionDay.objects.filter(training_session_id=training_session.pk))
        if training_session.pk
        else []
    )
    model_save(
        instance=training_session,
        acting_user=acting_user,
        validate=_session_validator,
    )
    changed = _refresh_calendar(training_session, before=before, was=stored)
    if changed and previous == Status.PUBLISHED == training_session.status:
        notify_session_changed(training_session=training_session, removed_days=changed.removed)
    if previous and previous != training_session.status:
        log(
            instance=training_session,
            action="formativ.session.status",
            user=acting_user,
            data={"from": previous, "to": training_session.status},
        )
        if training_session.status == Status.CANCELLED:
            _cancel_enrolments(training_session, acting_user)
        if training_session.status == Status.COMPLETED:
            completion_compute(training_sessions=[training_session])
        elif previous == Status.COMPLETED:
            completion_clear(training_session=training_session)
    # A raised capacity, or a session published again, gives free seats to those waiting.
    _fill_free_seats(training_session, acting_user=acting_user)
    return SessionSaveResult(
        training_session, training_session_conflicts(training_session=training_session)
    )


@dataclass
class CalendarChange:
    """What a save changed in the session's calendar events."""

    changed: list[SessionDay] = field(default_factory=list)  # new, moved, or status changed
    removed: list[SessionDay] = field(default_factory=list)  # deleted, with the next SEQUENCE

    def __bool__(self):
        return bool(self.changed or self.removed)


def _refresh_calendar(
    training_session: TrainingSession, *, before: list[SessionDay], was=None
) -> CalendarChange:
    """Give every day whose time, place or status changed the next calendar SEQUENCE.
    `before` are the days as they were before the save, `was` the session as it was (default:
    as it is); the removed days are returned (with the SEQUENCE their cancellation must carry)
    for the people who have them in their calendars. A day not signed yet that existed before
    (older rows, bulk loads) is compared as it was, not taken for a change."""
    now = timezone.now()
    result = CalendarChange()
    days = list(SessionDay.objects.filter(training_session_id=training_session.pk))
    kept = {d.pk for d in days}
    earlier = {d.pk: d for d in before}
    signed = []
    for day in days:
        signature = ical.calendar_signature(session=training_session, day=day)
        previous = day.calendar_signature
        if not previous and day.pk in earlier:
            previous = ical.calendar_signature(session=was or training_session, day=earlier[day.pk])
        if signature == previous:
            if not day.calendar_signature:
                day.calendar_signature = signature
                signed.append(day)
            continue
        if previous:
            day.sequence += 1
        day.calendar_signature = signature
        day.calendar_changed_at = now
        result.changed.append(day)
    if result.changed or signed:
        SessionDay.objects.bulk_update(
            result.changed + signed, ["sequence", "calendar_signature", "calendar_changed_at"]
        )
    for day in before:
        if day.pk not in kept:
            day.sequence += 1
            result.removed.append(day)
    return result


def venue_save(*, venue: Venue, acting_user) -> Venue:
    """Save a venue. A new name or address moves the events of its sessions still to come:
    their calendars update and their confirmed participants are told."""
    stored = Venue.objects.filter(pk=venue.pk).first() if venue.pk else None
    model_save(instance=venue, acting_user=acting_user)
    upcoming = TrainingSession.objects.filter(
        venue=venue,
        status__in=(Status.PUBLISHED, Status.DRAFT),
        days__ends_at__gte=timezone.now(),
    ).distinct()
    for session in upcoming.select_related("venue"):
        was = copy.copy(session)
        was.venue = stored  # the session as it was, for days not signed yet
        session.venue = venue
        before = list(SessionDay.objects.filter(training_session_id=session.pk))
        if (
            _refresh_calendar(session, before=before, was=was)
            and session.status == Status.PUBLISHED
        ):
            notify_session_changed(training_session=session, removed_days=[])
    return venue


def _cancel_enrolments(training_session, acting_user) -> None:
    """A cancelled session frees every place: its open enrolments are cancelled, with history,
    and the people told."""
    for enrolment in training_session.enrolments.filter(status__in=Enrolment.OPEN):
        _move(
            enrolment,
            Enrolment.Status.CANCELLED,
            acting_user=acting_user,
            reason=Enrolment.SESSION_CANCELLED,
        )


# --- enrolment ------------------------------------------------------------------------------

E = Enrolment.Status
Source = Enrolment.Source
ApprovalMode = TrainingSession.ApprovalMode

_ALLOWED = {
    E.PENDING: {E.CONFIRMED, E.REJECTED, E.CANCELLED, E.WAITLISTED},
    E.OFFERED: {E.CONFIRMED, E.CANCELLED, E.WAITLISTED},
    E.WAITLISTED: {E.CONFIRMED, E.PENDING, E.OFFERED, E.CANCELLED, E.REJECTED},
    E.CONFIRMED: {E.CANCELLED},
    E.CANCELLED: {E.PENDING, E.CONFIRMED, E.WAITLISTED},
    E.REJECTED: {E.PENDING, E.CONFIRMED},
}

CHANGE_PERMISSION = "training_sessions.change_enrolment"
DUPLICATE = "duplicate"  # the error code of a second registration of the same person
REASON_MAX_LENGTH = Enrolment._meta.get_field("status_reason").max_length


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}
                ]
            }
        )
    return reason


def _lock_session(training_session: TrainingSession) -> TrainingSession:
    return TrainingSession.objects.select_for_update().get(pk=training_session.pk)


def _record(enrolment, *, from_status, acting_user, reason="") -> None:
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment,
        from_status=from_status,
        to_status=enrolment.status,
        changed_by=acting_user if getattr(acting_user, "pk", None) else None,
        reason=reason,
    )
    log(
        instance=enrolment,
        action="formativ.enrolment.status",
        user=acting_user if getattr(acting_user, "pk", None) else None,
        data={"from": from_status, "to": enrolment.status, "reason": reason},
    )


def _move(enrolment, status, *, acting_user, reason="", notify=True, offer_hours=None) -> None:
    """Put an enrolment in a new status (the caller holds the session lock), record it in the
    history and audit log and, after commit, tell the person. Reasons the system writes are
    stored as their English msgids and translated where shown, in the reader's language."""
    previous = enrolment.status
    now = timezone.now()
    enrolment.status = status
    enrolment.calendar_sequence += 1
    enrolment.status_reason = reason
    enrolment.waitlisted_at = now if status == E.WAITLISTED else None
    enrolment.offer_expires_at = (
        now + datetime.timedelta(hours=offer_hours) if status == E.OFFERED and offer_hours else None
    )
    enrolment.save(
        update_fields=[
            "status",
            "status_reason",
            "waitlisted_at",
            "offer_expires_at",
            "calendar_sequence",
            "updated_at",
        ]
    )
    _record(enrolment, from_status=previous, acting_user=acting_user, reason=reason)
    if enrolment.training_session.status == Status.COMPLETED:  # a seat given or taken back
        completion_compute(training_sessions=[enrolment.training_session])
    if notify:
        notify_enrolment(enrolment=enrolment, previous=previous)


def _eligibility_errors(session: TrainingSession, professional) -> list[str]:
    errors = []
    categories = set(session.target_categories.values_list("pk", flat=True))
    if categories and professional.category_id not in categories:
        errors.append(_("This session is meant for other professional categories."))
    counties = set(session.eligible_counties.values_list("pk", flat=True))
    if counties and professional.county_id not in counties:
        errors.append(_("This session is meant for people from other counties."))
    return errors


def _window_errors(session: TrainingSession, now) -> list[str]:
    if session.status != Status.PUBLISHED:
        return [_("Registration is not open for this session.")]
    first = session_first_start(session)
    if first is not None and first <= now:
        return [_("This session has already started.")]
    if session.registration_opens_at and now < session.registration_opens_at:
        return [
            _("Registration opens on %(date)s.")
            % {
                "date": date_format(
                    timezone.localtime(session.registration_opens_at), "DATETIME_FORMAT"
                )
            }
        ]
    if session.registration_closes_at and now >= session.registration_closes_at:
        return [_("Registration for this session has closed.")]
    return []


def _quota_errors(session: TrainingSession, professional) -> list[str]:
    uses = quota_use(training_session=session)
    if not uses:
        return []
    scopes = person_scopes(professional=professional)
    applicable = [
        use
        for use in uses
        if (use.quota.county_id in scopes["county"])
        or (use.quota.institution_id in scopes["institution"])
        or (use.quota.local_team_id in scopes["local_team"])
    ]
    if not applicable:
        return [
            _(
                "No seats of this session are reserved for this person's county, team "
                "or institution."
            )
        ]
    return [
        _("The quota for %(scope)s is used up (%(used)d of %(seats)d).")
        % {"scope": use.quota.scope, "used": use.used, "seats": use.quota.seats}
        for use in applicable
        if use.left <= 0
    ]


def _free_seats(session: TrainingSession) -> int:
    return session.capacity - seats_taken(training_session=session)


def _passed_over(session: TrainingSession, enrolment: Enrolment) -> bool:
    """A self-registered person waiting who is no longer eligible is not given a freed seat."""
    return enrolment.source == Source.SELF and bool(
        _eligibility_errors(session, enrolment.professional)
    )


def _status_for_new_place(session: TrainingSession, source: str):
    """What a person gets when a seat is theirs: confirmed, awaiting approval or an offer."""
    if source == Source.NOMINATION:
        return E.OFFERED  # the nominee accepts or declines
    if source == Source.SELF and session.approval_mode == ApprovalMode.MANUAL:
        return E.PENDING
    return E.CONFIRMED


@transaction.atomic
def enrolment_create(
    *,
    training_session: TrainingSession,
    professional,
    acting_user,
    source: str = Source.STAFF,
    nominated_by=None,
) -> Enrolment:
    """Register a person for a session. `source` says who asks:

    - self: the person, through their account: the session must be published with registration
      open, not yet started, open to self-registration and to the person's category and county;
      confirmed at once (open sessions) or awaiting approval (approval sessions);
    - nomination: a focal point or coordinator, for a person of their scope, within the
      session's quotas; the nominee is offered the seat and accepts or declines;
    - staff / import: organisers, confirmed directly, window and eligibility not applied.

    When no seat is free, or people are already waiting, the person joins the waiting list."""
    session = _lock_session(training_session)
    now = timezone.now()
    if session.status == Status.CANCELLED:
        raise ValidationError(_("This session has been cancelled."))
    if session.status == Status.COMPLETED and source != Source.IMPORT:
        raise ValidationError(_("This session has already taken place."))
    errors: list[str] = []
    if source == Source.SELF:
        if getattr(professional, "user_id", None) is None or professional.user_id != getattr(
            acting_user, "pk", None
        ):
            raise PermissionDenied(_("You can register only yourself."))
        if session.approval_mode == ApprovalMode.NOMINATION:
            errors.append(
                _(
                    "Places in this session are given by nomination: "
                    "ask your institution's focal point."
                )
            )
        errors += _window_errors(session, now)
        errors += _eligibility_errors(session, professional)
    elif source == Source.NOMINATION:
        if not can_nominate(user=acting_user, professional=professional, training_session=session):
            raise PermissionDenied(_("You cannot nominate this person."))
        errors += _window_errors(session, now)
        errors += _eligibility_errors(session, professional)
    elif (
        source == Source.STAFF
        # acting_user None: the system itself (demo data, command-line tools).
        and acting_user is not None
        and not (getattr(acting_user, "pk", None) and acting_user.has_perm(ENROL_PERMISSION))
    ):
        raise PermissionDenied(_("You cannot enrol people in sessions."))
    elif (
        source == Source.STAFF
        and acting_user is not None
        and not can_nominate(user=acting_user, professional=professional, training_session=session)
    ):
        # The staff scope (training.access): whom this user may enrol into this session.
        raise PermissionDenied(_("You cannot enrol this person."))
    if Enrolment.objects.filter(training_session=session, professional=professional).exists():
        raise ValidationError(
            _("This person is already registered for this session."), code=DUPLICATE
        )
    if errors:
        raise ValidationError(errors)
    if source == Source.NOMINATION:
        quota_errors = _quota_errors(session, professional)
        if quota_errors:
            raise ValidationError(quota_errors)
    free = _free_seats(session)
    # Nobody jumps the queue: while people wait, a freed seat is theirs to be offered. Those
    # passed over (no longer eligible) keep their place but do not hold a free seat back.
    waiting = free > 0 and any(
        not _passed_over(session, e)
        for e in session.enrolments.filter(status=E.WAITLISTED).select_related("professional")
    )
    status = E.WAITLISTED if waiting or free <= 0 else _status_for_new_place(session, source)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                training_session=session,
                professional=professional,
                status=status,
                source=source,
                nominated_by=nominated_by,
                waitlisted_at=now if status == E.WAITLISTED else None,
                offer_expires_at=(
                    now + datetime.timedelta(hours=session.offer_hours)
                    if status == E.OFFERED and session.offer_hours
                    else None
                ),
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("This person is already registered for this session."), code=DUPLICATE
        ) from exc
    _record(enrolment, from_status="", acting_user=acting_user)
    if source != Source.IMPORT:
        notify_enrolment(enrolment=enrolment, previous="")
    return enrolment


def _fill_free_seats(session: TrainingSession, *, acting_user) -> list[Enrolment]:
    """Give freed seats to the waiting list, first come first served (the caller holds the
    session lock). People no longer eligible are passed over, not removed. With an offer period
    set, the seat is offered and the person has that many hours to accept it."""
    if session.status != Status.PUBLISHED:
        return []
    first = session_first_start(session)
    if first is not None and first <= timezone.now():
        return []
    free = _free_seats(session)
    promoted = []
    if free <= 0:
        return promoted
    waiting = (
        session.enrolments.filter(status=E.WAITLISTED)
        .select_related("professional")
        .order_by("waitlisted_at", "pk")
    )
    for enrolment in waiting:
        if free <= 0:
            break
        if _passed_over(session, enrolment):
            continue
        if session.offer_hours or enrolment.source == Source.NOMINATION:
            status = E.OFFERED
        else:
            status = _status_for_new_place(session, enrolment.source)
        _move(
            enrolment,
            status,
            acting_user=None,
            reason=gettext_noop("A seat became free."),
            offer_hours=session.offer_hours,
        )
        promoted.append(enrolment)
        free -= 1
    return promoted


@transaction.atomic
def waitlist_promote(*, training_session: TrainingSession, acting_user=None) -> list[Enrolment]:
    """Give any free seats of a session to the people waiting for them."""
    session = _lock_session(training_session)
    return _fill_free_seats(session, acting_user=acting_user)


def _check_can_change(enrolment: Enrolment, acting_user) -> None:
    if acting_user is None:
        return  # the system itself
    if not (getattr(acting_user, "pk", None) and acting_user.has_perm(CHANGE_PERMISSION)):
        raise PermissionDenied(_("You cannot change enrolments."))
    if not _staff_reaches(enrolment, acting_user):
        raise PermissionDenied(_("You cannot change this enrolment."))


def _staff_reaches(enrolment: Enrolment, acting_user) -> bool:
    """Whether the enrolment is in the staff user's scope (training.access)."""
    from training.access import in_scope

    return in_scope(acting_user, enrolment, lambda scope: scope.enrolments_q())


@transaction.atomic
def enrolment_set_status(
    *, enrolment: Enrolment, status: str, acting_user, reason: str = ""
) -> Enrolment:
    """An organiser's decision on an enrolment: approve, reject (with the reason the person
    sees), cancel, confirm from the waiting list, or put back on it. Freed seats go to the
    waiting list."""
    session = _lock_session(enrolment.training_session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    previous = enrolment.status
    if status == previous:
        return enrolment
    if status not in _ALLOWED.get(previous, set()):
        raise ValidationError(
            _("An enrolment cannot go from “%(from)s” to “%(to)s”.")
            % {"from": E(previous).label, "to": E(status).label}
        )
    _check_can_change(enrolment, acting_user)
    if session.status == Status.CANCELLED and status != E.CANCELLED:
        raise ValidationError(_("This session has been cancelled."))
    reason = _clean_reason(reason)
    if status == E.REJECTED and not reason:
        raise ValidationError({"reason": [_("Say why: the person will see the reason.")]})
    holds_seat = previous in Enrolment.SEAT_HOLDING
    if status in Enrolment.SEAT_HOLDING and not holds_seat and _free_seats(session) <= 0:
        raise ValidationError(_("The session is full: no seat is free."))
    _move(enrolment, status, acting_user=acting_user, reason=reason)
    if holds_seat and status not in Enrolment.SEAT_HOLDING:
        _fill_free_seats(session, acting_user=acting_user)
    return enrolment


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, acting_user, reason: str = "") -> Enrolment:
    """The person gives up their place (until the session's cut-off), or an organiser cancels
    it; the seat goes to the first person waiting."""
    session = _lock_session(enrolment.training_session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in Enrolment.OPEN:
        raise ValidationError(_("This registration is no longer active."))
    is_owner = (
        getattr(acting_user, "pk", None) is not None
        and enrolment.professional.user_id == acting_user.pk
    )
    is_organiser = (
        bool(getattr(acting_user, "pk", None))
        and acting_user.has_perm(CHANGE_PERMISSION)
        and _staff_reaches(enrolment, acting_user)
    )
    if not (is_owner or is_organiser):
        raise PermissionDenied(_("You cannot cancel this registration."))
    if not is_organiser and session.status != Status.PUBLISHED:
        raise ValidationError(_("This session can no longer be changed online."))
    if not is_organiser and enrolment.status in Enrolment.SEAT_HOLDING:
        first = session_first_start(session)
        if first is not None:
            cutoff = first - datetime.timedelta(hours=session.cancellation_cutoff_hours)
            if timezone.now() >= cutoff:
                raise ValidationError(
                    _(
                        "Registrations can be cancelled online until %(date)s. "
                        "Please write to the organisers."
                    )
                    % {"date": date_format(timezone.localtime(cutoff), "DATETIME_FORMAT")}
                )
    reason = _clean_reason(reason)
    held_seat = enrolment.status in Enrolment.SEAT_HOLDING
    default_reason = (
        gettext_noop("Cancelled by the participant.")
        if is_owner
        else gettext_noop("Cancelled by the organisers.")
    )
    _move(enrolment, E.CANCELLED, acting_user=acting_user, reason=reason or default_reason)
    if held_seat:
        _fill_free_seats(session, acting_user=acting_user)
    return enrolment


@transaction.atomic
def enrolment_respond(*, enrolment: Enrolment, accept: bool, acting_user) -> Enrolment:
    """The person answers an offered seat (a nomination, or a seat freed on the waiting list):
    accepting confirms it, declining gives it to the next person waiting."""
    session = _lock_session(enrolment.training_session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.professional.user_id is None or enrolment.professional.user_id != getattr(
        acting_user, "pk", None
    ):
        raise PermissionDenied(_("Only the person offered the seat can answer."))
    if enrolment.status != E.OFFERED:
        raise ValidationError(_("There is no offer to answer on this registration."))
    if enrolment.offer_expires_at and enrolment.offer_expires_at <= timezone.now():
        raise ValidationError(_("The offer has expired."))
    if session.status != Status.PUBLISHED:
        raise ValidationError(_("Registration is not open for this session."))
    if accept:
        status = (
            E.PENDING
            if session.approval_mode == ApprovalMode.MANUAL and enrolment.source == Source.SELF
            else E.CONFIRMED
        )
        _move(
            enrolment,
            status,
            acting_user=acting_user,
            reason=gettext_noop("Accepted the offered seat."),
        )
    else:
        _move(
            enrolment,
            E.CANCELLED,
            acting_user=acting_user,
            reason=gettext_noop("Declined the offered seat."),
        )
        _fill_free_seats(session, acting_user=acting_user)
    return enrolment


def _expire(enrolment: Enrolment, session: TrainingSession) -> None:
    _move(
        enrolment,
        E.CANCELLED,
        acting_user=None,
        reason=gettext_noop("The offer expired without an answer."),
    )
    _fill_free_seats(session, acting_user=None)


@transaction.atomic
def enrolment_offer_expire(*, enrolment: Enrolment) -> bool:
    """End an offer whose time is up and offer the seat to the next person. Safe to call at
    any time: does nothing if the offer was answered or has not expired."""
    session = _lock_session(enrolment.training_session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if (
        enrolment.status != E.OFFERED
        or enrolment.offer_expires_at is None
        or enrolment.offer_expires_at > timezone.now()
    ):
        return False
    _expire(enrolment, session)
    return True


def expire_lapsed_offers() -> int:
    """Expire every lapsed offer (the periodic sweep behind the scheduled tasks)."""
    lapsed = Enrolment.objects.filter(status=E.OFFERED, offer_expires_at__lte=timezone.now())
    return sum(
        enrolment_offer_expire(enrolment=e) for e in lapsed.select_related("training_session")
    )


@transaction.atomic
def enrolment_move(
    *, enrolment: Enrolment, to_session: TrainingSession, acting_user, reason: str = ""
) -> Enrolment:
    """Move a person to another session of the organisers' choosing: the old place is cancelled
    (its seat going to the waiting list) and a new one made there, on that session's terms
    (a seat if free, else the waiting list)."""
    _check_can_change(enrolment, acting_user)
    if to_session.pk == enrolment.training_session_id:
        raise ValidationError(_("Choose another session."))
    if enrolment.status not in Enrolment.OPEN:
        raise ValidationError(_("This registration is no longer active."))
    moved_reason = _clean_reason(reason) or gettext_noop("Moved to another session.")
    enrolment_cancel(enrolment=enrolment, acting_user=acting_user, reason=moved_reason)
    return enrolment_create(
        training_session=to_session,
        professional=enrolment.professional,
        acting_user=acting_user,
        source=Source.STAFF,
    )


@dataclass
class BulkResult:
    created: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[object, str]] = field(default_factory=list)


def enrolment_bulk_create(
    *, training_session: TrainingSession, professionals, acting_user
) -> BulkResult:
    """Enrol several people from the registry at once: each gets a seat or a waiting-list place
    in the order given; those who cannot be enrolled are reported with the reason."""
    if acting_user is not None and not acting_user.has_perm(ENROL_PERMISSION):
        raise PermissionDenied(_("You cannot enrol people in sessions."))
    result = BulkResult()
    for professional in professionals:
        try:
            result.created.append(
                enrolment_create(
                    training_session=training_session,
                    professional=professional,
                    acting_user=acting_user,
                    source=Source.STAFF,
                )
            )
        except ValidationError as exc:
            result.refused.append((professional, " ".join(exc.messages)))
        except PermissionDenied as exc:  # a person outside the user's scope
            result.refused.append((professional, str(exc)))
    return result


# --- attendance -----------------------------------------------------------------------------

A = Attendance.Status
Method = Attendance.Method


@dataclass(frozen=True)
class Mark:
    """One attendance mark to record: a participant, a day, a status and, for a late or
    partial attendance, the minutes attended."""

    enrolment_id: int
    day_id: int
    status: str
    minutes: int | None = None


def _check_attendance_taker(acting_user, training_session: TrainingSession) -> None:
    if acting_user is not None and not can_take_attendance(
        user=acting_user, training_session=training_session
    ):
        raise PermissionDenied(_("You cannot take attendance for this session."))


def _mark_errors(
    *, enrolment: Enrolment | None, day: SessionDay | None, status: str, minutes, session, now
) -> list[str]:
    """What is wrong with one mark, in the words the person marking reads."""
    if day is None or day.training_session_id != session.pk:
        return [_("This day is not a day of the session.")]
    if enrolment is None or enrolment.training_session_id != session.pk:
        return [_("This person is not registered for the session.")]
    if enrolment.status != E.CONFIRMED:
        return [
            _("%(name)s is not a confirmed participant (%(status)s).")
            % {"name": enrolment.professional, "status": enrolment.get_status_display()}
        ]
    if status not in A.values:
        return [_("Unknown attendance status.")]
    if status in ATTENDED and day.starts_at > now:
        return [_("Nobody can be present on a day that has not started yet.")]
    if status == A.PARTIAL:
        length = day_minutes(day)
        if minutes is None or not (0 < minutes < length):
            return [
                _(
                    "For a late or partial attendance, give the minutes attended: more than 0 "
                    "and less than the day's %(length)d."
                )
                % {"length": length}
            ]
    elif minutes is not None:
        return [_("Minutes attended go only with a late or partial attendance.")]
    return []


def _write_mark(*, enrolment, day, status, minutes, method, acting_user) -> Attendance:
    """Record (or correct) a validated mark and audit the change; the caller holds the
    session lock."""
    user = acting_user if getattr(acting_user, "pk", None) else None
    previous = Attendance.objects.filter(enrolment=enrolment, day=day).first()
    if previous and (previous.status, previous.minutes) == (status, minutes):
        return previous
    attendance, created = Attendance.objects.update_or_create(
        enrolment=enrolment,
        day=day,
        defaults={"status": status, "minutes": minutes, "method": method, "marked_by": user},
    )
    log(
        instance=attendance,
        action="formativ.attendance.mark",
        user=user,
        data={
            "enrolment": enrolment.pk,
            "day": day.pk,
            "from": previous.status if previous else "",
            "to": status,
            "status": status,
            "minutes_from": previous.minutes if previous else None,
            "minutes": minutes,
            "method": method,
        },
    )
    return attendance


@transaction.atomic
def attendance_mark_many(
    *,
    training_session: TrainingSession,
    marks: list[Mark],
    acting_user,
    method: str = Method.STAFF,
) -> list[Attendance]:
    """Record several marks of one session, all or none: the first wrong mark refuses the
    whole batch, with the errors keyed by the mark's position. A completed session's results
    are worked out again."""
    session = _lock_session(training_session)
    _check_attendance_taker(acting_user, session)
    if session.status not in (Status.PUBLISHED, Status.COMPLETED):
        raise ValidationError(_("Attendance is taken only for published sessions."))
    now = timezone.now()
    days = {d.pk: d for d in session.days.all()}
    enrolments = Enrolment.objects.select_related("professional").in_bulk(
        [m.enrolment_id for m in marks]
    )
    errors: dict[str, list] = {}
    seen = set()
    for index, mark in enumerate(marks):
        problems = _mark_errors(
            enrolment=enrolments.get(mark.enrolment_id),
            day=days.get(mark.day_id),
            status=mark.status,
            minutes=mark.minutes,
            session=session,
            now=now,
        )
        if (mark.enrolment_id, mark.day_id) in seen:
            problems.append(_("The same person and day appear twice."))
        seen.add((mark.enrolment_id, mark.day_id))
        if problems:
            errors[str(index)] = problems
    if errors:
        raise ValidationError(errors)
    result = [
        _write_mark(
            enrolment=enrolments[m.enrolment_id],
            day=days[m.day_id],
            status=m.status,
            minutes=m.minutes,
            method=method,
            acting_user=acting_user,
        )
        for m in marks
    ]
    if session.status == Status.COMPLETED:
        completion_compute(training_sessions=[session])
    return result


def attendance_mark(
    *,
    enrolment: Enrolment,
    day: SessionDay,
    status: str,
    acting_user,
    minutes: int | None = None,
    method: str = Method.STAFF,
) -> Attendance:
    """Mark one participant for one day of their session (creating or correcting the mark)."""
    try:
        (attendance,) = attendance_mark_many(
            training_session=enrolment.training_session,
            marks=[Mark(enrolment.pk, day.pk, status, minutes)],
            acting_user=acting_user,
            method=method,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # one mark: its errors without the position
            raise ValidationError(exc.error_dict["0"]) from None
        raise
    return attendance


@transaction.atomic
def attendance_mark_all_present(*, day: SessionDay, acting_user) -> int:
    """Mark present every confirmed participant of the day not marked yet (marks already
    taken stay as they are). Returns the number marked."""
    unmarked = (
        Enrolment.objects.filter(training_session_id=day.training_session_id, status=E.CONFIRMED)
        .exclude(attendance__day=day)
        .values_list("pk", flat=True)
    )
    marks = [Mark(pk, day.pk, A.PRESENT) for pk in unmarked]
    attendance_mark_many(
        training_session=day.training_session, marks=marks, acting_user=acting_user
    )
    return len(marks)


# --- check-in -------------------------------------------------------------------------------


@dataclass
class CheckIn:
    """What a scan or a self check-in did: whom it was for, on which day, and whether the
    person had already been marked present (then nothing changed)."""

    enrolment: Enrolment
    day: SessionDay
    attendance: Attendance
    already: bool


def _check_in(*, enrolment, day, method, acting_user) -> CheckIn:
    existing = Attendance.objects.filter(enrolment=enrolment, day=day).first()
    # Present already, or marked late by the trainer (whose minutes a scan must not undo).
    if existing and existing.status in ATTENDED:
        return CheckIn(enrolment, day, existing, already=True)
    attendance = _write_mark(
        enrolment=enrolment,
        day=day,
        status=A.PRESENT,
        minutes=None,
        method=method,
        acting_user=acting_user,
    )
    if enrolment.training_session.status == Status.COMPLETED:
        completion_compute(training_sessions=[enrolment.training_session])
    return CheckIn(enrolment, day, attendance, already=False)


@transaction.atomic
def checkin_scan(
    *,
    code: str,
    acting_user,
    training_session: TrainingSession | None = None,
    day: SessionDay | None = None,
) -> CheckIn:
    """Staff scan a participant's personal code: the person is marked present for the day
    whose check-in is open (or for `day`, which must be open). Codes of another session, of
    someone not confirmed, or outside the day's check-in hours are refused."""
    token = (code or "").strip()
    enrolment = (
        Enrolment.objects.select_related("professional__institution", "training_session")
        .filter(checkin_token=token)
        .first()
        if token
        else None
    )
    if enrolment is None:
        raise ValidationError(_("This is not the check-in code of any registration."))
    if training_session is not None:
        # Whoever scans at this session's door hears that the code is for another one.
        _check_attendance_taker(acting_user, training_session)
        if enrolment.training_session_id != training_session.pk:
            raise ValidationError(
                _("This code is for another session: %(session)s.")
                % {"session": enrolment.training_session}
            )
    session = _lock_session(enrolment.training_session)
    _check_attendance_taker(acting_user, session)
    if day is not None and day.training_session_id != session.pk:
        raise ValidationError(_("This day is not a day of the session."))
    if session.status not in (Status.PUBLISHED, Status.COMPLETED):
        raise ValidationError(_("Attendance is taken only for published sessions."))
    if enrolment.status != E.CONFIRMED:
        raise ValidationError(
            _("%(name)s is not a confirmed participant (%(status)s).")
            % {"name": enrolment.professional, "status": enrolment.get_status_display()}
        )
    now = timezone.now()
    if day is None:
        day = checkin_day(training_session=session, now=now)
        if day is None:
            raise ValidationError(_("No day of this session is open for check-in now."))
    elif not checkin_open(day, now=now):
        raise ValidationError(
            _(
                "Check-in for %(date)s is not open: codes are accepted from an hour before "
                "the day starts until it ends."
            )
            % {"date": date_format(timezone.localtime(day.starts_at), "j F Y")}
        )
    return _check_in(enrolment=enrolment, day=day, method=Method.QR, acting_user=acting_user)


def normalise_checkin_code(code: str) -> str:
    """What people type from the projector: any case, with spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def checkin_window_open(
    *, day: SessionDay, acting_user, minutes: int | None = None
) -> CheckInWindow:
    """Open self check-in for a day: a new short code, valid for `minutes` (default
    CHECKIN_WINDOW_MINUTES) but never past the day's end. A window still open for the day
    closes: only the newest code works."""
    session = _lock_session(day.training_session)
    _check_attendance_taker(acting_user, session)
    if minutes is None:
        minutes = settings.CHECKIN_WINDOW_MINUTES
    if not 1 <= minutes <= 240:
        raise ValidationError(_("A check-in window lasts between 1 and 240 minutes."))
    if session.status != Status.PUBLISHED:
        raise ValidationError(_("Self check-in opens only for published sessions."))
    now = timezone.now()
    if day.training_session_id != session.pk or not checkin_open(day, now=now):
        raise ValidationError(
            _("Self check-in opens from an hour before the day starts until it ends.")
        )
    CheckInWindow.objects.filter(day=day, closes_at__gt=now).update(closes_at=now)
    closes = min(now + datetime.timedelta(minutes=minutes), day.ends_at)
    for _attempt in range(5):  # a code is never reused: draw again on the rare collision
        code = new_checkin_code()
        if not CheckInWindow.objects.filter(code=code).exists():
            break
    window = CheckInWindow.objects.create(
        day=day,
        code=code,
        opens_at=now,
        closes_at=closes,
        opened_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    log(
        instance=window,
        action="formativ.checkin.window",
        user=acting_user,
        data={"day": day.pk, "opened": True, "closes_at": closes.isoformat()},
    )
    return window


@transaction.atomic
def checkin_window_close(*, window: CheckInWindow, acting_user) -> CheckInWindow:
    window = CheckInWindow.objects.select_for_update().select_related("day").get(pk=window.pk)
    _check_attendance_taker(acting_user, window.day.training_session)
    now = timezone.now()
    if window.closes_at > now:
        window.closes_at = max(now, window.opens_at + datetime.timedelta(microseconds=1))
        window.save(update_fields=["closes_at"])
        log(
            instance=window,
            action="formativ.checkin.window",
            user=acting_user,
            data={"day": window.day_id, "opened": False},
        )
    return window


@transaction.atomic
def checkin_self(*, code: str, user) -> CheckIn:
    """A participant checks in with the code on the projector: marked present for that day,
    once. Unknown and expired codes, and people not confirmed in the session, are refused."""
    normalised = normalise_checkin_code(code)
    window = (
        CheckInWindow.objects.select_related("day__training_session")
        .filter(code=normalised)
        .first()
        if normalised
        else None
    )
    if window is None:
        raise ValidationError(
            _("This code is not valid. Check it on the screen and try again."), code="unknown"
        )
    now = timezone.now()
    if not (window.opens_at <= now < window.closes_at):
        raise ValidationError(
            _("This code has expired. Ask the trainer for the current one."), code="expired"
        )
    session = _lock_session(window.day.training_session)
    if session.status != Status.PUBLISHED:
        raise ValidationError(
            _("This code has expired. Ask the trainer for the current one."), code="expired"
        )
    enrolment = (
        Enrolment.objects.select_related("professional", "training_session")
        .filter(training_session=session, professional__user=user, status=E.CONFIRMED)
        .first()
        if getattr(user, "pk", None)
        else None
    )
    if enrolment is None:
        raise ValidationError(
            _("You are not a confirmed participant of this session."), code="not_participant"
        )
    return _check_in(enrolment=enrolment, day=window.day, method=Method.SELF, acting_user=user)


# --- evidence -------------------------------------------------------------------------------

# The file types accepted as scanned sheets, told apart by their first bytes (never by the
# name a browser sends), with the extensions each may carry.
_SIGNATURES = (
    (b"%PDF-", AttendanceEvidence.Kind.PDF, {".pdf"}),
    (b"\xff\xd8\xff", AttendanceEvidence.Kind.JPEG, {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", AttendanceEvidence.Kind.PNG, {".png"}),
)


def _evidence_kind(upload) -> str:
    limit = settings.ATTENDANCE_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large: at most %(max)d MB.") % {"max": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = os.path.splitext(upload.name or "")[1].lower()
    for signature, kind, extensions in _SIGNATURES:
        if head.startswith(signature):
            if extension not in extensions:
                break
            _check_readable(upload, kind)
            return kind
    raise ValidationError(
        _("Upload the scanned sheet as a PDF, JPEG or PNG file (this file is not one).")
    )


def _check_readable(upload, kind) -> None:
    """A truncated or forged file with the right first bytes is refused too."""
    try:
        if kind == AttendanceEvidence.Kind.PDF:
            upload.seek(max(upload.size - 2048, 0))
            if b"%%EOF" not in upload.read():
                raise ValueError("no end-of-file marker")
        else:
            with Image.open(upload) as image:
                image.verify()  # structure and checksums
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()  # every pixel: a file cut short fails here
    except Exception as exc:  # Pillow raises many kinds; all mean "not a readable image"
        raise ValidationError(_("The file is damaged or incomplete; scan it again.")) from exc
    finally:
        upload.seek(0)


@transaction.atomic
def evidence_upload(*, day: SessionDay, upload, acting_user) -> AttendanceEvidence:
    """Keep a scanned signed sheet for a day, after checking its size and real type."""
    session = _lock_session(day.training_session)
    _check_attendance_taker(acting_user, session)
    kind = _evidence_kind(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    if AttendanceEvidence.objects.filter(day=day, sha256=sha256).exists():
        raise ValidationError(_("This file has already been uploaded for this day."))
    extension = {
        AttendanceEvidence.Kind.PDF: "pdf",
        AttendanceEvidence.Kind.JPEG: "jpg",
        AttendanceEvidence.Kind.PNG: "png",
    }[kind]
    original = os.path.basename(upload.name or "")[:255]
    evidence = AttendanceEvidence(
        day=day,
        original_name=original,
        content_type=kind,
        size=upload.size,
        sha256=sha256,
        uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    # Stored under a random name: the original name may hold personal data.
    evidence.file.save(f"{secrets.token_hex(16)}.{extension}", upload, save=False)
    try:
        evidence.save()
        log(
            instance=evidence,
            action="formativ.attendance.evidence",
            user=acting_user,
            data={"day": day.pk, "uploaded": True, "size": upload.size, "sha256": sha256},
        )
    except Exception as exc:  # no row, no file: nothing half-written stays behind
        evidence.file.delete(save=False)
        if isinstance(exc, IntegrityError):
            raise ValidationError(_("This file has already been uploaded for this day.")) from None
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: AttendanceEvidence, acting_user) -> None:
    """Remove a sheet uploaded by mistake (the audit log keeps its fingerprint)."""
    _check_attendance_taker(acting_user, evidence.day.training_session)
    name, storage = evidence.file.name, evidence.file.storage
    log(
        instance=evidence,
        action="formativ.attendance.evidence",
        user=acting_user,
        data={"day": evidence.day_id, "uploaded": False, "sha256": evidence.sha256},
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- completion -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionResult:
    completed: bool
    minutes: int  # minutes attended, counted against the scheduled minutes
    days: int  # days attended (present, or late or partial)


def completion_rule(
    *, course, day_lengths: dict[int, int], marks: dict[int, tuple[str, int | None]]
) -> CompletionResult:
    """The course's completion rule applied to one person's marks. `day_lengths` maps each
    scheduled day to its minutes (a day removed from the session is no longer scheduled);
    `marks` maps days to (status, minutes). A day with no mark counts as missed. By hours:
    the minutes attended reach the course's percentage of the scheduled minutes (exactly
    80 % passes at 80 %). By days: present or late on at least the minimum number of days
    (never more than the session has)."""
    attended_minutes = attended_days = 0
    for day_id, length in day_lengths.items():
        status, minutes = marks.get(day_id, (None, None))
        if status == A.PRESENT:
            attended_minutes += length
            attended_days += 1
        elif status == A.PARTIAL:
            attended_minutes += min(minutes or 0, length)
            attended_days += 1
    scheduled = sum(day_lengths.values())
    if course.completion_basis == CompletionBasis.DAYS:
        needed = min(course.min_days or 1, len(day_lengths))
        completed = bool(day_lengths) and attended_days >= needed
    else:
        completed = scheduled > 0 and attended_minutes * 100 >= (
            course.min_attendance_percent * scheduled
        )
    return CompletionResult(completed, attended_minutes, attended_days)


def completion_compute(*, training_sessions) -> int:
    """Apply the completion rule to every confirmed participant of the given (completed)
    sessions and store the result on the enrolment; registrations without a seat get none.
    Three reads per 200 sessions whatever their size, and one update per distinct result.
    Returns the number of results that changed."""
    sessions = list(training_sessions)
    courses = {s.pk: s.course for s in sessions}
    groups: dict[tuple, list[int]] = {}
    for start in range(0, len(sessions), 200):
        ids = [s.pk for s in sessions[start : start + 200]]
        day_lengths: dict[int, dict[int, int]] = {pk: {} for pk in ids}
        for day in SessionDay.objects.filter(training_session_id__in=ids):
            day_lengths[day.training_session_id][day.pk] = day_minutes(day)
        marks: dict[int, dict[int, tuple]] = {}
        for enrolment_id, day_id, status, minutes in Attendance.objects.filter(
            enrolment__training_session_id__in=ids
        ).values_list("enrolment_id", "day_id", "status", "minutes"):
            marks.setdefault(enrolment_id, {})[day_id] = (status, minutes)
        for pk, session_id, status, *stored in Enrolment.objects.filter(
            training_session_id__in=ids
        ).values_list(
            "pk", "training_session_id", "status", "completion", "attended_minutes", "attended_days"
        ):
            values: tuple = ("", None, None)
            if status == E.CONFIRMED:
                result = completion_rule(
                    course=courses[session_id],
                    day_lengths=day_lengths[session_id],
                    marks=marks.get(pk, {}),
                )
                values = (
                    Enrolment.Completion.COMPLETED
                    if result.completed
                    else Enrolment.Completion.NOT_COMPLETED,
                    result.minutes,
                    result.days,
                )
            if tuple(stored) != values:
                groups.setdefault(values, []).append(pk)
    now = timezone.now()
    for (completion, minutes, days), pks in groups.items():
        for start in range(0, len(pks), 500):
            Enrolment.objects.filter(pk__in=pks[start : start + 500]).update(
                completion=completion,
                attended_minutes=minutes,
                attended_days=days,
                completion_computed_at=now if completion else None,
            )
    return sum(len(pks) for pks in groups.values())


def completion_clear(*, training_session: TrainingSession) -> None:
    """A session reopened is no longer completed: its results go until it is again."""
    training_session.enrolments.exclude(completion="").update(
        completion="", attended_minutes=None, attended_days=None, completion_computed_at=None
    )


@transaction.atomic
def training_session_complete(*, training_session: TrainingSession, acting_user) -> int:
    """Close a session whose last day has ended and work out every participant's result.
    Returns the number of participants who completed it."""
    session = TrainingSession.objects.get(pk=training_session.pk)
    _check_attendance_taker(acting_user, session)
    session.status = Status.COMPLETED
    training_session_save(training_session=session, acting_user=acting_user)
    return session.enrolments.filter(completion=Enrolment.Completion.COMPLETED).count()


# --- calendar subscriptions -----------------------------------------------------------------


@transaction.atomic
def calendar_token_regenerate(*, user) -> CalendarToken:
    """A new secret for the person's calendar addresses; the old addresses stop working."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        token.token = new_calendar_token()
        token.save(update_fields=["token"])
    log(instance=token, action="formativ.calendar.token", user=user, data={"regenerated": True})
    return token


@transaction.atomic
def calendar_token_revoke(*, user) -> bool:
    """Switch the person's calendar addresses off. True when there was one."""
    token = CalendarToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        return False
    log(instance=token, action="formativ.calendar.token", user=user, data={"revoked": True})
    token.delete()
    return True


# --- imports -------------------------------------------------------------------------------
# The spreadsheet imports (imports.engine) validate their rows themselves and write thousands
# of them at once; the import is audited as a whole.

HISTORICAL_VENUE_NAME = "Loc nespecificat (import)"
HISTORICAL_DAY_START = datetime.time(9, 0)


@dataclass(frozen=True)
class HistoricalSession:
    """A session known from a participation list: what `historical_sessions_create` needs."""

    code: str
    course: object
    project: object
    county: object
    start: datetime.date
    end: datetime.date


def historical_sessions_create(*, sessions: list[HistoricalSession]) -> list[TrainingSession]:
    """Sessions that took place before Formativ, known from participation lists: completed,
    one day per calendar day from start to end, each as long as the course's hours shared over
    the days (9:00 onwards), at the county's "place not stated" venue. In bulk: a few queries
    whatever their number."""
    if not sessions:
        return []
    venues = {}
    for county in {s.county.pk: s.county for s in sessions}.values():
        venues[county.pk], _created = Venue.objects.get_or_create(
            name=HISTORICAL_VENUE_NAME, city=county.name, defaults={"county": county}
        )
    created = TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                code=spec.code,
                course=spec.course,
                project=spec.project,
                county=spec.county,
                starts_on=spec.start,
                ends_on=spec.end,
                venue=venues[spec.county.pk],
                capacity=1,
                status=Status.COMPLETED,
                approval_mode=TrainingSession.ApprovalMode.MANUAL,
                reminder_days=0,
            )
            for spec in sessions
        ],
        batch_size=200,
    )
    zone = timezone.get_current_timezone()
    days = []
    for session, spec in zip(created, sessions, strict=True):
        count = (spec.end - spec.start).days + 1
        hours = spec.course.hours
        minutes = max(30, int(float(hours) * 60 / count)) if hours else 8 * 60
        for i in range(count):
            starts = datetime.datetime.combine(
                spec.start + datetime.timedelta(days=i), HISTORICAL_DAY_START, tzinfo=zone
            )
            days.append(
                SessionDay(
                    training_session=session,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(minutes=minutes),
                )
            )
    SessionDay.objects.bulk_create(days, batch_size=500)
    return created


def enrolment_bulk_import(
    *,
    pairs: list[tuple[int, int]],
    acting_user,
    reason: str,
    references: dict[tuple[int, int], str] | None = None,
) -> dict[tuple[int, int], int]:
    """Confirmed places for (session id, person id) pairs, as an organiser's list gives them
    (no capacity, window or eligibility rule: the list is what happened). Existing registrations
    stay as they are. `references` gives new ones the certificate issued outside Formativ.
    Returns the enrolment id of every pair, new or existing."""
    references = references or {}
    wanted = set(pairs)
    ids: dict[tuple[int, int], int] = {}
    session_ids = {s for s, _p in wanted}
    for pk, session_id, person_id in Enrolment.objects.filter(
        training_session_id__in=session_ids, professional_id__in={p for _s, p in wanted}
    ).values_list("pk", "training_session_id", "professional_id"):
        if (session_id, person_id) in wanted:
            ids[(session_id, person_id)] = pk
    fresh = [
        Enrolment(
            training_session_id=s,
            professional_id=p,
            status=E.CONFIRMED,
            source=Source.IMPORT,
            certificate_reference=references.get((s, p), ""),
        )
        for s, p in pairs
        if (s, p) not in ids
    ]
    created = Enrolment.objects.bulk_create(fresh, batch_size=500)
    user = acting_user if getattr(acting_user, "pk", None) else None
    EnrolmentStatusChange.objects.bulk_create(
        [
            EnrolmentStatusChange(
                enrolment=e, from_status="", to_status=E.CONFIRMED, changed_by=user, reason=reason
            )
            for e in created
        ],
        batch_size=500,
    )
    for e in created:
        ids[(e.training_session_id, e.professional_id)] = e.pk
    return ids


def attendance_bulk_import(
    *, marks: dict[tuple[int, int], tuple[str, int | None]], acting_user
) -> int:
    """Set (enrolment id, day id) -> (status, minutes) marks from an imported list; marks that
    already say the same are left alone. Returns the number of marks written."""
    if not marks:
        return 0
    existing: dict[tuple[int, int], Attendance] = {}
    enrolment_ids = {e for e, _d in marks}
    for start in range(0, len(enrolment_ids), 500):
        chunk = list(enrolment_ids)[start : start + 500]
        for mark in Attendance.objects.filter(enrolment_id__in=chunk).only(
            "pk", "enrolment_id", "day_id", "status", "minutes"
        ):
            existing[(mark.enrolment_id, mark.day_id)] = mark
    user = acting_user if getattr(acting_user, "pk", None) else None
    fresh, changed = [], []
    for (enrolment_id, day_id), (status, minutes) in marks.items():
        mark = existing.get((enrolment_id, day_id))
        if mark is None:
            fresh.append(
                Attendance(
                    enrolment_id=enrolment_id,
                    day_id=day_id,
                    status=status,
                    minutes=minutes,
                    method=Attendance.Method.IMPORT,
                    marked_by=user,
                )
            )
        elif (mark.status, mark.minutes) != (status, minutes):
            mark.status, mark.minutes = status, minutes
            mark.method, mark.marked_by = Attendance.Method.IMPORT, user
            mark.marked_at = timezone.now()
            changed.append(mark)
    Attendance.objects.bulk_create(fresh, batch_size=500)
    Attendance.objects.bulk_update(
        changed, ["status", "minutes", "method", "marked_by", "marked_at"], batch_size=500
    )
    return len(fresh) + len(changed)


def enrolment_certificate_references_set(*, references: dict[int, str]) -> int:
    """Record certificates issued outside Formativ (enrolment id -> series and number)."""
    changed = [
        Enrolment(pk=pk, certificate_reference=references[pk])
        for pk, stored in Enrolment.objects.filter(pk__in=list(references)).values_list(
            "pk", "certificate_reference"
        )
        if stored != references[pk]
    ]
    Enrolment.objects.bulk_update(changed, ["certificate_reference"], batch_size=500)
    return len(changed)


def session_dates_refresh(*, session_ids) -> None:
    """Store each session's first and last day as local dates (TrainingSession.starts_on and
    ends_on), from its days as they are now: after days are added, moved or removed. Three
    queries whatever the number of sessions."""
    from django.db.models import Max, Min

    ids = set(session_ids)
    if not ids:
        return
    bounds = {
        row["training_session_id"]: row
        for row in SessionDay.objects.filter(training_session_id__in=ids)
        .order_by()
        .values("training_session_id")
        .annotate(first=Min("starts_at"), last=Max("starts_at"))
    }
    # The agency's time zone, whatever the one activated for the request.
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    changed = []
    for session in TrainingSession.objects.filter(pk__in=ids).only("pk", "starts_on", "ends_on"):
        row = bounds.get(session.pk)
        starts_on = timezone.localdate(row["first"], zone) if row else None
        ends_on = timezone.localdate(row["last"], zone) if row else None
        if (session.starts_on, session.ends_on) != (starts_on, ends_on):
            session.starts_on, session.ends_on = starts_on, ends_on
            changed.append(session)
    if changed:
        TrainingSession.objects.bulk_update(changed, ["starts_on", "ends_on"], batch_size=500)
