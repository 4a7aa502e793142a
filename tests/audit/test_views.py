"""The audit log in the admin: who may read it, its filters, that nothing in it is editable;
staff opening a person's record is logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from audit.services import person_view_log
from tests.audit.conftest import entries
from tests.factories.training import ProfessionalFactory, UserFactory

AUDIT = reverse("audit:index")
SITE_HISTORY = reverse("wagtailadmin_reports:site_history")


@pytest.fixture
def logged(db, staff_user):
    """Two people, each with one entry by a different user."""
    ana = ProfessionalFactory(first_name="Ana", last_name="Albu")
    bogdan = ProfessionalFactory(first_name="Bogdan", last_name="Barbu")
    other = UserFactory(username="altcineva")
    log(
        instance=ana,
        action="wagtail.edit",
        user=staff_user,
        data={"changes": {"phone": ["", "0722"]}},
    )
    log(instance=bogdan, action="formativ.person.merge", user=other, data={})
    return ana, bogdan, other


def _rows(response) -> set[str]:
    html = response.content.decode()
    return {name for name in ("Ana Albu", "Bogdan Barbu") if name in html}


def test_the_audit_log_is_for_anes_administrators_only(client, coordinator, anes_admin, logged):
    client.force_login(coordinator)
    assert client.get(AUDIT).status_code == 403
    client.force_login(anes_admin)
    response = client.get(AUDIT)
    assert response.status_code == 200
    assert _rows(response) == {"Ana Albu", "Bogdan Barbu"}
    assert "→ 0722" in response.content.decode()


def test_filters_narrow_the_entries(client, anes_admin, staff_user, logged):
    ana, bogdan, other = logged
    client.force_login(anes_admin)
    assert _rows(client.get(AUDIT, {"action": "formativ.person.merge"})) == {"Bogdan Barbu"}
    assert _rows(client.get(AUDIT, {"object_id": ana.pk})) == {"Ana Albu"}
    assert _rows(client.get(AUDIT, {"user": staff_user.pk})) == {"Ana Albu"}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert _rows(client.get(AUDIT, {"timestamp_from": tomorrow})) == set()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert _rows(client.get(AUDIT, {"timestamp_from": yesterday})) == {"Ana Albu", "Bogdan Barbu"}


def test_site_history_is_restricted(client, coordinator, anes_admin, logged):
    client.force_login(coordinator)
    response = client.get(SITE_HISTORY)
    assert response.status_code == 302  # Wagtail's refusal: back to the dashboard
    assert _rows(client.get(SITE_HISTORY, follow=True)) == set()
    client.force_login(anes_admin)
    assert _rows(client.get(SITE_HISTORY)) == {"Ana Albu", "Bogdan Barbu"}


def test_nothing_in_the_log_is_editable(client, anes_admin, logged):
    client.force_login(anes_admin)
    before = list(ModelLogEntry.objects.values_list("pk", "action", "data").order_by("pk"))
    assert client.post(AUDIT, {"action": "wagtail.delete"}).status_code == 405
    assert client.delete(AUDIT).status_code == 405
    assert list(ModelLogEntry.objects.values_list("pk", "action", "data").order_by("pk")) == before
    finder = AdminURLFinder(anes_admin)
    assert all(finder.get_edit_url(entry) is None for entry in ModelLogEntry.objects.all())


def test_staff_opening_a_persons_edit_page_is_logged(admin_client, staff_user):
    person = ProfessionalFactory(first_name="Ana", last_name="Albu")
    url = reverse("wagtailsnippets_training_professional:edit", args=[person.pk])
    assert admin_client.get(url).status_code == 200
    [view] = entries("formativ.person.view", person)
    assert view.user == staff_user
    assert view.data == {"via": "admin.edit"}
    assert view.label == f"#{person.pk}"  # no name in the entry


def test_a_person_viewing_their_own_record_is_not_logged(db, staff_user):
    user = UserFactory(username="ana")
    person = ProfessionalFactory(user=user)
    assert person_view_log(professional=person, user=user, via="api") is None
    person_view_log(professional=person, user=staff_user, via="api")
    assert [(e.user, e.data) for e in entries("formativ.person.view", person)] == [
        (staff_user, {"via": "api"})
    ]


def test_staff_opening_a_duplicate_pair_is_logged_for_both_people(admin_client, staff_user):
    from training.models import DuplicateCandidate

    first = ProfessionalFactory(first_name="Ioana", last_name="Mureșan")
    second = ProfessionalFactory(first_name="Ioana", last_name="Muresan")
    other = ProfessionalFactory(first_name="Radu", last_name="Albu")
    pair = DuplicateCandidate.objects.create(first=first, second=second, reason="name_institution")
    response = admin_client.get(reverse("duplicates:pair", args=[pair.pk]))
    assert response.status_code == 200
    for person in (first, second):
        [view] = entries("formativ.person.view", person)
        assert (view.user, view.data, view.label) == (
            staff_user,
            {"via": "admin.duplicates"},
            f"#{person.pk}",
        )
    assert entries("formativ.person.view", other) == []
    # An unknown pair shows nobody and logs nothing.
    assert admin_client.get(reverse("duplicates:pair", args=[9999])).status_code == 404
    assert len(entries("formativ.person.view")) == 2
