"""The role groups exist in every database after migrate, hold exactly their permissions and
are put back in shape by a re-sync, without touching who is in them."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from training import roles

pytestmark = pytest.mark.django_db


def _perms(group_name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


def test_every_role_group_exists_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))
    assert {
        "Administratori ANES",
        "Organizatori ANES",
        "Coordonatori județeni",
        "Puncte focale instituții",
        "Formatori",
        "Editori CMS",
    } <= names


def test_the_administrator_holds_every_permission():
    assert _perms("Administratori ANES") >= {
        "training.see_all_records",
        "privacy.erase_person",
        "privacy.view_audit_log",
        "imports.run_import",
        "reports.view_all_counties",
        "certificates.revoke_certificate",
    }
    group = Group.objects.get(name="Administratori ANES")
    assert group.permissions.count() == Permission.objects.count()


def test_a_cms_editor_reaches_pages_and_nothing_about_people():
    perms = _perms("Editori CMS")
    assert "wagtailadmin.access_admin" in perms
    assert not {p for p in perms if p.split(".")[0] in {"training", "training_sessions"}}
    assert not {p for p in perms if p.split(".")[0] in {"certificates", "reports", "imports"}}
    assert not {p for p in perms if p.split(".")[0] == "privacy"}
    page_perms = set(
        GroupPagePermission.objects.filter(group__name="Editori CMS").values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page", "publish_page"} <= page_perms


@pytest.mark.parametrize(
    "group_name",
    ["Organizatori ANES", "Coordonatori județeni", "Puncte focale instituții", "Formatori"],
)
def test_scoped_roles_never_hold_the_all_records_or_privacy_officer_rights(group_name):
    perms = _perms(group_name)
    assert "training.see_all_records" not in perms
    assert not {p for p in perms if p.startswith("privacy.")}
    assert "imports.run_import" not in perms
    assert "training.change_duplicatecandidate" not in perms


def test_a_coordinator_sees_their_county_reports_but_not_every_county():
    perms = _perms("Coordonatori județeni")
    assert "reports.view_reports" in perms
    assert "reports.view_all_counties" not in perms


def test_a_trainer_takes_attendance_and_changes_nothing_else():
    perms = _perms("Formatori")
    assert {
        "training_sessions.view_attendance",
        "training_sessions.change_attendance",
    } <= perms
    writes = {p for p in perms if p.split(".")[1].startswith(("add_", "change_", "delete_"))}
    assert writes == {"training_sessions.change_attendance"}


def test_a_coordinator_reads_the_courses_and_trainers_their_sessions_choose():
    perms = _perms("Coordonatori județeni")
    assert {"training.view_course", "training.view_trainer"} <= perms
    assert not {"training.change_course", "training.change_trainer"} & perms


def test_an_institution_focal_point_only_reads():
    assert _perms("Puncte focale instituții") == {
        "wagtailadmin.access_admin",
        "training.view_professional",
        "training_sessions.view_enrolment",
    }


def test_resync_restores_permissions_and_keeps_members(django_user_model):
    user = django_user_model.objects.create_user(username="c", email="c@example.org")
    group = Group.objects.get(name="Coordonatori județeni")
    user.groups.add(group)
    group.permissions.add(Permission.objects.get(codename="see_all_records"))
    group.permissions.remove(Permission.objects.get(codename="view_professional"))

    roles.roles_sync()

    perms = _perms("Coordonatori județeni")
    assert "training.see_all_records" not in perms
    assert "training.view_professional" in perms
    assert list(user.groups.values_list("name", flat=True)) == ["Coordonatori județeni"]


def test_an_unknown_permission_in_a_role_is_an_error_not_a_silent_gap(monkeypatch):
    broken = roles.Role("x", "X", "x", ("training.fly_professional",))
    monkeypatch.setattr(roles, "ROLES", (*roles.ROLES, broken))
    with pytest.raises(LookupError, match="fly_professional"):
        roles.roles_sync()
