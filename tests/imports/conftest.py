"""Shared helpers for the import tests: real spreadsheet files built in memory and a runner
that calls the import engine with the reference data (counties, institution types,
categories) in place.

`make_xlsx` / `make_csv` are plain functions (importable, e.g. from hypothesis tests); the
fixtures `xlsx`, `csv_bytes` and `run` hand them (and the runner) to tests."""

import csv
import io
from importlib import import_module

import pytest
from django.apps import apps

from imports.engine import Importer


def make_xlsx(rows, headers, title_rows=0, merged=None) -> bytes:
    """An .xlsx whose first sheet has `title_rows` title lines, then `headers`, then `rows`.
    `merged`: cell ranges (e.g. "F3:F5") merged after writing; the rows' values for the
    covered cells below the first are left out, as Excel stores them."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for i in range(title_rows):
        sheet.append([f"Listă de participanți (titlu {i + 1})"] if i == 0 else [None])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cell_range in merged or ():
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(rows, encoding="utf-8", delimiter=",") -> bytes:
    """CSV bytes; `rows` includes the header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def load_reference_data() -> None:
    """Counties, institution types and categories (idempotent; a flush by a transactional
    test elsewhere removes what the migration loaded)."""
    import_module("training.migrations.0002_reference_data").load(apps, None)


def run_import(kind, data, *, dry_run=False, acting_user=None, **kw):
    """Import `data` as `kind`; returns the engine's Summary."""
    return Importer(kind=kind, acting_user=acting_user, **kw).run(data, dry_run=dry_run)


@pytest.fixture
def refs(db):
    load_reference_data()


@pytest.fixture
def xlsx():
    return make_xlsx


@pytest.fixture
def csv_bytes():
    return make_csv


@pytest.fixture
def run(refs):
    return run_import
