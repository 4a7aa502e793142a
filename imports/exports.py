"""Spreadsheets out: a session's roster with its per-day attendance (in the roster import's own
format, so that it imports again as it is) and the review queue of probable duplicates.

Every text cell that would start a formula is neutralised (`imports.safe.neutralise`). The
lists (persons, certificates) are exported by their admin lists ("Download XLSX / CSV")."""

import csv
import io
from decimal import ROUND_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from imports.columns import COLUMNS
from imports.safe import neutralise
from sessions.models import Attendance, SessionDay, TrainingSession
from sessions.selectors import attendance_marks, attendance_participants
from training.models import DuplicateCandidate

A = Attendance.Status
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Excel on a Romanian Windows separates CSV columns with ";" (the decimal separator is ",").
CSV_DELIMITER = ";"

# The roster's person columns: the import's own headers (imports.columns).
ROSTER_PERSON_COLUMNS = (
    "last_name",
    "first_name",
    "email",
    "phone",
    "birth_date",
    "county",
    "institution",
    "category",
)
_MARK_LETTERS = {A.PRESENT: "P", A.ABSENT: "A", A.EXCUSED: "M"}


# --- writing --------------------------------------------------------------------------------


def _xlsx(sheet_title: str, headers: list, rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    heading = []
    for value in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(headers: list, rows) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads the diacritics), ";"-separated."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([neutralise(value) for value in headers])
    for row in rows:
        writer.writerow(["" if value is None else neutralise(_csv_value(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value):
    if hasattr(value, "strftime"):
        if hasattr(value, "hour"):
            return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float | Decimal):
        return format(value, "f").rstrip("0").rstrip(".").replace(".", ",")
    return value


def _naive(value):
    """openpyxl cannot write an aware datetime: the local time it shows."""
    if value is not None and hasattr(value, "hour") and timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


# --- the roster -----------------------------------------------------------------------------


def _hours(minutes: int) -> Decimal:
    """Minutes as hours, rounded up at the fourth decimal: the import (which counts whole
    minutes, rounding down) reads the same minutes back."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.0001"), rounding=ROUND_UP).normalize()


def _mark_value(mark) -> str | Decimal | None:
    if mark is None:
        return None
    status, minutes = mark
    if status == A.PARTIAL and minutes:
        # A bare 1 reads back as "present": one hour is written with its unit.
        return "1 h" if minutes == 60 else _hours(minutes)
    return _MARK_LETTERS.get(status)


def _day_headers(days: list[SessionDay]) -> list[str]:
    """dd.mm.yyyy for each day; "Ziua N" when two days share a date (the import reads both)."""
    dates = [timezone.localtime(day.starts_at).date() for day in days]
    if len(set(dates)) == len(dates):
        return [d.strftime("%d.%m.%Y") for d in dates]
    return [f"Ziua {n}" for n in range(1, len(days) + 1)]


def roster_table(*, training_session: TrainingSession) -> tuple[list[str], list[list]]:
    """The confirmed participants, by name, and their mark for each day (P, A, M or the hours
    of a partial attendance): the roster import's format. Three queries, whatever the number
    of participants."""
    days = list(SessionDay.objects.filter(training_session=training_session).order_by("starts_at"))
    enrolments = list(
        attendance_participants(training_session=training_session).select_related(
            "professional__county"
        )
    )
    marks = {
        (enrolment_id, day_id): (status, minutes)
        for enrolment_id, day_id, status, minutes in attendance_marks(
            training_session=training_session
        ).values_list("enrolment_id", "day_id", "status", "minutes")
    }
    headers = [COLUMNS[name][0] for name in ROSTER_PERSON_COLUMNS] + _day_headers(days)
    rows = []
    for enrolment in enrolments:
        person = enrolment.professional
        rows.append(
            [
                person.last_name,
                person.first_name,
                person.email,
                person.phone,
                person.birth_date,
                person.county.code if person.county else "",
                person.institution.name if person.institution else "",
                person.category.name if person.category else "",
                *(_mark_value(marks.get((enrolment.pk, day.pk))) for day in days),
            ]
        )
    return headers, rows


def roster_filename(training_session: TrainingSession, file_format: str) -> str:
    return f"prezenta-{training_session.code}.{file_format}"


def roster_workbook(*, training_session: TrainingSession) -> bytes:
    headers, rows = roster_table(training_session=training_session)
    return _xlsx(_("Roster"), headers, rows)


def roster_csv(*, training_session: TrainingSession) -> bytes:
    headers, rows = roster_table(training_session=training_session)
    return _csv(headers, rows)


# --- the review queue -----------------------------------------------------------------------


def _review_queue_joins(queryset: QuerySet[DuplicateCandidate]) -> QuerySet[DuplicateCandidate]:
    return queryset.select_related(
        "first__county",
        "first__institution",
        "second__county",
        "second__institution",
        "resolved_by",
    )


def _person_cells(person) -> list:
    return [
        person.pk,
        person.last_name,
        person.first_name,
        person.email,
        person.phone,
        person.birth_date,
        person.county.name if person.county else "",
        person.institution.name if person.institution else "",
    ]


def review_queue_table(queryset: QuerySet[DuplicateCandidate]) -> tuple[list[str], list[list]]:
    """Each pair on one row, side by side, with why it was found and what became of it. One
    query, whatever the number of pairs."""
    person_headers = [
        _("Registry number"),
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Phone"),
        _("Birth date"),
        _("County"),
        _("Institution"),
    ]
    headers = [
        _("Reason"),
        _("Status"),
        _("Found"),
        _("Found by"),
        *(f"{h} (1)" for h in person_headers),
        *(f"{h} (2)" for h in person_headers),
        _("Resolved"),
        _("Resolved by"),
    ]
    rows = []
    for pair in _review_queue_joins(queryset):
        rows.append(
            [
                pair.get_reason_display(),
                pair.get_status_display(),
                pair.created_at,
                pair.source,
                *_person_cells(pair.first),
                *_person_cells(pair.second),
                pair.resolved_at,
                (pair.resolved_by.get_username() if pair.resolved_by else ""),
            ]
        )
    return headers, rows


def review_queue_workbook(queryset: QuerySet[DuplicateCandidate]) -> bytes:
    headers, rows = review_queue_table(queryset)
    return _xlsx(_("Possible duplicates"), headers, ([_naive(v) for v in row] for row in rows))


def review_queue_csv(queryset: QuerySet[DuplicateCandidate]) -> bytes:
    headers, rows = review_queue_table(queryset)
    return _csv(headers, rows)
