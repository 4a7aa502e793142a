"""Invariants the database itself enforces, so that they hold even when a script, an import or
a future view writes with `Model.objects.create` and bypasses the services."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from tests.factories.sessions import TrainingSessionFactory, VenueFactory, at, make_session
from tests.factories.training import (
    CourseFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    ProjectFactory,
    county,
)
from training.models import (
    Course,
    Indicator,
    Institution,
    InstitutionType,
    LocalTeamMembership,
    Professional,
    Project,
)
from training.text import name_match_key

pytestmark = pytest.mark.django_db


def refused(create, *args, **kwargs) -> None:
    """The write must fail in the database and leave the transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create(*args, **kwargs)


# --- training -------------------------------------------------------------------------------


def test_project_cannot_end_before_it_starts():
    refused(
        Project.objects.create,
        acronym="VENUS",
        name="VENUS",
        funder=Project.Funder.ESF,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2019, 12, 31),
    )
    assert not Project.objects.exists()


def test_project_may_start_and_end_on_the_same_day():
    day = datetime.date(2020, 1, 1)
    Project.objects.create(acronym="ZI", name="O zi", funder="other", starts_on=day, ends_on=day)


def test_indicator_target_must_be_positive():
    project = ProjectFactory()
    refused(Indicator.objects.create, project=project, code="O1", name="Persoane", target=0)
    Indicator.objects.create(project=project, code="O1", name="Persoane", target=1)


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-2")])
def test_course_must_last_more_than_zero_hours(hours):
    refused(Course.objects.create, code="C-0", title="Curs", hours=hours, delivery_type="training")
    assert not Course.objects.filter(code="C-0").exists()


def test_romanian_institution_needs_a_county():
    dgaspc = InstitutionType.objects.get(name="DGASPC")
    refused(Institution.objects.create, name="DGASPC", institution_type=dgaspc, country="RO")
    assert not Institution.objects.exists()


def test_foreign_institution_needs_no_county():
    dgaspc = InstitutionType.objects.get(name="DGASPC")
    Institution.objects.create(name="Barnevernet", institution_type=dgaspc, country="NO")


class TestMemberships:
    @pytest.fixture
    def team(self):
        return LocalTeamFactory()

    @pytest.fixture
    def person(self):
        return ProfessionalFactory()

    def test_membership_cannot_end_before_it_starts(self, team, person):
        refused(
            LocalTeamMembership.objects.create,
            team=team,
            professional=person,
            since=datetime.date(2022, 5, 1),
            until=datetime.date(2022, 4, 30),
        )
        assert not LocalTeamMembership.objects.exists()

    def test_two_open_memberships_of_one_person_in_one_team(self, team, person):
        LocalTeamMembership.objects.create(
            team=team, professional=person, since=datetime.date(2020, 1, 1)
        )
        refused(
            LocalTeamMembership.objects.create,
            team=team,
            professional=person,
            since=datetime.date(2023, 1, 1),
            role=LocalTeamMembership.Role.COORDINATOR,
        )
        assert LocalTeamMembership.objects.count() == 1

    def test_a_person_may_rejoin_a_team_after_leaving_it(self, team, person):
        LocalTeamMembership.objects.create(
            team=team,
            professional=person,
            since=datetime.date(2020, 1, 1),
            until=datetime.date(2021, 1, 1),
        )
        LocalTeamMembership.objects.create(
            team=team, professional=person, since=datetime.date(2023, 1, 1)
        )
        assert LocalTeamMembership.objects.count() == 2


def test_professional_email_is_unique_whatever_its_case():
    ProfessionalFactory(email="ana.popescu@example.org")
    refused(
        Professional.objects.create,
        first_name="Ana",
        last_name="Popescu",
        match_key=name_match_key("Ana Popescu"),
        email="ANA.Popescu@example.org",
        county=county(),
    )
    assert Professional.objects.count() == 1


def test_professionals_without_email_do_not_clash():
    ProfessionalFactory(email="")
    ProfessionalFactory(email="")
    assert Professional.objects.filter(email="").count() == 2


def test_professional_cnp_hash_is_unique():
    ProfessionalFactory(cnp_hash="a" * 64)
    refused(ProfessionalFactory, cnp_hash="a" * 64)


# --- sessions -------------------------------------------------------------------------------


def test_session_needs_at_least_one_seat():
    refused(TrainingSessionFactory, capacity=0)
    assert not TrainingSession.objects.exists()


def test_in_person_session_needs_a_venue():
    refused(TrainingSessionFactory, delivery_mode="in_person", venue=None)
    assert not TrainingSession.objects.exists()


def test_hybrid_session_needs_a_venue_and_a_link():
    refused(
        TrainingSessionFactory,
        delivery_mode="hybrid",
        venue=None,
        online_url="https://meet.example.org/x",
    )
    refused(TrainingSessionFactory, delivery_mode="hybrid", venue=VenueFactory(), online_url="")
    assert not TrainingSession.objects.exists()


def test_online_session_needs_a_link():
    refused(TrainingSessionFactory, delivery_mode="online", venue=None, online_url="")
    assert not TrainingSession.objects.exists()


def test_online_session_with_a_link_needs_no_venue():
    session = TrainingSessionFactory(
        delivery_mode="online", venue=None, online_url="https://meet.example.org/abc"
    )
    assert session.pk is not None


@pytest.mark.parametrize("closes_after_hours", [-1, 0])
def test_registration_must_close_after_it_opens(closes_after_hours):
    opens = at(1, 9)
    refused(
        TrainingSessionFactory,
        registration_opens_at=opens,
        registration_closes_at=opens + datetime.timedelta(hours=closes_after_hours),
    )
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize("length_hours", [-2, 0])
def test_session_day_must_end_after_it_starts(length_hours):
    session = TrainingSessionFactory(course=CourseFactory())
    refused(
        SessionDay.objects.create,
        training_session=session,
        starts_at=at(5, 12),
        ends_at=at(5, 12) + datetime.timedelta(hours=length_hours),
    )
    assert not session.days.exists()


def test_two_days_of_a_session_cannot_start_at_the_same_moment():
    session = make_session(day_count=1)
    day = session.days.get()
    refused(
        SessionDay.objects.create,
        training_session=session,
        starts_at=day.starts_at,
        ends_at=day.ends_at,
    )


def test_a_person_is_enrolled_once_per_session():
    session = make_session()
    person = ProfessionalFactory()
    Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="staff"
    )
    refused(
        Enrolment.objects.create,
        training_session=session,
        professional=person,
        status="waitlisted",
        source="self",
    )
    assert Enrolment.objects.count() == 1


def test_one_attendance_mark_per_person_and_day():
    session = make_session(start_in=-5)
    day = session.days.first()
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(),
        status="confirmed",
        source="staff",
    )
    Attendance.objects.create(enrolment=enrolment, day=day, status="present")
    refused(Attendance.objects.create, enrolment=enrolment, day=day, status="absent")
    assert Attendance.objects.get().status == "present"


# --- uniqueness the services rely on -----------------------------------------------------------


def test_institution_names_are_unique_per_county_whatever_their_case():
    dgaspc = InstitutionType.objects.get(name="DGASPC")
    Institution.objects.create(name="DGASPC Cluj", institution_type=dgaspc, county=county("CJ"))
    refused(
        Institution.objects.create, name="dgaspc cluj", institution_type=dgaspc, county=county("CJ")
    )
    Institution.objects.create(name="DGASPC Cluj", institution_type=dgaspc, county=county("IS"))


def test_foreign_institutions_without_county_are_not_duplicated():
    ngo = InstitutionType.objects.get(name="DGASPC")
    Institution.objects.create(name="Krisesentersekretariatet", institution_type=ngo, country="NO")
    refused(
        Institution.objects.create,
        name="KRISESENTERSEKRETARIATET",
        institution_type=ngo,
        country="NO",
    )


def test_local_team_names_are_unique_per_county():
    LocalTeamFactory(name="EIL Cluj", county=county("CJ"))
    refused(LocalTeamFactory, name="eil cluj", county=county("CJ"))


def test_trainer_email_is_unique_whatever_its_case():
    from training.models import Trainer

    Trainer.objects.create(full_name="A", email="formator@example.ro")
    refused(Trainer.objects.create, full_name="B", email="Formator@Example.ro")
    Trainer.objects.create(full_name="C", email="")
    Trainer.objects.create(full_name="D", email="")  # no e-mail never clashes


def test_curriculum_code_and_version_are_unique():
    from training.models import Curriculum

    Curriculum.objects.create(code="EIL", version="1.0", title="EIL")
    refused(Curriculum.objects.create, code="EIL", version="1.0", title="EIL bis")
    Curriculum.objects.create(code="EIL", version="2.0", title="EIL")


def test_venue_name_is_unique_per_city():
    VenueFactory(name="Sala mare", city="Cluj-Napoca")
    refused(VenueFactory, name="Sala mare", city="Cluj-Napoca")
    VenueFactory(name="Sala mare", city="Iași")


def test_indicator_codes_are_unique_per_project():
    project = ProjectFactory()
    Indicator.objects.create(project=project, code="O1", name="x", target=1)
    refused(Indicator.objects.create, project=project, code="O1", name="y", target=2)


@pytest.mark.parametrize("percent", [101, 250])
def test_course_minimum_attendance_is_a_percentage(percent):
    refused(
        Course.objects.create,
        code="C-P",
        title="Curs",
        hours=Decimal("4"),
        delivery_type="training",
        min_attendance_percent=percent,
    )
