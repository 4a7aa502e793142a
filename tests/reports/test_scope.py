"""Who may read which report (reports.selectors.report_scope_for), and that a county
coordinator's report holds the people of their county only, whatever the filters ask. Counts from
the hand-counted world of tests/reports/conftest.py."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied

from reports.selectors import ReportFilters, participation_report, report_scope_for
from tests.factories.training import FocalPointFactory, UserFactory

pytestmark = pytest.mark.django_db


def user_with(*codenames, **focal_point):
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
    )
    if focal_point:
        FocalPointFactory(user=user, **focal_point)
    # Permissions are cached on the instance: read them afresh.
    return type(user).objects.get(pk=user.pk)


def counted(scope, **filters) -> tuple[int, int]:
    report = participation_report(filters=ReportFilters(**filters), scope=scope)
    return report.totals.unique_persons, report.totals.participations


def test_anonymous_visitors_are_refused():
    with pytest.raises(PermissionDenied):
        report_scope_for(user=AnonymousUser())


def test_a_user_without_the_reports_right_is_refused_even_as_a_county_coordinator():
    from tests.factories.training import county

    with pytest.raises(PermissionDenied):
        report_scope_for(user=user_with())
    with pytest.raises(PermissionDenied):
        report_scope_for(user=user_with("view_all_counties", county=county("CJ")))


def test_the_reports_right_without_any_county_is_refused():
    with pytest.raises(PermissionDenied):
        report_scope_for(user=user_with("view_reports"))


def test_the_reports_right_with_an_institution_right_only_is_refused(counted_world):
    # Nominating for an institution is not coordinating a county.
    user = user_with("view_reports", institution=counted_world.dgaspc_cj)
    with pytest.raises(PermissionDenied):
        report_scope_for(user=user)


def test_anes_sees_every_county(counted_world):
    scope = report_scope_for(user=user_with("view_reports", "view_all_counties"))
    assert scope.is_all
    assert counted(scope) == (6, 9)


def test_a_superuser_sees_every_county(counted_world, staff_user):
    scope = report_scope_for(user=staff_user)
    assert scope.is_all
    assert counted(scope) == (6, 9)


def test_a_county_coordinator_sees_the_people_of_their_county_only(counted_world):
    w = counted_world
    scope = report_scope_for(user=user_with("view_reports", county=w.is_))
    assert not scope.is_all
    # Iași's people: Ioana (P4 in Cluj, P5) and Carmen (P6), wherever they were trained.
    assert counted(scope) == (2, 3)
    # Asking for another county's people gives nothing, not their numbers.
    assert counted(scope, person_county=w.cj) == (0, 0)
    assert counted(scope, person_county=w.bv) == (0, 0)
    # Asking for a session county gives Iași's people trained there: Ioana's S1 in Cluj.
    assert counted(scope, session_county=w.cj) == (1, 1)


def test_a_county_coordinators_groups_hold_no_other_county(counted_world):
    w = counted_world
    scope = report_scope_for(user=user_with("view_reports", county=w.is_))
    for field in ("person_county", "session_county", "institution"):
        report = participation_report(group_by=[field], scope=scope)
        keys = [row.key[field] for row in report.table.rows]
        if field == "person_county":
            assert keys == ["IS"]
        if field == "session_county":
            assert sorted(keys) == ["CJ", "IS"]  # Ioana was trained in Cluj too
        if field == "institution":
            assert sorted(keys) == sorted([w.ngo_is.pk, w.spas_is.pk])
    cross = participation_report(group_by=["person_county", "sex"], scope=scope)
    assert {row.key["person_county"] for row in cross.table.rows} == {"IS"}
    assert {row.key["person_county"] for row in cross.margins[0].rows} == {"IS"}


def test_a_coordinator_of_two_counties_sees_both(counted_world):
    w = counted_world
    user = user_with("view_reports", county=w.is_)
    FocalPointFactory(user=user, county=w.bv)
    scope = report_scope_for(user=user)
    # Ioana, Carmen (Iași) and Dan (Brașov).
    assert counted(scope) == (3, 4)
