"""REST endpoints for training sessions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from config.api_support import BoundedPagination, InputSchema, clean_query_text, require_perm
from sessions import selectors
from sessions.models import SessionDay, TrainingSession
from sessions.services import training_session_save
from training.api import county_by_code
from training.models import Course, Project

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

    @staticmethod
    def resolve_title(obj):
        return obj.display_title

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


@router.get("/sessions", response=list[SessionOut])
@paginate(BoundedPagination)
def list_sessions(
    request, county: str | None = None, status: str | None = None, project: str | None = None
):
    require_perm(request, "training_sessions.view_trainingsession")
    qs = _session_queryset().order_by("first_day", "pk")
    if county:
        qs = qs.filter(county=county_by_code(county))
    if status:
        qs = qs.filter(status=clean_query_text(status))
    if project:
        qs = qs.filter(project__acronym__iexact=clean_query_text(project))
    return qs


@router.get("/sessions/{session_id}", response=SessionOut)
def get_session(request, session_id: int):
    require_perm(request, "training_sessions.view_trainingsession")
    return get_object_or_404(_session_queryset(), pk=session_id)


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
    session.days = [SessionDay(**day) for day in days]
    result = training_session_save(training_session=session, acting_user=request.user)
    return Status(201, _session_queryset().get(pk=result.training_session.pk))


@router.patch("/sessions/{session_id}", response=SessionOut)
def update_session(request, session_id: int, payload: SessionPatch):
    require_perm(request, "training_sessions.change_trainingsession")
    with transaction.atomic():
        # Read the row under its lock, so that a concurrent change is not overwritten.
        session = get_object_or_404(TrainingSession.objects.select_for_update(), pk=session_id)
        for name, value in payload.dict(exclude_unset=True).items():
            if value is not None:
                setattr(session, name, value)
        training_session_save(training_session=session, acting_user=request.user)
    return _session_queryset().get(pk=session.pk)
