"""Property (issue 8): however a list spells the same people — case, diacritics or none,
cedilla ş ţ, Î/Â, name order, spacing, one "NUME Prenume" column or two — the import makes
exactly one person of each."""

import datetime
import unicodedata

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.imports.conftest import make_xlsx, run_import
from training.models import Professional
from training.text import name_match_key

LAST_NAMES = [
    "Câmpeanu",
    "Ștefănescu",
    "Țurcanu",
    "Mureșan",
    "Brâncoveanu",
    "Dumitrașcu",
    "Răileanu",
    "Chițu",
    "Popescu",
    "Mânzat",
]
FIRST_NAMES = ["Ana-Maria", "Ștefan", "Ioana", "Cătălina", "Tănase", "Florența", "Mihai Ion"]
HEADERS = ["Nume", "Prenume", "Nume și prenume", "Data nașterii", "Email", "Județ"]
_CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def inner_a_to_i(text: str) -> str:
    """Câmpeanu -> Cîmpeanu: the old spelling, î inside a word."""
    return " ".join(w[0] + w[1:].replace("â", "î") for w in text.split(" "))


def cased(text: str, how: str) -> str:
    return {"upper": text.upper(), "lower": text.lower(), "as is": text}[how]


spelling = st.fixed_dictionaries(
    {
        "letters": st.sampled_from(["as is", "no diacritics", "cedilla", "old î", "cedilla+î"]),
        "last_case": st.sampled_from(["upper", "lower", "as is"]),
        "first_case": st.sampled_from(["upper", "lower", "as is"]),
        "swapped": st.booleans(),
        "one_column": st.booleans(),
        "spaces": st.sampled_from(["", "  ", " \t"]),
        "email_case": st.sampled_from(["upper", "lower", "as is"]),
    }
)
person = st.fixed_dictionaries(
    {
        "name": st.tuples(st.sampled_from(LAST_NAMES), st.sampled_from(FIRST_NAMES)),
        "birth": st.dates(datetime.date(1950, 1, 1), datetime.date(2000, 12, 31)),
        "by_email": st.booleans(),
        "spellings": st.lists(spelling, min_size=1, max_size=4),
    }
)
people = st.lists(person, min_size=1, max_size=5, unique_by=lambda p: name_match_key(*p["name"]))


def spell(text: str, letters: str) -> str:
    if letters == "no diacritics":
        return strip_diacritics(text)
    if "cedilla" in letters:
        text = text.translate(_CEDILLA)
    if "î" in letters:
        text = inner_a_to_i(text)
    return text


def rows_for(number: int, generated: dict) -> list[list]:
    last, first = generated["name"]
    email = f"Persoana.{number}@Example.org"
    rows = []
    for s in generated["spellings"]:
        family = cased(spell(last, s["letters"]), s["last_case"])
        given_name = cased(spell(first, s["letters"]), s["first_case"])
        pad = s["spaces"]
        if s["swapped"]:
            family, given_name = given_name, family
        if s["one_column"]:
            names = [None, None, f"{pad}{family}  {pad}{given_name}{pad}"]
        else:
            names = [f"{pad}{family}{pad}", f"{given_name}{pad}", None]
        identity = (
            [None, cased(email, s["email_case"])]
            if generated["by_email"]
            else [generated["birth"].strftime("%d.%m.%Y"), None]
        )
        rows.append([*names, *identity, "CJ"])
    return rows


@settings(
    max_examples=25,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=people)
def test_every_spelling_of_a_person_is_one_person(refs, generated):
    rows = [row for number, p in enumerate(generated) for row in rows_for(number, p)]
    with transaction.atomic():
        summary = run_import("registry", make_xlsx(rows, HEADERS))

        assert summary.errors == []
        assert summary.created == len(generated)
        assert Professional.objects.count() == len(generated)
        for p in generated:
            assert Professional.objects.filter(match_key=name_match_key(*p["name"])).count() == 1
        stored = "".join(Professional.objects.values_list("last_name", "first_name").first())
        assert not set(stored) & set("şţŞŢ")
        assert stored == unicodedata.normalize("NFC", stored)
        transaction.set_rollback(True)
