"""Everyone who can open the admin must use two-factor authentication: without an
authenticator they are sent to set one up; with one, a session that skipped the code is sent to
give it. The test settings turn the requirement off for the rest of the suite."""

import json
import os
import re
import subprocess
import sys

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import override_settings
from django.utils.translation import gettext
from wagtail.models import APIToken

from accounts.middleware import two_factor_api_refusal_text
from tests.accounts.conftest import PASSWORD, make_user
from training.roles import TRAINER, role_group

pytestmark = [pytest.mark.django_db]

required = override_settings(FORMATIV_STAFF_2FA_REQUIRED=True)


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def sign_in(client, email):
    response = client.post("/cont/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302


# allauth marks the session once the authenticator is committed (transaction.on_commit): these
# tests commit, as a request does (reference_data: a transactional database with its pages).
commits = pytest.mark.usefixtures("reference_data")


@required
@commits
def test_staff_without_an_authenticator_are_sent_to_set_one_up_then_reach_the_admin(client):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    sign_in(client, "org@example.org")

    response = client.get("/admin/reports/?county=CJ")
    assert response.status_code == 302
    assert response.url == "/cont/2fa/totp/activate/?next=%2Fadmin%2Freports%2F%3Fcounty%3DCJ"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert (
        gettext(
            "Staff accounts must use two-factor authentication. Set up an "
            "authenticator app to continue to the admin."
        )
        in shown
    )

    # allauth's own setup page (after the password again), which is not itself blocked.
    client.post("/cont/reauthenticate/", {"password": PASSWORD})
    assert client.get("/cont/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/cont/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert staff.authenticator_set.filter(type="totp").exists()
    # The code typed while setting it up counts as this session's second factor.
    assert client.get("/admin/").status_code == 200


@required
def test_staff_with_an_authenticator_who_skipped_the_code_must_give_it(client):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.force_login(staff)  # a session that never went through the two-factor step

    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response.url == "/cont/2fa/reauthenticate/?next=%2Fadmin%2Fpages%2F"
    assert client.get("/admin/").url.startswith("/cont/2fa/reauthenticate/")

    assert client.post("/cont/2fa/reauthenticate/", {"code": "000000"}).status_code == 200
    assert client.get("/admin/").status_code == 302  # a wrong code lets nobody in
    response = client.post(
        "/cont/2fa/reauthenticate/?next=/admin/pages/", {"code": current_code(secret)}
    )
    assert response.status_code == 302
    assert response.url == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


@required
def test_staff_who_signed_in_with_their_code_go_straight_in(client):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    response = client.post(
        "/cont/login/?next=/admin/", {"login": "org@example.org", "password": PASSWORD}
    )
    assert response.url.startswith("/cont/2fa/authenticate/")
    response = client.post("/cont/2fa/authenticate/", {"code": current_code(secret)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/reports/").status_code == 200


@required
def test_a_trainer_with_admin_access_but_no_staff_flag_needs_it_too(client):
    trainer = make_user(email="formator@example.org")
    trainer.groups.add(role_group(TRAINER))
    assert trainer.has_perm("wagtailadmin.access_admin")
    sign_in(client, "formator@example.org")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/cont/2fa/totp/activate/")


@required
def test_participants_and_the_public_site_are_not_affected(client):
    participant = make_user(email="ana@example.org")
    client.force_login(participant)
    assert client.get("/contul-meu/formari/").status_code == 200
    # No admin access: Wagtail's own refusal, not a two-factor page.
    response = client.get("/admin/")
    assert "/2fa/" not in response.get("Location", "")
    # A staff member's public pages do not ask for the code either.
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/contul-meu/formari/").status_code == 200


@required
def test_the_api_refuses_a_staff_session_without_two_factor_but_takes_tokens(client):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/api/v1/professionals")
    assert response.status_code == 403
    assert response.json()["detail"] == two_factor_api_refusal_text()
    # A bearer token (made in the admin, behind the check) is not a session: it still works,
    # and anonymous callers still read the public part.
    _, token = APIToken.create_token(user=staff, name="script")
    anonymous = client.__class__()
    response = anonymous.get("/api/v1/professionals", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert anonymous.get("/api/v1/sessions").status_code == 200


def test_off_in_the_test_settings_so_force_login_reaches_the_admin(admin_client):
    assert settings.FORMATIV_STAFF_2FA_REQUIRED is False
    assert admin_client.get("/admin/").status_code == 200


def settings_value(module: str, **environ) -> bool:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, **environ}
    env.pop("DATABASE_URL", None)
    env.pop("FORMATIV_STAFF_2FA_REQUIRED", None)
    env.update(environ)
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps(s.FORMATIV_STAFF_2FA_REQUIRED))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_required_in_production_and_off_for_the_demo_unless_asked():
    production = {
        "DJANGO_SECRET_KEY": "x" * 50,
        "FORMATIV_PII_KEY": "y" * 50,
        "DJANGO_ALLOWED_HOSTS": "formativ.example",
    }
    assert settings_value("config.settings.production", **production) is True
    assert settings_value("config.settings.base") is True
    assert settings_value("config.settings.dev") is False
    assert settings_value("config.settings.dev", FORMATIV_STAFF_2FA_REQUIRED="1") is True


@required
@pytest.mark.parametrize("header", ["Basic Zm9vOmJhcg==", "x", "Token abc", "Bearer"])
def test_an_authorization_header_that_is_no_bearer_token_does_not_skip_the_step(client, header):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/api/v1/professionals", HTTP_AUTHORIZATION=header)
    assert response.status_code == 403
    assert response.json()["detail"] == two_factor_api_refusal_text()
    # A bearer header with a token that is not one: the session does not step in either.
    response = client.get("/api/v1/professionals", HTTP_AUTHORIZATION="Bearer wagtail_nu-exista")
    assert response.status_code == 401


@required
def test_the_api_session_authentication_itself_refuses_a_session_without_the_step(rf):
    # Whatever the middleware lets through (a "Bearer" header the token check ignores…),
    # the API's session authentication does not take a staff session that skipped the code.
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.exceptions import PermissionDenied

    from config.api_support import SessionCookieAuth

    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    request = rf.get("/api/v1/professionals", HTTP_AUTHORIZATION="Bearer x")
    request.user = staff
    request.session = SessionStore()
    request._ninja_csrf_exempt = True
    with pytest.raises(PermissionDenied, match=re.escape(two_factor_api_refusal_text())):
        SessionCookieAuth()(request)
    participant = make_user(email="ana@example.org")
    request.user = participant
    assert SessionCookieAuth()(request) == participant


@required
@commits
def test_a_session_opened_before_the_authenticator_was_set_up_elsewhere_must_give_the_code(
    client,
):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    # Session A: the password only (say, a stolen one), before any authenticator existed.
    sign_in(client, "org@example.org")
    assert client.get("/admin/").url.startswith("/cont/2fa/totp/activate/")

    # Session B: the owner sets up the authenticator.
    owner = client.__class__()
    sign_in(owner, "org@example.org")
    owner.post("/cont/reauthenticate/", {"password": PASSWORD})
    owner.get("/cont/2fa/totp/activate/")
    secret = owner.session["mfa.totp.secret"]
    response = owner.post("/cont/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert staff.authenticator_set.filter(type="totp").exists()

    # Session A, later than the authenticator, still has to give a code; B goes in.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/cont/2fa/reauthenticate/?next=%2Fadmin%2F"
    assert client.get("/api/v1/professionals").status_code == 403
    assert owner.get("/admin/").status_code == 200
    assert owner.get("/api/v1/professionals").status_code == 200


@required
def test_an_authenticator_activated_in_code_opens_no_session(client):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    sign_in(client, "org@example.org")
    TOTP.activate(staff, generate_totp_secret())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/cont/2fa/reauthenticate/")


def nominate_setup():
    from sessions.models import TrainingSession
    from tests.factories.sessions import make_session
    from tests.factories.training import FocalPointFactory, ProfessionalFactory, county
    from training.roles import COUNTY_COORDINATOR

    coordinator = make_user(email="coord@example.org")
    coordinator.groups.add(role_group(COUNTY_COORDINATOR))
    FocalPointFactory(user=coordinator, county=county("CJ"))
    ProfessionalFactory(first_name="Ioana", last_name="Alfescu", county=county("CJ"))
    session = make_session(approval_mode=TrainingSession.ApprovalMode.NOMINATION)
    return coordinator, f"/sesiuni/{session.code}/nominalizare/"


@required
def test_the_nomination_page_asks_staff_for_the_second_factor(client, reference_data):
    coordinator, page = nominate_setup()
    sign_in(client, "coord@example.org")  # the password only
    response = client.get(page)
    assert response.status_code == 302
    assert response.url == "/cont/2fa/totp/activate/?next=" + page.replace("/", "%2F")
    assert "Alfescu" not in client.get(page, follow=True).content.decode()
    response = client.post(page, {"people": []})
    assert response.status_code == 302
    assert "/2fa/" in response.url

    # With an authenticator, a session that skipped the code is sent to give it, then goes in.
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    response = client.get(page)
    assert response.url == "/cont/2fa/reauthenticate/?next=" + page.replace("/", "%2F")
    client.post("/cont/2fa/reauthenticate/", {"code": current_code(secret)})
    response = client.get(page)
    assert response.status_code == 200
    assert "Ioana Alfescu" in response.content.decode()


@required
def test_the_nomination_page_still_refuses_participants_plainly(client, reference_data):
    _, page = nominate_setup()
    make_user(email="ana@example.org")
    sign_in(client, "ana@example.org")
    response = client.get(page)
    assert response.status_code == 403
    assert "Alfescu" not in response.content.decode()
