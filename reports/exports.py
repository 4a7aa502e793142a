"""The participation report as a spreadsheet: XLSX (a sheet of filters and definitions, the
totals, one sheet per table, and for a cross-table a pivot of unique persons with its margins)
and CSV (one table, the view adds the byte-order mark).

Labels come from names people typed (institutions, categories, projects): every text cell
that would start a formula is neutralised (`training.exports.neutralise`)."""

from __future__ import annotations

import csv
import io
import re

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.selectors import FIGURE_LABELS, FIGURES, GROUP_FIELDS, Report, ReportScope, Table
from training.exports import neutralise
from training.models import County

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# As the project's other CSV exports (imports.exports): Excel on a Romanian Windows separates
# CSV columns with ";".
CSV_DELIMITER = ";"

# The definitions of reports.selectors, in the reader's words (the exports and the PDF).
DEFINITIONS = (
    (
        gettext_lazy("Participation"),
        gettext_lazy(
            "An enrolment with at least one session day attended (present or late/partial; "
            "imported attendance counts), in a session that was not cancelled, whatever the "
            "registration's later status."
        ),
    ),
    (
        gettext_lazy("Completed"),
        gettext_lazy("A participation that met the course's completion rule."),
    ),
    (
        gettext_lazy("Certified"),
        gettext_lazy(
            "A participation with a valid certificate issued by Formativ, or with the reference "
            "of a certificate issued outside Formativ (imported from the lists kept before it)."
        ),
    ),
    (
        gettext_lazy("Unique persons"),
        gettext_lazy(
            "The distinct persons, after duplicates were merged, with at least one participation "
            "in the filtered set; likewise unique persons completed and certified."
        ),
    ),
    (
        gettext_lazy("Overlapping groups"),
        gettext_lazy(
            "A person counts once in a total and once in each group they belong to. The "
            "person's own fields (county, institution, institution type, category, sex, EIL "
            "membership) have one value per person, so their groups add up to the total; the "
            "session's fields (project, course, curriculum, delivery type, session county, "
            "month) and the age band (the age on the session's first day) may differ between a "
            "person's participations, and their groups may add up to more."
        ),
    ),
    (
        gettext_lazy("Period"),
        gettext_lazy(
            "The session's first day (local date); so is the month. The person's fields are "
            "those in the registry today; EIL membership means a member of an intersectoral "
            "local team at any time."
        ),
    ),
)

OVERLAP_NOTE = gettext_lazy(
    "Groups may overlap: a person may be counted in more than one row, so the rows may add up "
    "to more than the total."
)
NO_OVERLAP_NOTE = gettext_lazy("Each person is counted in one row: the rows add up to the total.")

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _text(value) -> str:
    """A text cell: without the control characters a workbook cannot hold (names pasted from
    elsewhere carry them), and neutralised."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def export_filename(file_format: str) -> str:
    """formativ-raport-<local date>.<format>: no personal data in the name."""
    return f"formativ-raport-{timezone.localdate().isoformat()}.{file_format}"


def scope_description(scope: ReportScope) -> str:
    if scope.is_all:
        return _("all counties")
    names = County.objects.filter(pk__in=scope.counties).order_by("name_ascii")
    return ", ".join(c.name for c in names)


def produced_at() -> str:
    return formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")


def _figure_headers() -> list[str]:
    return [str(FIGURE_LABELS[name]) for name in FIGURES]


def _figure_values(figures) -> list[int]:
    return [getattr(figures, name) for name in FIGURES]


# --- XLSX -----------------------------------------------------------------------------------


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\, no apostrophe at
    either end."""
    base = _SHEET_FORBIDDEN.sub("-", str(title)).strip().strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _widths(sheet, *, minimum: int = 8, maximum: int = 60, skip_rows: int = 0) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is None:
                continue
            length = len(str(cell.value))
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


def _bold_row(sheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font = BOLD


def _filters_sheet(workbook, report: Report, taken: set[str]) -> None:
    sheet = workbook.active
    sheet.title = sheet_title(_("Filters and definitions"), taken)
    sheet.append([_("Participation report")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([_("Filters")])
    _bold_row(sheet, sheet.max_row)
    described = report.filters.described()
    if not described:
        sheet.append([_("none (every participation)")])
    for label, value in described:
        sheet.append([_text(str(label)), _text(str(value))])
    sheet.append([_("Grouped by"), _text(report.table.title) if report.table else "—"])
    sheet.append([_("Counties covered"), scope_description(report.scope)])
    sheet.append([_("Produced"), produced_at()])
    sheet.append([])
    sheet.append([_("Definitions")])
    _bold_row(sheet, sheet.max_row)
    for term, text in DEFINITIONS:
        sheet.append([str(term), str(text)])
        sheet.cell(sheet.max_row, 2).alignment = WRAP
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 100


def _totals_sheet(workbook, report: Report, taken: set[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Totals"), taken))
    sheet.append([_("Figure"), _("Total")])
    _bold_row(sheet, 1)
    for name in FIGURES:
        sheet.append([str(FIGURE_LABELS[name]), getattr(report.totals, name)])
    sheet.freeze_panes = "A2"
    _widths(sheet)


# The table sheets: the title in row 1, whether groups overlap in row 2, the header in row 3.
HEADER_ROW = 3


def _table_sheet(workbook, report: Report, table: Table, taken: set[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(table.title, taken))
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([str(OVERLAP_NOTE if table.overlapping else NO_OVERLAP_NOTE)])
    groups = [GROUP_FIELDS[name] for name in table.fields]
    sheet.append([str(g.verbose_name) for g in groups] + _figure_headers())
    _bold_row(sheet, HEADER_ROW)
    for row in table.rows:
        labels = [_text(row.label[g.name]) for g in groups]
        sheet.append(labels + _figure_values(row.figures))
    sheet.append([])
    total_label = [_("Total (each person once)")] + [""] * (len(groups) - 1)
    sheet.append(total_label + _figure_values(report.totals))
    _bold_row(sheet, sheet.max_row)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1).coordinate
    _widths(sheet, skip_rows=2)


def _pivot_sheet(workbook, report: Report, taken: set[str]) -> None:
    """Rows: the first field; columns: the second; cells: unique persons. The margins are each
    field's own counts (not the sums of the cells, which may count a person twice)."""
    table = report.table
    first, second = (GROUP_FIELDS[name] for name in table.fields)
    row_margin, column_margin = report.margins
    sheet = workbook.create_sheet(
        sheet_title(_("Persons, %(table)s") % {"table": table.title}, taken)
    )
    sheet.append([_("Persons trained: %(table)s") % {"table": table.title}])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([str(OVERLAP_NOTE if table.overlapping else NO_OVERLAP_NOTE)])
    columns = [r.key[second.name] for r in column_margin.rows]
    cells = {(r.key[first.name], r.key[second.name]): r.figures.unique_persons for r in table.rows}
    sheet.append(
        [f"{first.verbose_name} \\ {second.verbose_name}"]
        + [_text(r.label[second.name]) for r in column_margin.rows]
        + [_("Total")]
    )
    _bold_row(sheet, HEADER_ROW)
    for margin_row in row_margin.rows:
        key = margin_row.key[first.name]
        sheet.append(
            [_text(margin_row.label[first.name])]
            + [cells.get((key, column), 0) for column in columns]
            + [margin_row.figures.unique_persons]
        )
        sheet.cell(sheet.max_row, 1).font = BOLD
    sheet.append(
        [_("Total")]
        + [r.figures.unique_persons for r in column_margin.rows]
        + [report.totals.unique_persons]
    )
    _bold_row(sheet, sheet.max_row)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2).coordinate
    _widths(sheet, skip_rows=2)


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: filters and definitions, totals, then one sheet per table
    (the table, then for a cross-table the pivot of persons and each field's own table)."""
    workbook = Workbook()
    taken: set[str] = set()
    _filters_sheet(workbook, report, taken)
    _totals_sheet(workbook, report, taken)
    if report.table is not None:
        _table_sheet(workbook, report, report.table, taken)
        if len(report.table.fields) == 2 and len(report.margins) == 2:
            _pivot_sheet(workbook, report, taken)
        for margin in report.margins:
            _table_sheet(workbook, report, margin, taken)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------


def _csv_key(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def report_csv(report: Report) -> str:
    """One table: for each group field a code column and a label column, then the figures; a
    cross-table's margins ("all" in the other field) and the total follow the rows; without
    grouping, one row of totals. ";"-separated; no byte-order mark (the view adds it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    table = report.table
    groups = [GROUP_FIELDS[name] for name in table.fields] if table else []
    header = []
    for g in groups:
        header += [
            _("%(field)s (code)") % {"field": g.verbose_name},
            str(g.verbose_name),
        ]
    writer.writerow([neutralise(h) for h in header + _figure_headers()])
    if table is None:
        writer.writerow(_figure_values(report.totals))
        return out.getvalue()
    everything = str(_("all"))

    def write(row, fields) -> None:
        cells = []
        for g in groups:
            if g.name in fields:
                cells += [neutralise(_csv_key(row.key[g.name])), neutralise(row.label[g.name])]
            else:
                cells += ["", everything]
        writer.writerow(cells + _figure_values(row.figures))

    for row in table.rows:
        write(row, table.fields)
    # A cross-table's row and column totals, then the total: counted, not summed (a person
    # may be in several rows), so that nobody has to add the rows up.
    for margin in report.margins:
        for row in margin.rows:
            write(row, margin.fields)
    total = [""] * (2 * len(groups))
    total[1] = str(_("Total (each person once)"))
    writer.writerow(total + _figure_values(report.totals))
    return out.getvalue()
