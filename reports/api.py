"""REST endpoint of the participation report: the same numbers as the dashboard, the exports
and `manage.py training_report`, read through the one report service and the one parameter
form (reports.forms.ReportForm). A county coordinator counts the people of their county only."""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field as PydanticField

from config.api_support import ErrorOut
from reports.forms import ReportForm
from reports.selectors import (
    GROUP_FIELDS,
    participation_report,
    participations_per_person,
    report_scope_for,
)

router = Router(tags=["reports"])

ERRORS = dict.fromkeys((400, 401, 403), ErrorOut)

# The parameters, in the order ReportForm reads them, with their descriptions in the OpenAPI.
PARAMETERS = {
    "from": "First day of the period (YYYY-MM-DD, inclusive), by the session's first day.",
    "to": "Last day of the period (YYYY-MM-DD, inclusive), by the session's first day.",
    "project": "Project short name (acronym), e.g. `VENUS`; any case.",
    "course": "Course code; any case.",
    "curriculum": "Curriculum code.",
    "delivery_type": "Delivery type of the course (its code).",
    "session_county": "County code of the session (e.g. `CJ`).",
    "person_county": "County code of the person (e.g. `CJ`).",
    "institution": "Institution id (the person's institution).",
    "institution_type": "Institution type id (of the person's institution).",
    "professional_category": "Professional category id (the person's).",
    "sex": "`F`, `M` or `unknown`.",
    "age_band": "`under_25`, `25_54`, `over_54` or `unknown` (age on the session's first day).",
    "eil_member": "Member of an intersectoral local team: `yes`/`no` (also 1/0, true/false).",
    "group_by": "One or two fields, comma-separated: " + ", ".join(f"`{n}`" for n in GROUP_FIELDS),
}


def _param(name: str):
    return Query(None, alias=name, description=PARAMETERS[name])


Param = str | None


class FiguresOut(Schema):
    unique_persons: int = PydanticField(
        description="Distinct persons with at least one participation."
    )
    participations: int = PydanticField(
        description="Enrolments with at least one day attended, in sessions not cancelled."
    )
    unique_persons_completed: int
    participations_completed: int
    unique_persons_certified: int
    participations_certified: int
    sessions: int


class GroupOut(FiguresOut):
    key: dict[str, str | int | bool | None] = PydanticField(
        description="The group's value of each field: codes (county, project, course), ids "
        "(institution, institution type, category), `F`/`M`/null (sex), booleans (EIL member), "
        "`YYYY-MM` (month); null for not stated."
    )
    label: dict[str, str] = PydanticField(description="The same, in words, in your language.")


class PerPersonOut(Schema):
    participations: int
    unique_persons: int


class ReportOut(Schema):
    filters: dict[str, str | int | bool] = PydanticField(
        description="The filters applied, as codes (ids for the lists without codes)."
    )
    totals: FiguresOut = PydanticField(description="Each person once.")
    group_by: list[str]
    groups: list[GroupOut]
    groups_may_overlap: bool = PydanticField(
        description="True when a person may fall in several groups (a session's field or the "
        "age band): the groups may then add up to more than the totals."
    )
    margins: dict[str, list[GroupOut]] | None = PydanticField(
        None,
        description="Only when grouping by two fields: each field on its own (the totals of "
        "the cross-table's rows and columns, each person once per group).",
    )
    participations_per_person: list[PerPersonOut] = PydanticField(
        description="The persons by their number of participations in the filtered set "
        "(e.g. persons with at least 2 participations: add the rows from 2 on)."
    )


@router.get("/reports/participants", response={200: ReportOut, **ERRORS}, exclude_unset=True)
def report_participants(
    request,
    date_from: Annotated[Param, _param("from")] = None,
    date_to: Annotated[Param, _param("to")] = None,
    project: Annotated[Param, _param("project")] = None,
    course: Annotated[Param, _param("course")] = None,
    curriculum: Annotated[Param, _param("curriculum")] = None,
    delivery_type: Annotated[Param, _param("delivery_type")] = None,
    session_county: Annotated[Param, _param("session_county")] = None,
    person_county: Annotated[Param, _param("person_county")] = None,
    institution: Annotated[Param, _param("institution")] = None,
    institution_type: Annotated[Param, _param("institution_type")] = None,
    professional_category: Annotated[Param, _param("professional_category")] = None,
    sex: Annotated[Param, _param("sex")] = None,
    age_band: Annotated[Param, _param("age_band")] = None,
    eil_member: Annotated[Param, _param("eil_member")] = None,
    group_by: Annotated[Param, _param("group_by")] = None,
):
    """Trained participants: unique persons, participations, completed, certified and sessions,
    in total and grouped by one or two fields (a cross-table, with each field's own totals in
    `margins`). A participation is an enrolment with at least one session day attended in a
    session that was not cancelled; a person counts once in the totals and once in each group.
    Needs the reports permission; a county coordinator counts the people of their county only,
    whatever the filters ask. Labels are in the language of Accept-Language."""
    scope = report_scope_for(user=request.user)
    values = {
        "from": date_from,
        "to": date_to,
        "project": project,
        "course": course,
        "curriculum": curriculum,
        "delivery_type": delivery_type,
        "session_county": session_county,
        "person_county": person_county,
        "institution": institution,
        "institution_type": institution_type,
        "professional_category": professional_category,
        "sex": sex,
        "age_band": age_band,
        "eil_member": eil_member,
        "group_by": group_by,
    }
    # No NUL character reaches a lookup (PostgreSQL refuses them in text).
    errors = {
        name: [_("This value is not valid.")]
        for name, value in values.items()
        if value and "\x00" in value
    }
    if errors:
        raise ValidationError(errors)
    form = ReportForm({name: value for name, value in values.items() if value is not None})
    if not form.is_valid():
        raise ValidationError(form.error_dict())
    filters = form.filters()
    out = participation_report(filters=filters, group_by=form.grouping(), scope=scope).as_dict()
    out["participations_per_person"] = participations_per_person(
        filters=filters, scope=scope
    ).as_dict()
    return out
