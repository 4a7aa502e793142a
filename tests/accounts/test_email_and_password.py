"""Changing the e-mail address (the registry follows once the new one is verified) and
resetting a forgotten password."""

from allauth.account.models import EmailAddress
from django.core import mail

from tests.accounts.conftest import PASSWORD, link_in, make_user
from tests.factories.training import ProfessionalFactory


def test_a_new_email_reaches_the_registry_only_once_verified(client, db):
    user = make_user(email="ana@example.org")
    own = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email="ana@example.org", user=user
    )
    client.force_login(user)

    response = client.post("/cont/email/", {"email": "ana.noua@example.org", "action_add": ""})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.email == "ana@example.org"  # not yet: the new address is unverified
    assert client.get("/cont/profil/").context["verified_email"] == "ana@example.org"

    path = link_in(mail.outbox[-1])
    assert mail.outbox[-1].to == ["ana.noua@example.org"]
    client.post(path)

    own.refresh_from_db()
    assert own.email == "ana.noua@example.org"
    assert EmailAddress.objects.get(user=user).email == "ana.noua@example.org"


def test_a_new_email_another_registry_person_uses_leaves_the_registry_unchanged(client, db):
    user = make_user(email="ana@example.org")
    own = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email="ana@example.org", user=user
    )
    other = ProfessionalFactory(first_name="Ion", last_name="Pop", email="ion@example.org")
    client.force_login(user)

    client.post("/cont/email/", {"email": "ion@example.org", "action_add": ""})
    client.post(link_in(mail.outbox[-1]))

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.email == "ana@example.org"
    assert other.email == "ion@example.org" and other.user is None


def test_password_reset_mail_and_new_password(client, db):
    user = make_user(email="ana@example.org")

    response = client.post("/cont/password/reset/", {"email": "ana@example.org"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["ana@example.org"]
    path = link_in(mail.outbox[-1])

    response = client.get(path)  # allauth moves the key into the session, then redirects
    assert response.status_code == 302
    response = client.post(
        response.url, {"password1": "Alta-Parola-Buna-7", "password2": "Alta-Parola-Buna-7"}
    )
    assert response.status_code == 302

    client.logout()
    user.refresh_from_db()
    assert user.check_password("Alta-Parola-Buna-7")
    assert not user.check_password(PASSWORD)
    response = client.post(
        "/cont/login/", {"login": "ana@example.org", "password": "Alta-Parola-Buna-7"}
    )
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_mail_is_in_the_language_of_the_page(client, db):
    make_user(email="ana@example.org")
    client.post("/en/cont/password/reset/", {"email": "ana@example.org"})
    english = mail.outbox[-1]
    assert link_in(english).startswith("/en/cont/")
    client.post("/cont/password/reset/", {"email": "ana@example.org"})
    romanian = mail.outbox[-1]
    assert link_in(romanian).startswith("/cont/")
    assert english.subject != romanian.subject
