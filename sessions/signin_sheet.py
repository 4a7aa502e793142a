"""The printable sign-in sheet ("listă de prezență") of one session day: an A4 PDF (ReportLab
platypus) that participants sign on paper and that is scanned back as the day's evidence.

ReportLab's built-in fonts have no ă â î ș ț: the sheet is set in Liberation Sans (SIL OFL 1.1,
shipped in static/fonts/ with its licence), registered once per process by `register_fonts`.
Styles are built once at import; the text of each row goes into a Paragraph only when it needs
to wrap, so that a sheet of a few dozen people renders in a few milliseconds."""

import functools
from io import BytesIO
from math import cos, pi, sin
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sessions.models import SessionDay, TrainingSession
from sessions.selectors import attendance_day_rows

FONT = "FormativSans"
FONT_BOLD = "FormativSans-Bold"
FONT_FILES = {FONT: "LiberationSans-Regular.ttf", FONT_BOLD: "LiberationSans-Bold.ttf"}

# Rows left empty after the participants, for people who come without a confirmed place.
BLANK_ROWS = 5

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
BOTTOM_MARGIN = 20 * mm
# No. | name | institution | signature: 180 mm, the width between the margins.
COLUMN_WIDTHS = (10 * mm, 55 * mm, 65 * mm, 50 * mm)
CELL_PADDING = 4
ROW_PADDING = 8  # above and below the text: one-line rows are ~1 cm tall, room to sign
BODY_SIZE = 9


def font_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "fonts"


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register the sheet's fonts with ReportLab (once per process); returns (regular, bold)."""
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, font_dir() / filename))
    # <b> in Paragraph markup picks the bold face; there is no italic, so italics stay upright.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    return FONT, FONT_BOLD


def _style(name, *, size=BODY_SIZE, bold=False, leading=None, **kwargs) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=leading or round(size * 1.22, 1),
        **kwargs,
    )


STYLES = {
    "project": _style("project", size=9, bold=True),
    "small": _style("small", size=8, textColor=colors.HexColor("#333333")),
    "title": _style("title", size=16, bold=True, spaceBefore=4, spaceAfter=2),
    "course": _style("course", size=12, bold=True, spaceAfter=4),
    "label": _style("label", size=9, bold=True),
    "value": _style("value", size=9),
    "cell": _style("cell"),
    "note": _style("note", size=9, spaceBefore=10),
}
TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, BODY_SIZE),
        ("FONT", (0, 1), (-1, -1), FONT, BODY_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("TOPPADDING", (0, 1), (-1, -1), ROW_PADDING),
        ("BOTTOMPADDING", (0, 1), (-1, -1), ROW_PADDING),
    ]
)


def funder_lines(funder: str) -> list[str]:
    """The publicity sentences the funder requires (the wording of the site's publicity block,
    templates/cms/blocks/funder_publicity.html), translated."""
    from training.models import Project

    if funder == Project.Funder.ESF:
        return [
            _(
                "Project co-financed by the European Social Fund through the Human Capital "
                "Operational Programme 2014–2020"
            ),
            _(
                "The content of this material does not necessarily represent the official "
                "position of the European Union or the Government of Romania."
            ),
        ]
    if funder == Project.Funder.NORWAY_GRANTS:
        return [
            _(
                "This project is funded by Norway through the Norway Grants 2014–2021, within "
                "the Justice programme."
            ),
            _("Working together for a green, competitive and inclusive Europe."),
        ]
    return []


class EUFlag(Flowable):
    """The European Union emblem (12 gold stars on blue), drawn: ESF publicity requires it."""

    def __init__(self, height: float):
        super().__init__()
        self.width, self.height = height * 1.5, height

    def draw(self):
        canvas, h = self.canv, self.height
        canvas.setFillColor(colors.HexColor("#003399"))
        canvas.rect(0, 0, self.width, h, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor("#ffcc00"))
        cx, cy, ring, outer = self.width / 2, h / 2, h / 3, h / 18
        inner = outer * 0.382
        for star in range(12):
            sx = cx + ring * cos(star * pi / 6)
            sy = cy + ring * sin(star * pi / 6)
            path = canvas.beginPath()
            for point in range(10):
                radius = outer if point % 2 == 0 else inner
                angle = pi / 2 + point * pi / 5
                x, y = sx + radius * cos(angle), sy + radius * sin(angle)
                if point:
                    path.lineTo(x, y)
                else:
                    path.moveTo(x, y)
            path.close()
            canvas.drawPath(path, stroke=0, fill=1)


class _FooterCanvas(Canvas):
    """A canvas that holds its pages back until the end, to write "Page X of Y" on each."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held_pages = []

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(colors.black)
            self.drawString(MARGIN, 10 * mm, self._footer)
            self.drawRightString(
                PAGE_WIDTH - MARGIN,
                10 * mm,
                _("Page %(number)s of %(total)s") % {"number": number, "total": total},
            )
            super().showPage()
        super().save()


def _cell(text: str, width: float):
    """A table cell: the plain string when it fits on one line (fast, and never read as
    markup), else a wrapping Paragraph with the text escaped."""
    if pdfmetrics.stringWidth(text, FONT, BODY_SIZE) <= width - 2 * CELL_PADDING:
        return text
    return Paragraph(escape(text), STYLES["cell"])


def _session_for(day: SessionDay) -> TrainingSession:
    return (
        TrainingSession.objects.select_related("course", "project", "venue")
        .prefetch_related("trainers", "days")
        .get(pk=day.training_session_id)
    )


def _place(session: TrainingSession) -> str:
    Mode = TrainingSession.DeliveryMode
    if session.delivery_mode == Mode.ONLINE or session.venue is None:
        return _("Online")
    venue = session.venue
    place = ", ".join(part for part in (venue.name, venue.address, venue.city) if part)
    if session.delivery_mode == Mode.HYBRID:
        return _("%(place)s, and online") % {"place": place}
    return place


def _header(session: TrainingSession, day: SessionDay, when: str) -> list:
    flowables = []
    project = session.project
    if project is not None:
        lines = [Paragraph(escape(f"{project.acronym} – {project.name}"), STYLES["project"])]
        ids = []
        if project.contract_number:
            ids.append(_("Contract no. %(number)s") % {"number": project.contract_number})
        if project.smis_code:
            ids.append(_("SMIS code %(code)s") % {"code": project.smis_code})
        if ids:
            lines.append(Paragraph(escape(" · ".join(ids)), STYLES["small"]))
        lines += [Paragraph(escape(text), STYLES["small"]) for text in funder_lines(project.funder)]
        if project.funder == project.Funder.ESF:
            flag = EUFlag(14 * mm)
            block = Table(
                [[flag, lines]],
                colWidths=(flag.width + 4 * mm, None),
                style=[
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ],
                hAlign="LEFT",
            )
            flowables.append(block)
        else:
            flowables += lines
        flowables.append(Spacer(0, 3 * mm))

    flowables.append(Paragraph(escape(_("Attendance sheet")), STYLES["title"]))
    flowables.append(Paragraph(escape(session.display_title), STYLES["course"]))

    days = list(session.days.all())
    code = session.code
    if len(days) > 1:
        number = next((i for i, d in enumerate(days, start=1) if d.pk == day.pk), 1)
        code = _("%(code)s, day %(number)d of %(count)d") % {
            "code": code,
            "number": number,
            "count": len(days),
        }
    trainers = ", ".join(t.full_name for t in session.trainers.all()) or "—"
    facts = [
        (_("Session"), code),
        (_("Date"), when),
        (_("Venue"), _place(session)),
        (_("Trainers"), trainers),
    ]
    flowables.append(
        Table(
            [
                [
                    Paragraph(escape(label), STYLES["label"]),
                    Paragraph(escape(value), STYLES["value"]),
                ]
                for label, value in facts
            ],
            colWidths=(25 * mm, None),
            style=[
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ],
            hAlign="LEFT",
        )
    )
    flowables.append(Spacer(0, 4 * mm))
    return flowables


def _participants_table(rows) -> Table:
    _number, name_width, institution_width, _signature = COLUMN_WIDTHS
    data = [[pgettext("row number", "No."), _("Name"), _("Institution"), _("Signature")]]
    for number, enrolment in enumerate(rows, start=1):
        person = enrolment.professional
        institution = person.institution.name if person.institution_id else ""
        data.append(
            [
                str(number),
                _cell(f"{person.last_name} {person.first_name}", name_width),
                _cell(institution, institution_width),
                "",
            ]
        )
    data += [[str(n), "", "", ""] for n in range(len(rows) + 1, len(rows) + 1 + BLANK_ROWS)]
    return Table(data, colWidths=COLUMN_WIDTHS, repeatRows=1, style=TABLE_STYLE)


def signin_sheet_pdf(*, day: SessionDay) -> bytes:
    """The sign-in sheet of one day, in the active language: the project and its funder's
    publicity line, the course, date, time, venue and trainers, then one row to sign per
    confirmed participant (by last name, first name) and a few blank rows for walk-ins; the
    session code, date and "Page X of Y" at the foot of every page."""
    register_fonts()
    session = _session_for(day)
    start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
    date = date_format(start, "j F Y")
    when = f"{date}, {start:%H:%M}–{end:%H:%M}"

    story = _header(session, day, when)
    story.append(_participants_table(attendance_day_rows(day=day)))
    story.append(Paragraph(f"{escape(_('Trainer’s signature:'))} {'_' * 40}", STYLES["note"]))

    buffer = BytesIO()
    title = f"{_('Attendance sheet')} – {session.code} – {date}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author="Formativ",
        creator="Formativ",
        lang=get_language() or settings.LANGUAGE_CODE,
        initialFontName=FONT,
    )
    document.build(
        story,
        canvasmaker=functools.partial(_FooterCanvas, footer=f"{session.code} · {date}"),
    )
    return buffer.getvalue()
