import pytest
from django.contrib.auth.models import Permission
from wagtail.models import ModelLogEntry

from tests.factories.training import UserFactory
from training import roles


def entries(action, instance=None):
    qs = ModelLogEntry.objects.filter(action=action).order_by("pk")
    if instance is not None:
        qs = qs.filter(object_id=str(instance.pk))
    return list(qs)


@pytest.fixture
def anes_admin(db):
    """An ANES administrator (not a superuser): the role group, nothing else."""
    user = UserFactory(username="admin.anes", first_name="Ana", last_name="Admin")
    user.groups.add(roles.role_group(roles.ADMINISTRATOR))
    return user


@pytest.fixture
def coordinator(db):
    user = UserFactory(username="coord.cluj", first_name="Cora", last_name="Coordonator")
    user.groups.add(roles.role_group(roles.COUNTY_COORDINATOR))
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user
