"""The evaluation report as XLSX: four sheets — Filters (the filters, the scope, the
definitions), Groups (response rates and the knowledge test per group, with the total),
Questions (each question's figures, overall and per group) and Comments (the free-text answers,
sorted alphabetically, only for questions and groups with 5 or more answers, and groups shown).
Withheld figures are empty with the reason in words: fewer than 5 responses, or hidden so that
a small group cannot be worked out from the total; the Questions sheet gives, per question, the
sessions left out of its answer statistics (fewer than 5 answers).

No enrolment, person or response id and no response time: the report holds none. Text typed
by people (labels, answers) is neutralised so it never runs as a formula."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from evaluation.models import SessionForm
from reports.evaluation import (
    GROUPS,
    PURPOSES,
    SMALL_COUNT,
    EvaluationReport,
    GroupRow,
    QuestionFigures,
)
from reports.exports import (
    XLSX_CONTENT_TYPE,
    _bold_row,
    _text,
    _widths,
    produced_at,
    scope_description,
    sheet_title,
)

__all__ = ["XLSX_CONTENT_TYPE", "evaluation_xlsx", "filename"]

QUESTION_COLUMNS = 11  # Course … Share (%); then the sessions left out


def filename() -> str:
    """formativ-evaluare-<local date>.xlsx: no personal data in the name."""
    return f"formativ-evaluare-{timezone.localdate().isoformat()}.xlsx"


def _num(value):
    return None if value is None else float(value)


def _definitions() -> list[tuple[str, str]]:
    return [
        (
            _("Sessions counted"),
            _(
                "Not cancelled, with at least one evaluation form and a confirmed participant "
                "in the selection; the period is the session's first day."
            ),
        ),
        (
            _("Response rate"),
            _(
                "Per form: expected = the confirmed participants of the sessions that run the "
                "form; answered = those of them who answered it; rate = answered / expected (%)."
            ),
        ),
        (
            _("Knowledge test"),
            _(
                "Paired = the persons with both a pre-test and a post-test. Mean scores in % of "
                "the maximum; gain = mean post − mean pre (percentage points); normalised gain "
                "g = (mean post − mean pre) / (100 − mean pre); improved = the share of the "
                "paired whose post-test score is higher than their pre-test score."
            ),
        ),
        (
            _("Small groups"),
            _(
                "Scores, distributions and answers of a group with fewer than %(n)s responses "
                "are not shown; counts of answers and response rates are."
            )
            % {"n": SMALL_COUNT},
        ),
        (
            _("Hidden groups"),
            _(
                "When the small groups of a table hold fewer than %(n)s responses together, "
                "the smallest other groups are hidden too, so that a small group cannot be "
                "worked out from the total."
            )
            % {"n": SMALL_COUNT},
        ),
        (
            _("Sessions left out"),
            _(
                "A session whose form has fewer than %(n)s responses, or fewer than %(n)s "
                "answers to a question, is left out of that form's (or question's) answer "
                "statistics everywhere; it still counts in the response rates."
            )
            % {"n": SMALL_COUNT},
        ),
        (
            _("Questions"),
            _(
                "Anonymous answers carry no person: they can be split by session, course or "
                "session county only, and the person's filters do not apply to them."
            ),
        ),
    ]


def _filters_sheet(workbook, report: EvaluationReport, taken: set) -> None:
    sheet = workbook.active
    sheet.title = sheet_title(_("Filters"), taken)
    sheet.append([_("Evaluation report")])
    _bold_row(sheet, 1)
    sheet.append([_("Produced"), produced_at()])
    sheet.append([_("Counties"), _text(scope_description(report.scope))])
    sheet.append([_("Group by"), str(GROUPS[report.group_by].verbose_name)])
    described = report.filters.described()
    if not described:
        sheet.append([_("Filters"), _("none")])
    for label, value in described:
        sheet.append([_text(label), _text(value)])
    sheet.append([])
    for term, text in _definitions():
        sheet.append([str(term), str(text)])
    _widths(sheet, maximum=100)


def _group_values(row: GroupRow) -> list:
    values = [_text(row.label), row.sessions]
    for f in row.form_list():
        values += [f.expected, f.answered, _num(f.rate)]
    t = row.test
    values += [t.n_pre, t.n_post, t.n_paired]
    if t.suppressed:
        values += [t.withheld_text, None, None, None, None]
    else:
        values += [
            _num(t.mean_pre),
            _num(t.mean_post),
            _num(t.gain),
            _num(t.normalised_gain),
            _num(t.improved),
        ]
    return values


def _groups_sheet(workbook, report: EvaluationReport, taken: set) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Groups"), taken))
    header = [str(GROUPS[report.group_by].verbose_name).capitalize(), _("Sessions")]
    for purpose in PURPOSES:
        label = str(SessionForm.Purpose(purpose).label)
        header += [
            f"{label}: {_('expected')}",
            f"{label}: {_('answered')}",
            f"{label}: {_('rate (%)')}",
        ]
    header += [
        _("Pre-tests"),
        _("Post-tests"),
        _("Paired"),
        _("Mean pre-test score (%)"),
        _("Mean post-test score (%)"),
        _("Gain (percentage points)"),
        _("Normalised gain g"),
        _("Improved (%)"),
    ]
    sheet.append(header)
    _bold_row(sheet, 1)
    for row in report.groups:
        sheet.append(_group_values(row))
    sheet.append(_group_values(report.totals))
    _bold_row(sheet, sheet.max_row)
    _widths(sheet)


def _question_rows(prefix: list, figures: QuestionFigures, question) -> list[list]:
    base = [*prefix, figures.n]
    if figures.suppressed:
        return [[*base, None, None, None, None, figures.withheld_text]]
    if question.type == "likert":
        if figures.distribution is None:
            return [[*base]]
        return [
            [*base, _num(figures.mean), s.value, _text(s.label), s.count, _num(s.percent)]
            for s in figures.distribution
        ]
    if question.type in ("single", "multiple"):
        if figures.distribution is None:
            return [[*base]]
        return [
            [*base, None, None, _text(s.label), s.count, _num(s.percent)]
            for s in figures.distribution
        ]
    return [[*base]]


def _padded(values: list, left_out) -> list:
    """`values` to the Share column, then the sessions left out."""
    return [*values, *([None] * (QUESTION_COLUMNS - len(values))), left_out]


def _questions_sheet(workbook, report: EvaluationReport, taken: set) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Questions"), taken))
    split = str(GROUPS[report.question_split].verbose_name) if report.question_split else ""
    sheet.append(
        [
            _("Course"),
            _("Questionnaire"),
            _("Question"),
            _("Type"),
            split.capitalize() or _("Group"),
            _("Answers"),
            _("Mean"),
            _("Point"),
            _("Answer / option"),
            _("Count"),
            _("Share (%)"),
            _("Sessions left out (fewer than %(n)s answers)") % {"n": SMALL_COUNT},
        ]
    )
    _bold_row(sheet, 1)
    for qn in report.questionnaires:
        for question in qn.questions:
            prefix = [
                _text(qn.course_label),
                _text(qn.title),
                _text(question.text),
                question.type,
            ]
            for values in _question_rows([*prefix, _("All")], question.overall, question):
                sheet.append(_padded(values, question.sessions_left_out))
            for group in question.groups:
                for values in _question_rows(
                    [*prefix, _text(group.label)], group.figures, question
                ):
                    sheet.append(_padded(values, None))
    _widths(sheet)


def _comments_sheet(workbook, report: EvaluationReport, taken: set) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Comments"), taken))
    sheet.append([_("Course"), _("Questionnaire"), _("Question"), _("Group"), _("Answer")])
    _bold_row(sheet, 1)
    for qn in report.questionnaires:
        for question in qn.questions:
            if question.type != "text":
                continue
            blocks = [(_("All"), question.overall)] + [
                (g.label, g.figures) for g in question.groups
            ]
            for label, figures in blocks:
                for text in figures.texts or ():  # None below 5 answers
                    sheet.append(
                        [
                            _text(qn.course_label),
                            _text(qn.title),
                            _text(question.text),
                            _text(label),
                            _text(text),
                        ]
                    )
    _widths(sheet, maximum=100)


def evaluation_xlsx(report: EvaluationReport) -> bytes:
    workbook = Workbook()
    taken: set[str] = set()
    _filters_sheet(workbook, report, taken)
    _groups_sheet(workbook, report, taken)
    _questions_sheet(workbook, report, taken)
    _comments_sheet(workbook, report, taken)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
