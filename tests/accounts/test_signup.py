"""Sign-up with e-mail and password: verification by e-mail before anyone can sign in."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from tests.accounts.conftest import PASSWORD, confirm_last_mail, link_in, sign_up

User = get_user_model()


def test_sign_up_sends_a_verification_mail_whose_link_verifies_and_signs_in(client, db):
    response = sign_up(client, email="Ana.Popescu@Example.org", first_name=" Ştefana ")
    assert response.status_code == 302
    user = User.objects.get(email="ana.popescu@example.org")
    assert (user.first_name, user.last_name) == ("Ștefana", "Popescu")  # comma-below
    assert "_auth_user_id" not in client.session  # not signed in before verifying
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.popescu@example.org"]
    assert message.subject.startswith("[Formativ]")

    response = confirm_last_mail(client)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_needs_the_privacy_notice_acknowledged(client, db):
    response = sign_up(client, email="ana@example.org", privacy_notice="")
    assert response.status_code == 200
    assert "privacy_notice" in response.context["form"].errors
    assert not User.objects.exists()
    assert not mail.outbox


def test_sign_up_needs_the_names(client, db):
    response = sign_up(client, email="ana@example.org", first_name="", last_name="")
    assert response.status_code == 200
    assert {"first_name", "last_name"} <= set(response.context["form"].errors)
    assert not User.objects.exists()


def test_an_unverified_person_cannot_sign_in(client, db):
    sign_up(client, email="ana@example.org")
    client.logout()
    response = client.post("/cont/login/", {"login": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/cont/confirm-email/"  # "check your e-mail", not signed in
    assert "_auth_user_id" not in client.session


def test_verified_person_signs_in_and_lands_on_their_trainings(client, person):
    response = client.post(
        "/cont/login/", {"login": "ANA.POPESCU@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/contul-meu/formari/"
    assert client.session["_auth_user_id"] == str(person.pk)


def test_english_sign_up_pages_and_mail_are_in_english(client, db):
    response = client.get("/en/cont/signup/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert "Create an account" in body
    assert "skip-link" in body  # the site's own layout

    sign_up(client, email="ana@example.org", prefix="/en")
    path = link_in(mail.outbox[0])
    assert path.startswith("/en/cont/")
    assert "Please confirm" in mail.outbox[0].body or "confirm" in mail.outbox[0].body.lower()
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(email="ana@example.org").verified


def test_account_pages_render_in_the_site_layout(client, db):
    for path in ("/cont/login/", "/cont/signup/", "/cont/password/reset/", "/en/cont/login/"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "skip-link" in body and "site-header" in body, path


def test_header_offers_sign_in_to_visitors_and_sign_out_to_people(client, person):
    body = client.get("/cont/login/").content.decode()
    assert 'href="/cont/signup/"' in body
    assert 'action="/cont/logout/"' not in body

    client.force_login(person)
    body = client.get("/cont/profil/").content.decode()
    assert 'action="/cont/logout/"' in body
    assert 'href="/contul-meu/formari/"' in body
    response = client.post("/cont/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
