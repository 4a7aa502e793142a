import pytest

from tests.accounts.conftest import make_user


@pytest.fixture
def person(db):
    """A signed-up person with a verified address and no registry entry yet."""
    return make_user(email="ana.popescu@example.org")


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client
