"""Writes for sessions, enrolments and attendance. Views, admin, API, importers and tasks call
these; none of them saves a session model itself."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from sessions.models import (
    Attendance,
    Enrolment,
    EnrolmentStatusChange,
    SessionDay,
    TrainingSession,
)
from sessions.selectors import Conflict, seats_taken, training_session_conflicts
from training.models import Sector
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
    previous = (
        TrainingSession.objects.filter(pk=training_session.pk)
        .values_list("status", flat=True)
        .first()
        if training_session.pk
        else None
    )
    model_save(
        instance=training_session,
        acting_user=acting_user,
        validate=_session_validator,
    )
    if previous and previous != training_session.status:
        log(
            instance=training_session,
            action="formativ.session.status",
            user=acting_user,
            data={"from": previous, "to": training_session.status},
        )
        if training_session.status == Status.CANCELLED:
            _cancel_enrolments(training_session, acting_user)
    return SessionSaveResult(
        training_session, training_session_conflicts(training_session=training_session)
    )


def _cancel_enrolments(training_session, acting_user) -> None:
    """A cancelled session frees every place: its open enrolments are cancelled, with history."""
    open_statuses = (*Enrolment.SEAT_HOLDING, Enrolment.Status.WAITLISTED)
    for enrolment in training_session.enrolments.filter(status__in=open_statuses):
        previous = enrolment.status
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.save(update_fields=["status", "updated_at"])
        _record(
            enrolment,
            from_status=previous,
            acting_user=acting_user,
            reason=_("The session was cancelled."),
        )


# --- enrolment ------------------------------------------------------------------------------

_ALLOWED = {
    Enrolment.Status.PENDING: {
        Enrolment.Status.CONFIRMED,
        Enrolment.Status.REJECTED,
        Enrolment.Status.CANCELLED,
        Enrolment.Status.WAITLISTED,
    },
    Enrolment.Status.WAITLISTED: {
        Enrolment.Status.CONFIRMED,
        Enrolment.Status.PENDING,
        Enrolment.Status.CANCELLED,
        Enrolment.Status.REJECTED,
    },
    Enrolment.Status.CONFIRMED: {Enrolment.Status.CANCELLED},
    Enrolment.Status.CANCELLED: {
        Enrolment.Status.PENDING,
        Enrolment.Status.CONFIRMED,
        Enrolment.Status.WAITLISTED,
    },
    Enrolment.Status.REJECTED: {Enrolment.Status.PENDING, Enrolment.Status.CONFIRMED},
}


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
        user=acting_user,
        data={"from": from_status, "to": enrolment.status, "reason": reason},
    )


@transaction.atomic
def enrolment_create(
    *,
    training_session: TrainingSession,
    professional,
    acting_user,
    source: str = Enrolment.Source.STAFF,
    nominated_by=None,
) -> Enrolment:
    """Give a person a place: confirmed or awaiting approval (by the session's approval mode)
    while seats remain, on the waiting list once they are taken."""
    session = _lock_session(training_session)
    if session.status == Status.CANCELLED:
        raise ValidationError(_("This session has been cancelled."))
    if session.status == Status.COMPLETED and source != Enrolment.Source.IMPORT:
        raise ValidationError(_("This session has already taken place."))
    if Enrolment.objects.filter(training_session=session, professional=professional).exists():
        raise ValidationError(_("This person is already enrolled in this session."))
    waiting = session.enrolments.filter(status=Enrolment.Status.WAITLISTED).exists()
    if waiting or seats_taken(training_session=session) >= session.capacity:
        # Nobody jumps the queue: while people wait, a freed seat is theirs to be offered.
        status = Enrolment.Status.WAITLISTED
    elif session.approval_mode == TrainingSession.ApprovalMode.AUTOMATIC or source in (
        Enrolment.Source.STAFF,
        Enrolment.Source.IMPORT,
    ):
        # Staff and imports place people directly; self-registrations wait for approval.
        status = Enrolment.Status.CONFIRMED
    else:
        status = Enrolment.Status.PENDING
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                training_session=session,
                professional=professional,
                status=status,
                source=source,
                nominated_by=nominated_by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This person is already enrolled in this session.")) from exc
    _record(enrolment, from_status="", acting_user=acting_user)
    return enrolment


@transaction.atomic
def enrolment_set_status(
    *, enrolment: Enrolment, status: str, acting_user, reason: str = ""
) -> Enrolment:
    session = _lock_session(enrolment.training_session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    previous = enrolment.status
    if status == previous:
        return enrolment
    if status not in _ALLOWED.get(previous, set()):
        raise ValidationError(
            _("An enrolment cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Enrolment.Status(previous).label, "to": Enrolment.Status(status).label}
        )
    if session.status == Status.CANCELLED and status != Enrolment.Status.CANCELLED:
        raise ValidationError(_("This session has been cancelled."))
    holds_seat = previous in Enrolment.SEAT_HOLDING
    if (
        status in Enrolment.SEAT_HOLDING
        and not holds_seat
        and seats_taken(training_session=session) >= session.capacity
    ):
        raise ValidationError(_("The session is full: no seat is free."))
    enrolment.status = status
    enrolment.save(update_fields=["status", "updated_at"])
    _record(enrolment, from_status=previous, acting_user=acting_user, reason=reason)
    return enrolment


# --- attendance -----------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(
    *,
    enrolment: Enrolment,
    day: SessionDay,
    status: str,
    acting_user,
    method: str = Attendance.Method.STAFF,
) -> Attendance:
    """Mark one participant for one day of their session (creating or correcting the mark)."""
    _lock_session(enrolment.training_session)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)  # not a stale copy
    if day.training_session_id != enrolment.training_session_id:
        raise ValidationError(_("This day belongs to another session."))
    if enrolment.training_session.status == Status.CANCELLED:
        raise ValidationError(_("This session has been cancelled."))
    if enrolment.status != Enrolment.Status.CONFIRMED:
        raise ValidationError(_("Only confirmed participants can be marked."))
    if status == Attendance.Status.PRESENT and day.starts_at > timezone.now():
        raise ValidationError(_("Nobody can be present on a day that has not started yet."))
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    user = acting_user if getattr(acting_user, "pk", None) else None
    attendance, created = Attendance.objects.update_or_create(
        enrolment=enrolment,
        day=day,
        defaults={"status": status, "method": method, "marked_by": user},
    )
    log(
        instance=attendance,
        action="formativ.attendance.mark",
        user=acting_user,
        data={"status": status, "method": method, "created": created},
    )
    return attendance
