"""The Content-Security-Policy and the other security headers on every kind of page, the
production settings a deployment gets, and Argon2 for passwords."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from tests.factories.cms import page_tree
from tests.factories.training import CourseFactory, CurriculumFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.fixture
def pages():
    curriculum = CurriculumFactory()
    return page_tree(
        course=CourseFactory(curriculum=curriculum), curriculum=curriculum, project=ProjectFactory()
    )


def public_urls(pages) -> list[str]:
    return [
        pages["home"].url,
        pages["calendar"].url,
        "/v/",  # certificate verification
        "/cont/login/",
        "/api/v1/sessions",  # public: the published sessions
        "/api/v1/docs",
        "/nu-exista/",  # the 404 page
    ]


def test_no_public_page_may_run_an_inline_script_or_load_from_elsewhere(client, pages):
    for url in public_urls(pages):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        csp = policy(response)
        assert csp["script-src"] == ["'self'"], url  # no inline script, no eval, no CDN
        assert csp["default-src"] == ["'self'"], url
        assert csp["object-src"] == ["'none'"], url
        assert csp["frame-ancestors"] == ["'self'"], url
        assert csp["base-uri"] == ["'self'"], url
        assert csp["form-action"] == ["'self'"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        # The verification pages send none at all: their address holds the code.
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer"), url
        assert response["X-Frame-Options"] in ("DENY", "SAMEORIGIN"), url


def test_the_admin_keeps_the_policy_and_runs_no_inline_script(admin_client):
    for url in ("/admin/", "/admin/reports/", "/admin/imports/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        csp = policy(response)
        # No inline script (Wagtail's widgets start from data, config.admin_scripts); WebAssembly
        # for the check-in scanner's QR reader.
        assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"], url
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'self'"]


def test_our_own_templates_hold_no_inline_script():
    # Our pages, the admin screens included, load their scripts from files.
    import re
    from pathlib import Path

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    found = [
        str(path)
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_production_settings_harden_cookies_transport_and_passwords():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "FORMATIV_PII_KEY": "y" * 50,
        "DJANGO_ALLOWED_HOSTS": "formativ.example",
    }
    env.pop("DATABASE_URL", None)
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'redirect': s.SECURE_SSL_REDIRECT, 'session_secure': s.SESSION_COOKIE_SECURE, "
        "'session_httponly': s.SESSION_COOKIE_HTTPONLY, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
        "'debug': s.DEBUG, 'hasher': s.PASSWORD_HASHERS[0], "
        "'script_src': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(result.stdout)
    assert got["hsts"] >= 31536000 and got["subdomains"] and got["redirect"]
    assert got["session_secure"] and got["session_httponly"] and got["csrf_secure"]
    assert got["debug"] is False
    assert got["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert got["script_src"] == ["'self'"]


def test_new_passwords_are_argon2id_and_older_hashes_still_log_in():
    # The test settings hash with MD5 for speed; the real list is the base settings'.
    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = get_user_model().objects.create_user(
            username="ana", email="ana@example.ro", password="o parolă lungă 2026"
        )
        assert user.password.startswith("argon2$argon2id$")
        # A password stored before (PBKDF2) still works, and is rehashed with Argon2.
        user.password = make_password("veche și bună", hasher="pbkdf2_sha256")
        user.save()
        assert user.check_password("veche și bună")
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$")
