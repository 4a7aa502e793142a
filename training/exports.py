"""Spreadsheet exports of the admin lists (XLSX and CSV), safe to open in a spreadsheet program.

A cell that begins with = + - @ tab or CR is a formula (or becomes one) in Excel and
LibreOffice: every exported text cell that does gets a leading apostrophe, which spreadsheet
programs show as text and the imports strip again (`imports.reader`). The one implementation
of that rule lives here, where every app may import it (`imports.safe` re-uses it)."""

import datetime
from collections import OrderedDict

from django.utils import timezone

# A cell beginning with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that would start a formula gets a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(value):
    """The text `neutralise` was given."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def export_date(value) -> str:
    """A date as Romanian lists write it (and the imports read it): dd.mm.yyyy."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def follow(item, path: str):
    """`item.a.b.c`, or "" where a link on the way is empty (no county, no institution)."""
    value = item
    for name in path.split("."):
        value = getattr(value, name, None)
        if value is None:
            return ""
    return value() if callable(value) else value


class SafeSpreadsheetExportMixin:
    """For a Wagtail IndexView (before it in the bases): the list's "Download XLSX / CSV" with
    every text cell and heading neutralised, empty links as empty cells, dates as dd.mm.yyyy in
    CSV and in local time in XLSX, and a UTF-8 byte-order mark so that Excel reads the CSV's
    diacritics. `export_accessors` maps a `list_export` entry to a callable of the item."""

    export_accessors: dict = {}

    def to_row_dict(self, item):
        row = OrderedDict()
        for field in self.list_export:
            accessor = self.export_accessors.get(field)
            row[field] = accessor(item) if accessor else follow(item, field)
        return row

    def preprocess_field_value(self, field, value, export_format):
        if isinstance(value, datetime.date):
            if export_format == self.FORMAT_CSV:
                return export_date(value)
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                return timezone.make_naive(value)
            return value
        if value is None:
            return ""
        return neutralise(super().preprocess_field_value(field, value, export_format))

    def get_heading(self, queryset, field):
        return neutralise(super().get_heading(queryset, field))

    def stream_csv(self, queryset):
        yield "\ufeff"
        yield from super().stream_csv(queryset)
