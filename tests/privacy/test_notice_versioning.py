"""Versioned privacy notices: the first version from the migration, new versions numbered in
turn, a published version frozen, the public page in both languages, the admin screens."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from privacy import selectors, services
from privacy.models import ConsentRecord, PrivacyNotice
from tests.accounts.conftest import sign_up
from tests.privacy.helpers import new_version, text

pytestmark = pytest.mark.django_db


def test_the_migration_publishes_version_1_in_romanian_and_english():
    notice = selectors.current_notice()
    assert notice.version == 1
    assert notice.published_at is not None
    for needle in ("ANES", "Legea nr. 190/2018", "ANSPDCP", "Datele mele", "anonimizate"):
        assert needle in notice.body_ro
    for needle in ("controller", "Law 190/2018", "ANSPDCP", "My data", "anonymised"):
        assert needle in notice.body_en
    # Comma-below, never cedilla; and no invented e-mail address.
    assert "ș" in notice.body_ro and "ț" in notice.body_ro
    assert not set("şţŞŢ") & set(notice.body_ro + notice.title_ro)
    assert "@" not in notice.body_ro + notice.body_en


def test_a_new_version_takes_the_next_number_and_is_a_draft_until_published(staff_user):
    draft = services.notice_create(
        acting_user=staff_user, title_ro="T2", title_en="T2", body_ro="b", body_en="b"
    )
    assert draft.version == 2
    assert selectors.current_notice().version == 1  # a draft is not in force
    third = services.notice_create(
        acting_user=staff_user, title_ro="T3", title_en="T3", body_ro="b", body_en="b"
    )
    assert third.version == 3

    services.notice_publish(notice=third, acting_user=staff_user)
    assert selectors.current_notice().version == 3
    # An older draft cannot be published after a newer version.
    with pytest.raises(ValidationError):
        services.notice_publish(notice=draft, acting_user=staff_user)
    actions = set(ModelLogEntry.objects.filter(user=staff_user).values_list("action", flat=True))
    assert {services.NOTICE_CREATE_ACTION, services.NOTICE_PUBLISH_ACTION} <= actions


def test_a_published_version_cannot_be_edited_or_deleted(staff_user):
    published = selectors.current_notice()
    with pytest.raises(PermissionDenied):
        services.notice_update(notice=published, acting_user=staff_user, body_ro="altceva")
    with pytest.raises(PermissionDenied):
        services.notice_delete(notice=published, acting_user=staff_user)
    published.refresh_from_db()
    assert "altceva" not in published.body_ro

    draft = new_version(staff_user, publish=False)
    services.notice_update(notice=draft, acting_user=staff_user, body_ro="corectat")
    draft.refresh_from_db()
    assert draft.body_ro == "corectat"


def test_a_consent_keeps_pointing_at_the_version_accepted(client, staff_user):
    sign_up(client, email="ana@example.org")
    record = ConsentRecord.objects.get(purpose="notice")
    assert record.notice.version == 1

    new_version(staff_user)
    record.refresh_from_db()
    assert record.notice.version == 1
    assert selectors.notice_to_accept(user=record.user).version == 2


# --- the public page ---------------------------------------------------------------------------


def _published_on(version: int, day: datetime.date) -> None:
    PrivacyNotice.objects.filter(version=version).update(
        published_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    )


def test_the_romanian_page_shows_the_version_in_force_with_its_number_and_date(client):
    _published_on(1, datetime.date(2026, 3, 2))
    html = text(client.get("/confidentialitate/"))
    assert "Notă de informare privind prelucrarea datelor cu caracter personal" in html
    assert "Versiunea 1" in html or "Version 1" in html
    assert "2 martie 2026" in html
    assert "Operatorul datelor dumneavoastră este" in html


def test_the_english_page_is_at_en_privacy_and_the_other_address_redirects(client):
    _published_on(1, datetime.date(2026, 3, 2))
    html = text(client.get("/en/privacy/"))
    assert "Privacy notice: how we process your personal data" in html
    assert "Version 1, published on March 2, 2026." in html
    assert client.get("/en/confidentialitate/")["Location"] == "/en/privacy/"
    assert client.get("/privacy/")["Location"] == "/confidentialitate/"


def test_earlier_versions_are_listed_and_readable(client, staff_user):
    _published_on(1, datetime.date(2026, 3, 2))
    new_version(staff_user)
    html = text(client.get("/en/privacy/"))
    assert "Privacy notice, new edition" in html
    assert 'href="/en/privacy/version-1/"' in html
    old = text(client.get("/en/privacy/version-1/"))
    assert "Privacy notice: how we process your personal data" in old
    assert "This is an earlier version." in old
    assert client.get("/en/privacy/version-9/").status_code == 404


def test_a_draft_is_not_shown_to_the_public(client, staff_user):
    new_version(staff_user, publish=False)
    assert client.get("/en/privacy/version-2/").status_code == 404
    assert "Privacy notice, new edition" not in text(client.get("/en/privacy/"))


def test_every_page_links_the_notice_in_its_footer(client):
    assert 'href="/en/privacy/"' in text(client.get("/en/cont/login/"))
    assert 'href="/confidentialitate/"' in text(client.get("/cont/login/"))


# --- the admin ---------------------------------------------------------------------------------

ADMIN = "/admin/privacy/notices/"


def test_staff_add_a_version_numbered_automatically_and_publish_it(admin_client, staff_user):
    response = admin_client.post(
        f"{ADMIN}new/",
        {"title_ro": "Nota v2", "title_en": "Notice v2", "body_ro": "Text", "body_en": "Text"},
    )
    assert response.status_code == 302
    draft = PrivacyNotice.objects.get(title_ro="Nota v2")
    assert draft.version == 2
    assert draft.published_at is None

    assert admin_client.get(f"{ADMIN}{draft.pk}/publish/").status_code == 200
    admin_client.post(f"{ADMIN}{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert ModelLogEntry.objects.filter(
        action=services.NOTICE_PUBLISH_ACTION, object_id=str(draft.pk), user=staff_user
    ).exists()


def _refused(response) -> bool:
    """Refused: a 403/404, or Wagtail's permission-denied redirect to the dashboard."""
    if response.status_code == 302:
        return response.url == "/admin/"
    return response.status_code in (403, 404)


def test_a_published_version_is_read_only_in_the_admin(admin_client):
    published = PrivacyNotice.objects.get(version=1)
    response = admin_client.get(f"{ADMIN}edit/{published.pk}/")
    assert response.status_code == 200
    assert all(field.disabled for field in response.context["form"].fields.values())

    response = admin_client.post(
        f"{ADMIN}edit/{published.pk}/",
        {"title_ro": "Schimbat", "title_en": "x", "body_ro": "x", "body_en": "x"},
    )
    assert response.status_code == 403
    assert _refused(admin_client.get(f"{ADMIN}delete/{published.pk}/"))
    assert _refused(admin_client.post(f"{ADMIN}delete/{published.pk}/"))
    assert _refused(admin_client.post(f"{ADMIN}{published.pk}/publish/"))
    published.refresh_from_db()
    assert published.title_ro != "Schimbat"


def test_people_without_the_permission_cannot_add_versions(client, db):
    from tests.factories.training import UserFactory

    editor = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.post(
        f"{ADMIN}new/", {"title_ro": "x", "title_en": "x", "body_ro": "x", "body_en": "x"}
    )
    assert response.status_code in (302, 403)
    assert PrivacyNotice.objects.count() == 1


def test_consent_records_are_listed_read_only_and_filtered(admin_client, client):
    from tests.accounts.conftest import make_user

    services.notice_accept(user=make_user(email="a@example.org"), context="signup")
    services.consent_record(
        purpose="contact", context="profile", given=False, user=make_user(email="b@example.org")
    )
    listing = "/admin/privacy/consents/"
    html = text(admin_client.get(listing))
    assert gettext("account sign-up") in html and gettext("profile") in html
    filtered = admin_client.get(listing, {"purpose": "contact"})
    assert [r.context for r in filtered.context["object_list"]] == ["profile"]
    by_context = admin_client.get(listing, {"context": "signup"})
    assert [r.purpose for r in by_context.context["object_list"]] == ["notice"]
    assert _refused(admin_client.get(f"{listing}new/"))
    record = ConsentRecord.objects.first()
    assert _refused(admin_client.post(f"{listing}delete/{record.pk}/"))
    assert ConsentRecord.objects.count() == 2
