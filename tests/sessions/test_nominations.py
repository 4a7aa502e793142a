"""Nominations: focal points (of an institution, a county or a local team) and organisers put
people of their scope forward, within the session's quotas; the nominee is offered the seat and
accepts or declines."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from sessions.models import Enrolment, TrainingSession
from sessions.services import enrolment_create, enrolment_respond
from tests.factories.sessions import add_quota, make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    LocalTeamFactory,
    PersonFactory,
    UserFactory,
    county,
    team_member,
)

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Approval = TrainingSession.ApprovalMode


def nominate(session, person, user, institution=None) -> Enrolment:
    return enrolment_create(
        training_session=session,
        professional=person,
        acting_user=user,
        source="nomination",
        nominated_by=institution,
    )


def status(enrolment) -> str:
    return Enrolment.objects.get(pk=enrolment.pk).status


@pytest.fixture
def session():
    return make_session(capacity=10, approval_mode=Approval.NOMINATION)


class TestWhoMayNominate:
    def test_an_institutions_focal_point_for_its_own_people(self, session):
        institution = InstitutionFactory()
        focal = FocalPointFactory(institution=institution).user
        insider = PersonFactory(institution=institution)
        outsider = PersonFactory(institution=InstitutionFactory())
        enrolment = nominate(session, insider, focal, institution)
        assert (status(enrolment), enrolment.source, enrolment.nominated_by) == (
            E.OFFERED,
            Enrolment.Source.NOMINATION,
            institution,
        )
        with pytest.raises(PermissionDenied):
            nominate(session, outsider, focal)
        assert not session.enrolments.filter(professional=outsider).exists()

    def test_a_county_coordinator_for_the_people_of_the_county(self, session):
        focal = FocalPointFactory(county=county("CJ")).user
        assert status(nominate(session, PersonFactory(county=county("CJ")), focal)) == E.OFFERED
        with pytest.raises(PermissionDenied):
            nominate(session, PersonFactory(county=county("IS")), focal)

    def test_a_local_team_coordinator_for_the_current_members(self, session):
        team = LocalTeamFactory()
        focal = FocalPointFactory(local_team=team).user
        member, former = PersonFactory(county=county("IS")), PersonFactory(county=county("IS"))
        team_member(team, member)
        team_member(team, former, until=datetime.date(2021, 1, 1))
        assert status(nominate(session, member, focal)) == E.OFFERED
        with pytest.raises(PermissionDenied):
            nominate(session, former, focal)

    def test_organisers_for_anyone(self, session, staff_user):
        assert status(nominate(session, PersonFactory(county=county("IS")), staff_user)) == (
            E.OFFERED
        )

    def test_not_a_user_without_a_nomination_right(self, session):
        with pytest.raises(PermissionDenied):
            nominate(session, PersonFactory(), UserFactory())
        assert not session.enrolments.exists()

    def test_not_into_a_closed_session(self, staff_user):
        closed = make_session(status=TrainingSession.Status.DRAFT)
        with pytest.raises(ValidationError):
            nominate(closed, PersonFactory(), staff_user)


class TestQuotas:
    def test_within_the_quota_then_refused_naming_the_scope(self, session, staff_user):
        add_quota(session, 2, county=county("CJ"))
        cluj = [PersonFactory(county=county("CJ")) for _ in range(3)]
        nominate(session, cluj[0], staff_user)
        nominate(session, cluj[1], staff_user)
        with pytest.raises(ValidationError) as error:
            nominate(session, cluj[2], staff_user)
        assert error.value.messages == ["The quota for Cluj is used up (2 of 2)."]
        assert session.enrolments.count() == 2

    def test_a_local_team_quota(self, session, staff_user):
        team = LocalTeamFactory(name="EIL Dej")
        add_quota(session, 1, local_team=team)
        first, second = PersonFactory(), PersonFactory()
        team_member(team, first)
        team_member(team, second)
        add_quota(session, 5, county=county("IS"))  # not theirs
        nominate(session, first, staff_user)
        with pytest.raises(ValidationError, match="EIL Dej"):
            nominate(session, second, staff_user)

    def test_an_institution_quota(self, session, staff_user):
        institution = InstitutionFactory(name="DGASPC Cluj")
        add_quota(session, 1, institution=institution)
        nominate(session, PersonFactory(institution=institution), staff_user)
        with pytest.raises(ValidationError, match="DGASPC Cluj"):
            nominate(session, PersonFactory(institution=institution), staff_user)

    def test_a_person_outside_every_quota_is_refused(self, session, staff_user):
        add_quota(session, 5, county=county("CJ"))
        with pytest.raises(ValidationError, match="No seats"):
            nominate(session, PersonFactory(county=county("IS")), staff_user)

    def test_a_session_without_quotas_takes_anyone_in_scope(self, session, staff_user):
        assert status(nominate(session, PersonFactory(county=county("IS")), staff_user)) == (
            E.OFFERED
        )

    def test_cancelled_nominations_give_the_quota_back(self, session, staff_user):
        add_quota(session, 1, county=county("CJ"))
        first = nominate(session, PersonFactory(), staff_user)
        enrolment_respond(enrolment=first, accept=False, acting_user=first.professional.user)
        assert status(nominate(session, PersonFactory(), staff_user)) == E.OFFERED


class TestNomineeAnswers:
    def test_accepting_confirms(self, session, staff_user):
        enrolment = nominate(session, PersonFactory(), staff_user)
        enrolment_respond(enrolment=enrolment, accept=True, acting_user=enrolment.professional.user)
        assert status(enrolment) == E.CONFIRMED
        change = enrolment.history.order_by("pk").last()
        assert (change.from_status, change.to_status, change.changed_by) == (
            E.OFFERED,
            E.CONFIRMED,
            enrolment.professional.user,
        )

    def test_only_the_nominee_answers(self, session, staff_user):
        enrolment = nominate(session, PersonFactory(), staff_user)
        with pytest.raises(PermissionDenied):
            enrolment_respond(enrolment=enrolment, accept=True, acting_user=staff_user)
        assert status(enrolment) == E.OFFERED

    def test_declining_gives_the_seat_to_the_next_waiting(self, staff_user):
        session = make_session(capacity=1, approval_mode=Approval.NOMINATION)
        nominee = nominate(session, PersonFactory(), staff_user)
        waiting = nominate(session, PersonFactory(), staff_user)
        assert status(waiting) == E.WAITLISTED
        enrolment_respond(enrolment=nominee, accept=False, acting_user=nominee.professional.user)
        assert (status(nominee), status(waiting)) == (E.CANCELLED, E.OFFERED)
        enrolment_respond(enrolment=waiting, accept=True, acting_user=waiting.professional.user)
        assert status(waiting) == E.CONFIRMED
        assert session.enrolments.active().count() == 1

    def test_an_answered_offer_cannot_be_answered_again(self, session, staff_user):
        enrolment = nominate(session, PersonFactory(), staff_user)
        user = enrolment.professional.user
        enrolment_respond(enrolment=enrolment, accept=True, acting_user=user)
        with pytest.raises(ValidationError):
            enrolment_respond(enrolment=enrolment, accept=False, acting_user=user)
        assert status(enrolment) == E.CONFIRMED
        assert not enrolment.history.filter(Q(to_status=E.CANCELLED)).exists()
