"""The agency's keys: configured files are what signs; without them production refuses to
issue (and the deploy check says so), while development generates keys and says so."""

import io
import logging
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from certificates import keys
from certificates.checks import certificate_keys_configured


@pytest.fixture
def fresh_keys():
    """Forget the keys cached in this process, before and after the test."""
    keys.credential_key.cache_clear()
    keys.seal_material.cache_clear()
    yield
    keys.credential_key.cache_clear()
    keys.seal_material.cache_clear()


@pytest.fixture
def made(tmp_path):
    call_command("certificate_keys", str(tmp_path / "k"), "--self-signed", stdout=io.StringIO())
    folder = tmp_path / "k"
    return {
        "CERTIFICATE_CREDENTIAL_KEY_FILE": str(folder / "credential-ed25519.pem"),
        "CERTIFICATE_SEAL_KEY_FILE": str(folder / "seal-key.pem"),
        "CERTIFICATE_SEAL_CERT_FILE": str(folder / "seal-cert.pem"),
    }


def test_the_command_writes_private_keys_readable_by_their_owner_only(made, tmp_path):
    for setting in ("CERTIFICATE_CREDENTIAL_KEY_FILE", "CERTIFICATE_SEAL_KEY_FILE"):
        mode = stat.S_IMODE((tmp_path / "k" / made[setting].rsplit("/", 1)[1]).stat().st_mode)
        assert mode == 0o600
    assert (tmp_path / "k" / "seal.csr").read_bytes().startswith(b"-----BEGIN CERTIFICATE REQUEST")
    with pytest.raises(CommandError):
        call_command("certificate_keys", str(tmp_path / "k"))


def test_configured_keys_are_the_ones_that_sign(made, fresh_keys):
    with override_settings(CERTIFICATE_DEV_KEYS=False, **made):
        key = keys.credential_key()
        configured = serialization.load_pem_private_key(
            Path(made["CERTIFICATE_CREDENTIAL_KEY_FILE"]).read_bytes(), password=None
        )
        assert key.public_key_multibase == keys.public_key_multibase(configured.public_key())
        assert not key.development
        seal = keys.seal_material()
        assert not seal.development
        assert seal.cert_pems[0] == Path(made["CERTIFICATE_SEAL_CERT_FILE"]).read_bytes()
        assert not keys.using_development_keys()
        assert certificate_keys_configured(None) == []


def test_production_without_keys_refuses_to_sign(fresh_keys):
    with override_settings(
        CERTIFICATE_DEV_KEYS=False,
        CERTIFICATE_CREDENTIAL_KEY_FILE="",
        CERTIFICATE_SEAL_KEY_FILE="",
        CERTIFICATE_SEAL_CERT_FILE="",
    ):
        with pytest.raises(ImproperlyConfigured):
            keys.credential_key()
        with pytest.raises(ImproperlyConfigured):
            keys.seal_material()
        assert {e.id for e in certificate_keys_configured(None)} == {"certificates.E002"}


def test_the_deploy_check_refuses_development_keys():
    with override_settings(CERTIFICATE_DEV_KEYS=True):
        assert [e.id for e in certificate_keys_configured(None)] == ["certificates.E001"]


def test_development_generates_keys_once_and_says_so(tmp_path, fresh_keys, caplog):
    with (
        override_settings(
            CERTIFICATE_DEV_KEYS=True,
            CERTIFICATE_DEV_KEY_DIR=tmp_path,
            CERTIFICATE_CREDENTIAL_KEY_FILE="",
            CERTIFICATE_SEAL_KEY_FILE="",
            CERTIFICATE_SEAL_CERT_FILE="",
        ),
        caplog.at_level(logging.WARNING, logger="certificates.keys"),
    ):
        first = keys.credential_key()
        seal = keys.seal_material()
        assert first.development and seal.development and keys.using_development_keys()
        warnings = [r.getMessage() for r in caplog.records]
        assert any("development credential key" in m for m in warnings)
        assert any("development seal" in m for m in warnings)
        keys.credential_key.cache_clear()
        caplog.clear()
        assert keys.credential_key().public_key_multibase == first.public_key_multibase
        assert not caplog.records  # the same key is read back, nothing new generated
