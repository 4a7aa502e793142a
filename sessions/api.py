"""REST endpoints for training sessions."""

import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, Strict
from pydantic import Field as PydanticField

from config.api_support import (
    PUBLIC_READ_AUTH,
    BoundedPagination,
    ErrorOut,
    InputSchema,
    clean_query_text,
    require_perm,
    validation_error_body,
)
from sessions import ical, selectors
from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from sessions.models.attendance import CHECKIN_CODE_LENGTH
from sessions.ratelimit import checkin_attempt_allowed
from sessions.services import (
    DUPLICATE,
    CheckIn,
    Mark,
    attendance_mark_many,
    checkin_scan,
    checkin_self,
    enrolment_cancel,
    enrolment_create,
    normalise_checkin_code,
    training_session_save,
)
from training.access import in_scope, staff_scope
from training.api import county_by_code
from training.models import Course, FocalPoint, Institution, Professional, Project

router = Router(tags=["sessions"])


class DayOut(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime


class DayIn(InputSchema):
    """A day's start and end with their UTC offset, e.g. 2027-03-09T09:00:00+02:00."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime


class SessionOut(Schema):
    id: int
    code: str
    title: str
    course: str
    project: str | None
    county: str
    status: str
    delivery_mode: str
    capacity: int
    seats_taken: int
    days: list[DayOut]
    ics_url: str | None = PydanticField(
        None,
        description="Absolute address of the session's calendar file (.ics, one event per day), "
        "to download or import; in the caller's language (Accept-Language). Cancelled sessions "
        "keep theirs (marked cancelled, so calendars update); drafts have none (`null`).",
    )

    @staticmethod
    def resolve_title(obj):
        return obj.display_title

    @staticmethod
    def resolve_ics_url(obj):
        if obj.status == TrainingSession.Status.DRAFT:
            return None
        return ical.ics_url(obj)

    @staticmethod
    def resolve_course(obj):
        return obj.course.code

    @staticmethod
    def resolve_project(obj):
        return obj.project.acronym if obj.project_id else None

    @staticmethod
    def resolve_county(obj):
        return obj.county.code

    @staticmethod
    def resolve_days(obj):
        return list(obj.days.all())


class SessionListOut(SessionOut):
    seats_total: int
    waitlist_length: int

    @staticmethod
    def resolve_seats_total(obj):
        return obj.capacity


class SessionIn(InputSchema):
    code: str
    course: str
    county: str
    capacity: int
    project: str | None = None
    title: str = ""
    delivery_mode: str = TrainingSession.DeliveryMode.ONLINE
    online_url: str = ""
    status: str = TrainingSession.Status.DRAFT
    days: list[DayIn] = []


class SessionPatch(InputSchema):
    title: str | None = None
    capacity: int | None = None
    status: str | None = None
    online_url: str | None = None


def _lookup(model, field: str, value: str, error_field: str):
    obj = model.objects.filter(**{field: value}).first()
    if obj is None:
        raise ValidationError({error_field: [_("Unknown code “%(code)s”.") % {"code": value}]})
    return obj


def _session_queryset():
    return selectors.training_session_list().prefetch_related("days")


def _visible_sessions(request):
    return selectors.api_session_list(user=request.user)


@router.get("/sessions", response=list[SessionListOut], auth=PUBLIC_READ_AUTH)
@paginate(BoundedPagination)
def list_sessions(
    request,
    county: str | None = None,
    course: str | None = None,
    project: str | None = None,
    status: str | None = None,
    date_from: Annotated[datetime.date | None, Query(alias="from")] = None,
    date_to: Annotated[datetime.date | None, Query(alias="to")] = None,
):
    """Sessions, soonest first. Anyone may read the published and completed ones; organisers
    (permission to view sessions) see every status. Filters: `county` (county code), `course`
    (course code), `project` (acronym), `status`, and `from`/`to` (dates, inclusive): sessions
    with at least one day in that range."""
    if status and clean_query_text(status) not in TrainingSession.Status.values:
        raise ValidationError(
            {"status": [_("Unknown status “%(code)s”.") % {"code": clean_query_text(status)}]}
        )
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"to": [_("The end date cannot come before the start date.")]})
    return selectors.api_session_list(
        user=request.user,
        county=county_by_code(county) if county else None,
        course=_lookup(Course, "code__iexact", clean_query_text(course), "course")
        if course
        else None,
        project=_lookup(Project, "acronym__iexact", clean_query_text(project), "project")
        if project
        else None,
        status=clean_query_text(status),
        date_from=date_from,
        date_to=date_to,
    )


@router.get("/sessions/{session_id}", response=SessionListOut, auth=PUBLIC_READ_AUTH)
def get_session(request, session_id: int):
    """One session, with the same visibility as the list (others are 404)."""
    return get_object_or_404(_visible_sessions(request), pk=session_id)


@router.post("/sessions", response={201: SessionOut})
def create_session(request, payload: SessionIn):
    require_perm(request, "training_sessions.add_trainingsession")
    data = payload.dict()
    days = data.pop("days")
    data["course"] = _lookup(Course, "code", data["course"], "course")
    data["county"] = county_by_code(data["county"])
    if data["project"]:
        data["project"] = _lookup(Project, "acronym__iexact", data["project"], "project")
    session = TrainingSession(**data)
    if not staff_scope(request.user).manages_new_session(session):
        raise PermissionDenied(_("You can only manage the sessions of your county or projects."))
    session.days = [SessionDay(**day) for day in days]
    result = training_session_save(training_session=session, acting_user=request.user)
    return Status(201, _session_queryset().get(pk=result.training_session.pk))


@router.patch("/sessions/{session_id}", response=SessionOut)
def update_session(request, session_id: int, payload: SessionPatch):
    require_perm(request, "training_sessions.change_trainingsession")
    with transaction.atomic():
        # Read the row under its lock, so that a concurrent change is not overwritten.
        session = get_object_or_404(
            TrainingSession.objects.select_for_update().filter(
                staff_scope(request.user).sessions_q()
            ),
            pk=session_id,
        )
        for name, value in payload.dict(exclude_unset=True).items():
            if value is not None:
                setattr(session, name, value)
        if not staff_scope(request.user).manages_new_session(session):
            raise PermissionDenied(
                _("You can only manage the sessions of your county or projects.")
            )
        training_session_save(training_session=session, acting_user=request.user)
    return _session_queryset().get(pk=session.pk)


# --- enrolments ---------------------------------------------------------------------------

ObjectId = Annotated[int, Strict(), PydanticField(ge=1, le=2**63 - 1)]


class EnrolmentIn(InputSchema):
    """Empty (`{}`) to register yourself; `professional_id` to register someone else (focal
    points nominate people of their scope, organisers enrol anyone)."""

    professional_id: ObjectId | None = None


class CancelIn(InputSchema):
    reason: str = PydanticField("", max_length=255)


class EnrolmentOut(Schema):
    id: int
    session_id: int
    session_code: str
    professional_id: int
    status: str
    source: str
    waitlist_position: int | None
    offer_expires_at: datetime.datetime | None
    status_reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_session_id(obj):
        return obj.training_session_id

    @staticmethod
    def resolve_session_code(obj):
        return obj.training_session.code

    @staticmethod
    def resolve_waitlist_position(obj):
        return obj.waitlist_position_value

    @staticmethod
    def resolve_status_reason(obj):
        # Reasons the system writes are stored as msgids: shown in the caller's language.
        return _(obj.status_reason) if obj.status_reason else ""


ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


def _enrolment_out(enrolment_id: int) -> Enrolment:
    return selectors.api_enrolment_list().get(pk=enrolment_id)


def _visible_enrolment(request, enrolment_id: int) -> Enrolment:
    """The enrolment if this caller may see it: its person, staff who may view enrolments and
    reach it (their scope, training.access), or someone who may nominate that person.
    Otherwise 404, as if it did not exist."""
    enrolment = get_object_or_404(selectors.api_enrolment_list(), pk=enrolment_id)
    user = request.user
    if not (
        (enrolment.professional.user_id is not None and enrolment.professional.user_id == user.pk)
        or (
            user.has_perm(selectors.VIEW_ENROLMENT_PERMISSION)
            and in_scope(user, enrolment, lambda scope: scope.enrolments_q())
        )
        or selectors.can_nominate(
            user=user,
            professional=enrolment.professional,
            training_session=enrolment.training_session,
        )
    ):
        raise Http404
    return enrolment


def _own_professional(user) -> Professional:
    professional = getattr(user, "professional", None)
    if professional is None:
        raise ValidationError(
            _(
                "Your account is not linked to a person in the registry, so you cannot "
                "register yourself. Complete your profile first."
            )
        )
    return professional


def _nominee(
    user, professional_id: int, session: TrainingSession
) -> tuple[Professional, str, Institution | None]:
    """The person someone registers, with the source and nominating institution: those who
    may enrol anyone into the session (administrators, the project's organisers) enrol
    (source "staff"), focal points and coordinators nominate people of their scope (source
    "nomination")."""
    organiser = selectors.enrols_anyone(user=user, training_session=session)
    professional = Professional.objects.filter(pk=professional_id).first()
    if professional is None:
        if not organiser:  # do not tell others who is in the registry
            raise PermissionDenied(_("You cannot nominate this person."))
        raise ValidationError({"professional_id": [_("There is no such person.")]})
    if professional.user_id is not None and professional.user_id == user.pk:
        return professional, Enrolment.Source.SELF, None
    if organiser:
        return professional, Enrolment.Source.STAFF, None
    if not selectors.can_nominate(user=user, professional=professional, training_session=session):
        raise PermissionDenied(_("You cannot nominate this person."))
    nominated_by = (
        professional.institution
        if professional.institution_id
        and FocalPoint.objects.filter(
            user=user, institution_id=professional.institution_id
        ).exists()
        else None
    )
    return professional, Enrolment.Source.NOMINATION, nominated_by


@router.post(
    "/sessions/{session_id}/enrolments",
    response={201: EnrolmentOut, **ERRORS},
    tags=["enrolments"],
)
def create_enrolment(request, session_id: int, payload: EnrolmentIn | None = None):
    """Register for a session.

    - `{}` (or no body): register yourself; your account must be linked to your registry
      entry. Open sessions confirm you at once, approval sessions keep you pending, full ones
      put you on the waiting list (`waitlist_position`).
    - `{"professional_id": N}`: a focal point nominates a person of their institution, county
      or local team (source `nomination`, within the session's quotas; the person is offered
      the seat); an organiser enrols anyone (source `staff`).

    Answers 201 with the enrolment. Errors: 404 for a session you cannot see; 409 when the
    person is already registered (whatever the status of that registration); 403 when you may
    not register that person; 400 for any other rule (window closed, session cancelled or
    held, not eligible, quota used up, no registry entry); 422 for malformed input. Nothing is
    saved on an error. Drafts are 404 to all but organisers."""
    sessions = TrainingSession.objects.all()
    if not selectors.sees_all_sessions(request.user):
        # Drafts were never announced; cancelled and held ones get their reason (400).
        sessions = sessions.exclude(status=TrainingSession.Status.DRAFT)
    elif not staff_scope(request.user).all:
        # Staff reach the drafts of the sessions they manage only.
        sessions = sessions.filter(
            ~Q(status=TrainingSession.Status.DRAFT) | staff_scope(request.user).sessions_q()
        )
    session = get_object_or_404(sessions, pk=session_id)
    professional_id = payload.professional_id if payload else None
    if professional_id is None:
        professional, source, nominated_by = (
            _own_professional(request.user),
            Enrolment.Source.SELF,
            None,
        )
    else:
        professional, source, nominated_by = _nominee(request.user, professional_id, session)
    try:
        enrolment = enrolment_create(
            training_session=session,
            professional=professional,
            acting_user=request.user,
            source=source,
            nominated_by=nominated_by,
        )
    except ValidationError as exc:
        if any(error.code == DUPLICATE for error in getattr(exc, "error_list", ())):
            return Status(409, validation_error_body(exc))
        raise
    return Status(201, _enrolment_out(enrolment.pk))


@router.get(
    "/enrolments/{enrolment_id}", response={200: EnrolmentOut, **ERRORS}, tags=["enrolments"]
)
def get_enrolment(request, enrolment_id: int):
    """An enrolment, for its person, an organiser, or a focal point who may nominate that
    person; 404 for anyone else."""
    return _visible_enrolment(request, enrolment_id)


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response={200: EnrolmentOut, **ERRORS},
    tags=["enrolments"],
)
def cancel_enrolment(request, enrolment_id: int, payload: CancelIn | None = None):
    """Give up a place (its person, until the session's cancellation cut-off) or cancel it (an
    organiser), with an optional `reason` shown to the person. The seat goes to the first person
    waiting. 404 for an enrolment you cannot see, 403 if you may see but not cancel it, 400 when
    it is no longer active or the cut-off has passed."""
    enrolment = _visible_enrolment(request, enrolment_id)
    enrolment_cancel(
        enrolment=enrolment, acting_user=request.user, reason=payload.reason if payload else ""
    )
    return _enrolment_out(enrolment.pk)


@router.get("/me/enrolments", response=list[EnrolmentOut], tags=["enrolments"])
@paginate(BoundedPagination)
def my_enrolments(request):
    """Your own registrations, whatever their status, the latest session first (empty when
    your account is not linked to a registry entry)."""
    professional = getattr(request.user, "professional", None)
    if professional is None:
        return Enrolment.objects.none()
    return (
        selectors.api_enrolment_list()
        .filter(professional=professional)
        .order_by(F("session_first_day").desc(nulls_last=True), "-pk")
    )


# --- attendance -----------------------------------------------------------------------------

# The most marks one request may carry: a 200-person session of five days is 1,000.
MAX_MARKS = 2000


class AttendanceDayOut(Schema):
    id: int
    date: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    minutes: int = PydanticField(description="The day's scheduled length, in minutes.")

    @staticmethod
    def resolve_date(obj):
        return timezone.localdate(obj.starts_at)

    @staticmethod
    def resolve_minutes(obj):
        return selectors.day_minutes(obj)


class MarkOut(Schema):
    enrolment_id: int
    day: int
    status: str
    minutes: int | None = PydanticField(
        description="Minutes attended, for a late or partial attendance only."
    )
    method: str
    marked_at: datetime.datetime

    @staticmethod
    def resolve_day(obj):
        return obj.day_id


class ParticipantOut(Schema):
    enrolment_id: int
    name: str
    institution: str
    completion: str = PydanticField(
        description="The completion rule's result, worked out when the session is completed: "
        "`completed`, `not_completed`, or empty before then."
    )
    attended_minutes: int | None
    attended_days: int | None

    @staticmethod
    def resolve_enrolment_id(obj):
        return obj.pk

    @staticmethod
    def resolve_name(obj):
        return obj.professional.full_name

    @staticmethod
    def resolve_institution(obj):
        return _institution_name(obj.professional)


class AttendanceOut(Schema):
    session: int
    days: list[AttendanceDayOut]
    marks: list[MarkOut]
    participants: list[ParticipantOut]


class MarkIn(InputSchema):
    enrolment_id: ObjectId
    day: ObjectId = PydanticField(description="The id of one of the session's days.")
    status: str = PydanticField(
        description="One of the statuses listed; any other is refused (400, at its position).",
        json_schema_extra={"enum": list(Attendance.Status.values)},
    )
    minutes: Annotated[int, Strict()] | None = PydanticField(
        None,
        description="For `partial` only, and then required: the minutes attended, more than "
        "0 and less than the day's length.",
    )


def _institution_name(professional) -> str:
    return professional.institution.name if professional.institution_id else ""


def _attendance_session(request, session_id: int) -> TrainingSession:
    """The session, if the caller may take its attendance (404 if it does not exist, 403
    otherwise)."""
    session = get_object_or_404(TrainingSession, pk=session_id)
    if not selectors.can_take_attendance(user=request.user, training_session=session):
        raise PermissionDenied(_("You cannot take attendance for this session."))
    return session


@router.get(
    "/sessions/{session_id}/attendance",
    response={200: AttendanceOut, **ERRORS},
    tags=["attendance"],
)
def get_attendance(request, session_id: int):
    """A session's attendance, for those who may take it (organisers with the attendance
    permission and the session's trainers; 403 for others, 404 for an unknown session).

    - `days`: the session's days, in order, with their scheduled length in minutes;
    - `marks`: every mark recorded (`day` is a day's id; `method` says how it was taken:
      `staff`, `sheet`, `qr`, `self` or `import`). A person whose registration was cancelled
      after being marked keeps their marks;
    - `participants`: the confirmed participants, by name, with the completion rule's result
      (`completion`, `attended_minutes`, `attended_days`; empty until the session is
      completed)."""
    session = _attendance_session(request, session_id)
    participants = selectors.attendance_participants(training_session=session)
    return {
        "session": session.pk,
        "days": list(session.days.order_by("starts_at")),
        "marks": list(selectors.attendance_marks(training_session=session)),
        "participants": list(participants),
    }


@router.post(
    "/sessions/{session_id}/attendance",
    response={200: list[MarkOut], **ERRORS},
    tags=["attendance"],
)
def mark_attendance(request, session_id: int, payload: list[MarkIn]):
    """Record or correct marks: the body is a JSON array of
    `{"enrolment_id", "day", "status", "minutes"}` (at most 2,000 a request), for confirmed
    participants of this session, on its days. Answers 200 with the marks as saved (a mark
    sent again unchanged is kept as it was); an empty array records nothing and answers `[]`.

    All or nothing: if any mark is wrong, nothing is recorded and the answer is 400 with
    `errors` keyed by the position of each wrong mark in the array, counted from 0 (`"3"` is
    the fourth mark): a day of another session, someone not confirmed, `present` or
    `partial` on a day that has not started, `partial` without its minutes, minutes with any
    other status, an unknown status, the same person and day twice. A malformed body (not an
    array, an item without `enrolment_id`, text for a number) is 422. 403 for those who may
    not take the session's attendance; 400 for a session not published."""
    session = _attendance_session(request, session_id)
    if len(payload) > MAX_MARKS:
        raise ValidationError(
            _("Send at most %(max)d marks in one request; this one has %(count)d.")
            % {"max": MAX_MARKS, "count": len(payload)}
        )
    marks = [Mark(m.enrolment_id, m.day, m.status, m.minutes) for m in payload]
    try:
        return attendance_mark_many(
            training_session=session,
            marks=marks,
            acting_user=request.user,
            method=Attendance.Method.STAFF,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
        count = len(errors)
        summary = ngettext(
            "Nothing was recorded: %(count)d mark is not valid.",
            "Nothing was recorded: %(count)d marks are not valid.",
            count,
        ) % {"count": count}
        first = next(iter(errors.values()))[0]
        return Status(400, {"detail": f"{summary} {first}", "errors": errors})


# --- check-in -------------------------------------------------------------------------------


class CheckinIn(InputSchema):
    code: str = PydanticField(
        max_length=200,
        description="A participant's personal check-in code (what their QR code holds), or "
        "the short code shown on the projector.",
    )
    session: ObjectId | None = PydanticField(
        None, description="The session being scanned for (a staff scan)."
    )
    day: ObjectId | None = PydanticField(
        None,
        description="For a staff scan: the day to check in for (its check-in must be open); "
        "by default the day whose check-in is open now.",
    )


class CheckinOut(Schema):
    result: str = PydanticField(
        description="`checked_in`, or `already` when the person was already marked present "
        "for the day (nothing changed)."
    )
    message: str = PydanticField(description="A sentence to show (or read out) loudly.")
    name: str
    institution: str
    session: str = PydanticField(description="The session's code.")
    day: int
    date: datetime.date
    enrolment_id: int


def _is_projected_code(code: str) -> bool:
    """The short codes of the projector (any case, with spaces or dashes), as opposed to the
    long personal codes."""
    return len(normalise_checkin_code(code)) <= CHECKIN_CODE_LENGTH


def _checkin_out(checkin: CheckIn) -> dict:
    professional = checkin.enrolment.professional
    name = professional.full_name
    if checkin.already:
        marked_at = timezone.localtime(checkin.attendance.marked_at)
        message = _("%(name)s — already checked in at %(time)s") % {
            "name": name,
            "time": time_format(marked_at, "H:i"),
        }
    else:
        message = _("%(name)s — checked in") % {"name": name}
    return {
        "result": "already" if checkin.already else "checked_in",
        "message": message,
        "name": name,
        "institution": _institution_name(professional),
        "session": checkin.enrolment.training_session.code,
        "day": checkin.day.pk,
        "date": timezone.localdate(checkin.day.starts_at),
        "enrolment_id": checkin.enrolment.pk,
    }


@router.post(
    "/checkin",
    response={200: CheckinOut, **ERRORS, 429: ErrorOut},
    tags=["attendance"],
)
def check_in(request, payload: CheckinIn):
    """Check someone in for today's day of their session, marking them present.

    - Staff scan: `{"code": <personal code>, "session": id}` (and optionally `"day": id`), by
      those who may take the session's attendance (403 otherwise). Without `session`, a long
      (personal) code is a staff scan too, for the code's own session.
    - Self check-in: `{"code": <short code on the projector>}` (any case, spaces and dashes
      ignored) marks the signed-in participant present for the projected day. Attempts are
      limited per person (429 when over the limit; nothing is recorded).

    Answers 200 with `result` `checked_in`, or `already` (a second scan changes nothing) and
    a `message` to show. 400, with the reason in `detail`: a code of another session or of no
    registration, someone not confirmed, a day whose check-in is not open, an expired or
    unknown projected code."""
    code = payload.code
    if payload.session is None and _is_projected_code(code):
        if not checkin_attempt_allowed(request.user):
            return Status(
                429,
                {
                    "detail": _("Too many check-in attempts. Wait a few minutes and try again."),
                    "errors": {},
                },
            )
        return _checkin_out(checkin_self(code=code, user=request.user))
    session = None
    if payload.session is not None:
        session = _attendance_session(request, payload.session)
    day = None
    if payload.day is not None:
        day = SessionDay.objects.filter(pk=payload.day).first()
        if day is None:
            raise ValidationError({"day": [_("This day is not a day of the session.")]})
    checkin = checkin_scan(code=code, acting_user=request.user, training_session=session, day=day)
    return _checkin_out(checkin)
