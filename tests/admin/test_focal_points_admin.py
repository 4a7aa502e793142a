"""Nomination rights in the back office: a user, and exactly one institution, county or local
team whose people they may nominate."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from wagtail.models import ModelLogEntry

from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    LocalTeamFactory,
    UserFactory,
    county,
)
from training.models import FocalPoint

pytestmark = pytest.mark.django_db

ADD = "/admin/snippets/training/focalpoint/add/"


def form(user, *, institution="", county_="", local_team=""):
    return {
        "user": user.pk,
        "institution": getattr(institution, "pk", institution),
        "county": getattr(county_, "pk", county_),
        "local_team": getattr(local_team, "pk", local_team),
    }


def test_the_registry_menu_lists_nomination_rights(admin_client):
    right = FocalPointFactory(
        user=UserFactory(email="punct.focal@example.ro"), institution=InstitutionFactory()
    )
    page = admin_client.get("/admin/snippets/training/focalpoint/").content.decode()
    assert "punct.focal@example.ro" in page
    assert right.institution.name in page
    assert "/admin/snippets/training/focalpoint/" in admin_client.get("/admin/").content.decode()


def test_a_nomination_right_for_one_county_is_saved_and_audited(admin_client):
    user = UserFactory()
    response = admin_client.post(ADD, form(user, county_=county("CJ")))
    assert response.status_code == 302, response.content.decode()[:2000]
    right = FocalPoint.objects.get(user=user)
    assert right.scope == county("CJ")
    assert ModelLogEntry.objects.filter(object_id=str(right.pk), action="wagtail.create").exists()


@pytest.mark.parametrize("scopes", ["none", "two", "three"])
def test_a_nomination_right_needs_exactly_one_scope(admin_client, scopes):
    user = UserFactory()
    chosen = {
        "none": {},
        "two": {"institution": InstitutionFactory(), "county_": county("CJ")},
        "three": {
            "institution": InstitutionFactory(),
            "county_": county("CJ"),
            "local_team": LocalTeamFactory(),
        },
    }[scopes]
    response = admin_client.post(ADD, form(user, **chosen), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors, response.context["form"].errors
    assert not FocalPoint.objects.filter(user=user).exists()


def test_the_user_chooser_finds_accounts_by_email(admin_client):
    UserFactory(email="coordonator.eil@example.ro")
    UserFactory(email="altcineva@example.ro")
    response = admin_client.get("/admin/formativ_user_chooser/results/?q=coordonator")
    page = response.content.decode()
    assert response.status_code == 200
    assert "coordonator.eil" in page
    assert "altcineva" not in page


def test_the_user_chooser_is_closed_to_users_without_rights(client):
    UserFactory(email="secret@example.ro")
    user = get_user_model().objects.create_user("fara-drepturi", "f@example.org", "x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get("/admin/formativ_user_chooser/?q=secret")
    assert response.status_code in (302, 403)
    assert "secret@example.ro" not in response.content.decode()
