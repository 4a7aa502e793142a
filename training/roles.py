"""The staff roles, as groups: what each may do (model permissions, kept here and synchronised
into the groups after every migration). To which records they may do it is decided by
`training.access` (the object-level scope: projects, counties, institutions, own sessions).

A role is given by putting the user in its group, and — for the scoped roles — by the link
that says *where*: a project's organisers, a county or institution nomination right, the
trainer's user account. See the permission matrix in the README.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

ACCESS_ADMIN = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class Role:
    key: str
    group: str  # the group's name (Romanian: the admin's default language)
    label: str
    permissions: tuple[str, ...]


def _crud(app: str, model: str, *actions: str) -> tuple[str, ...]:
    return tuple(f"{app}.{action}_{model}" for action in actions)


_SESSION_WORK = (
    *_crud("training_sessions", "trainingsession", "view", "add", "change"),
    *_crud("training_sessions", "enrolment", "view", "add", "change"),
    *_crud("training_sessions", "attendance", "view", "change"),
    *_crud("training_sessions", "venue", "view", "add", "change"),
)

ADMINISTRATOR = Role(
    "administrator",
    "Administratori ANES",
    _("ANES administrator"),
    ("*",),  # every permission of every app
)
ORGANISER = Role(
    "organiser",
    "Organizatori ANES",
    _("ANES organiser"),
    (
        ACCESS_ADMIN,
        *_crud("training", "professional", "view", "add", "change"),
        *_crud("training", "institution", "view", "add", "change"),
        *_crud("training", "trainer", "view", "add", "change"),
        *_crud("training", "course", "view", "add", "change"),
        *_crud("training", "curriculum", "view", "add", "change"),
        "training.view_project",
        *_SESSION_WORK,
        *_crud("evaluation", "questionnaire", "view", "add", "change"),
        *_crud("evaluation", "sessionform", "view", "change"),
        *_crud("certificates", "certificate", "view", "add"),
        "certificates.revoke_certificate",
        "reports.view_reports",
        "reports.view_all_counties",
    ),
)
COUNTY_COORDINATOR = Role(
    "county_coordinator",
    "Coordonatori județeni",
    _("county coordinator"),
    (
        ACCESS_ADMIN,
        *_crud("training", "professional", "view", "add", "change"),
        *_crud("training", "institution", "view", "add", "change"),
        *_crud("training", "localteam", "view", "add", "change"),
        *_crud("training", "localteammembership", "view", "add", "change", "delete"),
        # the session form's choosers
        "training.view_course",
        "training.view_trainer",
        *_SESSION_WORK,
        # running their sessions' evaluation forms (the course's questionnaires are ANES's)
        "evaluation.view_questionnaire",
        *_crud("evaluation", "sessionform", "view", "change"),
        *_crud("certificates", "certificate", "view", "add"),
        "reports.view_reports",
    ),
)
INSTITUTION_FOCAL_POINT = Role(
    "focal_point",
    "Puncte focale instituții",
    _("institution focal point"),
    (
        ACCESS_ADMIN,
        "training.view_professional",
        "training_sessions.view_enrolment",
    ),
)
TRAINER = Role(
    "trainer",
    "Formatori",
    _("trainer"),
    (
        ACCESS_ADMIN,
        "training_sessions.view_trainingsession",
        "training_sessions.view_enrolment",
        # taking and correcting attendance: for the sessions they train (training.access)
        "training_sessions.view_attendance",
        "training_sessions.change_attendance",
        # showing their sessions' evaluation forms in the room (the QR code)
        "evaluation.view_sessionform",
    ),
)
CMS_EDITOR = Role(
    "cms_editor",
    "Editori CMS",
    _("CMS editor"),
    (
        ACCESS_ADMIN,
        *_crud("wagtailimages", "image", "add", "change", "choose"),
        *_crud("wagtaildocs", "document", "add", "change", "choose"),
    ),
)
ROLES = (ADMINISTRATOR, ORGANISER, COUNTY_COORDINATOR, INSTITUTION_FOCAL_POINT, TRAINER, CMS_EDITOR)
# Pages an editor may work on: the whole tree below the root.
CMS_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


def _permissions(names: tuple[str, ...]) -> list[Permission]:
    if names == ("*",):
        return list(Permission.objects.all())
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Unknown permissions for a role: {sorted(missing)}")
    return found


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create the role groups and give each exactly its permissions (idempotent). Users are
    never added or removed here."""
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.group)
        group.permissions.set(_permissions(role.permissions))
        groups[role.key] = group
    _cms_page_permissions(groups[CMS_EDITOR.key])
    _cms_page_permissions(groups[ADMINISTRATOR.key])
    return groups


def _cms_page_permissions(group: Group) -> None:
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root = Page.get_first_root_node()
    if root is not None:
        for codename in CMS_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    collection = Collection.get_first_root_node()
    if collection is not None:
        for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            for action in ("add", "change", "choose"):
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app, codename=f"{action}_{model}"
                    ),
                )


def role_group(role: Role) -> Group:
    group = Group.objects.filter(name=role.group).first()
    return group if group is not None else roles_sync()[role.key]


def sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate handler: once the last app has migrated (every permission exists)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender.label == with_models[-1].label:
        # This receiver may run before auth's own for the last app: create its permissions
        # first (idempotent), so that the administrator's "every permission" is complete.
        create_permissions(sender, verbosity=0, using=kwargs.get("using", "default"))
        roles_sync()
