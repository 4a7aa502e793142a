"""The privacy notice's addresses, language by language."""

from contextlib import nullcontext

from django.urls import reverse
from django.utils import translation


def _english(language: str | None = None) -> bool:
    return (language or translation.get_language() or "ro").startswith("en")


def notice_url(*, version: int | None = None, language: str | None = None) -> str:
    """The notice's address in the current (or given) language: /confidentialitate/ in
    Romanian, /en/privacy/ in English; `version` for an earlier version's page."""
    suffix = "_en" if _english(language) else ""
    with translation.override(language) if language else nullcontext():
        if version is None:
            return reverse(f"privacy_public:notice{suffix}")
        return reverse(f"privacy_public:notice_version{suffix}", kwargs={"version": version})
