"""The reports dashboard in the admin: the filters (reports.forms), the headline figures, each
project's indicators, the charts and the county map, the table of the chosen grouping, and the
links to the downloads. Every number comes from the report service (reports.selectors), within
the reader's scope: ANES sees every county, a county coordinator the people of their county.

The page runs a bounded number of queries whatever the number of participations: one per
report table (totals, grouping, margins, each chart, the map), two for the indicators plus one
or two per project that has indicators, and the form's lists."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from reports import charts
from reports.countymap import county_map
from reports.forms import ReportForm
from reports.selectors import (
    FIGURE_LABELS,
    GROUP_FIELDS,
    PerPerson,
    Report,
    ReportScope,
    Table,
    participation_report,
    participations_per_person,
    project_indicators,
    report_scope_for,
    report_table,
)
from training.models import County, Indicator, Project

HEADLINE = (
    "unique_persons",
    "participations",
    "unique_persons_completed",
    "participations_completed",
    "unique_persons_certified",
    "sessions",
)
# The columns of the grouping's table (one field).
TABLE_FIGURES = (
    "unique_persons",
    "participations",
    "unique_persons_completed",
    "unique_persons_certified",
    "sessions",
)


@dataclass
class CrossTable:
    """Rows = the first field, columns = the second, cells = unique persons; the totals are
    the margins' (each field counted on its own), not the sums of the cells."""

    row_field: str
    column_field: str
    columns: list  # [(key, label)]
    rows: list  # [(label, [cell or None], row total)]
    column_totals: list
    total: int


def _cross_table(report: Report) -> CrossTable:
    table = report.table
    first, second = table.fields
    row_margin, column_margin = report.margins
    cells = {(r.key[first], r.key[second]): r.figures.unique_persons for r in table.rows}
    columns = [(r.key[second], r.label[second]) for r in column_margin.rows]
    rows = [
        (
            r.label[first],
            [cells.get((r.key[first], key)) for key, _label in columns],
            r.figures.unique_persons,
        )
        for r in row_margin.rows
    ]
    return CrossTable(
        row_field=str(GROUP_FIELDS[first].verbose_name),
        column_field=str(GROUP_FIELDS[second].verbose_name),
        columns=columns,
        rows=rows,
        column_totals=[r.figures.unique_persons for r in column_margin.rows],
        total=report.totals.unique_persons,
    )


def _query(request, **extra) -> str:
    """The dashboard's parameters (but the file format), with `extra` set."""
    params = [
        (k, v) for k, values in request.GET.lists() if k not in ("format", *extra) for v in values
    ]
    params += [(k, v) for k, v in extra.items() if v]
    return urlencode(params)


def _chart(
    draw, chart_id: str, *, heading, title, desc, column, data, empty, wide=False, drawn=None
):
    """A chart for the page: its SVG (drawn from `drawn`, by default the data) and the data
    table beside it."""
    svg = draw(
        chart_id=chart_id,
        title=title,
        desc=desc,
        data=data if drawn is None else drawn,
        empty_text=empty,
    )
    return {
        "id": chart_id,
        "heading": heading,
        "svg": svg,
        "column": column,
        "data": data,
        "wide": wide,
    }


def county_choices(form, counties: list) -> None:
    """The form's two county lists from counties read once for the page."""
    for name in ("session_county", "person_county"):
        field = form.fields[name]
        field.choices = [
            ("", field.empty_label),
            *((c.code, field.label_from_instance(c)) for c in counties),
        ]


class ReportScreen(WagtailAdminTemplateMixin, TemplateView):
    """A report page of the admin: `self.scope` is the reader's report scope; without the
    reports right, the page itself says so (403)."""

    header_icon = "table"

    def get(self, request, *args, **kwargs):
        try:
            self.scope = report_scope_for(user=request.user)
        except PermissionDenied:
            return TemplateResponse(
                request,
                self.template_name,
                {
                    "forbidden": _("You do not have permission to view the reports."),
                    "page_title": self.get_page_title(),
                    "header_title": self.get_page_title(),
                    "breadcrumbs_items": self.get_breadcrumbs_items(),
                },
                status=403,
            )
        return super().get(request, *args, **kwargs)


class DashboardView(ReportScreen):
    template_name = "reports/dashboard.html"
    page_title = gettext_lazy("Training reports")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form(self, *, counties: list) -> ReportForm:
        form = ReportForm(self.request.GET)
        county_choices(form, counties)
        # Presentation only: the dashboard picks one field at a time (the API writes "a,b"),
        # and the institution (thousands of them) is kept from the URL but not listed.
        choices = [("", "—"), *((name, g.verbose_name) for name, g in GROUP_FIELDS.items())]
        form.fields["group_by"].widget = forms.Select(choices=choices)
        form.fields["group_by"].help_text = ""
        form.fields["institution"].widget = forms.HiddenInput()
        form.fields["eil_member"].widget = forms.Select(
            choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))]
        )
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = self.scope
        counties = {c.pk: c for c in County.objects.all()}
        form = self.get_form(counties=list(counties.values()))
        valid = form.is_valid()
        for name in form.errors:
            if name in form.fields:  # tie each error to its field for screen readers
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
            }
        )
        if not valid:
            return context
        filters = form.filters()
        report = participation_report(filters=filters, group_by=form.grouping(), scope=scope)
        per_person = participations_per_person(filters=filters, scope=scope)
        context.update(
            {
                "report": report,
                "described": filters.described(),
                "headline": [
                    *(
                        (name, FIGURE_LABELS[name], getattr(report.totals, name))
                        for name in HEADLINE
                    ),
                    (
                        "at_least_2",
                        _("persons with 2 or more participations"),
                        per_person.at_least(2),
                    ),
                ],
                "indicators": self._indicators(filters.project, scope),
                **self._charts(filters, scope, counties, report, per_person),
                **self._grouping(report),
                **self._downloads(filters, own),
            }
        )
        return context

    def _indicators(self, project, scope: ReportScope) -> list:
        indicators = Prefetch("indicators", queryset=Indicator.objects.order_by("code"))
        if project is not None:
            projects = Project.objects.filter(pk=project.pk)
        else:
            projects = Project.objects.filter(indicators__isnull=False).distinct()
        projects = projects.prefetch_related(indicators).order_by("acronym")
        return [(p, project_indicators(project=p, scope=scope)) for p in projects]

    def _charts(
        self, filters, scope: ReportScope, counties: dict, report: Report, per_person: PerPerson
    ) -> dict:
        # A chart by the field the reader grouped by reuses that table (or that margin).
        known = {t.fields: t for t in report.tables if len(t.fields) == 1}

        def table(field: str) -> Table:
            if (field,) in known:
                return known[(field,)]
            return report_table(fields=(field,), filters=filters, scope=scope)

        empty = _("No participations match these filters.")
        months = charts.month_series(table("month").rows)
        categories = sorted(
            charts.table_series(table("professional_category").rows, field="professional_category"),
            key=lambda d: (-d.value, d.label.casefold()),
        )
        sexes = charts.table_series(table("sex").rows, field="sex")
        ages = charts.table_series(table("age_band").rows, field="age_band")
        by_county = table("person_county").rows
        by_code = {c.code: c for c in counties.values()}
        map_rows = [
            (r.key["person_county"], r.label["person_county"], r.figures.unique_persons)
            for r in by_county
        ]
        tile_map = county_map(
            chart_id="chart-map",
            title=_("Persons trained by county (person's county)"),
            desc=_(
                "A tile grid map of Romania: each county is one square near its place on the "
                "map, shaded by the number of persons trained; the table beside it gives the "
                "numbers."
            ),
            counties=[
                (code, county.name, 0)
                for code, county in by_code.items()
                if scope.is_all or county.pk in scope.counties
            ]
            + [(code, name, n) for code, name, n in map_rows if code],
            outside=[
                (code, county.name)
                for code, county in by_code.items()
                if not (scope.is_all or county.pk in scope.counties)
            ],
        )
        persons = _("Unique persons trained")
        repeats = [charts.Datum(label=label, value=n) for label, n in per_person.buckets()]
        return {
            "charts": [
                _chart(
                    charts.line_chart,
                    "chart-months",
                    heading=_("Persons trained per month"),
                    title=_("Persons trained per month"),
                    desc=_(
                        "Line chart: unique persons trained in each month (the month of the "
                        "session's first day); months without sessions count 0."
                    ),
                    column=_("Month"),
                    data=months,
                    empty=empty,
                    wide=True,
                ),
                _chart(
                    charts.hbar_chart,
                    "chart-categories",
                    heading=_("By professional category"),
                    title=_("Persons trained by professional category"),
                    desc=_("Bar chart: unique persons trained in each professional category."),
                    column=_("Professional category"),
                    data=categories,
                    empty=empty,
                    wide=True,
                ),
                _chart(
                    charts.column_chart,
                    "chart-sex",
                    heading=_("By sex"),
                    title=_("Persons trained by sex"),
                    desc=_("Bar chart: unique persons trained by sex."),
                    column=_("Sex"),
                    data=sexes,
                    empty=empty,
                ),
                _chart(
                    charts.column_chart,
                    "chart-ages",
                    heading=_("By age band"),
                    title=_("Persons trained by age band"),
                    desc=_(
                        "Bar chart: unique persons trained by age band (age on the "
                        "session's first day); a person trained at two ages counts in both."
                    ),
                    column=_("Age band"),
                    data=ages,
                    empty=empty,
                ),
                _chart(
                    charts.column_chart,
                    "chart-repeats",
                    heading=_("By number of participations"),
                    title=_("Persons by their number of participations"),
                    desc=_(
                        "Bar chart: how many persons took part once, twice, three, four, "
                        "five or more times in the participations selected."
                    ),
                    column=_("Participations"),
                    data=repeats,
                    drawn=repeats if per_person.counts else [],
                    empty=empty,
                ),
            ],
            "persons_label": persons,
            "county_map": tile_map,
            "map_rows": [(name, n) for code, name, n in map_rows if n],
        }

    def _grouping(self, report: Report) -> dict:
        table = report.table
        if table is None:
            return {"table": None}
        out = {"table": table, "overlapping": table.overlapping}
        if len(table.fields) == 2:
            out["cross"] = _cross_table(report)
        else:
            field = table.fields[0]
            out["table_heading"] = str(GROUP_FIELDS[field].verbose_name)
            out["table_columns"] = [FIGURE_LABELS[name] for name in TABLE_FIGURES]
            out["table_rows"] = [
                (r.label[field], [getattr(r.figures, name) for name in TABLE_FIGURES])
                for r in table.rows
            ]
            out["table_totals"] = [getattr(report.totals, name) for name in TABLE_FIGURES]
        return out

    def _downloads(self, filters, own: list) -> dict:
        request = self.request
        export = reverse("reports:export")
        pdf = reverse("reports:county_pdf")
        links = [
            ("XLSX", f"{export}?{_query(request, format='xlsx')}"),
            ("CSV", f"{export}?{_query(request, format='csv')}"),
        ]
        pdfs = []
        county = filters.person_county
        if county is not None and (self.scope.is_all or county.pk in self.scope.counties):
            pdfs.append((county, f"{pdf}?{_query(request)}"))
        elif own:
            pdfs = [(c, f"{pdf}?{_query(request, person_county=c.code)}") for c in own]
        return {"downloads": links, "county_pdfs": pdfs}
