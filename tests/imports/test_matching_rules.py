"""The person-matching rules of issue 8, strongest first, as an import applies them."""

import datetime

import pytest

from tests.factories.training import ProfessionalFactory, build_cnp
from tests.imports.conftest import make_xlsx
from training import cnp as cnp_utils
from training.models import DuplicateCandidate, PersonIdentifier, Professional

HEADERS = [
    "Nume",
    "Prenume",
    "CNP",
    "Data nașterii",
    "Email",
    "Telefon",
    "Județ",
    "Instituția",
    "Tip instituție",
]
BORN = datetime.date(1984, 3, 15)
CNP_1 = build_cnp("2", BORN, serial="123")
CNP_2 = build_cnp("2", BORN, serial="456")


def row(last="Popescu", first="Ana", cnp=None, born=None, email=None, phone=None, **kw):
    county = kw.get("county", "CJ")
    institution = kw.get("institution", "DGASPC Cluj")
    kind = kw.get("kind", "DGASPC")
    return [last, first, cnp, born, email, phone, county, institution, kind]


def registry(run, *rows):
    summary = run("registry", make_xlsx(list(rows), HEADERS))
    assert summary.errors == []
    assert summary.written
    return summary


def pairs():
    return {
        (frozenset({c.first.full_name, c.second.full_name}), c.reason)
        for c in DuplicateCandidate.objects.select_related("first", "second")
    }


# --- rule 1: CNP ---------------------------------------------------------------------------


def test_same_valid_cnp_is_the_same_person_whatever_the_name_and_email(run):
    summary = registry(
        run,
        row("Popescu", "Ana", cnp=CNP_1, email="ana@dgaspc.ro"),
        row("Ionescu", "Ana-Maria", cnp=CNP_1, email="ana.personal@gmail.com"),
    )
    assert summary.created == 1
    person = Professional.objects.get()
    assert person.cnp_hash == cnp_utils.hash_cnp(CNP_1)
    assert person.birth_date == BORN  # from the CNP
    # the second row's spelling and address are kept as identifiers of the same person
    assert set(person.identifiers.values_list("kind", "value")) >= {
        ("email", "ana.personal@gmail.com"),
        ("name", "Ionescu Ana-Maria"),
    }
    # and a later import with the CNP alone finds the same person
    summary = registry(run, row("Pop", "A.", cnp=CNP_1, county="B", institution=None))
    assert (summary.created, summary.matched) == (0, 1)
    assert Professional.objects.count() == 1


def test_cnp_conflict_with_an_email_match_goes_to_review_not_merged(run):
    registry(run, row("Popescu", "Ana", cnp=CNP_1, email="ana@dgaspc.ro"))
    first = Professional.objects.get()

    summary = registry(run, row("Popescu", "Ana", cnp=CNP_2, email="ANA@dgaspc.ro"))

    assert summary.created == 1
    assert summary.matched == 0
    assert summary.review_candidates == 1
    assert [c["reason"] for c in summary.candidates] == [
        str(DuplicateCandidate.Reason.CNP_CONFLICT.label)
    ]
    second = Professional.objects.exclude(pk=first.pk).get()
    assert second.cnp_hash == cnp_utils.hash_cnp(CNP_2)
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.first_id, candidate.second_id} == {first.pk, second.pk}
    assert candidate.reason == DuplicateCandidate.Reason.CNP_CONFLICT
    assert candidate.status == DuplicateCandidate.Status.OPEN
    first.refresh_from_db()
    assert first.email == "ana@dgaspc.ro"
    assert first.cnp_hash == cnp_utils.hash_cnp(CNP_1)
    # the address stays the first person's: the second record does not claim it
    assert second.email == ""


def test_cnp_conflict_inside_one_file(run):
    summary = registry(
        run,
        row("Popescu", "Ana", cnp=CNP_1, email="ana@dgaspc.ro"),
        row("Popescu", "Ana", cnp=CNP_2, email="ana@dgaspc.ro"),
    )
    assert summary.created == 2
    assert pairs() == {(frozenset({"Ana Popescu"}), DuplicateCandidate.Reason.CNP_CONFLICT)}


# --- rule 2: e-mail -----------------------------------------------------------------------


def test_same_email_whatever_its_case_is_the_same_person(run):
    known = ProfessionalFactory(
        first_name="Ioana", last_name="Marin", email="Ioana.Marin@DGASPC-cj.ro"
    )
    summary = registry(run, row("MARIN-POP", "IOANA", email="ioana.marin@dgaspc-cj.ro"))
    assert (summary.created, summary.matched) == (0, 1)
    assert Professional.objects.get().pk == known.pk


def test_an_additional_email_seen_on_an_earlier_import_matches(run):
    registry(run, row("Popescu", "Ana", born="15.03.1984", email="ana@dgaspc.ro"))
    # same person by name and birth date, with a personal address
    registry(run, row("Popescu", "Ana", born="15.03.1984", email="ana.popescu@gmail.com"))
    person = Professional.objects.get()
    assert person.email == "ana@dgaspc.ro"
    assert PersonIdentifier.objects.filter(
        professional=person, kind="email", key="ana.popescu@gmail.com"
    ).exists()
    # a third list knows her only by the personal address, under another name and county
    summary = registry(
        run,
        row("Ionescu", "Ana", email="Ana.Popescu@Gmail.com", county="B", institution=None),
    )
    assert (summary.created, summary.matched) == (0, 1)
    assert Professional.objects.count() == 1


# --- rule 3: name key + birth date -------------------------------------------------------


@pytest.mark.parametrize(
    ("first_spelling", "second_spelling"),
    [
        (("Câmpeanu", "Ștefan"), ("Cîmpeanu", "Ştefan")),  # î/â, cedilla/comma-below
        (("Câmpeanu", "Ștefan"), ("CAMPEANU", "stefan")),  # case, no diacritics
        (("Câmpeanu", "Ștefan"), ("Ștefan", "Câmpeanu")),  # order swapped
        (("Țurcanu", "Ana Maria"), ("ŢURCANU", "Ana-Maria")),  # cedilla upper, hyphen
    ],
)
def test_same_name_key_and_birth_date_is_the_same_person(run, first_spelling, second_spelling):
    summary = registry(
        run,
        row(*first_spelling, born="15.03.1984", email="one@example.org"),
        row(*second_spelling, born="15.03.1984", email="two@example.org", county="B"),
    )
    assert summary.created == 1
    person = Professional.objects.get()
    assert (person.last_name, person.first_name) == first_spelling
    assert PersonIdentifier.objects.filter(
        professional=person, kind="email", key="two@example.org"
    ).exists()


def test_same_name_but_another_birth_date_is_another_person(run):
    summary = registry(
        run,
        row("Popescu", "Ana", born="15.03.1984", email="one@example.org"),
        row("Popescu", "Ana", born="16.03.1984", email="two@example.org", county="B"),
    )
    assert summary.created == 2


# --- rule 4: probable duplicates ----------------------------------------------------------


def test_same_name_same_institution_is_a_new_person_and_a_review_candidate(run):
    summary = registry(
        run,
        row("Popescu", "Ana", email="one@example.org"),
        row("POPESCU", "Ana", email="two@example.org"),
    )
    assert summary.created == 2
    assert summary.review_candidates == 1
    assert pairs() == {(frozenset({"Ana Popescu"}), DuplicateCandidate.Reason.NAME_INSTITUTION)}
    assert summary.candidates[0]["row"] == 3
    assert summary.candidates[0]["other_row"] == 2


def test_near_name_in_the_same_county_is_a_review_candidate(run):
    summary = registry(
        run,
        row("Popescu", "Ana", email="one@example.org", institution="DGASPC Cluj"),
        row("Popesco", "Ana", email="two@example.org", institution="Spitalul Județean Cluj"),
    )
    assert summary.created == 2
    assert pairs() == {
        (frozenset({"Ana Popescu", "Ana Popesco"}), DuplicateCandidate.Reason.NEAR_NAME)
    }


def test_near_name_in_another_county_is_no_candidate(run):
    summary = registry(
        run,
        row("Popescu", "Ana", email="one@example.org", institution="DGASPC Cluj"),
        row("Popesco", "Ana", email="two@example.org", county="IS", institution="DGASPC Iași"),
    )
    assert summary.created == 2
    assert summary.review_candidates == 0
    assert not DuplicateCandidate.objects.exists()


def test_two_edits_apart_is_no_candidate(run):
    summary = registry(
        run,
        row("Popescu", "Ana", email="one@example.org", institution="DGASPC Cluj"),
        row("Popesko", "Ane", email="two@example.org", institution="Spitalul Județean Cluj"),
    )
    assert summary.created == 2
    assert summary.review_candidates == 0


# --- what later rows bring ----------------------------------------------------------------


def test_a_later_row_keeps_its_differences_as_identifiers_and_overwrites_nothing(run):
    registry(
        run,
        row("Popescu", "Ana", born="15.03.1984", email="ana@dgaspc.ro", phone="0722 111 222"),
    )
    summary = registry(
        run,
        row(
            "Popescu-Ionescu",
            "Ana",
            cnp=build_cnp("2", BORN, serial="777"),
            email="ana@dgaspc.ro",
            phone="+40 733 444 555",
            county="B",
            institution=None,
        ),
    )
    assert (summary.created, summary.matched) == (0, 1)
    person = Professional.objects.get()
    assert person.last_name == "Popescu"
    assert person.email == "ana@dgaspc.ro"
    assert person.phone == "0722111222"
    assert person.county.code == "CJ"
    # the CNP was empty: it is filled in
    assert person.cnp_hash == cnp_utils.hash_cnp(build_cnp("2", BORN, serial="777"))
    kept = set(person.identifiers.exclude(kind="row").values_list("kind", "value"))
    assert ("phone", "0733444555") in kept
    assert ("name", "Popescu-Ionescu Ana") in kept


def test_a_later_email_does_not_overwrite_the_stored_one(run):
    registry(run, row("Popescu", "Ana", cnp=CNP_1, email="ana@dgaspc.ro"))
    registry(run, row("Popescu", "Ana", cnp=CNP_1, email="ana.popescu@gmail.com"))
    person = Professional.objects.get()
    assert person.email == "ana@dgaspc.ro"
    assert set(person.identifiers.filter(kind="email").values_list("key", flat=True)) == {
        "ana.popescu@gmail.com"
    }


def test_empty_fields_are_filled_from_a_later_row(run):
    registry(run, row("Popescu", "Ana", cnp=CNP_1))
    person = Professional.objects.get()
    assert (person.email, person.phone) == ("", "")
    summary = registry(
        run, row("Popescu", "Ana", cnp=CNP_1, email="ana@dgaspc.ro", phone="0722111222")
    )
    assert summary.updated == 1
    person.refresh_from_db()
    assert (person.email, person.phone) == ("ana@dgaspc.ro", "0722111222")


def test_rows_without_email_cnp_or_birth_date_meet_by_their_identity_columns(run):
    """Rule 4 of the module: the same identity columns on two rows of a list are one person
    (and the same list imported again finds them)."""
    summary = registry(run, row("Popescu", "Ana"), row("POPESCU", "ANA"))
    assert summary.created == 1
    assert summary.review_candidates == 0


def test_empty_fields_are_filled_from_a_later_row_of_the_same_file(run):
    """A person the import adds, met again further down: what the later row brings fills the
    new record too (else the next import of the same file would change it)."""
    summary = registry(
        run,
        row("Popescu", "Ana", born="15.03.1984"),
        row("POPESCU", "ANA", born="15.03.1984", email="ana@dgaspc.ro", phone="0722111222"),
    )
    assert summary.created == 1
    person = Professional.objects.get()
    assert (person.email, person.phone) == ("ana@dgaspc.ro", "0722111222")
