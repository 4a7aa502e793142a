import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

PASSWORD = "Parola-Lunga-42"  # noqa: S105
LINK = re.compile(r"https?://testserver(/\S+)")


def link_in(message) -> str:
    """The path of the (only) link in an e-mail."""
    paths = LINK.findall(message.body)
    assert len(paths) == 1, message.body
    return paths[0]


def sign_up(client, *, email, first_name="Ana", last_name="Popescu", prefix="", **extra):
    data = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_notice": "on",
        **extra,
    }
    return client.post(f"{prefix}/cont/signup/", data)


def confirm_last_mail(client):
    """Follow the verification link of the last e-mail sent (the page asks to confirm)."""
    path = link_in(mail.outbox[-1])
    assert client.get(path).status_code == 200
    return client.post(path)


def make_user(*, email, first_name="Ana", last_name="Popescu", verified=True, **extra):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        **extra,
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def person(db):
    """A signed-up person with a verified address and no registry entry yet."""
    return make_user(email="ana.popescu@example.org")


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client
