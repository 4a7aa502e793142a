"""Romanian text handling: display normalisation and matching keys for people's names."""

import re
import unicodedata
from functools import lru_cache

# Legacy cedilla letters -> the correct comma-below ones (U+0218-U+021B).
_CEDILLA_TO_COMMA = str.maketrans({"Ş": "Ș", "ş": "ș", "Ţ": "Ț", "ţ": "ț"})
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=65536)  # imports normalise the same county, institution and course names
def normalize_text(value: str) -> str:
    """NFC, cedilla -> comma-below, collapsed white space. For anything we store or display."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value).translate(_CEDILLA_TO_COMMA)
    return _SPACES.sub(" ", value).strip()


def _fold_token(token: str) -> str:
    # Câmpeanu / Cîmpeanu: î inside a word is the old spelling of â; at the start it stays î.
    if len(token) > 1:
        token = token[0] + token[1:].replace("î", "â")
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def name_match_key(*parts: str) -> str:
    """Diacritics-insensitive, case-folded, token-sorted key so that
    "Ştefănescu Ana-Maria", "ȘTEFĂNESCU  ana maria" and "Ana Maria Stefanescu" meet."""
    text = normalize_text(" ".join(p for p in parts if p)).casefold()
    tokens = [_fold_token(t) for t in _NOT_WORD.sub(" ", text).split()]
    tokens = [t.replace("_", "") for t in tokens if t.replace("_", "")]
    return " ".join(sorted(tokens))
