"""Staff sign in through the site's sign-in, with their second factor, also for the admin."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.accounts.conftest import PASSWORD, make_user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_admin_login_sends_staff_to_the_sites_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == "/cont/login/?next=/admin/"
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/cont/login/")


def test_staff_with_an_authenticator_must_give_a_code_then_reach_the_admin(client, db):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    response = client.post(
        "/cont/login/?next=/admin/", {"login": "org@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith("/cont/2fa/authenticate/")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    assert client.get("/admin/").status_code == 302

    response = client.post("/cont/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/cont/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


def test_two_factor_pages_render_in_the_site_layout(client, db):
    make_user(email="org@example.org", is_staff=True)
    client.post("/cont/login/", {"login": "org@example.org", "password": PASSWORD})
    # Activating an authenticator asks for the password again first.
    assert client.get("/cont/2fa/totp/activate/").url.startswith("/cont/reauthenticate/")
    assert "site-header" in client.get("/cont/reauthenticate/").content.decode()
    client.post("/cont/reauthenticate/", {"password": PASSWORD})
    for path in ("/cont/2fa/", "/cont/2fa/totp/activate/", "/en/cont/2fa/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "site-header" in response.content.decode(), path


def test_staff_activate_an_authenticator_from_the_two_factor_page(client, db):
    staff = make_user(email="org@example.org", is_staff=True)
    client.post("/cont/login/", {"login": "org@example.org", "password": PASSWORD})
    client.post("/cont/reauthenticate/", {"password": PASSWORD})
    assert client.get("/cont/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/cont/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_wagtail_account_page_still_works(client, db):
    staff = make_user(email="org@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/account/")
    assert response.status_code == 200
