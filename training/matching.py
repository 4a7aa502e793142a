"""Who is who: the person-matching rules every import and sign-up apply, strongest first.

1. the same valid CNP is the same person (but a CNP that differs from the one of the person an
   e-mail address points to is a conflict for review, never a merge);
2. the same e-mail address (any one seen for the person, case-insensitive);
3. the same name key (diacritics-, case- and order-insensitive, any spelling seen for the
   person) and the same birth date;
4. the same identity columns as an imported row seen before (how a re-import finds its people,
   and how a list without e-mail, CNP or birth date finds the same person on its other rows).

Otherwise it is a new person, and a *probable* duplicate of anyone with the same name key at the
same institution, or a name key at most one edit apart in the same county: those pairs go to the
review queue, never merged by themselves.

`PersonIndex` holds the registry's identifiers in memory (a few queries, whatever the number of
rows to match), and learns the people an import adds as it goes."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from training.models import DuplicateCandidate, PersonIdentifier, Professional
from training.text import name_match_key, normalize_text

Reason = DuplicateCandidate.Reason


@dataclass
class Identity:
    """What a row (or a sign-up) says about a person, normalised."""

    match_key: str
    email: str = ""
    cnp_hash: str | None = None
    birth_date: object = None
    phone: str = ""
    county_id: int | None = None
    institution_id: int | None = None
    # the institution as written: rows' keys use it (an institution an import creates has no
    # id on the first import and one on the next)
    institution_name: str = ""

    def row_key(self) -> str:
        parts = (
            self.match_key,
            self.email,
            self.cnp_hash or "",
            self.birth_date.isoformat() if self.birth_date else "",
            self.phone,
            str(self.county_id or ""),
            name_match_key(self.institution_name),
        )
        return _digest(parts)


@lru_cache(maxsize=65536)
def _digest(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


@dataclass
class Match:
    person: object | None  # a Professional's pk, or a placeholder the caller gave `add`
    rule: str = ""  # "cnp", "email", "name_birth", "row"; "" for a new person
    candidates: list[tuple[object, str]] = field(default_factory=list)  # (person, reason)
    # the row's e-mail belongs to someone else (rule 1 won over it): it must not be added
    email_conflict: bool = False
    # the row's CNP is another's than the e-mail's person (rule 1 vs 2): a new person
    cnp_conflict: bool = False

    def with_probable(self, index: "PersonIndex", identity: Identity) -> "Match":
        seen = {person for person, _reason in self.candidates}
        for person, reason in index.probable(identity):
            if person not in seen:
                self.candidates.append((person, reason))
        return self


def name_identifier_key(written: str) -> str:
    """A spelling of a name as an identifier's key: its matching key, then the spelling itself
    (so that every spelling is kept, and matching reads the part before the bar)."""
    return f"{name_match_key(written)}|{normalize_text(written).casefold()}"[:255]


def _deletions(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance at most 1 (a transposition of neighbours counts as one too)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


class PersonIndex:
    def __init__(self):
        self.by_cnp: dict[str, object] = {}
        self.by_email: dict[str, object] = {}
        self.by_name_birth: dict[tuple, object] = {}
        self.by_row: dict[str, object] = {}
        self.by_name_institution: dict[tuple, list] = defaultdict(list)
        self.by_name_county: dict[tuple, list] = defaultdict(list)
        self.near: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.cnp_of: dict[object, str | None] = {}
        self.keys_of: dict[object, set[str]] = defaultdict(set)
        self.birth_of: dict[object, object] = {}

    # --- building -------------------------------------------------------------------------

    @classmethod
    def load(cls, people: Iterable[Professional] | None = None) -> "PersonIndex":
        """The whole registry (or the given people) in three queries; erased people left out."""
        index = cls()
        queryset = Professional.objects.all() if people is None else people
        # An erased entry is matched by nothing: no import row fills it in again.
        queryset = queryset.filter(erased_at__isnull=True)
        rows = queryset.values_list(
            "pk", "match_key", "email", "cnp_hash", "birth_date", "county_id", "institution_id"
        )
        pks = []
        for pk, key, email, cnp_hash, birth, county_id, institution_id in rows:
            pks.append(pk)
            index.add(
                pk,
                Identity(
                    match_key=key,
                    email=(email or "").lower(),
                    cnp_hash=cnp_hash,
                    birth_date=birth,
                    county_id=county_id,
                    institution_id=institution_id,
                ),
                row_key=False,
            )
        identifiers = PersonIdentifier.objects.values_list("professional_id", "kind", "key")
        if people is not None:
            identifiers = identifiers.filter(professional_id__in=pks)
        for pk, kind, key in identifiers:
            index.add_identifier(pk, kind, key)
        return index

    def add(self, person, identity: Identity, *, row_key: bool = True) -> None:
        """Learn a person (or what a matched row adds to one)."""
        if identity.cnp_hash and self.cnp_of.get(person) is None:
            self.by_cnp.setdefault(identity.cnp_hash, person)
            self.cnp_of[person] = identity.cnp_hash
        else:
            self.cnp_of.setdefault(person, None)
        if identity.email:
            self.by_email.setdefault(identity.email, person)
        if identity.birth_date and self.birth_of.get(person) is None:
            self.birth_of[person] = identity.birth_date
            # the spellings seen before the birth date was known meet it too
            for key in self.keys_of.get(person, ()):
                self.by_name_birth.setdefault((key, identity.birth_date), person)
        self._add_name(person, identity.match_key, identity)
        if row_key:
            self.by_row.setdefault(identity.row_key(), person)

    def _add_name(self, person, key: str, identity: Identity | None = None) -> None:
        if not key:
            return
        self.keys_of[person].add(key)
        birth = self.birth_of.get(person)
        if birth:
            self.by_name_birth.setdefault((key, birth), person)
        if identity is not None:
            if identity.institution_id or identity.institution_name:
                slot = (key, identity.institution_id or identity.institution_name.casefold())
                if person not in self.by_name_institution[slot]:
                    self.by_name_institution[slot].append(person)
            if identity.county_id:
                slot = (key, identity.county_id)
                if person not in self.by_name_county[slot]:
                    self.by_name_county[slot].append(person)
                for variant in _deletions(key):
                    self.near[identity.county_id][variant].add(key)

    def add_identifier(self, person, kind: str, key: str) -> None:
        if kind == PersonIdentifier.Kind.EMAIL:
            self.by_email.setdefault(key, person)
        elif kind == PersonIdentifier.Kind.NAME:
            self._add_name(person, key.split("|", 1)[0])
        elif kind == PersonIdentifier.Kind.ROW:
            self.by_row.setdefault(key, person)

    # --- matching -------------------------------------------------------------------------

    def match(self, identity: Identity) -> Match:
        by_email = self.by_email.get(identity.email) if identity.email else None
        if identity.cnp_hash and identity.cnp_hash in self.by_cnp:
            person = self.by_cnp[identity.cnp_hash]
            result = Match(person, "cnp")
            if by_email is not None and by_email != person:
                result.email_conflict = True
                result.candidates.append((by_email, Reason.CNP_CONFLICT))
            return result
        if by_email is not None:
            stored = self.cnp_of.get(by_email)
            if identity.cnp_hash and stored and stored != identity.cnp_hash:
                conflict = Match(None, "", [(by_email, Reason.CNP_CONFLICT)], cnp_conflict=True)
                return conflict.with_probable(self, identity)
            return Match(by_email, "email")
        if identity.birth_date:
            person = self.by_name_birth.get((identity.match_key, identity.birth_date))
            if person is not None and not self._cnps_differ(person, identity):
                return Match(person, "name_birth")
        person = self.by_row.get(identity.row_key())
        if person is not None:
            return Match(person, "row")
        return Match(None).with_probable(self, identity)

    def _cnps_differ(self, person, identity: Identity) -> bool:
        stored = self.cnp_of.get(person)
        return bool(identity.cnp_hash and stored and stored != identity.cnp_hash)

    def probable(self, identity: Identity, *, exclude=None) -> list[tuple[object, str]]:
        found: dict[object, str] = {}
        key = identity.match_key
        if identity.institution_id or identity.institution_name:
            slot = (key, identity.institution_id or identity.institution_name.casefold())
            for person in self.by_name_institution.get(slot, ()):
                found.setdefault(person, Reason.NAME_INSTITUTION)
        if identity.county_id and key:
            near_keys = set()
            variants = self.near.get(identity.county_id, {})
            for variant in _deletions(key):
                near_keys |= variants.get(variant, set())
            for other in sorted(near_keys):
                if within_one_edit(key, other):
                    for person in self.by_name_county.get((other, identity.county_id), ()):
                        found.setdefault(person, Reason.NEAR_NAME)
        found.pop(exclude, None)
        return [
            (person, reason)
            for person, reason in found.items()
            if not self._cnps_differ(person, identity)
        ]
