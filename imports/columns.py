"""The columns an import understands, their synonyms, and how a cell's value is read.

Headers match whatever their case, diacritics, spacing and punctuation: "Județ", "JUDET",
"judeţ" and "Judet:" are all the county. Values are trimmed and normalised (NFC, cedilla ş ţ to
comma-below ș ț)."""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from training.text import normalize_text


@lru_cache(maxsize=65536)  # the same headers, counties, institutions and courses repeat
def fold(text: str) -> str:
    """Lower case, no diacritics, letters and digits only: how headers and names of things are
    compared."""
    decomposed = unicodedata.normalize("NFKD", normalize_text(str(text)).casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


# Canonical name -> (the header the templates use, the synonyms accepted besides it).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "last_name": ("Nume", ("Nume de familie", "Numele", "Last name", "Surname")),
    "first_name": ("Prenume", ("Prenumele", "First name", "Given name")),
    "full_name": (
        "Nume și prenume",
        ("Nume prenume", "Numele și prenumele", "Nume complet", "Participant", "Full name"),
    ),
    "cnp": ("CNP", ("Cod numeric personal",)),
    "birth_date": ("Data nașterii", ("Data de naștere", "Data naștere", "Birth date")),
    "sex": ("Sex", ("Gen", "Genul")),
    "email": ("Email", ("E-mail", "Adresa de e-mail", "Adresă e-mail", "Mail")),
    "phone": ("Telefon", ("Tel", "Nr. telefon", "Număr de telefon", "Mobil", "Phone")),
    "county": ("Județ", ("Județul", "Județ persoană", "County")),
    "institution": ("Instituția", ("Instituție", "Angajator", "Loc de muncă", "Institution")),
    "institution_type": ("Tip instituție", ("Tipul instituției", "Institution type")),
    "category": (
        "Categoria profesională",
        ("Categorie profesională", "Funcția", "Funcție", "Profesia", "Ocupația", "Category"),
    ),
    "eil_member": ("Membru EIL", ("EIL", "Membru în EIL")),
    # Historical participations: the session each row belongs to.
    "project": ("Proiect", ("Proiectul", "Project")),
    "course": ("Curs", ("Cursul", "Modul", "Course")),
    "session_code": ("Cod sesiune", ("Codul sesiunii", "Session code")),
    "start_date": ("Data început", ("Data de început", "Data start", "Start date")),
    "end_date": ("Data sfârșit", ("Data de sfârșit", "Data final", "End date")),
    "session_county": ("Județ sesiune", ("Județul sesiunii", "Session county")),
    "activity_type": ("Tip activitate", ("Tipul activității", "Activity type")),
    "present": ("Prezent", ("Prezență", "Prezenta", "Present")),
    "days_present": ("Zile prezent", ("Zile prezență", "Nr. zile prezent", "Days present")),
    "hours_present": ("Ore prezent", ("Ore prezență", "Nr. ore", "Hours present")),
    "certificate_serial": (
        "Serie certificat",
        ("Seria certificatului", "Nr. certificat", "Număr certificat", "Certificate number"),
    ),
}
PERSON_COLUMNS = (
    "last_name",
    "first_name",
    "full_name",
    "cnp",
    "birth_date",
    "sex",
    "email",
    "phone",
    "county",
    "institution",
    "institution_type",
    "category",
    "eil_member",
)
SESSION_COLUMNS = (
    "project",
    "course",
    "session_code",
    "start_date",
    "end_date",
    "session_county",
    "activity_type",
    "present",
    "days_present",
    "hours_present",
    "certificate_serial",
)
# What each import kind reads (the roster adds one column per session day).
KIND_COLUMNS = {
    "registry": PERSON_COLUMNS,
    "roster": PERSON_COLUMNS,
    "participations": PERSON_COLUMNS + SESSION_COLUMNS,
}

_BY_FOLDED = {
    fold(header): name
    for name, (header, synonyms) in COLUMNS.items()
    for header in (header, *synonyms)
}
_DAY_NUMBER = re.compile(r"(?:ziua|ziu|zi|day)(\d{1,3})")


def column_for(header: str) -> str | None:
    return _BY_FOLDED.get(fold(header))


def day_number(header: str) -> int | None:
    """N for a "Ziua N" (or "Day N") header."""
    match = _DAY_NUMBER.fullmatch(fold(header))
    return int(match.group(1)) if match else None


def header_date(header: str) -> datetime.date | None:
    """The date a day column's header names: dd.mm.yyyy (as the reader writes a date cell),
    d.m.yyyy, dd/mm/yyyy or yyyy-mm-dd."""
    text = str(header).strip()
    for pattern in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


class CellError(Exception):
    """A value that cannot be read; the message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(str(value))


def parse_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    for pattern in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%y"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}", raw):
        raise CellError(_("“%(value)s” is not a date that exists.") % {"value": raw})
    raise CellError(_("“%(value)s” is not a date: write it as dd.mm.yyyy.") % {"value": raw})


_YES = {"da", "d", "yes", "y", "x", "1", "adevarat", "true", "prezent", "p"}
_NO = {"nu", "n", "no", "0", "fals", "false", "absent", "a"}


def parse_yes_no(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    folded = fold(text(value))
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError(_("“%(value)s” is neither Da nor Nu.") % {"value": text(value)})


_SEX = {"f": "F", "feminin": "F", "femeie": "F", "female": "F", "m": "M", "masculin": "M"}
_SEX |= {"barbat": "M", "male": "M"}


def parse_sex(value) -> str:
    if value is None or value == "":
        return ""
    folded = fold(text(value))
    if folded in _SEX:
        return _SEX[folded]
    raise CellError(
        _("“%(value)s” is not a sex: write F or M (feminin, masculin).") % {"value": text(value)}
    )


def parse_number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float):
        return Decimal(str(value))
    raw = text(value).replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": text(value)}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": text(value)})
    return number


def normalize_phone(value) -> str:
    """Digits only, a leading + kept; +40 / 0040 become the national 0."""
    raw = text(value)
    if not raw:
        return ""
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("+40"):
        digits = "0" + digits[3:]
    elif digits.startswith("0040"):
        digits = "0" + digits[4:]
    if len(re.sub(r"\D", "", digits)) < 6 or len(digits) > 32:
        raise CellError(_("“%(value)s” is not a phone number.") % {"value": raw})
    return digits


def person_name_case(name: str) -> str:
    """Names written all upper or all lower case get capitals: "POPESCU ANA-MARIA" becomes
    "Popescu Ana-Maria"; names with mixed case are kept as written."""
    if name.isupper() or name.islower():
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), name.lower())
    return name


def split_full_name(full: str) -> tuple[str, str]:
    """(last name, first name) from one "Nume și prenume" cell. "POPESCU Ana Maria": the words
    in capitals are the last name; otherwise the first word is, as Romanian lists write it."""
    words = full.split()
    if len(words) < 2:
        return full, ""
    upper = [w for w in words if w.isupper() and len(w) > 1]
    if upper and len(upper) < len(words):
        last = [w for w in words if w in upper]
        first = [w for w in words if w not in upper]
        return " ".join(last), " ".join(first)
    return words[0], " ".join(words[1:])
