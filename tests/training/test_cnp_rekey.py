"""Rotating the CNP key: old ciphertexts stay readable through the old keys, the rekey command
moves every CNP to the new key (and its matching hash), and the old key can then go."""

import pytest
from django.core.management import call_command

from tests.factories.training import ProfessionalFactory
from training import cnp as cnp_utils
from training.models import Professional
from training.services import professional_save

pytestmark = pytest.mark.django_db

CNP_A = "1960529460012"
CNP_B = "2850101120011"


def _with_cnp(number):
    person = ProfessionalFactory()
    return professional_save(professional=person, acting_user=None, cnp=number)


def test_rotation_keeps_every_cnp_readable_and_findable(settings):
    settings.FORMATIV_PII_KEY = "old-key"
    settings.FORMATIV_PII_OLD_KEYS = []
    a, b = _with_cnp(CNP_A), _with_cnp(CNP_B)
    old_hash = Professional.objects.get(pk=a.pk).cnp_hash

    # Step 1: the new key, the old one still read.
    settings.FORMATIV_PII_KEY = "new-key"
    settings.FORMATIV_PII_OLD_KEYS = ["old-key"]
    assert Professional.objects.get(pk=a.pk).cnp_masked == "1•••••••••012"

    # Step 2: re-encrypt.
    call_command("cnp_rekey")
    stored = Professional.objects.get(pk=a.pk)
    assert stored.cnp_hash == cnp_utils.hash_cnp(CNP_A) != old_hash
    assert cnp_utils.is_current(stored.cnp_encrypted)

    # Step 3: the old key is dropped; everything still reads and matches.
    settings.FORMATIV_PII_OLD_KEYS = []
    assert Professional.objects.get(pk=a.pk).cnp_masked == "1•••••••••012"
    assert Professional.objects.get(pk=b.pk).cnp_masked == "2•••••••••011"
    assert Professional.objects.filter(cnp_hash=cnp_utils.hash_cnp(CNP_B)).get().pk == b.pk


def test_without_the_old_key_a_ciphertext_is_reported_not_destroyed(settings, capsys):
    settings.FORMATIV_PII_KEY = "lost-key"
    person = _with_cnp(CNP_A)
    before = Professional.objects.get(pk=person.pk).cnp_encrypted
    settings.FORMATIV_PII_KEY = "new-key"
    settings.FORMATIV_PII_OLD_KEYS = []

    with pytest.raises(SystemExit) as exited:
        call_command("cnp_rekey")

    assert exited.value.code == 1
    assert Professional.objects.get(pk=person.pk).cnp_encrypted == before
    err = capsys.readouterr().err
    assert str(person.pk) in err
    assert CNP_A not in err


def test_a_second_run_rewrites_nothing(settings, capsys):
    settings.FORMATIV_PII_KEY = "k1"
    _with_cnp(CNP_A)
    call_command("cnp_rekey")
    assert capsys.readouterr().out.startswith("0 re-encrypted, 1 already")
