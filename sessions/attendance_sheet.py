"""The attendance spreadsheet of a session: one row per confirmed participant, one column per
session day, what organisers fill in from the signed sheets and what the spreadsheet import
reads back.

Row 1 holds machine-readable headers, stable whatever the language: the fixed columns
`enrolment_id`, `last_name`, `first_name`, `email`, `institution`, then one column per session
day headed with its date, `YYYY-MM-DD` (a session's days fall on different dates). A day's cell
holds one of the codes of `ATTENDANCE_CODES`, a whole number (the minutes attended, for a late
or partial attendance), or nothing (not marked). The second sheet explains it in the active
language.

`attendance_rows_parse` turns the rows back into `services.Mark`s without writing anything:
callers pass them to `services.attendance_mark_many(..., method=Attendance.Method.IMPORT)`."""

import datetime
import re
from collections.abc import Iterable, Mapping
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from sessions.selectors import attendance_marks, day_minutes
from sessions.services import Mark

A = Attendance.Status

# What a day's cell may hold, in upper or lower case, spaces around allowed. Besides these
# codes, a whole number (45, or the text "45") is a late or partial attendance with the minutes
# attended, and an empty cell leaves the day unmarked (an import does not touch it).
ATTENDANCE_CODES: dict[str, str] = {
    "P": A.PRESENT,  # prezent
    "A": A.ABSENT,  # absent
    "M": A.EXCUSED,  # absent motivat
}
CODE_FOR_STATUS = {status: code for code, status in ATTENDANCE_CODES.items()}

ENROLMENT_ID = "enrolment_id"
FIXED_COLUMNS = (ENROLMENT_ID, "last_name", "first_name", "email", "institution")
FIRST_DAY_COLUMN = len(FIXED_COLUMNS) + 1
HEADER_ROW = 1  # data rows are numbered as the spreadsheet shows them: the first one is 2

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="E6E6E6")
_WHOLE_NUMBER = re.compile(r"\d+(?:\.0*)?")


def _local_date(day: SessionDay) -> datetime.date:
    return timezone.localtime(day.starts_at).date()


def _put(sheet, row: int, column: int, value, *, bold: bool = False):
    """Write a cell; text is always stored as text, so a name beginning with "=" is never a
    formula (nor a way to run one on the organiser's computer)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    if bold:
        cell.font = _HEADER_FONT
    return cell


def _code(mark: tuple[str, int | None] | None):
    if mark is None:
        return None
    status, minutes = mark
    return minutes if status == A.PARTIAL else CODE_FOR_STATUS.get(status)


def _legend(sheet, days: list[SessionDay]) -> None:
    sheet.title = _("Legend")[:31]
    row = 1
    _put(sheet, row, 1, _("Code"), bold=True)
    _put(sheet, row, 2, _("Meaning"), bold=True)
    explained = [
        *((code, str(A(status).label)) for code, status in ATTENDANCE_CODES.items()),
        (
            "45",
            _(
                "late or partial: the minutes attended (a whole number, more than 0 and less "
                "than the length of the day)"
            ),
        ),
        ("", _("empty: not marked (the import leaves the day as it is)")),
    ]
    for code, meaning in explained:
        row += 1
        _put(sheet, row, 1, code)
        _put(sheet, row, 2, meaning)
    row += 2
    _put(sheet, row, 1, _("Column"), bold=True)
    _put(sheet, row, 2, _("Session day"), bold=True)
    for number, day in enumerate(days, start=1):
        start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
        row += 1
        _put(sheet, row, 1, _local_date(day).isoformat())
        _put(
            sheet,
            row,
            2,
            _("Day %(number)d: %(date)s, %(start)s–%(end)s (%(minutes)d minutes)")
            % {
                "number": number,
                "date": date_format(start, "j F Y"),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "minutes": day_minutes(day),
            },
        )
    row += 2
    _put(
        sheet,
        row,
        1,
        _(
            "Do not change the first row of the attendance sheet nor the enrolment_id column: "
            "the import reads them. Rows of people not on the list cannot be imported; add "
            "them to the session first."
        ),
    )
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90


def attendance_workbook(*, training_session: TrainingSession) -> bytes:
    """The session's attendance spreadsheet (XLSX): the confirmed participants by name, with
    the marks taken so far, and the legend."""
    days = list(training_session.days.order_by("starts_at"))
    enrolments = (
        Enrolment.objects.filter(
            training_session=training_session, status=Enrolment.Status.CONFIRMED
        )
        .select_related("professional__institution")
        .order_by("professional__last_name", "professional__first_name", "pk")
    )
    marks = {
        (enrolment_id, day_id): (status, minutes)
        for enrolment_id, day_id, status, minutes in attendance_marks(
            training_session=training_session
        ).values_list("enrolment_id", "day_id", "status", "minutes")
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendance")[:31]
    headers = [*FIXED_COLUMNS, *(_local_date(day).isoformat() for day in days)]
    for column, header in enumerate(headers, start=1):
        cell = _put(sheet, HEADER_ROW, column, header, bold=True)
        cell.fill = _HEADER_FILL
    for row, enrolment in enumerate(enrolments, start=HEADER_ROW + 1):
        person = enrolment.professional
        institution = person.institution.name if person.institution_id else ""
        fixed = (enrolment.pk, person.last_name, person.first_name, person.email, institution)
        for column, value in enumerate(fixed, start=1):
            _put(sheet, row, column, value)
        for column, day in enumerate(days, start=FIRST_DAY_COLUMN):
            code = _code(marks.get((enrolment.pk, day.pk)))
            if code is not None:
                _put(sheet, row, column, code)
    for column, width in enumerate((13, 22, 22, 30, 45), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in range(FIRST_DAY_COLUMN, FIRST_DAY_COLUMN + len(days)):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    # The headers stay in view, and so do the id and the name while scrolling to the days.
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=4).coordinate

    _legend(workbook.create_sheet(), days)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading it back ------------------------------------------------------------------------


class _Problem(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_key(header):
    """A fixed column's name, a day column's date, or None for a column to ignore."""
    if isinstance(header, datetime.datetime):
        return header.date()
    if isinstance(header, datetime.date):
        return header
    if header is None:
        return None
    text = str(header).strip()
    if text.lower() in FIXED_COLUMNS:
        return text.lower()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    for parse in (
        lambda t: datetime.datetime.fromisoformat(t).date(),  # a date cell read as text
        lambda t: datetime.datetime.strptime(t, "%d.%m.%Y").date(),  # noqa: DTZ007 - a date
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _whole_number(value) -> int | None:
    """An int from 45, 45.0 or " 45 "; None when the value is no whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(float(text)) if _WHOLE_NUMBER.fullmatch(text) else None


def _status(value, day: SessionDay) -> tuple[str, int | None]:
    """The status and minutes a day's (non-empty) cell stands for."""
    if isinstance(value, str) and value.strip().upper() in ATTENDANCE_CODES:
        return ATTENDANCE_CODES[value.strip().upper()], None
    minutes = _whole_number(value)
    if minutes is None:
        raise _Problem(
            _("“%(value)s” is not an attendance code (P, A, M or the minutes attended).")
            % {"value": str(value).strip()}
        )
    length = day_minutes(day)
    if not 0 < minutes < length:
        raise _Problem(
            _(
                "the minutes attended must be more than 0 and less than the day's %(length)d "
                "(write P for the whole day)."
            )
            % {"length": length}
        )
    return A.PARTIAL, minutes


def _error(row: int, column, problem: str) -> ValidationError:
    return ValidationError(
        _("Row %(row)d, column %(column)s: %(problem)s"),
        code="attendance_sheet",
        params={"row": row, "column": column, "problem": problem},
    )


class _Columns:
    """The row-1 headers, each read once (they repeat on every row): a fixed column's name, a
    session day, or None for a column to ignore. A date that is no day of the session, or a
    day's second column, is an error of row 1."""

    def __init__(self, days: dict[datetime.date, SessionDay], errors: list):
        self.days, self.errors = days, errors
        self.keys: dict = {}
        self.seen: set[datetime.date] = set()

    def key(self, header):
        if header not in self.keys:
            self.keys[header] = self._read(header)
        return self.keys[header]

    def _read(self, header):
        key = _header_key(header)
        if not isinstance(key, datetime.date):
            return key
        if key not in self.days:
            problem = _("%(date)s is not a day of this session.")
        elif key in self.seen:
            problem = _("the column of %(date)s appears twice.")
        else:
            self.seen.add(key)
            return self.days[key]
        self.errors.append(
            _error(HEADER_ROW, str(header).strip(), problem % {"date": key.isoformat()})
        )
        return None


def attendance_rows_parse(
    *, training_session: TrainingSession, rows: Iterable[Mapping]
) -> list[Mark]:
    """The marks in the rows of an attendance spreadsheet (each a mapping from the row-1
    headers to the cell values, as a spreadsheet reader yields them, the first for spreadsheet
    row 2). Writes nothing.

    Each row's `enrolment_id` must be an enrolment of the session; each day column's cell is
    read with `ATTENDANCE_CODES` (empty cells, and rows with nothing in them, are skipped;
    columns that are neither fixed nor a date are ignored). Every problem found, each with its
    row and column, is raised together in one ValidationError, and then nothing is returned."""
    days = {_local_date(day): day for day in training_session.days.all()}
    enrolments = {e.pk: e for e in training_session.enrolments.select_related("professional")}
    errors: list[ValidationError] = []
    marks: list[Mark] = []
    columns = _Columns(days, errors)
    first_row_of: dict[int, int] = {}

    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        cells = []  # (header, day, value) of the row's filled day cells
        enrolment_value = None
        for header, value in row.items():
            key = columns.key(header)
            if key == ENROLMENT_ID:
                enrolment_value = value
            elif isinstance(key, SessionDay) and not _blank(value):
                cells.append((str(header).strip(), key, value))
        if _blank(enrolment_value):
            if cells:
                errors.append(
                    _error(
                        number,
                        ENROLMENT_ID,
                        _(
                            "the row has marks but no enrolment_id; add the person to the session "
                            "first."
                        ),
                    )
                )
            continue

        enrolment_id = _whole_number(enrolment_value)
        enrolment = enrolments.get(enrolment_id) if enrolment_id is not None else None
        if enrolment is None:
            errors.append(
                _error(
                    number,
                    ENROLMENT_ID,
                    _("“%(value)s” is not an enrolment of this session.")
                    % {"value": str(enrolment_value).strip()},
                )
            )
            continue
        if enrolment.pk in first_row_of:
            errors.append(
                _error(
                    number,
                    ENROLMENT_ID,
                    _("the same enrolment is already in row %(row)d.")
                    % {"row": first_row_of[enrolment.pk]},
                )
            )
            continue
        first_row_of[enrolment.pk] = number
        if cells and enrolment.status != Enrolment.Status.CONFIRMED:
            errors.append(
                _error(
                    number,
                    ENROLMENT_ID,
                    _("%(name)s is not a confirmed participant (%(status)s).")
                    % {"name": enrolment.professional, "status": enrolment.get_status_display()},
                )
            )
            continue
        for header, day, value in cells:
            try:
                status, minutes = _status(value, day)
            except _Problem as problem:
                errors.append(_error(number, header, problem.message))
                continue
            marks.append(Mark(enrolment.pk, day.pk, status, minutes))

    if errors:
        raise ValidationError(errors)
    return marks
