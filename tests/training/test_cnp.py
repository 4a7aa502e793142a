"""CNP validation (python-stdnum plus the gaps it leaves), masking, encryption and keyed hash."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override
from stdnum.ro import cnp as stdnum_cnp

from training import cnp
from training.cnp import decrypt_cnp, encrypt_cnp, hash_cnp, mask_cnp, validate_cnp

WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)


def with_check_digit(first12: str) -> str:
    """Append the control digit computed as the law describes (remainder 10 gives 1)."""
    assert len(first12) == 12 and first12.isdigit()
    remainder = sum(w * int(d) for w, d in zip(WEIGHTS, first12, strict=True)) % 11
    return first12 + ("1" if remainder == 10 else str(remainder))


def build(sex: str, born: datetime.date, county: str = "12", serial: str = "345") -> str:
    return with_check_digit(f"{sex}{born:%y%m%d}{county}{serial}")


def wrong_check_digit(number: str) -> str:
    return number[:12] + str((int(number[12]) + 1) % 10)


def error_code(value: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate_cnp(value, **kwargs)
    return excinfo.value.code


# A man born 1 January 1980 in Cluj, serial 345.
MAN_1980 = build("1", datetime.date(1980, 1, 1))


class TestValidCnps:
    @pytest.mark.parametrize(
        ("sex", "born", "county"),
        [
            ("1", datetime.date(1980, 1, 1), "12"),  # man, 1900s, Cluj
            ("2", datetime.date(1975, 12, 31), "40"),  # woman, 1900s, București
            ("2", datetime.date(1992, 2, 29), "41"),  # leap day, Sector 1
            ("5", datetime.date(2001, 6, 15), "51"),  # man, 2000s, Călărași
            ("6", datetime.date(2004, 3, 9), "52"),  # woman, 2000s, Giurgiu
            ("3", datetime.date(1899, 7, 4), "22"),  # man, 1800s, Iași
            ("6", datetime.date(2024, 6, 1), "70"),  # issued since May 2024
            ("7", datetime.date(1985, 5, 5), "12"),  # foreign resident
        ],
    )
    def test_real_cnps_are_accepted(self, sex, born, county):
        number = build(sex, born, county)
        assert validate_cnp(number) == number

    def test_a_remainder_of_ten_gives_control_digit_one(self):
        # Find a prefix whose weighted sum leaves 10: its control digit must be 1.
        for serial in range(1, 1000):
            prefix = f"180010112{serial:03d}"
            if sum(w * int(d) for w, d in zip(WEIGHTS, prefix, strict=True)) % 11 == 10:
                break
        number = with_check_digit(prefix)
        assert number[12] == "1"
        assert validate_cnp(number) == number

    def test_separators_and_surrounding_spaces_are_removed(self):
        spaced = f" {MAN_1980[0]} {MAN_1980[1:7]}-{MAN_1980[7:9]} {MAN_1980[9:]} "
        assert validate_cnp(spaced) == MAN_1980

    def test_born_today_is_accepted(self):
        today = timezone.localdate()
        number = build("6" if today.year >= 2000 else "2", today)
        assert validate_cnp(number) == number


class TestInvalidCnps:
    @pytest.mark.parametrize("value", ["", "123", MAN_1980 + "0", MAN_1980[:12] + "X", None])
    def test_wrong_format(self, value):
        assert error_code(value) == "cnp_format"

    def test_wrong_check_digit(self):
        assert error_code(wrong_check_digit(MAN_1980)) == "cnp_checksum"

    def test_wrong_check_digit_message_in_english(self):
        with override("en"), pytest.raises(ValidationError) as excinfo:
            validate_cnp(wrong_check_digit(MAN_1980))
        assert excinfo.value.messages == ["The CNP control digit is wrong."]

    @pytest.mark.parametrize(
        "first12",
        [
            "180023012345",  # 30 February
            "180130112345",  # month 13
            "199022912345",  # 29 February 1999 (not a leap year)
            "180010199345",  # unknown county code 99
            "080010112345",  # sex digit 0
        ],
    )
    def test_impossible_dates_sex_digits_or_counties(self, first12):
        assert error_code(with_check_digit(first12)) == "cnp_invalid"


class TestGapsInPythonStdnum:
    def test_serial_000_is_refused(self):
        number = build("1", datetime.date(1980, 1, 1), serial="000")
        assert stdnum_cnp.is_valid(number)  # the gap this project closes
        assert error_code(number) == "cnp_serial"

    @pytest.mark.parametrize("serial", ["001", "999"])
    def test_serials_at_the_edges_of_the_range_are_accepted(self, serial):
        number = build("1", datetime.date(1980, 1, 1), serial=serial)
        assert validate_cnp(number) == number

    def test_future_birth_date_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        number = build("5", tomorrow)
        assert stdnum_cnp.is_valid(number)
        assert error_code(number) == "cnp_future"

    def test_future_birth_date_years_ahead_is_refused(self):
        later = timezone.localdate().replace(day=1) + datetime.timedelta(days=3 * 366)
        assert error_code(build("6", later)) == "cnp_future"

    def test_foreign_resident_born_29_february_2000_needs_the_staff_override(self):
        number = build("8", datetime.date(2000, 2, 29))
        assert error_code(number) == "cnp_invalid"
        assert validate_cnp(number, allow_unverifiable_date=True) == number

    def test_the_override_still_checks_the_control_digit(self):
        number = wrong_check_digit(build("7", datetime.date(2000, 2, 29)))
        assert error_code(number, allow_unverifiable_date=True) == "cnp_checksum"

    def test_the_override_still_refuses_serial_000(self):
        number = build("7", datetime.date(2000, 2, 29), serial="000")
        assert error_code(number, allow_unverifiable_date=True) == "cnp_serial"

    def test_the_override_does_not_excuse_citizens_impossible_dates(self):
        # 29.02.1999 does not exist; the century of S = 1 is known, so no override applies.
        number = with_check_digit("199022912345")
        assert error_code(number, allow_unverifiable_date=True) == "cnp_invalid"

    @pytest.mark.parametrize(
        "first12",
        [
            "700130112345",  # month 13: no century makes it a date
            "700023212345",  # 32 February
            "700022999345",  # unknown county code 99
        ],
    )
    def test_the_override_still_refuses_dates_and_counties_that_exist_in_no_century(self, first12):
        with pytest.raises(ValidationError):
            validate_cnp(with_check_digit(first12), allow_unverifiable_date=True)

    def test_former_sectors_47_and_48_before_1979(self):
        for county in ("47", "48"):
            number = build("1", datetime.date(1979, 12, 18), county=county)
            assert validate_cnp(number) == number

    @pytest.mark.parametrize(
        "born", [datetime.date(1979, 12, 19), datetime.date(1985, 4, 2), datetime.date(2003, 1, 1)]
    )
    def test_former_sectors_47_and_48_are_refused_after_1979(self, born):
        sex = "5" if born.year >= 2000 else "1"
        for county in ("47", "48"):
            number = build(sex, born, county=county)
            assert stdnum_cnp.is_valid(number)
            assert error_code(number) == "cnp_former_sector"


class TestMask:
    def test_only_the_sex_digit_and_the_last_three_digits_show(self):
        masked = mask_cnp(MAN_1980)
        assert masked[0] == MAN_1980[0]
        assert masked[-3:] == MAN_1980[-3:]
        assert len(masked) == 13
        assert sum(ch.isdigit() for ch in masked) == 4

    def test_the_birth_date_and_county_are_hidden(self):
        masked = mask_cnp(MAN_1980)
        assert MAN_1980[1:9] not in masked
        assert "800101" not in masked

    def test_nothing_to_mask(self):
        assert mask_cnp("") == ""


class TestEncryption:
    def test_roundtrip(self):
        token = encrypt_cnp(MAN_1980)
        assert decrypt_cnp(token) == MAN_1980

    def test_the_ciphertext_does_not_contain_the_digits(self):
        token = encrypt_cnp(MAN_1980)
        assert MAN_1980 not in token
        assert MAN_1980[1:7] not in token

    def test_the_same_cnp_encrypts_differently_each_time(self):
        assert encrypt_cnp(MAN_1980) != encrypt_cnp(MAN_1980)

    def test_tampered_or_empty_ciphertext_reads_as_empty(self):
        token = encrypt_cnp(MAN_1980)
        assert decrypt_cnp("") == ""
        assert decrypt_cnp(token[:-4] + "AAAA") == ""

    def test_another_key_cannot_decrypt(self, settings):
        token = encrypt_cnp(MAN_1980)
        settings.FORMATIV_PII_KEY = "another-server-secret"
        cnp._keys.cache_clear()
        assert decrypt_cnp(token) == ""


class TestKeyedHash:
    def test_the_hash_is_stable_and_tells_numbers_apart(self):
        other = build("2", datetime.date(1980, 1, 1))
        assert hash_cnp(MAN_1980) == hash_cnp(MAN_1980)
        assert hash_cnp(MAN_1980) != hash_cnp(other)

    def test_the_hash_is_not_a_plain_digest_of_the_cnp(self):
        digest = hash_cnp(MAN_1980)
        assert digest != hashlib.sha256(MAN_1980.encode()).hexdigest()
        assert MAN_1980 not in digest

    def test_the_hash_depends_on_the_server_key(self, settings):
        original_key = settings.FORMATIV_PII_KEY
        before = hash_cnp(MAN_1980)
        settings.FORMATIV_PII_KEY = "another-server-secret"
        cnp._keys.cache_clear()
        after = hash_cnp(MAN_1980)
        assert after != before
        settings.FORMATIV_PII_KEY = original_key
        cnp._keys.cache_clear()
        assert hash_cnp(MAN_1980) == before


def test_a_first_digit_of_9_is_refused():
    # 9 starts a foreigner's tax number (NIF), not a CNP.
    assert error_code(build("9", datetime.date(1980, 5, 17))) == "cnp_invalid"
