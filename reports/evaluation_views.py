"""The evaluation dashboard in the Wagtail admin (reports:evaluation) and its XLSX download
(reports:evaluation_export): the numbers of reports.evaluation, for readers with the reports
right, in their scope. A fixed number of queries whatever the number of sessions and
responses: the form's lists, the report (five), the chart by professional category (three)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages

from evaluation.blocks import SCALES
from reports import charts, evaluation_exports
from reports.admin_views import ReportScreen, county_choices
from reports.evaluation import DEFAULT_GROUP, GROUPS, EvaluationReport, evaluation_report
from reports.evaluation_forms import EvaluationForm
from reports.export_views import _download, _forbidden
from reports.selectors import SMALL_COUNT, report_scope_for
from training.models import County


def _query(request, **extra) -> str:
    params = [(k, v) for k, values in request.GET.lists() if k not in extra for v in values]
    params += [(k, v) for k, v in extra.items() if v]
    return urlencode(params)


def _pairs(rows) -> list[charts.Pair]:
    return [
        charts.Pair(label=r.label, first=float(r.test.mean_pre), second=float(r.test.mean_post))
        for r in rows
        if r.test.mean_pre is not None
    ]


class EvaluationView(ReportScreen):
    template_name = "reports/evaluation.html"
    page_title = gettext_lazy("Evaluation reports")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports:dashboard"), "label": _("Training reports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form(self, counties: list) -> EvaluationForm:
        data = self.request.GET.copy()
        if not data.get("group_by"):
            data["group_by"] = DEFAULT_GROUP  # what the report groups by, selected in the list
        form = EvaluationForm(data)
        county_choices(form, counties)
        form.fields["group_by"].widget = forms.Select(
            choices=[(name, g.verbose_name) for name, g in GROUPS.items()]
        )
        form.fields["group_by"].help_text = ""
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = self.scope
        counties = {c.pk: c for c in County.objects.all()}
        form = self.get_form(list(counties.values()))
        valid = form.is_valid()
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{form[name].auto_id}-error"}
                )
        own = sorted((counties[pk] for pk in scope.counties or ()), key=lambda c: c.name_ascii)
        context.update(
            {
                "form": form,
                "valid": valid,
                "scope_all": scope.is_all,
                "own_counties": own,
                "small_count": SMALL_COUNT,
            }
        )
        if not valid:
            return context
        filters = form.filters()
        group_by = form.grouping()
        report = evaluation_report(filters=filters, scope=scope, group_by=group_by)
        if group_by == "professional_category":
            by_category = report
        else:
            by_category = evaluation_report(
                filters=filters,
                scope=scope,
                group_by="professional_category",
                with_questions=False,
            )
        context.update(
            {
                "report": report,
                "described": filters.described(),
                "group_heading": str(GROUPS[group_by].verbose_name),
                "forms_headline": [
                    f for f in report.totals.form_list() if f.expected or f.answered
                ],
                "test": report.totals.test,
                "purposes": [str(f.label) for f in report.totals.form_list()],
                "charts": self._charts(report, by_category),
                "question_sections": self._question_sections(report),
                "export_url": f"{reverse('reports:evaluation_export')}?{_query(self.request)}",
                "participation_url": reverse("reports:dashboard"),
            }
        )
        return context

    def _charts(self, report: EvaluationReport, by_category: EvaluationReport) -> list:
        pre, post = _("Mean pre-test score (%)"), _("Mean post-test score (%)")
        empty = _(
            "No group's scores can be shown: each has fewer than 5 paired tests or is hidden so "
            "that a small group cannot be worked out from the total."
        )
        out = []
        heading = GROUPS[report.group_by].verbose_name
        sets = [(report.group_by, heading, report.groups)]
        if report.group_by != "professional_category":
            sets.append(
                (
                    "professional_category",
                    GROUPS["professional_category"].verbose_name,
                    by_category.groups,
                )
            )
        for name, heading, rows in sets:
            data = _pairs(rows)
            title = _("Knowledge test: mean score before and after, by %(field)s") % {
                "field": heading
            }
            out.append(
                {
                    "id": f"chart-gain-{name}",
                    "heading": title,
                    "column": str(heading).capitalize(),
                    "svg": charts.paired_bar_chart(
                        chart_id=f"chart-gain-{name}",
                        title=title,
                        desc=_(
                            "Bar chart: for each group with 5 or more persons who took both "
                            "tests, the mean pre-test score and the mean post-test score, in % "
                            "of the maximum; groups with fewer, and groups hidden so that a "
                            "small group cannot be worked out from the total, are left out."
                        ),
                        data=data,
                        first_label=pre,
                        second_label=post,
                        empty_text=empty,
                    ),
                    "rows": rows,
                }
            )
        return out

    def _question_sections(self, report: EvaluationReport) -> list:
        """Each questionnaire with its questions, and for a rating question with 5 or more
        answers the stacked distribution chart (all answers, then each group with 5 or more)."""
        sections = []
        for n, questionnaire in enumerate(report.questionnaires):
            items = []
            for question in questionnaire.questions:
                svg = None
                if question.type == "likert" and question.overall.distribution is not None:
                    labels = [str(x) for x in SCALES.get(question.scale, SCALES["agreement"])]
                    rows = [(_("All"), [s.count for s in question.overall.distribution])]
                    rows += [
                        (g.label, [s.count for s in g.figures.distribution])
                        for g in question.groups
                        if g.figures.distribution is not None
                    ]
                    svg = charts.stacked_bar_chart(
                        chart_id=f"chart-q{n}-{question.question_id}",
                        title=question.text,
                        desc=_(
                            "Stacked bar chart: the share of answers at each point of the "
                            "scale, for all answers and for each group with 5 or more answers; "
                            "the table gives the numbers."
                        ),
                        labels=labels,
                        rows=rows,
                    )
                items.append((question, svg))
            sections.append((questionnaire, items))
        return sections


class EvaluationExportView(View):
    """The report as XLSX: the dashboard's parameters; the reader's scope applies."""

    def get(self, request):
        try:
            scope = report_scope_for(user=request.user)
        except PermissionDenied:
            return _forbidden(request)
        form = EvaluationForm(request.GET)
        if not form.is_valid():
            parts = []
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                text = " ".join(str(e) for e in errors)
                parts.append(f"{field.label}: {text}" if field is not None else text)
            messages.error(
                request,
                _("The report could not be made: %(errors)s") % {"errors": " ".join(parts)},
            )
            url = reverse("reports:evaluation")
            query = _query(request)
            return redirect(f"{url}?{query}" if query else url)
        report = evaluation_report(filters=form.filters(), scope=scope, group_by=form.grouping())
        return _download(
            evaluation_exports.evaluation_xlsx(report),
            evaluation_exports.XLSX_CONTENT_TYPE,
            evaluation_exports.filename(),
        )
