"""training.matching: the edit distance and the in-memory person index."""

import datetime

import pytest

from training.matching import Identity, PersonIndex, within_one_edit
from training.models import DuplicateCandidate, PersonIdentifier
from training.text import name_match_key

R = DuplicateCandidate.Reason


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("ana popescu", "ana popescu", True),
        ("ana popescu", "ana popesco", True),  # substitution
        ("ana popescu", "ana popscu", True),  # deletion
        ("ana popscu", "ana popescu", True),  # insertion
        ("ana popescu", "ana opescu", True),
        ("ana popescu", "ana popecsu", True),  # neighbours swapped
        ("ana popescu", "ana popesc", True),  # last letter
        ("", "a", True),
        ("ana popescu", "ana popesko", False),  # two substitutions
        ("ana popescu", "ana pocespu", False),  # a swap not of neighbours
        ("ana popescu", "ana popes", False),
        ("ana popescu", "ane popesco", False),
        ("abc", "cab", False),
    ],
)
def test_within_one_edit(a, b, expected):
    assert within_one_edit(a, b) is expected
    assert within_one_edit(b, a) is expected


def ident(first="Ana", last="Popescu", **kw):
    return Identity(match_key=name_match_key(first, last), **kw)


BORN = datetime.date(1984, 3, 15)


def test_cnp_first():
    index = PersonIndex()
    index.add("p1", ident(cnp_hash="h1", email="ana@x.ro"))
    index.add("p2", ident("Maria", "Ionescu", email="maria@x.ro"))
    match = index.match(ident("Maria", "Ionescu", cnp_hash="h1", email="maria@x.ro"))
    assert (match.person, match.rule) == ("p1", "cnp")
    # the e-mail belonged to someone else: kept out, the pair goes to review
    assert match.email_conflict
    assert match.candidates == [("p2", R.CNP_CONFLICT)]


def test_email_with_another_cnp_is_a_conflict_not_a_match():
    index = PersonIndex()
    index.add("p1", ident(cnp_hash="h1", email="ana@x.ro"))
    match = index.match(ident(cnp_hash="h2", email="ana@x.ro"))
    assert match.person is None
    assert match.cnp_conflict
    assert ("p1", R.CNP_CONFLICT) in match.candidates


def test_email_without_cnp_matches():
    index = PersonIndex()
    index.add("p1", ident(cnp_hash="h1", email="ana@x.ro"))
    assert index.match(ident("Ioana", "Pop", email="ana@x.ro")).person == "p1"


def test_name_and_birth_date_but_not_with_another_cnp():
    index = PersonIndex()
    index.add("p1", ident(birth_date=BORN, cnp_hash="h1"))
    assert index.match(ident("ANA", "POPESCU", birth_date=BORN)).rule == "name_birth"
    assert index.match(ident(birth_date=BORN, cnp_hash="h2")).person is None
    assert index.match(ident(birth_date=BORN + datetime.timedelta(days=1))).person is None


def test_birth_date_learned_later_indexes_the_name():
    index = PersonIndex()
    index.add("p1", ident(email="ana@x.ro"))
    index.add("p1", ident(email="ana@x.ro", birth_date=BORN))
    assert index.match(ident(birth_date=BORN)).person == "p1"


def test_birth_date_learned_later_indexes_earlier_spellings_too():
    index = PersonIndex()
    index.add("p1", ident("Ana", "Câmpeanu-Pop", email="ana@x.ro"))
    index.add("p1", ident("Ana", "Pop", email="ana@x.ro", birth_date=BORN))
    assert index.match(ident("Ana", "Cîmpeanu Pop", birth_date=BORN)).person == "p1"


def test_same_row_key():
    index = PersonIndex()
    index.add("p1", ident(county_id=1))
    assert index.match(ident("ANA", "popescu", county_id=1)).rule == "row"
    assert index.match(ident(county_id=2)).person is None


def test_probable_duplicates():
    index = PersonIndex()
    index.add("same-institution", ident(email="a@x.ro", institution_id=7, county_id=1))
    index.add("near", ident("Ana", "Popesco", email="b@x.ro", county_id=1))
    index.add("far", ident("Ana", "Popesco", email="c@x.ro", county_id=2))
    match = index.match(ident(email="d@x.ro", institution_id=7, county_id=1))
    assert match.person is None
    assert dict(match.candidates) == {"same-institution": R.NAME_INSTITUTION, "near": R.NEAR_NAME}


def test_probable_duplicates_with_another_cnp_are_no_candidates():
    index = PersonIndex()
    index.add("p1", ident(email="a@x.ro", institution_id=7, cnp_hash="h1"))
    assert index.match(ident(institution_id=7, cnp_hash="h2")).candidates == []


def test_first_stored_email_wins():
    index = PersonIndex()
    index.add("p1", ident(email="ana@x.ro"))
    index.add("p2", ident("Maria", "Pop", email="ana@x.ro"))
    assert index.match(ident("X", "Y", email="ana@x.ro")).person == "p1"


@pytest.mark.django_db
def test_load_reads_records_and_their_identifiers():
    from tests.factories.training import ProfessionalFactory

    person = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email="Ana@DGASPC.ro", birth_date=BORN
    )
    PersonIdentifier.objects.create(
        professional=person, kind="email", key="ana@gmail.com", value="ana@gmail.com"
    )
    PersonIdentifier.objects.create(
        professional=person, kind="name", key=name_match_key("Ana", "Ionescu"), value="x"
    )
    index = PersonIndex.load()
    assert index.match(ident("X", "Y", email="ana@dgaspc.ro")).person == person.pk
    assert index.match(ident("X", "Y", email="ana@gmail.com")).person == person.pk
    # another spelling kept for her, with her birth date
    assert index.match(ident("ana", "ionescu", birth_date=BORN)).person == person.pk
    assert index.match(ident("ana", "ionescu")).person is None
