"""Romanian text: the catalogue is complete, compiled, and uses comma-below ș ț."""

from pathlib import Path

import pytest
from django.utils import translation

from sessions.models import TrainingSession

CEDILLA = "ŞşŢţ"
ROOT = Path(__file__).resolve().parent.parent


def test_no_cedilla_letters_in_translations_templates_or_data():
    files = [
        *ROOT.glob("locale/**/*.po"),
        *ROOT.glob("locale_overrides/**/*.po"),
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("training/data/*.csv"),
        *ROOT.glob("demo/*.py"),
    ]
    assert files
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(ch in line for ch in CEDILLA)
    ]
    assert offenders == []


def test_no_untranslated_or_fuzzy_entries():
    po = (ROOT / "locale/ro/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first block is the header
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    empty = [e for e in entries if e.rstrip().endswith('msgstr ""') and "msgid_plural" not in e]
    assert fuzzy == []
    assert empty == []


@pytest.mark.django_db
def test_the_interface_speaks_romanian_by_default_and_english_on_request(client):
    with translation.override("ro"):
        assert str(TrainingSession._meta.verbose_name) == "sesiune de formare"
    with translation.override("en"):
        assert str(TrainingSession._meta.verbose_name) == "training session"
    response = client.get("/api/v1/professionals")  # sessions are public reading
    assert response.status_code == 401
    assert "autentificare" in response.json()["detail"].lower()


def test_dates_and_django_messages_are_correct_romanian():
    import datetime

    from django.core.validators import MaxValueValidator
    from django.utils.formats import date_format

    with translation.override("ro"):
        assert date_format(datetime.date(2026, 11, 26), "j F Y") == "26 noiembrie 2026"
        message = str(MaxValueValidator(5).message)
        assert not any(ch in message for ch in CEDILLA)
        assert "ț" in message or "ș" in message
