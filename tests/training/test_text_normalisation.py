"""What we store and show (`normalize_text`) and how people's names are matched
(`name_match_key`)."""

import unicodedata

import pytest

from training.text import name_match_key, normalize_text

CEDILLA_LETTERS = "ŞşŢţ"  # U+015E, U+015F, U+0162, U+0163


class TestNormalizeText:
    def test_cedilla_letters_become_comma_below(self):
        assert normalize_text("Ştefan Ţepeş, ţară") == "Ștefan Țepeș, țară"

    def test_no_cedilla_letter_survives(self):
        result = normalize_text("ŞTEFĂNESCU Ţuţuianu şi Ştirbu")
        assert not set(result) & set(CEDILLA_LETTERS)
        assert {"Ș", "Ț", "ț", "ș"} <= set(result)

    def test_decomposed_letters_are_composed(self):
        decomposed = "Pa\u0306un Ma\u0302ndru"  # a + combining breve, a + combining circumflex
        result = normalize_text(decomposed)
        assert result == "Păun Mândru"
        assert unicodedata.is_normalized("NFC", result)

    def test_s_with_combining_cedilla_ends_as_comma_below(self):
        # "s" + U+0327 composes to the cedilla "ş"; it must still be stored with the comma.
        assert normalize_text("Bras\u0327ov") == "Brașov"

    def test_white_space_is_collapsed_and_trimmed(self):
        assert normalize_text("  Ana \t Maria\n  Popescu  ") == "Ana Maria Popescu"

    @pytest.mark.parametrize("value", ["", None, "   "])
    def test_empty_values_give_an_empty_string(self, value):
        assert normalize_text(value) == ""

    def test_hungarian_letters_are_kept(self):
        assert normalize_text("Szőke  Ödön Gyűrűs Éva") == "Szőke Ödön Gyűrűs Éva"

    def test_case_and_hyphens_are_left_as_written(self):
        assert normalize_text("ȘTEFĂNESCU Ana-Maria") == "ȘTEFĂNESCU Ana-Maria"


class TestNameMatchKey:
    def test_the_three_spellings_of_one_person_meet(self):
        keys = {
            name_match_key("Ştefănescu Ana-Maria"),
            name_match_key("ȘTEFĂNESCU  ana maria"),
            name_match_key("Ana Maria Stefanescu"),
        }
        assert len(keys) == 1

    def test_first_and_last_name_given_apart_meet_the_full_name(self):
        assert name_match_key("Ana-Maria", "Ştefănescu") == name_match_key("Stefanescu Ana Maria")

    def test_campeanu_and_cimpeanu_meet(self):
        assert name_match_key("Ion", "Câmpeanu") == name_match_key("Ion", "Cîmpeanu")
        assert name_match_key("Mihai", "Râmniceanu") == name_match_key("Mihai", "Rîmniceanu")

    def test_leading_i_circumflex_is_not_read_as_a_circumflex(self):
        # At the start of a word "î" stays "i": "Înceu" must meet "Inceu", not "Anceu".
        assert name_match_key("Înceu Ion") == name_match_key("Inceu Ion")
        assert name_match_key("Înceu Ion") != name_match_key("Anceu Ion")

    def test_cedilla_and_comma_below_meet(self):
        assert name_match_key("Ţugui Şerban") == name_match_key("Țugui Șerban")

    def test_punctuation_is_ignored(self):
        assert name_match_key("Popescu-Tăriceanu, Ion.") == name_match_key("Ion Popescu Tariceanu")

    def test_different_people_stay_apart(self):
        assert name_match_key("Ana Popescu") != name_match_key("Ana Popa")
        assert name_match_key("Ana Popescu") != name_match_key("Ioana Popescu")

    def test_hungarian_names_meet_their_unaccented_spelling(self):
        assert name_match_key("Szőke Ödön") == name_match_key("SZOKE odon")
        assert name_match_key("Kovács Erzsébet") == name_match_key("Erzsebet Kovacs")
        assert name_match_key("Gyűrűs Zoltán") == name_match_key("Gyurus Zoltan")

    def test_hungarian_names_keep_their_letters_in_the_key(self):
        key = name_match_key("Tőkés", "Enikő")
        assert key.split() == ["eniko", "tokes"]

    def test_distinct_hungarian_names_stay_apart(self):
        assert name_match_key("Kiss Éva") != name_match_key("Kis Éva")

    def test_empty_parts_are_skipped(self):
        assert name_match_key("", "Popescu", None) == name_match_key("Popescu")
        assert name_match_key("", "") == ""
