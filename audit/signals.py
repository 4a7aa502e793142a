"""Changes no service writes: a user's groups (their role), their own permissions, their
superuser / staff / active flags, and a project's organisers. All are saved by forms (Wagtail's
user editor, the project editor), commands and services alike, so the log is written where the
change happens, the database row or relation. The actor is the user of the admin request
(Wagtail's log context), or none for commands and migrations.

Every `formativ.role.change` entry holds `added` and `removed` (group names; with
`"kind": "permissions"`, permissions as "app_label.codename"), and a flag change also holds
`changes`: {flag: [before, after]}."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from wagtail.log_actions import log

from training.models import Project

ROLE_CHANGE_ACTION = "formativ.role.change"
ORGANISERS_ACTION = "formativ.project.organisers"

User = get_user_model()


def _user_label(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _m2m_change(instance, action, pk_set, field) -> tuple[str, set] | None:
    """What an m2m_changed signal changed: ("added" | "removed", the other side's pks), or
    None when there is nothing to log yet. A clear is logged as a removal: pre_clear remembers
    who goes (`field`: the relation on `instance`), post_clear has no pk_set."""
    if action == "pre_clear":
        instance._audit_cleared = set(getattr(instance, field).values_list("pk", flat=True))
        return None
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", set())
    elif action not in ("post_add", "post_remove"):
        return None
    if not pk_set:
        return None
    return ("added" if action == "post_add" else "removed"), pk_set


@receiver(m2m_changed, sender=User.groups.through)
def user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    change = _m2m_change(instance, action, pk_set, "user_set" if reverse else "groups")
    if change is None:
        return
    kind, pk_set = change
    if reverse:  # group.user_set.add(users): one entry per user
        for user in User.objects.filter(pk__in=pk_set):
            _log_role_change(user, **{kind: [instance.name]})
    else:
        names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        _log_role_change(instance, **{kind: names})


def _log_role_change(user, *, added=(), removed=(), **extra) -> None:
    log(
        instance=user,
        action=ROLE_CHANGE_ACTION,
        title=f"{_user_label(user)} (#{user.pk})",
        data={"added": list(added), "removed": list(removed), **extra},
    )


# The flags that give (or take away) access: a change of any is a role change.
ROLE_FLAGS = ("is_superuser", "is_staff", "is_active")


@receiver(pre_save, sender=User)
def user_flags_before(sender, instance, raw=False, update_fields=None, **kwargs):
    """Remember the flags as stored (not for saves that cannot touch them, such as the
    `last_login` update of every sign-in)."""
    instance._audit_flags = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(ROLE_FLAGS):
        return
    instance._audit_flags = User.objects.filter(pk=instance.pk).values(*ROLE_FLAGS).first()


@receiver(post_save, sender=User)
def user_flags_changed(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:  # a new account with powers: from none to these
        before = {"is_superuser": False, "is_staff": False, "is_active": instance.is_active}
    else:
        before = getattr(instance, "_audit_flags", None)
        instance._audit_flags = None
        if before is None:
            return
    changes = {
        flag: [before[flag], getattr(instance, flag)]
        for flag in ROLE_FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changes:
        _log_role_change(instance, changes=changes)


def _permission_names(pks) -> list[str]:
    rows = Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
    return sorted(f"{app}.{codename}" for app, codename in rows)


@receiver(m2m_changed, sender=User.user_permissions.through)
def user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    change = _m2m_change(instance, action, pk_set, "user_set" if reverse else "user_permissions")
    if change is None:
        return
    side, pk_set = change
    if reverse:  # permission.user_set.add(users): one entry per user
        names = _permission_names([instance.pk])
        for user in User.objects.filter(pk__in=pk_set):
            _log_role_change(user, kind="permissions", **{side: names})
    else:
        _log_role_change(instance, kind="permissions", **{side: _permission_names(pk_set)})


@receiver(m2m_changed, sender=Project.organisers.through)
def project_organisers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    change = _m2m_change(
        instance, action, pk_set, "organised_projects" if reverse else "organisers"
    )
    if change is None:
        return
    kind, pk_set = change
    if reverse:
        projects = Project.objects.filter(pk__in=pk_set)
        users = [instance]
    else:
        projects = [instance]
        users = list(User.objects.filter(pk__in=pk_set).order_by("pk"))
    people = [{"id": u.pk, "label": _user_label(u)} for u in users]
    for project in projects:
        log(
            instance=project,
            action=ORGANISERS_ACTION,
            data={
                "added": people if kind == "added" else [],
                "removed": people if kind == "removed" else [],
            },
        )
