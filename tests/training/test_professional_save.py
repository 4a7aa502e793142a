"""Creating and updating people in the registry: `professional_create` / `professional_save`."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from tests.factories.training import (
    InstitutionFactory,
    ProfessionalFactory,
    build_cnp,  # noqa: E402
    county,
)
from training.cnp import decrypt_cnp, mask_cnp
from training.models import Professional, ProfessionalCategory, Sector
from training.services import professional_create, professional_save
from training.text import name_match_key

pytestmark = pytest.mark.django_db

CNP_ANA = build_cnp("2", datetime.date(1985, 4, 23))  # a woman born 23.04.1985
CNP_ION = build_cnp("1", datetime.date(1972, 11, 3), serial="078")


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def create(acting_user, **fields) -> Professional:
    fields.setdefault("first_name", "Ana")
    fields.setdefault("last_name", "Popescu")
    fields.setdefault("county", county("CJ"))
    return professional_create(acting_user=acting_user, **fields)


def raw_row(professional: Professional) -> str:
    """Every column of the person's row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Professional._meta.db_table} WHERE id = %s",  # noqa: S608
            [professional.pk],
        )
        return " ".join(str(value) for value in cursor.fetchone())


class TestCnp:
    def test_invalid_cnp_is_refused_on_its_field_and_nothing_is_saved(self, staff_user):
        bad = CNP_ANA[:12] + str((int(CNP_ANA[12]) + 1) % 10)
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, cnp=bad, email="ana@example.org")
        assert list(errors_of(excinfo)) == ["cnp"]
        assert not Professional.objects.exists()
        assert not ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Professional)
        ).exists()

    def test_duplicate_cnp_is_refused(self, staff_user):
        create(staff_user, cnp=CNP_ANA)
        spaced = f"{CNP_ANA[:7]} {CNP_ANA[7:]}"
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, first_name="Alta", last_name="Persoană", cnp=spaced)
        assert "cnp" in errors_of(excinfo)
        assert Professional.objects.count() == 1

    def test_saving_a_person_again_does_not_clash_with_their_own_cnp(self, staff_user):
        person = create(staff_user, cnp=CNP_ANA)
        person.position = "asistent social principal"
        professional_save(professional=person, acting_user=staff_user, cnp=CNP_ANA)
        person.refresh_from_db()
        assert person.position == "asistent social principal"
        assert person.cnp_masked == mask_cnp(CNP_ANA)

    def test_the_cnp_is_stored_encrypted_and_shown_masked(self, staff_user):
        person = create(staff_user, cnp=CNP_ANA)
        row = raw_row(person)
        assert CNP_ANA not in row
        assert CNP_ANA[1:7] not in row.replace("1985-04-23", "")
        person = Professional.objects.get(pk=person.pk)
        assert decrypt_cnp(person.cnp_encrypted) == CNP_ANA
        assert person.cnp_masked == mask_cnp(CNP_ANA)
        assert CNP_ANA not in person.cnp_masked

    def test_birth_date_is_taken_from_the_cnp(self, staff_user):
        person = create(staff_user, cnp=CNP_ANA)
        person.refresh_from_db()
        assert person.birth_date == datetime.date(1985, 4, 23)

    def test_birth_date_must_agree_with_the_cnp(self, staff_user):
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, cnp=CNP_ANA, birth_date=datetime.date(1985, 4, 24))
        assert "birth_date" in errors_of(excinfo)
        assert not Professional.objects.exists()

    def test_foreign_resident_with_the_staff_override(self, staff_user):
        number = build_cnp("8", datetime.date(2000, 2, 29))
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, cnp=number)
        assert "cnp" in errors_of(excinfo)
        person = create(staff_user, cnp=number, allow_unverifiable_cnp=True)
        person.refresh_from_db()
        assert person.cnp_masked == mask_cnp(number)
        assert person.birth_date is None  # the century is unknown: no date is guessed

    def test_no_cnp_argument_keeps_the_stored_one(self, staff_user):
        person = create(staff_user, cnp=CNP_ANA)
        person.phone = "0722 000 000"
        professional_save(professional=person, acting_user=staff_user)
        person.refresh_from_db()
        assert person.cnp_masked == mask_cnp(CNP_ANA)

    def test_an_empty_cnp_erases_it_and_frees_it_for_another_person(self, staff_user):
        person = create(staff_user, cnp=CNP_ANA)
        professional_save(professional=person, acting_user=staff_user, cnp="")
        person.refresh_from_db()
        assert person.cnp_masked == ""
        assert person.cnp_hash is None
        other = create(staff_user, first_name="Maria", cnp=CNP_ANA)
        assert other.cnp_masked == mask_cnp(CNP_ANA)

    def test_two_people_without_a_cnp_do_not_clash(self, staff_user):
        create(staff_user, first_name="Ana")
        create(staff_user, first_name="Ioana")
        assert Professional.objects.count() == 2


class TestEmail:
    def test_duplicate_email_is_refused_whatever_its_case(self, staff_user):
        create(staff_user, email="ana.popescu@example.org")
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, first_name="Ioana", email="  Ana.POPESCU@Example.org ")
        assert "email" in errors_of(excinfo)
        assert Professional.objects.count() == 1

    def test_email_is_stored_trimmed_and_lower_case(self, staff_user):
        person = create(staff_user, email="  Ana.Popescu@Example.ORG ")
        person.refresh_from_db()
        assert person.email == "ana.popescu@example.org"

    def test_a_person_keeps_their_own_email_on_update(self, staff_user):
        person = create(staff_user, email="ana@example.org")
        person.email = "ANA@example.org"
        professional_save(professional=person, acting_user=staff_user)
        person.refresh_from_db()
        assert person.email == "ana@example.org"

    def test_several_people_without_email(self, staff_user):
        create(staff_user, first_name="Ana", email="")
        create(staff_user, first_name="Ioana", email="")
        assert Professional.objects.count() == 2


class TestOtherRules:
    def test_future_birth_date_is_refused(self, staff_user):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, birth_date=tomorrow)
        assert "birth_date" in errors_of(excinfo)
        assert not Professional.objects.exists()

    def test_other_category_needs_a_description(self, staff_user):
        other = ProfessionalCategory.objects.get(name="altă categorie")
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, category=other)
        assert "category_detail" in errors_of(excinfo)
        person = create(staff_user, category=other, category_detail="mediator sanitar")
        assert person.pk is not None

    def test_a_listed_category_needs_no_description(self, staff_user):
        listed = ProfessionalCategory.objects.get(name="asistent social")
        assert create(staff_user, category=listed).pk is not None

    def test_sector_must_belong_to_the_county(self, staff_user):
        sector = Sector.objects.get(code="B-S1")
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, county=county("CJ"), sector=sector)
        assert "sector" in errors_of(excinfo)
        assert not Professional.objects.exists()
        person = create(staff_user, county=county("B"), sector=sector)
        assert person.sector == sector

    def test_all_errors_are_reported_together(self, staff_user):
        create(staff_user, email="ana@example.org")
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as excinfo:
            create(staff_user, email="ANA@example.org", birth_date=tomorrow, cnp="123")
        assert {"email", "birth_date", "cnp"} <= set(errors_of(excinfo))

    def test_names_are_normalised(self, staff_user):
        person = create(staff_user, first_name="  Ana-Maria  ", last_name="Ştefănescu   Ţuţu")
        person.refresh_from_db()
        assert person.first_name == "Ana-Maria"
        assert person.last_name == "Ștefănescu Țuțu"
        assert person.full_name == "Ana-Maria Ștefănescu Țuțu"

    def test_the_matching_key_finds_the_person_under_another_spelling(self, staff_user):
        person = create(staff_user, first_name="Ana-Maria", last_name="Ştefănescu")
        assert list(Professional.objects.matching(name_match_key("STEFANESCU ana maria"))) == [
            person
        ]

    def test_the_matching_key_follows_a_name_change(self, staff_user):
        person = ProfessionalFactory(first_name="Ana", last_name="Popescu")
        person.last_name = "Ionescu"
        professional_save(professional=person, acting_user=staff_user)
        assert list(Professional.objects.matching(name_match_key("Ana Ionescu"))) == [person]
        assert not Professional.objects.matching(name_match_key("Ana Popescu")).exists()

    def test_missing_required_fields_are_reported(self, staff_user):
        with pytest.raises(ValidationError) as excinfo:
            professional_create(acting_user=staff_user, first_name="", last_name="Popescu")
        assert {"first_name", "county"} <= set(errors_of(excinfo))


class TestAudit:
    def test_creating_is_logged_with_the_acting_user(self, staff_user):
        person = create(staff_user, institution=InstitutionFactory())
        entries = ModelLogEntry.objects.for_instance(person)
        assert [(e.action, e.user_id) for e in entries] == [("wagtail.create", staff_user.pk)]

    def test_editing_is_logged_with_the_acting_user(self, staff_user, django_user_model):
        person = create(staff_user)
        editor = django_user_model.objects.create_user("editor", "editor@example.org", "x")
        person.phone = "0744 111 222"
        professional_save(professional=person, acting_user=editor)
        latest = ModelLogEntry.objects.for_instance(person).order_by("-timestamp", "-pk").first()
        assert latest.action == "wagtail.edit"
        assert latest.user_id == editor.pk

    def test_a_refused_save_is_not_logged(self, staff_user):
        person = create(staff_user)
        person.birth_date = timezone.localdate() + datetime.timedelta(days=30)
        with pytest.raises(ValidationError):
            professional_save(professional=person, acting_user=staff_user)
        assert ModelLogEntry.objects.for_instance(person).count() == 1
        person.refresh_from_db()
        assert person.birth_date is None

    def test_the_log_does_not_reveal_the_cnp(self, staff_user):
        person = create(staff_user, cnp=CNP_ION)
        entries = list(ModelLogEntry.objects.for_instance(person))
        assert entries
        for entry in entries:
            assert CNP_ION not in str(entry.data)
            assert CNP_ION not in entry.label


def test_a_person_whose_data_was_erased_cannot_be_edited(staff_user):
    person = ProfessionalFactory(first_name="Persoană", last_name="ștearsă 7F3K2Q", email="")
    Professional.objects.filter(pk=person.pk).update(erased_at=timezone.now())
    entries = ModelLogEntry.objects.count()
    person.refresh_from_db()
    person.first_name, person.last_name, person.email = "Ana", "Popescu", "ana@example.org"
    with pytest.raises(ValidationError) as excinfo:
        professional_save(professional=person, acting_user=staff_user)
    assert gettext("This person's personal data was erased: the record cannot be edited.") in str(
        excinfo.value
    )
    stored = Professional.objects.get(pk=person.pk)
    assert (stored.first_name, stored.last_name, stored.email) == (
        "Persoană",
        "ștearsă 7F3K2Q",
        "",
    )
    assert ModelLogEntry.objects.count() == entries
