"""Factories for the registry and the training offer. Reference data (counties, sectors,
institution types, categories) comes from the data migration: factories look it up."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from training.models import (
    County,
    Course,
    Curriculum,
    FocalPoint,
    Institution,
    InstitutionType,
    LocalTeam,
    LocalTeamMembership,
    Professional,
    ProfessionalCategory,
    Project,
    Trainer,
)
from training.text import name_match_key

CNP_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)


def build_cnp(sex: str, born: datetime.date, county_code: str = "12", serial: str = "345") -> str:
    """A CNP with the control digit computed as the law describes (remainder 10 gives 1)."""
    first12 = f"{sex}{born:%y%m%d}{county_code}{serial}"
    remainder = sum(w * int(d) for w, d in zip(CNP_WEIGHTS, first12, strict=True)) % 11
    return first12 + ("1" if remainder == 10 else str(remainder))


def county(code: str = "CJ") -> County:
    return County.objects.get(code=code)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"DGASPC Test {n}")
    institution_type = factory.LazyFunction(lambda: InstitutionType.objects.get(name="DGASPC"))
    county = factory.LazyFunction(county)


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professional

    first_name = factory.Sequence(lambda n: f"Ana{n}")
    last_name = "Popescu"
    email = factory.Sequence(lambda n: f"persoana{n}@example.org")
    county = factory.LazyFunction(county)
    category = factory.LazyFunction(
        lambda: ProfessionalCategory.objects.get(name="asistent social")
    )
    match_key = factory.LazyAttribute(lambda o: name_match_key(o.first_name, o.last_name))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    acronym = factory.Sequence(lambda n: f"PRJ{n}")
    name = factory.Sequence(lambda n: f"Proiect {n}")
    funder = Project.Funder.ESF
    starts_on = datetime.date(2019, 1, 1)
    ends_on = datetime.date(2023, 12, 31)


class CurriculumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curriculum

    code = factory.Sequence(lambda n: f"CUR{n}")
    title = factory.Sequence(lambda n: f"Curriculum {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Curs {n}")
    hours = Decimal("16")
    delivery_type = "training"


class TrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainer

    full_name = factory.Sequence(lambda n: f"Formator {n}")
    email = factory.Sequence(lambda n: f"formator{n}@example.org")


class LocalTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalTeam

    name = factory.Sequence(lambda n: f"EIL {n}")
    county = factory.LazyFunction(county)


class UserFactory(factory.django.DjangoModelFactory):
    """A plain account without back-office rights."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"utilizator{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("parola-sigura-123")


class PersonFactory(ProfessionalFactory):
    """A professional with their own account (who can register themselves)."""

    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..email"),
        email=factory.SelfAttribute("..email"),
    )


class FocalPointFactory(factory.django.DjangoModelFactory):
    """A nomination right; pass exactly one of institution, county or local_team."""

    class Meta:
        model = FocalPoint

    user = factory.SubFactory(UserFactory)


def team_member(team: LocalTeam, professional, since: datetime.date | None = None, until=None):
    return LocalTeamMembership.objects.create(
        team=team,
        professional=professional,
        since=since or datetime.date(2020, 1, 1),
        until=until,
    )
