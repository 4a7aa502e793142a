"""REST endpoint of the participation report: the same numbers as the dashboard, the exports
and `manage.py training_report`, read through the one report service and the one parameter
form (reports.forms.ReportForm). A county coordinator counts the people of their county only."""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field as PydanticField

from config.api_support import ErrorOut
from reports.evaluation import GROUPS as EVALUATION_GROUPS
from reports.evaluation import evaluation_report
from reports.evaluation_forms import EvaluationForm
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


def _valid_form(form_class, values: dict):
    """The report's parameters bound and validated; ValidationError (a 400 with the errors by
    parameter) otherwise. No NUL character reaches a lookup (PostgreSQL refuses them in text)."""
    errors = {
        name: [_("This value is not valid.")]
        for name, value in values.items()
        if value and "\x00" in value
    }
    if errors:
        raise ValidationError(errors)
    form = form_class({name: value for name, value in values.items() if value is not None})
    if not form.is_valid():
        raise ValidationError(form.error_dict())
    return form


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
    form = _valid_form(ReportForm, values)
    filters = form.filters()
    out = participation_report(filters=filters, group_by=form.grouping(), scope=scope).as_dict()
    out["participations_per_person"] = participations_per_person(
        filters=filters, scope=scope
    ).as_dict()
    return out


# --- the evaluation report ---

EVALUATION_PARAMETERS = {
    "from": PARAMETERS["from"],
    "to": PARAMETERS["to"],
    "project": PARAMETERS["project"],
    "course": PARAMETERS["course"],
    "session": "Session code; any case.",
    "session_county": PARAMETERS["session_county"],
    "person_county": "County code of the person (e.g. `CJ`); response rates and test results "
    "only (answers to questions carry no person).",
    "professional_category": "Professional category id (the person's); response rates and "
    "test results only.",
    "group_by": "One of "
    + ", ".join(f"`{n}`" for n in EVALUATION_GROUPS)
    + " (default `course`). Questions are split by `session` or `session_county` only.",
}


def _evaluation_param(name: str):
    return Query(None, alias=name, description=EVALUATION_PARAMETERS[name])


class FormRateOut(Schema):
    expected: int = PydanticField(
        description="Confirmed enrolments of the sessions that run this form."
    )
    answered: int = PydanticField(description="Of them, those who answered it.")
    rate: float | None = PydanticField(description="answered / expected, in % (1 decimal).")


class TestOut(Schema):
    n_pre: int = PydanticField(description="Named, scored pre-tests.")
    n_post: int = PydanticField(description="Named, scored post-tests.")
    n_paired: int = PydanticField(description="Confirmed enrolments with both tests.")
    mean_pre: float | None = PydanticField(description="Mean pre-test score of the paired, %.")
    mean_post: float | None = PydanticField(description="Mean post-test score of the paired, %.")
    gain: float | None = PydanticField(description="mean_post − mean_pre (percentage points).")
    normalised_gain: float | None = PydanticField(
        description="(mean_post − mean_pre) / (100 − mean_pre), Hake's class-average gain; "
        "null when mean_pre is 100."
    )
    improved_percent: float | None = PydanticField(
        description="Share of the paired whose post-test score is higher than the pre-test's."
    )
    suppressed: bool = PydanticField(
        description="True when the scores are withheld (null): see `reason`."
    )
    reason: str | None = PydanticField(
        description="Why withheld: `small` (1 to 4 paired) or `complementary` (hidden as well "
        "so that the small groups cannot be worked out as the total minus the groups shown); "
        "null when shown."
    )


class EvaluationGroupOut(Schema):
    key: str | int | None = PydanticField(
        description="The group's code (session, course, county) or id (professional "
        "category); null for not stated."
    )
    label: str
    sessions: int
    forms: dict[str, FormRateOut] = PydanticField(
        description="By form: `pre_test`, `post_test`, `feedback`, `follow_up`."
    )
    test: TestOut


class ShareOut(Schema):
    value: int | str = PydanticField(description="The scale point (1–5) or the option's id.")
    label: str
    count: int
    percent: float | None


class QuestionFiguresOut(Schema):
    n: int = PydanticField(description="Answers to the question.")
    suppressed: bool = PydanticField(description="True when the figures are withheld (null).")
    reason: str | None = PydanticField(
        description="Why withheld: `small` (1 to 4 answers) or `complementary` (hidden as well "
        "so that small groups cannot be worked out from the total); null when shown."
    )
    mean: float | None = PydanticField(description="Ratings: the mean (1–5, 2 decimals).")
    distribution: list[ShareOut] | None = PydanticField(
        description="Ratings: each scale point; choices: each option (% of those who answered)."
    )
    texts: list[str] | None = PydanticField(
        description="Free text: the answers, sorted alphabetically (from 5 answers on)."
    )


class QuestionGroupOut(QuestionFiguresOut):
    key: str | int | None
    label: str


class QuestionOut(QuestionFiguresOut):
    question_id: str = PydanticField(description="Stable across the questionnaire's versions.")
    type: str = PydanticField(description="`likert`, `single`, `multiple` or `text`.")
    text: str
    scale: str | None
    sessions_left_out: int = PydanticField(
        description="Sessions left out of this question's figures (total, groups, texts): "
        "fewer than 5 responses to the form, or 1 to 4 answers to the question. They still "
        "count in the response rates."
    )
    groups: list[QuestionGroupOut]


class QuestionnaireOut(Schema):
    course: str
    course_label: str
    kind: str = PydanticField(description="`feedback` or `follow_up`.")
    title: str
    responses: int = PydanticField(description="All responses, those left out included.")
    sessions_left_out: int = PydanticField(
        description="Sessions with fewer than 5 responses to the form: left out of all its "
        "answer statistics."
    )
    left_out_note: str | None = PydanticField(
        description="The same in words, e.g. “2 sessions with fewer than 5 answers are left out "
        "of the answer statistics.”; null when none."
    )
    questions: list[QuestionOut]


class EvaluationOut(Schema):
    filters: dict[str, str | int] = PydanticField(description="The filters applied, as codes.")
    group_by: str
    small_count: int = PydanticField(
        description="Figures drawn from fewer answers than this are withheld."
    )
    totals: EvaluationGroupOut
    groups: list[EvaluationGroupOut]
    questions_split_by: str | None
    questions_note: str | None
    questionnaires: list[QuestionnaireOut]


@router.get("/reports/evaluation", response={200: EvaluationOut, **ERRORS})
def report_evaluation(
    request,
    date_from: Annotated[Param, _evaluation_param("from")] = None,
    date_to: Annotated[Param, _evaluation_param("to")] = None,
    project: Annotated[Param, _evaluation_param("project")] = None,
    course: Annotated[Param, _evaluation_param("course")] = None,
    session: Annotated[Param, _evaluation_param("session")] = None,
    session_county: Annotated[Param, _evaluation_param("session_county")] = None,
    person_county: Annotated[Param, _evaluation_param("person_county")] = None,
    professional_category: Annotated[Param, _evaluation_param("professional_category")] = None,
    group_by: Annotated[Param, _evaluation_param("group_by")] = None,
):
    """Evaluation: response rates per form, the knowledge test's learning gain (paired pre- and
    post-test: means, gain, normalised gain g, share improved) and the feedback and follow-up
    questions' figures, in total and by group. Figures drawn from fewer than 5 responses are
    null with `suppressed: true` and `reason: "small"`; when a table's small groups hold fewer
    than 5 together, the smallest other groups are withheld too (`reason: "complementary"`).
    A session with fewer than 5 responses to a form (or answers to a question) is left out of
    its answer statistics (`sessions_left_out`). No person, enrolment or response id and no
    response time.
    Needs the reports permission; a county coordinator counts the people of their county
    (response rates, tests) and the sessions held in it (questions)."""
    scope = report_scope_for(user=request.user)
    values = {
        "from": date_from,
        "to": date_to,
        "project": project,
        "course": course,
        "session": session,
        "session_county": session_county,
        "person_county": person_county,
        "professional_category": professional_category,
        "group_by": group_by,
    }
    form = _valid_form(EvaluationForm, values)
    return evaluation_report(
        filters=form.filters(), scope=scope, group_by=form.grouping()
    ).as_dict()
