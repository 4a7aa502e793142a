"""CNP (cod numeric personal): validation beyond python-stdnum, encryption at rest, keyed hash.

A national identification number (Law 190/2018): collected only where a funder's form needs it,
stored encrypted, shown masked, matched by an HMAC keyed with a server secret.
"""

import base64
import datetime
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ro import cnp as stdnum_cnp

_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)
_FORMER_SECTORS = {"47", "48"}
_FORMER_SECTORS_ABOLISHED = datetime.date(1979, 12, 19)


def _checksum_ok(number: str) -> bool:
    check = sum(w * int(n) for w, n in zip(_WEIGHTS, number, strict=False)) % 11
    return number[12] == ("1" if check == 10 else str(check))


_COUNTY_CODES = frozenset(stdnum_cnp._COUNTIES)


def _date_exists_in_some_century(number: str) -> bool:
    year, month, day = int(number[1:3]), int(number[3:5]), int(number[5:7])
    for century in (1800, 1900, 2000):
        try:
            datetime.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def birth_date(number: str) -> datetime.date | None:
    """The birth date a CNP encodes; None for foreign residents (S = 7/8: century not encoded)."""
    if number[0] in "78":
        return None
    return stdnum_cnp.get_birth_date(number)


def validate_cnp(value: str, *, allow_unverifiable_date: bool = False) -> str:
    """Return the compact CNP or raise ValidationError with a message for people.

    `allow_unverifiable_date` is the staff override for foreign residents (S = 7/8), whose
    century is not encoded, so python-stdnum wrongly rejects e.g. 29.02.2000.
    """
    number = stdnum_cnp.compact(value or "")
    if len(number) != 13 or not number.isdigit():
        raise ValidationError(_("The CNP must have exactly 13 digits."), code="cnp_format")
    if number[0] not in "12345678":
        raise ValidationError(_("The CNP must start with a digit from 1 to 8."), code="cnp_invalid")
    foreign = number[0] in "78"
    if foreign and allow_unverifiable_date:
        # The override lifts only the century python-stdnum assumes: the date must exist in
        # some century, the county code must exist, and the control digit must match.
        if not _date_exists_in_some_century(number) or number[7:9] not in _COUNTY_CODES:
            raise ValidationError(
                _("The CNP is not valid (sex digit, birth date or county code)."),
                code="cnp_invalid",
            )
        if not _checksum_ok(number):
            raise ValidationError(_("The CNP control digit is wrong."), code="cnp_checksum")
    else:
        try:
            stdnum_cnp.validate(number)
        except StdnumError as exc:
            if isinstance(exc, stdnum_cnp.InvalidChecksum):
                raise ValidationError(
                    _("The CNP control digit is wrong."), code="cnp_checksum"
                ) from exc
            raise ValidationError(
                _("The CNP is not valid (sex digit, birth date or county code)."),
                code="cnp_invalid",
            ) from exc
    if number[9:12] == "000":
        raise ValidationError(
            _("The CNP serial number must be between 001 and 999."), code="cnp_serial"
        )
    born = None if foreign else stdnum_cnp.get_birth_date(number)
    if born and born > timezone.localdate():
        raise ValidationError(_("The CNP encodes a birth date in the future."), code="cnp_future")
    if born and number[7:9] in _FORMER_SECTORS and born >= _FORMER_SECTORS_ABOLISHED:
        raise ValidationError(
            _("County codes 47 and 48 were only used for births before 1979."),
            code="cnp_former_sector",
        )
    return number


def mask_cnp(number: str) -> str:
    """Show only the sex digit and the last three digits."""
    if not number:
        return ""
    return f"{number[0]}{'•' * 9}{number[-3:]}"


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[bytes, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            secret.encode()
        )

    return base64.urlsafe_b64encode(derive(b"formativ-cnp-encryption")), derive(
        b"formativ-cnp-hmac"
    )


def encrypt_cnp(number: str) -> str:
    return Fernet(_keys(settings.FORMATIV_PII_KEY)[0]).encrypt(number.encode()).decode()


def _readers() -> MultiFernet:
    """The current key first, then the previous ones of a rotation in progress."""
    secrets = [settings.FORMATIV_PII_KEY, *getattr(settings, "FORMATIV_PII_OLD_KEYS", [])]
    return MultiFernet([Fernet(_keys(secret)[0]) for secret in secrets])


def decrypt_cnp(token: str) -> str:
    if not token:
        return ""
    try:
        return _readers().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def is_current(token: str) -> bool:
    """Whether a stored ciphertext is readable with the current key alone."""
    try:
        Fernet(_keys(settings.FORMATIV_PII_KEY)[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def hash_cnp(number: str) -> str:
    return hmac.new(
        _keys(settings.FORMATIV_PII_KEY)[1], number.encode(), hashlib.sha256
    ).hexdigest()
