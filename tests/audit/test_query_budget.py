"""The audit log and the consent records are lists that grow every day: their query count must
not grow with their rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.log_actions import log

from privacy.models import ConsentRecord
from tests.factories.training import ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _log_entries(count: int) -> None:
    for i in range(count):
        person = ProfessionalFactory(last_name=f"Persoana{i}")
        log(
            instance=person,
            action="wagtail.edit",
            user=UserFactory(),
            data={"changes": {"phone": ["", f"07{i:08d}"], "institution": [None, {"id": i}]}},
        )


def test_the_audit_log_costs_the_same_with_more_entries(client, anes_admin):
    client.force_login(anes_admin)
    url = reverse("audit:index")
    _log_entries(3)
    _queries(client, url)  # warms the content-type cache, as any earlier request would
    few = _queries(client, url)
    _log_entries(12)
    assert _queries(client, url) == few


def test_the_consent_records_cost_the_same_with_more_rows(client, anes_admin):
    client.force_login(anes_admin)
    url = "/admin/privacy/consents/"

    def records(count):
        for _ in range(count):
            ConsentRecord.objects.create(
                user=UserFactory(), purpose="notice", context="signup", notice_id=None
            )

    records(3)
    _queries(client, url)
    few = _queries(client, url)
    records(12)
    assert _queries(client, url) == few
