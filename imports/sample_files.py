"""The import templates people download: for each kind, an XLSX (a data sheet with the
headers and one example row, then a sheet of instructions) and a CSV (UTF-8 with BOM, `;`
separated, as Excel in Romania opens it) with the same headers and example row.

Headers are the Romanian template headers of `columns.COLUMNS`: they are what the importer
reads, whatever the interface language. The instructions are for people: translatable."""

import csv
from io import BytesIO, StringIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from imports import columns as cols
from imports import engine
from imports.safe import neutralise
from training.models import County, DeliveryType, InstitutionType, ProfessionalCategory

KINDS = ("registry", "roster", "participations")
FORMATS = ("xlsx", "csv")
# The roster's day columns: "Ziua N" is the session's N-th day (a date, dd.mm.yyyy, works too).
ROSTER_DAYS = ("Ziua 1", "Ziua 2")
# The words the importer takes for each activity type, as people write them (engine.ACTIVITY_TYPES
# holds them folded; a test keeps the two in step).
ACTIVITY_WORDS = {
    DeliveryType.INFORMATION_SEMINAR: ("seminar de informare", "seminar", "informare"),
    DeliveryType.PROFESSIONAL_TRAINING: ("sesiune de formare", "formare", "curs", "training"),
    DeliveryType.WORKING_MEETING: ("reuniune de lucru", "reuniune", "întâlnire de lucru"),
    DeliveryType.SUPERVISION: ("supervizare", "grup de suport", "supervizare de grup"),
    DeliveryType.CONFERENCE: ("conferință",),
}


def columns_of(kind: str) -> list[str]:
    """The canonical names of the template's columns (not "full_name": it is the alternative
    to Nume + Prenume)."""
    return [name for name in cols.KIND_COLUMNS[kind] if name != "full_name"]


def headers(kind: str) -> list[str]:
    names = [cols.COLUMNS[name][0] for name in columns_of(kind)]
    if kind == "roster":
        names += list(ROSTER_DAYS)
    return names


def _first(queryset, default: str = "") -> str:
    item = queryset.first()
    return item.name if item else default


def example_row(kind: str) -> list[str]:
    """One made-up person, valid against the reference data in the database."""
    category = _first(ProfessionalCategory.objects.filter(requires_detail=False))
    institution_type = _first(InstitutionType.objects.all())
    county = County.objects.filter(code="CJ").first() or County.objects.first()
    county_code = county.code if county else "CJ"
    values = {
        "last_name": "Popescu",
        "first_name": "Ana-Maria",
        "cnp": "",
        "birth_date": "15.03.1985",
        "sex": "F",
        "email": "ana.popescu@example.ro",
        "phone": "0722 123 456",
        "county": county_code,
        "institution": "Direcția Generală de Asistență Socială și Protecția Copilului Exemplu",
        "institution_type": institution_type,
        "category": category,
        "eil_member": "Nu",
        "project": "Proiect exemplu",
        "course": "Curs exemplu",
        "session_code": "",
        "start_date": "12.05.2023",
        "end_date": "13.05.2023",
        "session_county": county_code,
        "activity_type": "sesiune de formare",
        "present": "Da",
        "days_present": "2",
        "hours_present": "",
        "certificate_serial": "",
    }
    row = [values[name] for name in columns_of(kind)]
    if kind == "roster":
        row += ["P", "A"]
    return row


def _column_help(name: str) -> str:
    """What goes in one column, for people."""
    date = _("A date, written dd.mm.yyyy (e.g. 15.03.1985).")
    yes_no = _("Da or Nu (also accepted: D/N, 1/0, X for yes).")
    texts = {
        "last_name": _("The person's family name. Required (or use one column “%(full)s”).")
        % {"full": cols.COLUMNS["full_name"][0]},
        "first_name": _("The person's given names."),
        "cnp": _(
            "The personal numeric code (13 digits), optional. When given it is checked and it "
            "identifies the person first. It is kept encrypted."
        ),
        "birth_date": date + " " + _("Optional; taken from the CNP when missing."),
        "sex": _("F or M (feminin, masculin). Optional."),
        "email": _("The person's e-mail address. Optional; it identifies the person."),
        "phone": _("The phone number, e.g. 0722 123 456. Optional."),
        "county": _(
            "The county where the person works: its code or its name (see the list of county "
            "codes below)."
        ),
        "institution": _(
            "The institution where the person works. An institution not in the registry is "
            "added, with its county and its type."
        ),
        "institution_type": _(
            "The type of a new institution (one of the types listed below). Needed only for "
            "institutions not yet in the registry."
        ),
        "category": _("The person's professional category (one of those listed below)."),
        "eil_member": yes_no + " " + _("Whether the person is a member of the local team (EIL)."),
        "project": _(
            "The project (name or acronym) that funded the session. Must exist, unless you "
            "import with “create missing projects and courses”."
        ),
        "course": _(
            "The course (title or code). Must exist, unless you import with “create missing "
            "projects and courses”."
        ),
        "session_code": _(
            "The code of a session already in Formativ. Optional: instead of project, course, "
            "dates and county."
        ),
        "start_date": date + " " + _("The first day of the session."),
        "end_date": date + " " + _("The last day of the session (optional for one-day sessions)."),
        "session_county": _(
            "The county where the session was held (code or name). When missing, the "
            "person's county."
        ),
        "activity_type": _("The kind of activity (see the list below)."),
        "present": yes_no + " " + _("Whether the person attended. Default: Da."),
        "days_present": _("The number of days attended (a whole number). Optional."),
        "hours_present": _("The number of hours attended. Optional."),
        "certificate_serial": _("The serial of the certificate given, if any. Optional."),
    }
    return texts[name]


def instructions(kind: str) -> list[tuple[str, str]]:
    """(title, text) lines of the instructions sheet."""
    lines: list[tuple[str, str]] = [
        (
            _("How to fill in this file"),
            _(
                "Write one person per row on the first sheet, under the headers. Replace or "
                "delete the example row. Keep the headers; columns may be in any order, and "
                "columns you do not need may be deleted. Columns with other headers are not "
                "imported."
            ),
        ),
        ("", ""),
        (_("Column"), _("What to write")),
    ]
    for name in columns_of(kind):
        header, synonyms = cols.COLUMNS[name]
        text = _column_help(name)
        if synonyms:
            text += " " + _("Also accepted as header: %(synonyms)s.") % {
                "synonyms": ", ".join(f"“{s}”" for s in synonyms)
            }
        lines.append((header, text))
    full_header, full_synonyms = cols.COLUMNS["full_name"]
    lines.append(
        (
            full_header,
            _(
                "Instead of “Nume” and “Prenume”, one column with the whole name: the words in "
                "capitals are the family name, otherwise the first word is. Also accepted as "
                "header: %(synonyms)s."
            )
            % {"synonyms": ", ".join(f"“{s}”" for s in full_synonyms)},
        )
    )
    if kind == "roster":
        lines.append(
            (
                ", ".join(ROSTER_DAYS),
                _(
                    "One column per session day: “Ziua 1” is the session's first day (the day's "
                    "date, dd.mm.yyyy, works as header too). Write P (present, also Da, X, 1), "
                    "A (absent, also Nu, 0), M (excused absence) or the hours attended."
                ),
            )
        )
    lines += [
        ("", ""),
        (
            _("Dates"),
            _("Write dates as dd.mm.yyyy (e.g. 05.10.2023); date cells of Excel are read too."),
        ),
        (_("Yes / no"), _("Write Da or Nu.")),
        ("", ""),
        (
            _("How people are matched"),
            _(
                "Each row is matched to a person already in the registry, in this order: the "
                "same CNP; the same e-mail address; the same name and birth date; an earlier "
                "row of the same file. Otherwise a new person is added. A new person with the "
                "same name as someone in the same institution, or a name one letter apart in "
                "the same county, is put on the list of possible duplicates for review."
            ),
        ),
        (
            _("What is kept"),
            _(
                "Empty fields of a known person are filled in; what is already recorded is not "
                "overwritten. Importing the same file twice changes nothing the second time."
            ),
        ),
        (
            _("Invalid rows"),
            _(
                "By default, if any row is invalid nothing is imported: the check lists every "
                "error with its row and column. With “skip invalid rows” the valid rows are "
                "imported and the others can be downloaded, with their errors, to be corrected."
            ),
        ),
    ]
    lines += [("", ""), (_("County codes"), "")]
    lines += [(county.code, county.name) for county in County.objects.order_by("code")]
    lines += [("", ""), (_("Professional categories"), "")]
    lines += [(category.name, "") for category in ProfessionalCategory.objects.order_by("name")]
    lines += [("", ""), (_("Institution types"), "")]
    lines += [(t.name, t.description or "") for t in InstitutionType.objects.order_by("name")]
    if kind == "participations":
        labels = dict(DeliveryType.choices)
        lines += [("", ""), (_("Activity types"), "")]
        for value in dict.fromkeys(engine.ACTIVITY_TYPES.values()):
            words = ACTIVITY_WORDS.get(value, ())
            lines.append((str(labels[value]), ", ".join(words)))
    return lines


def template_xlsx(kind: str) -> bytes:
    workbook = Workbook()
    data = workbook.active
    data.title = _("Data")[:31]
    data.append([neutralise(h) for h in headers(kind)])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.append([neutralise(v) for v in example_row(kind)])
    for index, header in enumerate(headers(kind), start=1):
        data.column_dimensions[data.cell(1, index).column_letter].width = max(12, len(header) + 4)
    data.freeze_panes = "A2"
    # Keep codes and numbers as typed ("0722…" keeps its leading 0): cells hold text.
    for row in data.iter_rows(min_row=2, max_row=200, max_col=len(headers(kind))):
        for cell in row:
            cell.number_format = "@"

    sheet = workbook.create_sheet(_("Instructions")[:31])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 100
    headings = {
        _("How to fill in this file"),
        _("Column"),
        _("How people are matched"),
        _("County codes"),
        _("Professional categories"),
        _("Institution types"),
        _("Activity types"),
    }
    for title, text in instructions(kind):
        sheet.append([neutralise(title), neutralise(text)])
        row = sheet.max_row
        if title in headings:
            sheet.cell(row, 1).font = Font(bold=True)
        sheet.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row, 1).alignment = Alignment(vertical="top")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    out = StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers(kind)])
    writer.writerow([neutralise(v) for v in example_row(kind)])
    return out.getvalue().encode("utf-8-sig")


def template_file(kind: str, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file name)."""
    if file_format == "xlsx":
        return (
            template_xlsx(kind),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"formativ-import-{kind}.xlsx",
        )
    return template_csv(kind), "text/csv; charset=utf-8", f"formativ-import-{kind}.csv"
