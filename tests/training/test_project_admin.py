"""A project's edit form in the admin: its organisers (chosen among the organisers' group),
whether its participants are asked for their CNP, and how long their data is kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from tests.factories.training import ProjectFactory, UserFactory
from training.models import Project
from training.roles import ORGANISER, role_group

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_training_project:edit"


def _form(project, **changes) -> dict:
    data = {
        "acronym": project.acronym,
        "name": project.name,
        "funder": project.funder,
        "starts_on": "2019-01-01",
        "ends_on": "2023-12-31",
    }
    data.update(changes)
    return data


@pytest.fixture
def organisers():
    first = UserFactory(
        username="maria.org", first_name="Maria", last_name="Organizatoare", email="m@anes.ro"
    )
    second = UserFactory(username="dan.org", first_name="Dan", last_name="Pop", email="d@anes.ro")
    for user in (first, second):
        user.groups.add(role_group(ORGANISER))
    return first, second


def test_an_administrator_sets_organisers_cnp_and_retention(admin_client, organisers):
    project = ProjectFactory(acronym="VENUS")
    page = admin_client.get(reverse(EDIT, args=[project.pk])).content.decode()
    assert "Maria Organizatoare &lt;m@anes.ro&gt;" in page
    assert gettext("Personal data") in page

    response = admin_client.post(
        reverse(EDIT, args=[project.pk]),
        _form(
            project,
            organisers=[organisers[0].pk, organisers[1].pk],
            requires_cnp="on",
            retention_ends_on="2033-12-31",
        ),
    )

    assert response.status_code == 302
    project = Project.objects.get(pk=project.pk)
    assert set(project.organisers.values_list("username", flat=True)) == {"maria.org", "dan.org"}
    assert project.requires_cnp is True
    assert project.retention_ends_on == datetime.date(2033, 12, 31)

    # unticking one organiser and the CNP, clearing the date
    response = admin_client.post(
        reverse(EDIT, args=[project.pk]), _form(project, organisers=[organisers[1].pk])
    )
    assert response.status_code == 302
    project = Project.objects.get(pk=project.pk)
    assert list(project.organisers.values_list("username", flat=True)) == ["dan.org"]
    assert project.requires_cnp is False
    assert project.retention_ends_on is None


def test_only_members_of_the_organisers_group_are_offered(admin_client, organisers):
    outsider = UserFactory(username="ion.participant", first_name="Ion", last_name="Participant")
    project = ProjectFactory(acronym="VENUS")
    page = admin_client.get(reverse(EDIT, args=[project.pk])).content.decode()
    assert "Ion Participant" not in page

    response = admin_client.post(
        reverse(EDIT, args=[project.pk]), _form(project, organisers=[outsider.pk])
    )

    assert response.status_code == 200  # the form again, with the error
    assert not Project.objects.get(pk=project.pk).organisers.exists()
