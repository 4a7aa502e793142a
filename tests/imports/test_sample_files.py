"""The import templates: downloaded from the import screen, filled in, imported as they are."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from imports import columns as cols
from imports import engine, sample_files
from imports.reader import read_table
from tests.factories.sessions import make_session
from training.models import County, InstitutionType, Professional, ProfessionalCategory

pytestmark = pytest.mark.usefixtures("refs")

KINDS = ("registry", "roster", "participations")


def download(client, kind, file_format):
    response = client.get(reverse("imports:template", args=[kind, file_format]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert f"formativ-import-{kind}.{file_format}" in response["Content-Disposition"]
    return response.content


def options(kind):
    if kind == "roster":
        return {"training_session": make_session(start_in=-5, day_count=2)}
    if kind == "participations":
        return {"create_missing": True}
    return {}


@pytest.mark.parametrize("kind", KINDS)
def test_the_downloaded_template_with_its_example_row_imports(admin_client, kind):
    data = download(admin_client, kind, "xlsx")
    summary = engine.Importer(kind=kind, acting_user=None, **options(kind)).run(data)

    assert summary.errors == []
    assert summary.unknown_columns == []
    assert summary.written
    assert summary.rows == 1
    person = Professional.objects.get(last_name="Popescu", first_name="Ana-Maria")
    assert person.email == "ana.popescu@example.ro"
    assert person.county.code == "CJ"
    if kind == "roster":
        assert summary.attendance_marks == 2
    if kind == "participations":
        assert summary.sessions_created == 1
        assert summary.enrolments == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_template_filled_in_with_a_new_row_imports(admin_client, kind):
    """A user replaces the example row with their own: every header is one the import reads."""
    from tests.factories.training import CourseFactory, ProjectFactory

    project, course = ProjectFactory(name="Copii în siguranță"), CourseFactory(title="Abuzul")
    workbook = load_workbook(io.BytesIO(download(admin_client, kind, "xlsx")))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    values = {
        "Nume": "IONESCU",
        "Prenume": "Mihai",
        "Data nașterii": "02.11.1979",
        "Sex": "M",
        "Email": "mihai.ionescu@example.org",
        "Județ": "Cluj",
        "Instituția": "Primăria Exemplu",
        "Tip instituție": InstitutionType.objects.first().name,
        "Categoria profesională": ProfessionalCategory.objects.first().name,
        "Membru EIL": "Da",
        "Proiect": project.acronym,
        "Curs": course.code,
        "Data început": "03.04.2022",
        "Data sfârșit": "04.04.2022",
        "Județ sesiune": "CJ",
        "Tip activitate": "seminar",
        "Prezent": "Da",
        "Ziua 1": "Da",
        "Ziua 2": "M",
    }
    for index, header in enumerate(headers, start=1):
        sheet.cell(2, index).value = values.get(header)
    out = io.BytesIO()
    workbook.save(out)

    kw = options(kind) | {"create_missing": False} if kind == "participations" else options(kind)
    summary = engine.Importer(kind=kind, acting_user=None, **kw).run(out.getvalue())

    assert summary.errors == []
    assert summary.written
    person = Professional.objects.get(email="mihai.ionescu@example.org")
    assert (person.last_name, person.first_name) == ("Ionescu", "Mihai")
    if kind == "participations":
        assert person.enrolments.get().training_session.course == course


@pytest.mark.parametrize("kind", KINDS)
def test_the_csv_template_is_utf8_with_bom_semicolons_and_imports(admin_client, kind):
    data = download(admin_client, kind, "csv")

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == sample_files.headers(kind)
    assert "Data nașterii" in rows[0]
    assert len(rows) == 2
    summary = engine.Importer(kind=kind, acting_user=None, **options(kind)).run(data)
    assert summary.errors == []
    assert summary.written


def test_template_headers_are_the_columns_of_the_kind_without_the_full_name():
    table = read_table(sample_files.template_xlsx("participations"), is_header=lambda h: True)
    expected = [
        cols.COLUMNS[name][0] for name in cols.KIND_COLUMNS["participations"] if name != "full_name"
    ]
    assert table.headers == expected
    assert cols.COLUMNS["full_name"][0] not in table.headers
    roster = read_table(sample_files.template_xlsx("roster"), is_header=lambda h: True)
    assert roster.headers[-2:] == ["Ziua 1", "Ziua 2"]


def test_the_instructions_sheet_explains_columns_and_lists_the_reference_data():
    with translation.override("ro"):
        workbook = load_workbook(io.BytesIO(sample_files.template_xlsx("participations")))
        sheet_title = gettext("Instructions")[:31]
        assert workbook.sheetnames[1] == sheet_title
        sheet = workbook[sheet_title]
        first_column = [row[0] for row in sheet.iter_rows(values_only=True)]
        text = "\n".join(
            " ".join(str(v) for v in row if v) for row in sheet.iter_rows(values_only=True)
        )
        assert gettext("County codes") in first_column
        assert "dd.mm.yyyy" in text
    for county in County.objects.all():
        assert county.code in first_column
    for category in ProfessionalCategory.objects.all():
        assert category.name in first_column
    for institution_type in InstitutionType.objects.all():
        assert institution_type.name in first_column
    for name in cols.KIND_COLUMNS["participations"]:
        assert cols.COLUMNS[name][0] in first_column
    assert "conferință" in text


def test_the_activity_words_listed_are_the_ones_the_import_reads():
    listed = {
        cols.fold(word): value
        for value, words in sample_files.ACTIVITY_WORDS.items()
        for word in words
    }
    for folded, value in listed.items():
        assert engine.ACTIVITY_TYPES.get(folded) == value
    assert set(sample_files.ACTIVITY_WORDS) == set(engine.ACTIVITY_TYPES.values())


def test_unknown_template_kind_or_format_is_not_found(admin_client):
    assert admin_client.get("/admin/imports/template/persons.xlsx").status_code == 404
    assert admin_client.get("/admin/imports/template/registry.pdf").status_code == 404
