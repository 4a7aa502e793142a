import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def staff_user(db):
    """An organiser with full back-office rights (ANES staff)."""
    return get_user_model().objects.create_superuser(
        "organizator", "organizator@anes.example", "parola-sigura-123"
    )


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client
