"""One county's results for the partner: a one-page A4 PDF (ReportLab platypus) with the
headline figures, the persons by professional category and by project, and the definitions.

Set in Liberation Sans (`sessions.signin_sheet.register_fonts`, as the sign-in sheets and the
certificates): ReportLab's built-in fonts have no ă â î ș ț. The tables are cut at
`MAX_ROWS` rows plus "other", and the whole page is shrunk to fit if it still overflows: the
document is always one page."""

from __future__ import annotations

import dataclasses
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from certificates.models import DEFAULT_ISSUER
from reports.exports import DEFINITIONS, produced_at
from reports.selectors import (
    ALL,
    FIGURE_LABELS,
    GROUP_FIELDS,
    ReportFilters,
    ReportScope,
    participation_report,
    report_table,
)
from sessions.signin_sheet import register_fonts
from training.text import normalize_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
FRAME_PADDING = 6  # platypus frames keep 6 pt inside their edges
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 2 * FRAME_PADDING
CONTENT_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - 2 * FRAME_PADDING
MAX_ROWS = 12  # per table, then one "other" row
HEADLINE = (
    "unique_persons",
    "participations",
    "participations_completed",
    "unique_persons_certified",
    "sessions",
)
INK = colors.HexColor("#1b2a41")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#c8c8c8")
SHADE = colors.HexColor("#eef1f5")


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()

    def style(name, *, size, font=regular, leading=None, **kwargs):
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=leading or size * 1.25, **kwargs
        )

    return {
        "issuer": style("issuer", size=8, textColor=MUTED),
        "title": style("title", size=17, font=bold, textColor=INK, spaceBefore=4, spaceAfter=3),
        "period": style("period", size=10, textColor=INK, spaceAfter=2),
        "filters": style("filters", size=8, textColor=MUTED),
        "heading": style("heading", size=11, font=bold, textColor=INK, spaceBefore=8, spaceAfter=4),
        "figure": style("figure", size=18, font=bold, textColor=INK, alignment=1),
        "figure_label": style("figure_label", size=7.5, textColor=MUTED, alignment=1),
        "cell": style("cell", size=8.5),
        "cell_bold": style("cell_bold", size=8.5, font=bold),
        "number": style("number", size=8.5, alignment=2),
        "number_bold": style("number_bold", size=8.5, font=bold, alignment=2),
        "small": style("small", size=6.5, textColor=MUTED, leading=8),
        "footer": style("footer", size=7, textColor=MUTED),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(normalize_text(str(text))), style)


def _number(n) -> str:
    return "—" if n is None else formats.number_format(n, force_grouping=True)


def _period(filters: ReportFilters) -> str:
    if not (filters.date_from or filters.date_to):
        return _("Every session on record")
    start = (
        formats.date_format(filters.date_from, "SHORT_DATE_FORMAT") if filters.date_from else "…"
    )
    end = formats.date_format(filters.date_to, "SHORT_DATE_FORMAT") if filters.date_to else "…"
    return _("Sessions from %(start)s to %(end)s") % {"start": start, "end": end}


def _headline(totals, styles) -> Table:
    cells = [
        [_p(_number(getattr(totals, name)), styles["figure"]) for name in HEADLINE],
        [_p(capfirst(str(FIGURE_LABELS[name])), styles["figure_label"]) for name in HEADLINE],
    ]
    table = Table(cells, colWidths=[CONTENT_WIDTH / len(HEADLINE)] * len(HEADLINE))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), register_fonts()[0]),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ("LINEAFTER", (0, 0), (-2, -1), 0.5, colors.white),
            ]
        )
    )
    return table


def _group_table(table, field: str, styles) -> Table:
    """Label, persons, participations: the first MAX_ROWS rows by persons, then "other"."""
    rows = sorted(table.rows, key=lambda r: (-r.figures.unique_persons, r.label[field].casefold()))
    shown, rest = rows[:MAX_ROWS], rows[MAX_ROWS:]
    header = [
        _p(capfirst(str(GROUP_FIELDS[field].verbose_name)), styles["cell_bold"]),
        _p(capfirst(str(FIGURE_LABELS["unique_persons"])), styles["number_bold"]),
        _p(capfirst(str(FIGURE_LABELS["participations"])), styles["number_bold"]),
    ]
    data = [header]
    for row in shown:
        data.append(
            [
                _p(row.label[field], styles["cell"]),
                _p(_number(row.figures.unique_persons), styles["number"]),
                _p(_number(row.figures.participations), styles["number"]),
            ]
        )
    if rest:
        # A person falls in one category but may have trained in several projects: the persons
        # of the other rows add up only for the person's own fields.
        persons = (
            None
            if GROUP_FIELDS[field].multi_valued
            else sum(r.figures.unique_persons for r in rest)
        )
        data.append(
            [
                _p(_("other (%(count)d)") % {"count": len(rest)}, styles["cell"]),
                _p(_number(persons), styles["number"]),
                _p(_number(sum(r.figures.participations for r in rest)), styles["number"]),
            ]
        )
    if len(data) == 1:
        data.append([_p(_("No participations."), styles["cell"]), "", ""])
    result = Table(data, colWidths=(CONTENT_WIDTH - 60 * mm, 30 * mm, 30 * mm), repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), register_fonts()[0]),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return result


def county_report_pdf(*, county, filters: ReportFilters, scope: ReportScope = ALL) -> bytes:
    """The results of `county` (the persons of that county) under `filters`, on one A4 page.
    Three queries: the totals and the table by category (`participation_report`), the table by
    project."""
    styles = _styles()
    filters = dataclasses.replace(filters, person_county=county)
    report = participation_report(filters=filters, group_by=("professional_category",), scope=scope)
    by_project = report_table(fields=("project",), filters=filters, scope=scope)

    story = [
        _p(f"{DEFAULT_ISSUER} · {settings.WAGTAIL_SITE_NAME}", styles["issuer"]),
        _p(_("Training results: %(county)s") % {"county": county.name}, styles["title"]),
        _p(_period(filters), styles["period"]),
    ]
    other_filters = [
        f"{label}: {value}"
        for label, value in filters.described()
        if label not in (_("period (first day of the session)"), _("person's county"))
    ]
    if other_filters:
        story.append(_p(_("Filters: ") + "; ".join(other_filters), styles["filters"]))
    story += [
        _p(
            _("Persons whose county in the registry is %(county)s.") % {"county": county.name},
            styles["filters"],
        ),
        Spacer(0, 4 * mm),
        _headline(report.totals, styles),
        _p(_("By professional category"), styles["heading"]),
        _group_table(report.table, "professional_category", styles),
        _p(_("By project"), styles["heading"]),
        _group_table(by_project, "project", styles),
        _p(
            _("A person who trained in several projects is counted once in each of them."),
            styles["small"],
        ),
        Spacer(0, 3 * mm),
        _p(_("Definitions"), styles["cell_bold"]),
    ]
    story += [
        Paragraph(
            f"<b>{escape(str(term))}.</b> {escape(str(text))}",
            styles["small"],
        )
        for term, text in DEFINITIONS
    ]
    story += [
        Spacer(0, 3 * mm),
        _p(
            _("Produced on %(date)s by %(site)s.")
            % {"date": produced_at(), "site": settings.WAGTAIL_SITE_NAME},
            styles["footer"],
        ),
    ]

    out = BytesIO()
    regular, _bold = register_fonts()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        initialFontName=regular,  # not Helvetica, which has no ș ț
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("Training results: %(county)s") % {"county": county.name},
        author=DEFAULT_ISSUER,
        creator=settings.WAGTAIL_SITE_NAME,
    )
    # Whatever the length of the names, one page: the content shrinks to fit the frame.
    document.build([KeepInFrame(CONTENT_WIDTH, CONTENT_HEIGHT - 1, story, mode="shrink")])
    return out.getvalue()
