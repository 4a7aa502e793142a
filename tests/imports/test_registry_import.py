"""The registry import: persons with their institution, county, category and EIL membership."""

import datetime

from django.utils import translation
from django.utils.translation import gettext

from tests.factories.training import InstitutionFactory, build_cnp, county
from tests.imports.conftest import make_xlsx
from training.models import Institution, LocalTeamMembership, Professional

HEADERS = [
    "Nume și prenume",
    "Sex",
    "Data nașterii",
    "Telefon",
    "Județ",
    "Instituția",
    "Tip instituție",
    "Funcția",
    "Membru EIL",
]


def test_a_full_registry_row(run):
    rows = [
        [
            "POPESCU Ana Maria",
            "feminin",
            datetime.date(1984, 3, 15),  # an Excel date cell
            "+40 722 111 222",
            "Județul Cluj",
            "DGASPC Cluj",
            "DGASPC",
            "Asistent Social",
            "Da",
        ],
        # the institution again, its type not repeated; county by code; "NUME Prenume" order
        ["IONESCU Mihai", "M", "01.02.1975", None, "cj", "DGASPC CLUJ", None, None, "Nu"],
    ]
    summary = run("registry", make_xlsx(rows, HEADERS))
    assert summary.errors == []
    assert (summary.created, summary.institutions_created, summary.eil_memberships) == (2, 1, 1)
    ana = Professional.objects.get(last_name="Popescu")
    assert (ana.first_name, ana.sex, ana.birth_date, ana.phone) == (
        "Ana Maria",
        "F",
        datetime.date(1984, 3, 15),
        "0722111222",
    )
    assert ana.county == county("CJ")
    assert ana.institution.name == "DGASPC Cluj"
    assert ana.institution.institution_type.name == "DGASPC"
    assert ana.category.name == "asistent social"
    assert LocalTeamMembership.objects.get().professional == ana
    mihai = Professional.objects.get(last_name="Ionescu")
    assert mihai.institution == ana.institution
    assert Institution.objects.count() == 1


def test_a_known_institution_gives_the_county(run):
    known = InstitutionFactory(name="Spitalul Județean Brașov", county=county("BV"))
    data = make_xlsx([["Pop Ion", "Spitalul Judetean Brasov"]], ["Nume și prenume", "Instituția"])
    summary = run("registry", data)
    assert summary.errors == []
    person = Professional.objects.get()
    assert (person.institution, person.county.code) == (known, "BV")


def test_a_new_institution_needs_a_type_and_a_county(run):
    rows = [
        ["Pop Ion", "CJ", "Asociația Nouă", None],
        ["Pop Ana", None, "Altă Asociație", "ONG (servicii pentru victime)"],
    ]
    with translation.override("ro"):
        summary = run(
            "registry",
            make_xlsx(rows, ["Nume și prenume", "Județ", "Instituția", "Tip instituție"]),
        )
        expected = {
            (
                2,
                "Instituția",
                gettext(
                    "The institution “%(value)s” is not in the registry: give its type (“Tip "
                    "instituție”, see the instructions) so that it is added."
                )
                % {"value": "Asociația Nouă"},
            ),
            (
                3,
                "Instituția",
                gettext("The institution “%(value)s” is not in the registry: give its county.")
                % {"value": "Altă Asociație"},
            ),
        }
    assert {(e.row, e.column, e.message) for e in summary.errors} == expected
    assert not Institution.objects.exists()


def test_a_person_without_a_county_is_a_row_error(run):
    summary = run(
        "registry", make_xlsx([["Pop Ion", "ion@example.org"]], ["Nume și prenume", "Email"])
    )
    assert [e.row for e in summary.errors] == [2]
    assert not Professional.objects.exists()


def test_other_category_keeps_what_the_file_says(run):
    data = make_xlsx(
        [["Pop", "Ion", "CJ", "altă categorie"]],
        ["Nume", "Prenume", "Județ", "Categoria profesională"],
    )
    assert run("registry", data).errors == []
    assert Professional.objects.get().category_detail == "altă categorie"


def test_cnp_and_birth_date_must_agree(run):
    cnp = build_cnp("1", datetime.date(1975, 2, 1))
    data = make_xlsx(
        [["Pop Ion", cnp, "02.02.1975", "CJ"], ["Pop Ana", cnp[:-1], None, "CJ"]],
        ["Nume și prenume", "CNP", "Data nașterii", "Județ"],
    )
    summary = run("registry", data)
    assert [(e.row, e.column) for e in summary.errors] == [(2, "Data nașterii"), (3, "CNP")]


def test_bad_values_are_row_errors_on_their_columns(run):
    rows = [["Pop Ion", "x", "neștiut", "12", "CJ", "poate", "nu@", "Astronaut"]]
    headers = [
        "Nume și prenume",
        "Sex",
        "Data nașterii",
        "Telefon",
        "Județ",
        "Membru EIL",
        "Email",
        "Funcția",
    ]
    summary = run("registry", make_xlsx(rows, headers))
    assert {e.column for e in summary.errors} == {
        "Sex",
        "Data nașterii",
        "Telefon",
        "Membru EIL",
        "Email",
        "Funcția",
    }
    assert summary.rejected == [2]


def test_neutralised_cells_are_read_back(run):
    """A phone an export neutralised against formula injection ('+40...) reads back."""
    data = make_xlsx([["Pop Ion", "'+40722111222", "CJ"]], ["Nume și prenume", "Telefon", "Județ"])
    assert run("registry", data).errors == []
    assert Professional.objects.get().phone == "0722111222"
