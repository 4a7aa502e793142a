"""The review queue of probable duplicates in the admin: the list, a pair side by side, the
merge / undo / different-people buttons, permissions and query budgets."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from sessions.models import Enrolment
from tests.factories.sessions import make_session
from tests.factories.training import (
    InstitutionFactory,
    ProfessionalFactory,
    UserFactory,
    build_cnp,
)
from training import cnp as cnp_utils
from training.models import DuplicateCandidate, PersonIdentifier, Professional

INDEX = reverse("duplicates:index")


def pair_url(pk):
    return reverse("duplicates:pair", args=[pk])


@pytest.fixture
def pair(db):
    institution = InstitutionFactory(name="DGASPC Cluj")
    cnp = build_cnp("2", datetime.date(1984, 3, 15), serial="987")
    left = ProfessionalFactory(
        first_name="Ioana",
        last_name="Mureșan",
        email="ioana@dgaspc.ro",
        institution=institution,
        cnp_encrypted=cnp_utils.encrypt_cnp(cnp),
        cnp_hash=cnp_utils.hash_cnp(cnp),
    )
    right = ProfessionalFactory(
        first_name="Ioana",
        last_name="Muresan",
        email="ioana.muresan@gmail.com",
        phone="0744555666",
        institution=institution,
    )
    PersonIdentifier.objects.create(
        professional=right, kind="email", value="im@yahoo.com", key="im@yahoo.com"
    )
    session = make_session(start_in=-20, day_count=2, code="IST-2021-07")
    Enrolment.objects.create(
        training_session=session, professional=right, status="confirmed", source="import"
    )
    return DuplicateCandidate.objects.create(first=left, second=right, reason="name_institution")


def reviewer(*codenames):
    """ANES staff (the queue compares people of every county: every record in their scope)
    holding `codenames`."""
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "see_all_records", *codenames])
    )
    return user


def assert_denied(response):
    """Wagtail's admin answers a refused page with its home and a message (or a 403)."""
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- the list ---------------------------------------------------------------------------------


def test_index_lists_open_pairs_and_filters_by_reason(admin_client, pair):
    other = DuplicateCandidate.objects.create(
        first=ProfessionalFactory(first_name="Radu", last_name="Pop"),
        second=ProfessionalFactory(first_name="Radu", last_name="Popp"),
        reason="near_name",
    )
    response = admin_client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mureșan" in html and "Radu Popp" in html
    assert pair_url(pair.pk) in html

    response = admin_client.get(INDEX, {"reason": "near_name"})
    html = response.content.decode()
    assert "Radu Popp" in html and "Mureșan" not in html
    other.status = "distinct"
    other.save()
    html = admin_client.get(INDEX, {"status": "distinct"}).content.decode()
    assert "Radu Popp" in html and "Mureșan" not in html


def _pairs(n):
    institution = InstitutionFactory()
    for _ in range(n):
        a, b = ProfessionalFactory.create_batch(2, institution=institution)
        DuplicateCandidate.objects.create(first=a, second=b, reason="name_institution")


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_index_query_count_does_not_grow_with_the_pairs(admin_client):
    _pairs(5)
    few = _count(admin_client, INDEX)
    _pairs(45)
    many = _count(admin_client, INDEX)
    assert many == few
    assert few <= 20


# --- one pair ---------------------------------------------------------------------------------


def test_pair_shows_both_entries_side_by_side(admin_client, pair):
    response = admin_client.get(pair_url(pair.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mureșan" in html and "Muresan" in html
    assert "ioana@dgaspc.ro" in html and "ioana.muresan@gmail.com" in html
    assert pair.first.cnp_masked in html
    assert build_cnp("2", datetime.date(1984, 3, 15), serial="987") not in html
    assert "im@yahoo.com" in html  # identifiers
    assert "IST-2021-07" in html  # the right one's training
    assert 'data-merge="left"' in html and 'data-merge="right"' in html
    assert "data-distinct" in html
    # the rows that differ are highlighted, the same ones are not
    rows = response.context["rows"]
    differ = {str(r["label"]) for r in rows if r["differ"]}
    assert any(r["differ"] for r in rows) and not all(r["differ"] for r in rows)
    assert html.count("data-differs") == len(differ)


def _enrol_first(pair, n):
    for _ in range(n):
        Enrolment.objects.create(
            training_session=make_session(start_in=-40, day_count=3),
            professional=pair.first,
            status="confirmed",
            source="staff",
        )


def test_pair_page_query_count_does_not_grow_with_trainings(admin_client, pair):
    _enrol_first(pair, 1)
    few = _count(admin_client, pair_url(pair.pk))
    _enrol_first(pair, 5)
    assert _count(admin_client, pair_url(pair.pk)) == few


def test_merge_keep_right_then_undo(admin_client, pair):
    left, right = pair.first, pair.second
    with translation.override("ro"):
        response = admin_client.post(
            reverse("duplicates:merge", args=[pair.pk]), {"keep": "right"}, follow=True
        )
    assert response.status_code == 200
    assert not Professional.objects.filter(pk=left.pk).exists()
    right.refresh_from_db()
    assert "ioana@dgaspc.ro" in set(right.identifiers.values_list("key", flat=True))
    assert right.cnp_hash  # filled from the left entry
    html = response.content.decode()
    assert "data-undo" in html  # the pair page of a merged pair offers the undo
    entry = ModelLogEntry.objects.get(action="formativ.person.merge")
    assert reverse("duplicates:undo", args=[entry.pk]) in html
    # the merged pair leaves the open queue and shows under "merged"
    assert f'data-pair="{pair.pk}"' not in admin_client.get(INDEX).content.decode()
    assert (
        f'data-merge="{entry.pk}"' in admin_client.get(INDEX, {"status": "merged"}).content.decode()
    )

    response = admin_client.post(reverse("duplicates:undo", args=[entry.pk]), follow=True)
    assert response.status_code == 200
    assert Professional.objects.get(pk=left.pk).email == "ioana@dgaspc.ro"
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "open"
    right.refresh_from_db()
    assert right.cnp_hash is None

    # a second undo is refused with a message, not an error page
    with translation.override("ro"):
        response = admin_client.post(reverse("duplicates:undo", args=[entry.pk]), follow=True)
        assert response.status_code == 200
        assert gettext("This merge has already been undone.") in messages_of(response)


def test_merging_a_resolved_pair_is_a_message_not_an_error(admin_client, pair):
    pair.status = "distinct"
    pair.save()
    with translation.override("ro"):
        response = admin_client.post(
            reverse("duplicates:merge", args=[pair.pk]), {"keep": "left"}, follow=True
        )
        assert response.status_code == 200
        assert gettext("This pair has already been resolved.") in messages_of(response)
    assert Professional.objects.filter(pk=pair.second_id).exists()
    # a pair that no longer exists
    with translation.override("ro"):
        response = admin_client.post(
            reverse("duplicates:merge", args=[9999]), {"keep": "left"}, follow=True
        )
        assert response.status_code == 200
        assert gettext("This pair is no longer in the review queue.") in messages_of(response)
    assert admin_client.get(pair_url(9999)).status_code == 404


def test_different_people_button(admin_client, pair, staff_user):
    response = admin_client.post(reverse("duplicates:distinct", args=[pair.pk]))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "distinct" and pair.resolved_by == staff_user
    assert f'data-pair="{pair.pk}"' not in admin_client.get(INDEX).content.decode()
    assert "data-distinct" not in admin_client.get(pair_url(pair.pk)).content.decode()


def test_every_view_checks_permissions(client, pair):
    client.force_login(reviewer())
    merge_url = reverse("duplicates:merge", args=[pair.pk])
    assert_denied(client.get(INDEX))
    response = client.get(pair_url(pair.pk))
    assert_denied(response)
    assert "Mureșan" not in response.content.decode()
    assert_denied(client.post(merge_url, {"keep": "left"}))
    assert_denied(client.post(reverse("duplicates:distinct", args=[pair.pk])))
    assert_denied(client.post(reverse("duplicates:undo", args=[1])))
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "open"

    # reviewing without the right to change people: may look and tell apart, not merge
    client.force_login(reviewer("change_duplicatecandidate"))
    assert client.get(INDEX).status_code == 200
    html = client.get(pair_url(pair.pk)).content.decode()
    assert 'data-merge="left"' not in html
    assert_denied(client.post(merge_url, {"keep": "left"}))
    assert Professional.objects.filter(pk=pair.second_id).exists()
    assert client.post(reverse("duplicates:distinct", args=[pair.pk])).status_code == 302


def test_forms_post_with_csrf(pair, staff_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(reverse("duplicates:merge", args=[pair.pk]), {"keep": "left"})
    assert response.status_code == 403
    assert Professional.objects.filter(pk=pair.second_id).exists()
    assert 'name="csrfmiddlewaretoken"' in client.get(pair_url(pair.pk)).content.decode()
