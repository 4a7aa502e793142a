"""Reading a spreadsheet as it comes: XLSX, XLS, ODS or CSV (UTF-8, UTF-16 or Windows-1250,
comma, semicolon or tab separated), a title above the header row, merged cells, blank rows.

`read_table` returns the header row and the non-blank rows below it, each with the row number
the spreadsheet shows, or raises `UnreadableFile` with a message for people."""

import csv
import datetime
import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from imports.safe import unneutralise

# A header row is looked for among the first rows that have anything in them.
HEADER_SEARCH_ROWS = 20
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# A row with no cells, or only cells without a value (formatting alone): what a sheet
# "used" down to row 100,000 or 1,048,576 is made of. Dropped before openpyxl parses the sheet
# (it would build every one of them); the rows that stay keep their numbers (`r`).
_EMPTY_ROW_RE = re.compile(
    rb"<((?:\w+:)?)row\b[^>]*?(?:/>|>\s*"
    rb"(?:<\1c\b[^>]*?(?:/>|>\s*(?:<\1v\s*/>|<\1v>\s*</\1v>)?\s*</\1c>)\s*)*"
    rb"</\1row>)"
)
# Sheets smaller than this are read as they are.
_STRIP_EMPTY_ROWS_FROM = 256 * 1024


class UnreadableFile(Exception):
    """The file cannot be read as a table; the message says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]
    header_row: int  # as the spreadsheet numbers it, from 1
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)
    file_format: str = ""


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.decode():
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def _fill_merged(grid: list[list], merges: list[tuple[int, int, int, int]]) -> None:
    """A merged range shows its top-left value in every cell it covers: so does the table."""
    for first_row, first_col, last_row, last_col in merges:
        if first_row >= len(grid):
            continue
        top = grid[first_row]
        value = top[first_col] if first_col < len(top) else None
        for r in range(first_row, min(last_row, len(grid) - 1) + 1):
            row = grid[r]
            if len(row) <= last_col:
                row.extend([None] * (last_col + 1 - len(row)))
            for c in range(first_col, last_col + 1):
                row[c] = value


def _without_empty_rows(data: bytes) -> bytes:
    """The workbook with its sheets' empty rows left out (big sheets only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            big = [
                m
                for m in members
                if m.filename.startswith("xl/worksheets/")
                and m.filename.endswith(".xml")
                and m.file_size > _STRIP_EMPTY_ROWS_FROM
            ]
            if not big:
                return data
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
                for member in members:
                    content = archive.read(member.filename)
                    if member in big:
                        content = _EMPTY_ROW_RE.sub(b"", content)
                        # its <dimension> may stay: openpyxl fills the missing rows
                    copy.writestr(member, content, compress_type=zipfile.ZIP_DEFLATED)
            return buffer.getvalue()
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
        return data  # load_workbook says it is damaged


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    data = _without_empty_rows(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(
            _("The file looks like an Excel workbook (.xlsx) but cannot be opened: it is damaged.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(sheet._worksheet_path)
    finally:
        workbook.close()
    merges = [
        (int(r1) - 1, _column_index(c1), int(r2) - 1, _column_index(c2))
        for c1, r1, c2, r2 in _MERGE_RE.findall(xml)
    ]
    _fill_merged(grid, merges)
    return grid


def _read_xls(data: bytes) -> list[list]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise UnreadableFile(_password_message()) from exc
        raise UnreadableFile(_("The .xls file cannot be opened: it is damaged.")) from exc
    except Exception as exc:
        raise UnreadableFile(_("The .xls file cannot be opened: it is damaged.")) from exc
    sheet = book.sheet_by_index(0)
    grid = []
    for r in range(sheet.nrows):
        row = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                row.append(None)
            else:
                row.append(cell.value)
        grid.append(row)
    _fill_merged(grid, [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells])
    return grid


def _read_ods(data: bytes) -> list[list]:
    import tablib

    dataset = tablib.Dataset()
    try:
        dataset.load(io.BytesIO(data), format="ods", headers=False)
    except Exception as exc:
        raise UnreadableFile(
            _("The OpenDocument spreadsheet (.ods) cannot be opened: it is damaged.")
        ) from exc
    return [list(row) for row in dataset]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Romanian Windows saves "CSV" in Windows-1250.
        return data.decode("cp1250", errors="replace")


def _read_csv(data: bytes) -> list[list]:
    text = _decode(data)
    if "\x00" in text:
        raise UnreadableFile(_not_a_table_message())
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[cell if cell != "" else None for cell in row] for row in reader]
    except csv.Error as exc:
        raise UnreadableFile(_not_a_table_message()) from exc


def _password_message() -> str:
    return _(
        "The file is protected with a password. Open it in Excel, remove the password "
        "(File › Info › Protect Workbook) and upload it again."
    )


def _not_a_table_message() -> str:
    return _(
        "The file is not a spreadsheet Formativ can read. Upload an Excel (.xlsx, .xls), "
        "OpenDocument (.ods) or CSV file."
    )


def file_format(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                    return "ods"
                if "xl/workbook.xml" in names:
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        return "zip"
    if data.startswith(_CFB_MAGIC):
        return "encrypted" if _ENCRYPTED_OOXML in data else "xls"
    return "csv"


# The extensions the import accepts, and the formats (by content, see file_format) each may hold.
UPLOAD_EXTENSIONS = {
    ".xlsx": {"xlsx", "encrypted"},
    ".xls": {"xls", "encrypted"},
    ".ods": {"ods"},
    ".csv": {"csv"},
}


def check_upload_type(name: str, data: bytes) -> None:
    """Refuse a file whose name or content is not a spreadsheet the import reads, and one whose
    content is not what its extension says (an Excel file renamed .exe, a page renamed .csv):
    told by the file's first bytes, never by its name alone."""
    from sessions.upload import content_matches_extension

    extension = os.path.splitext(name or "")[1].lower()
    expected = UPLOAD_EXTENSIONS.get(extension)
    if expected is None:
        raise UnreadableFile(_not_a_table_message())
    kind = file_format(data)
    ok = kind in expected
    if ok and kind == "csv":
        ok = content_matches_extension(io.BytesIO(data[:8192]), ".csv")
    if not ok:
        raise UnreadableFile(
            _(
                "The file's content does not match its type (%(extension)s): upload the "
                "spreadsheet itself, saved as Excel (.xlsx, .xls), OpenDocument (.ods) or CSV."
            )
            % {"extension": extension}
        )


def _grid(data: bytes) -> tuple[list[list], str]:
    kind = file_format(data)
    if kind == "encrypted":
        raise UnreadableFile(_password_message())
    if kind == "zip":
        raise UnreadableFile(_not_a_table_message())
    reader = {"xlsx": _read_xlsx, "xls": _read_xls, "ods": _read_ods, "csv": _read_csv}[kind]
    return reader(data), kind


def _cell(value):
    if isinstance(value, str):
        value = unneutralise(value.strip())
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def read_table(data: bytes, *, is_header: Callable[[str], bool]) -> Table:
    """The table in `data`. The header row is the first of the first rows with something in
    them that has at least two cells `is_header` recognises (titles above it are skipped)."""
    if len(data) > max_upload_bytes():
        raise UnreadableFile(
            _("The file is larger than %(size)d MB. Split it into smaller files.")
            % {"size": max_upload_bytes() // (1024 * 1024)}
        )
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    grid, kind = _grid(data)
    header_index = None
    seen = 0
    for index, row in enumerate(grid):
        cells = [_cell(v) for v in row]
        if all(v is None for v in cells):
            continue
        seen += 1
        if sum(1 for v in cells if v is not None and is_header(str(v))) >= 2:
            header_index = index
            break
        if seen >= HEADER_SEARCH_ROWS:
            break
    if header_index is None:
        if seen == 0:
            raise UnreadableFile(_("The file has no rows with data."))
        raise UnreadableFile(
            _(
                "No header row found: the first row of the table must name its columns (e.g. "
                "Nume, Prenume, Email). Download the template to see them."
            )
        )
    headers = [
        "" if v is None else (v.strftime("%d.%m.%Y") if isinstance(v, datetime.date) else str(v))
        for v in (_cell(v) for v in grid[header_index])
    ]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(headers=headers, header_row=header_index + 1, file_format=kind)
    width = len(headers)
    limit = max_rows()
    for index in range(header_index + 1, len(grid)):
        cells = [_cell(v) for v in grid[index][:width]]
        if all(v is None for v in cells):
            continue
        if len(table.rows) >= limit:
            raise UnreadableFile(
                _("The file has more than %(limit)d rows. Split it into smaller files.")
                % {"limit": limit}
            )
        cells.extend([None] * (width - len(cells)))
        table.rows.append((index + 1, cells))
    return table
