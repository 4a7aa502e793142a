"""Each kind of state change leaves an entry with actor, time, object and before/after."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.log_actions import LogContext

from certificates.services import certificate_issue_all, certificate_revoke
from imports.merge import person_merge
from sessions.models import Attendance, Enrolment, TrainingSession
from sessions.services import (
    attendance_mark,
    enrolment_cancel,
    enrolment_create,
    training_session_save,
    waitlist_promote,
)
from tests.audit.conftest import entries
from tests.certificates.conftest import held_session
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, ProjectFactory, UserFactory
from training import roles

E = Enrolment.Status


def _moves(enrolment):
    return [(e.data["from"], e.data["to"]) for e in entries("formativ.enrolment.status", enrolment)]


def test_enrol_cancel_and_promote_are_logged_with_from_and_to(staff_user):
    session = make_session(capacity=1)
    first = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    second = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    assert (first.status, second.status) == (E.CONFIRMED, E.WAITLISTED)
    enrolment_cancel(enrolment=first, acting_user=staff_user, reason="ill")
    waitlist_promote(training_session=session, acting_user=staff_user)

    assert _moves(first)[-1] == (E.CONFIRMED, E.CANCELLED)
    second.refresh_from_db()
    assert _moves(second)[0][1] == E.WAITLISTED
    assert _moves(second)[-1][0] == E.WAITLISTED
    assert _moves(second)[-1][1] in (E.OFFERED, E.CONFIRMED)
    cancel = entries("formativ.enrolment.status", first)[-1]
    assert cancel.user == staff_user
    assert cancel.timestamp is not None
    assert cancel.data["reason"] == "ill"


def test_attendance_marks_are_logged_with_from_and_to(staff_user):
    session = make_session(start_in=-1, day_count=1)
    enrolment = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    day = session.days.get()
    A = Attendance.Status
    attendance_mark(enrolment=enrolment, day=day, status=A.PRESENT, acting_user=staff_user)
    attendance_mark(enrolment=enrolment, day=day, status=A.ABSENT, acting_user=staff_user)
    marks = entries("formativ.attendance.mark")
    assert [(m.data["from"], m.data["to"]) for m in marks] == [
        ("", "present"),
        ("present", "absent"),
    ]
    assert {m.user for m in marks} == {staff_user}


def test_session_status_change_is_logged(staff_user):
    session = make_session()
    session.status = TrainingSession.Status.CANCELLED
    training_session_save(training_session=session, acting_user=staff_user)
    [entry] = entries("formativ.session.status", session)
    assert (entry.data["from"], entry.data["to"]) == ("published", "cancelled")
    assert entry.user == staff_user


def test_certificate_issue_and_revoke_are_logged(staff_user):
    held = held_session(staff_user, participants=1)
    certificate_issue_all(training_session=held.session, acting_user=staff_user)
    certificate = held.completed[0].certificates.get()
    certificate_revoke(certificate=certificate, reason="wrong name", acting_user=staff_user)
    [issue] = entries("formativ.certificate.issue", certificate)
    assert (issue.data["from"], issue.data["to"]) == ("", "valid")
    [revoke] = entries("formativ.certificate.status", certificate)
    assert (revoke.data["from"], revoke.data["to"]) == ("valid", "revoked")
    assert revoke.user == issue.user == staff_user


def test_merge_is_logged_with_the_filled_fields(staff_user):
    keep = ProfessionalFactory(first_name="Ana", last_name="Pop", phone="")
    drop = ProfessionalFactory(first_name="Ana", last_name="Pop", phone="0722000111")
    person_merge(keep=keep, drop=drop, acting_user=staff_user)
    [entry] = entries("formativ.person.merge", keep)
    assert entry.user == staff_user
    assert entry.data["merged"] == {"from": drop.pk, "into": keep.pk}
    assert entry.data["changes"]["phone"] == ["", "0722000111"]


def test_role_changes_are_logged_with_the_actor(staff_user):
    user = UserFactory(username="noua.coordonatoare")
    coordinators = roles.role_group(roles.COUNTY_COORDINATOR)
    trainers = roles.role_group(roles.TRAINER)
    with LogContext(user=staff_user):  # what every Wagtail admin view sets up
        user.groups.add(coordinators)
        user.groups.set([trainers])
        trainers.user_set.remove(user)
    changes = [(e.data["added"], e.data["removed"]) for e in entries("formativ.role.change", user)]
    assert changes == [
        (["Coordonatori județeni"], []),
        ([], ["Coordonatori județeni"]),
        (["Formatori"], []),
        ([], ["Formatori"]),
    ]
    assert {e.user for e in entries("formativ.role.change", user)} == {staff_user}


def test_role_change_in_the_wagtail_user_editor_is_logged(admin_client, staff_user):
    from django.urls import reverse

    user = UserFactory(
        username="ion.formator", email="ion@example.org", first_name="Ion", last_name="F"
    )
    trainers = Group.objects.get(name="Formatori")
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "first_name": "Ion",
            "last_name": "F",
            "password1": "",
            "password2": "",
            "is_active": "on",
            "groups": [trainers.pk],
        },
    )
    assert response.status_code == 302
    [entry] = entries("formativ.role.change", user)
    assert entry.user == staff_user
    assert entry.data == {"added": ["Formatori"], "removed": []}


def test_project_organisers_are_logged(staff_user):
    project = ProjectFactory()
    organiser = UserFactory(username="org", first_name="Olga", last_name="Org")
    with LogContext(user=staff_user):
        # The project editor's form sets the organisers and saves the project.
        project.organisers.add(organiser)
        project.save()
        project.organisers.remove(organiser)
        project.save()
    logged = entries("formativ.project.organisers", project)
    assert [(e.data["added"], e.data["removed"]) for e in logged] == [
        ([{"id": organiser.pk, "label": "Olga Org"}], []),
        ([], [{"id": organiser.pk, "label": "Olga Org"}]),
    ]
    assert {e.user for e in logged} == {staff_user}


@pytest.mark.parametrize(
    "kind",
    ["create", "delete"],
)
def test_nomination_rights_are_logged(admin_client, staff_user, kind):
    from django.urls import reverse

    from tests.factories.training import FocalPointFactory, county
    from training.models import FocalPoint

    if kind == "create":
        user = UserFactory(username="punct.focal")
        response = admin_client.post(
            reverse("wagtailsnippets_training_focalpoint:add"),
            {"user": user.pk, "county": county("CJ").pk},
        )
        assert response.status_code == 302
        focal = FocalPoint.objects.get(user=user)
        [entry] = entries("wagtail.create", focal)
    else:
        focal = FocalPointFactory(county=county("CJ"))
        pk = focal.pk
        response = admin_client.post(
            reverse("wagtailsnippets_training_focalpoint:delete", args=[pk])
        )
        assert response.status_code == 302
        assert not FocalPoint.objects.filter(pk=pk).exists()
        [entry] = entries("wagtail.delete", focal)
    assert entry.user == staff_user


def test_superuser_staff_and_active_flags_are_logged_as_role_changes(staff_user):
    user = UserFactory(username="ion.popa")
    with LogContext(user=staff_user):
        user.is_superuser = True
        user.is_staff = True
        user.save()
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.first_name = "Ion"
        user.save()  # no flag changed: nothing logged
    flags = [(e.user, e.data) for e in entries("formativ.role.change", user)]
    assert flags == [
        (
            staff_user,
            {
                "added": [],
                "removed": [],
                "changes": {"is_superuser": [False, True], "is_staff": [False, True]},
            },
        ),
        (staff_user, {"added": [], "removed": [], "changes": {"is_active": [True, False]}}),
    ]


def test_a_new_superuser_is_logged(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(
        username="root2", email="root2@example.org", password="Parola-Lunga-42"
    )
    [entry] = entries("formativ.role.change", user)
    assert entry.user is None  # a command, no admin request
    assert entry.data["changes"] == {"is_superuser": [False, True], "is_staff": [False, True]}


def test_direct_permissions_are_logged_with_their_codenames(staff_user):
    user = UserFactory(username="maria.direct")
    view = Permission.objects.get(codename="view_professional")
    change = Permission.objects.get(codename="change_professional")
    admin = Permission.objects.get(codename="access_admin")
    with LogContext(user=staff_user):
        user.user_permissions.add(view, admin)
        user.user_permissions.remove(view)
        change.user_set.add(user)
        user.user_permissions.clear()
    changes = [(e.data["added"], e.data["removed"]) for e in entries("formativ.role.change", user)]
    assert changes == [
        (["training.view_professional", "wagtailadmin.access_admin"], []),
        ([], ["training.view_professional"]),
        (["training.change_professional"], []),
        ([], ["training.change_professional", "wagtailadmin.access_admin"]),
    ]
    assert {(e.user, e.data["kind"]) for e in entries("formativ.role.change", user)} == {
        (staff_user, "permissions")
    }


def test_superuser_flag_set_in_the_wagtail_user_editor_is_logged(admin_client, staff_user):
    from django.urls import reverse

    user = UserFactory(
        username="ion.formator", email="ion@example.org", first_name="Ion", last_name="F"
    )
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "first_name": "Ion",
            "last_name": "F",
            "password1": "",
            "password2": "",
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    [entry] = entries("formativ.role.change", user)
    assert entry.user == staff_user
    assert entry.data["changes"] == {"is_superuser": [False, True]}
