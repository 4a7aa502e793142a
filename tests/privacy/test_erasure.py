"""Erasing a person: nothing personal survives anywhere in the database, every report number
stays the same, certificates stay verifiable (or are revoked), and a second erasure is refused."""

import datetime
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from certificates.models import Certificate
from certificates.services import certificate_issue_all
from imports.merge import person_merge
from imports.models import ImportBatch
from privacy.erasure import ERASE_ACTION, ErasureError, coarse_birth_date, person_erase
from privacy.models import ConsentRecord
from reports.selectors import participation_report
from sessions.models import (
    Attendance,
    CalendarToken,
    Enrolment,
    EnrolmentStatusChange,
)
from sessions.services import Mark, attendance_mark_many, training_session_complete
from tests.factories.sessions import make_session
from tests.factories.training import (
    CourseFactory,
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    UserFactory,
    build_cnp,
    team_member,
)
from training.cnp import encrypt_cnp, hash_cnp
from training.matching import Identity, PersonIndex
from training.models import (
    CompletionBasis,
    DuplicateCandidate,
    PersonIdentifier,
    Professional,
)
from training.services import model_save, professional_bulk_update, professional_save

FIRST = "Zenovia"
LAST = "Bârsănescu-Quilt"
EMAIL = "zenovia.quilt@example.org"
WORK_EMAIL = "zq.birou@example.org"
PHONE = "0744555666"
BORN = datetime.date(1990, 3, 15)
CNP = build_cnp("2", BORN, "12", "777")
OTHER_FIRST, OTHER_LAST = "Ilie", "Mărgineanu"
# What the person was before the edits the audit log remembers (professional_save's changes).
OLD_LAST = "Pârvulescu-Vrancx"
OLD_EMAIL = "z.vrancx@example.net"
OLD_PHONE = "0733111222"
OLD_BORN = datetime.date(1989, 11, 2)
OLD_POSITION = "Referentă Obscurix"
POSITION = "Șefă de serviciu Quilt"

GROUPINGS = [
    (),
    ("sex",),
    ("age_band",),
    ("person_county",),
    ("institution",),
    ("professional_category",),
    ("eil_member",),
    ("sex", "age_band"),
    ("project", "person_county"),
]


def report_numbers() -> list[dict]:
    return [participation_report(group_by=g).as_dict() for g in GROUPINGS]


def dump_database() -> str:
    """Every cell of every table, as text (SQLite and PostgreSQL alike)."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "ignore")
                    cells.append(str(value))
    return "\n".join(cells).casefold()


def traces_in(dump: str, values) -> list[str]:
    found = []
    for value in values:
        for form in {value, json.dumps(value)[1:-1]}:  # JSON escapes non-ASCII on SQLite
            if form.casefold() in dump:
                found.append(form)
    return found


PERSONAL = [FIRST, LAST, "Barsanescu", "Quilt", EMAIL, WORK_EMAIL, PHONE, CNP, "1990-03-15"]
OLD = [
    OLD_LAST,
    "Parvulescu",
    "Vrancx",
    OLD_EMAIL,
    OLD_PHONE,
    "1989-11-02",
    OLD_POSITION,
    "Obscurix",
    POSITION,
]


@pytest.fixture
def world(staff_user):
    """The person with everything: account, CNP, identifiers, a merged duplicate, a pair in the
    review queue, two completed sessions (attendance, history, certificates), an EIL
    membership, log entries, an import preview quoting them; two other participants. They
    were registered under an earlier surname, e-mail, phone, birth date and job title, and
    their certificates issued under it; their registration in the first session was moved
    to them from a wrong entry; the registry entry was then corrected (professional_save:
    the audit log keeps the old values as the edits' before/after)."""
    team = LocalTeamFactory()
    user = UserFactory(username=EMAIL, email=EMAIL, first_name=FIRST, last_name=LAST)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    CalendarToken.objects.create(user=user)
    person = ProfessionalFactory(
        first_name=FIRST,
        last_name=OLD_LAST,
        email=OLD_EMAIL,
        phone=OLD_PHONE,
        sex="F",
        birth_date=OLD_BORN,
        position=OLD_POSITION,
        cnp_encrypted=encrypt_cnp(CNP),
        cnp_hash=hash_cnp(CNP),
        user=user,
        institution=InstitutionFactory(),
    )
    PersonIdentifier.objects.create(
        professional=person, kind="email", value=WORK_EMAIL, key=WORK_EMAIL, source="lista.xlsx"
    )
    team_member(team, person)
    ConsentRecord.objects.create(professional=person, user=user, purpose="notice", context="signup")
    # A duplicate entry of the same person, merged into them (the merge log keeps its row).
    duplicate = ProfessionalFactory(first_name=FIRST, last_name="Quilt", email=WORK_EMAIL + ".ro")
    person_merge(keep=person, drop=duplicate, acting_user=staff_user)
    other = ProfessionalFactory(first_name=OTHER_FIRST, last_name=OTHER_LAST, sex="M")
    third = ProfessionalFactory(first_name="Zamfira", last_name="Ardeleanu", sex="F")
    first, second = sorted([person.pk, third.pk])
    DuplicateCandidate.objects.create(
        first_id=first, second_id=second, reason="near_name", source=f"import {LAST}"
    )

    course = CourseFactory(completion_basis=CompletionBasis.DAYS, min_days=2, hours=16)
    certificates = []
    wrong = ProfessionalFactory(first_name="Greșit", last_name="Înscris")
    for start in (-40, -4):
        session = make_session(start_in=start, day_count=2, course=course)
        enrolments = [
            Enrolment.objects.create(
                training_session=session,
                professional=wrong if p is person and start == -40 else p,
                status="confirmed",
                source="staff",
            )
            for p in (person, other, third)
        ]
        if start == -40:  # registered under a wrong entry, moved to them (logged with labels)
            enrolments[0].professional = person
            model_save(instance=enrolments[0], acting_user=staff_user)
        EnrolmentStatusChange.objects.create(
            enrolment=enrolments[0],
            from_status="pending",
            to_status="confirmed",
            reason=f"Confirmată telefonic ({PHONE}), {FIRST} {LAST}",
        )
        log(instance=enrolments[0], action="formativ.enrolment.status", user=staff_user)
        marks = [
            Mark(e.pk, day.pk, Attendance.Status.PRESENT)
            for day in session.days.all()
            for e in enrolments
        ]
        attendance_mark_many(training_session=session, marks=marks, acting_user=staff_user)
        training_session_complete(training_session=session, acting_user=staff_user)
        certificate_issue_all(training_session=session, acting_user=staff_user)
        certificates.append(enrolments[0].certificates.get())
    wrong.delete()
    # The registry entry corrected: each edit logs its before/after.
    person.refresh_from_db()
    person.last_name, person.email, person.phone = LAST, EMAIL, PHONE
    professional_save(professional=person, acting_user=staff_user)
    person.birth_date, person.position = BORN, POSITION
    professional_save(professional=person, acting_user=staff_user)
    ImportBatch.objects.create(
        kind="registry",
        file="imports/lista.xlsx",
        file_name="lista.xlsx",
        preview={
            "candidates": [
                {"row": 3, "name": f"{FIRST} {LAST}", "email": EMAIL, "cnp": CNP},
                {"row": 4, "name": f"{OTHER_FIRST} {OTHER_LAST}", "email": "ilie@example.org"},
            ],
            "errors": [{"row": 3, "message": f"Telefon {PHONE} invalid pentru {EMAIL}"}],
        },
    )
    return {"person": person, "user": user, "other": other, "certificates": certificates}


@pytest.mark.django_db
def test_nothing_personal_survives_and_every_report_number_stays(world, staff_user):
    person = world["person"]
    before = report_numbers()
    assert before[0]["totals"]["unique_persons"] == 3
    dump = dump_database()
    assert traces_in(dump, PERSONAL)  # the dump does see them before
    assert all(traces_in(dump, [value]) for value in OLD)  # and the old ones, in the log

    result = person_erase(
        professional=person, acting_user=staff_user, keep_certificates=True, reason="Cerere 12/2026"
    )

    assert report_numbers() == before
    assert traces_in(dump_database(), PERSONAL + OLD) == []
    person.refresh_from_db()
    assert person.first_name == "Persoană"
    assert person.last_name.startswith("ștearsă ")
    assert result.pseudonym == f"{person.first_name} {person.last_name}"
    assert person.erased_at is not None
    assert person.birth_date == datetime.date(1990, 7, 1)
    assert (person.sex, person.county_id, person.category_id) == (
        "F",
        world["other"].county_id,
        world["other"].category_id,
    )
    assert person.cnp_hash is None and person.user is None
    assert not PersonIdentifier.objects.filter(professional=person).exists()
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.DISTINCT
    # The other people's data is left alone, even in the shared import preview.
    preview = ImportBatch.objects.get().preview
    assert preview["candidates"][1]["name"] == f"{OTHER_FIRST} {OTHER_LAST}"
    # The account is closed.
    user = world["user"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.email == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not CalendarToken.objects.filter(user=user).exists()
    # Consent records stay; one audit entry, without personal data.
    assert ConsentRecord.objects.filter(professional=person).count() == 1
    entry = ModelLogEntry.objects.get(action=ERASE_ACTION)
    assert entry.label == result.pseudonym
    assert entry.data["certificates_kept"] == 2
    assert entry.data["reason"] == "Cerere 12/2026"


@pytest.mark.django_db
def test_kept_certificate_stays_valid_and_its_page_names_nobody(world, staff_user, client):
    certificate = world["certificates"][0]
    person_erase(
        professional=world["person"], acting_user=staff_user, keep_certificates=True, reason="x"
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not certificate.pdf and certificate.credential == {} and certificate.credential_jwt == ""
    response = client.get(reverse("certificates:verify", kwargs={"code": certificate.code}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-holder-erased" in page
    assert "personal data was erased" in page
    assert FIRST not in page and "Quilt" not in page
    assert "verify-status--valid" in page


@pytest.mark.django_db
def test_certificates_not_kept_are_revoked(world, staff_user, client):
    result = person_erase(
        professional=world["person"], acting_user=staff_user, keep_certificates=False, reason="x"
    )
    assert result.certificates_revoked == 2
    for certificate in world["certificates"]:
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.REVOKED
        assert "erased" in certificate.status_reason or "șterse" in certificate.status_reason
    # The other participants' certificates are untouched.
    assert Certificate.objects.filter(status=Certificate.Status.VALID).count() == 4
    page = client.get(
        reverse("certificates:verify", kwargs={"code": world["certificates"][0].code})
    ).content.decode()
    assert "data-holder-erased" in page and FIRST not in page


@pytest.mark.django_db
def test_erasing_twice_is_refused(world, staff_user):
    person_erase(
        professional=world["person"], acting_user=staff_user, keep_certificates=True, reason="x"
    )
    with pytest.raises(ErasureError, match="already erased"):
        person_erase(
            professional=world["person"], acting_user=staff_user, keep_certificates=True, reason="x"
        )
    assert ModelLogEntry.objects.filter(action=ERASE_ACTION).count() == 1


@pytest.mark.django_db
def test_erasing_needs_the_permission():
    person = ProfessionalFactory()
    clerk = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        person_erase(professional=person, acting_user=clerk, keep_certificates=True, reason="x")
    with pytest.raises(PermissionDenied):
        person_erase(professional=person, acting_user=None, keep_certificates=True, reason="x")
    clerk.user_permissions.add(Permission.objects.get(codename="erase_person"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    person_erase(professional=person, acting_user=clerk, keep_certificates=True, reason="x")
    assert Professional.objects.get(pk=person.pk).erased_at is not None


def test_birth_date_is_kept_to_its_year_unless_an_age_band_would_change():
    # 1 July keeps the band of a session far from a birthday that changes it.
    assert coarse_birth_date(datetime.date(1990, 3, 15), [datetime.date(2026, 1, 10)]) == (
        datetime.date(1990, 7, 1)
    )
    # Turned 25 five days before the session: 1 July would make her 24 (under 25) that day;
    # the kept date is the latest that still makes her 25, the session's own day 25 years back.
    assert coarse_birth_date(datetime.date(2000, 3, 15), [datetime.date(2025, 3, 20)]) == (
        datetime.date(2000, 3, 20)
    )
    assert coarse_birth_date(None, [datetime.date(2025, 3, 20)]) is None


@pytest.mark.django_db
def test_admin_erase_page(world, admin_client):
    person = world["person"]
    url = reverse("privacy:erase", args=[person.pk])
    edit = reverse("wagtailsnippets_training_professional:edit", args=[person.pk])
    assert url in admin_client.get(edit).content.decode()  # the action on the edit page
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="certificates"' in page.content.decode()
    # Without the confirmation box nothing happens.
    admin_client.post(url, {"certificates": "keep", "reason": "Cerere"})
    assert Professional.objects.get(pk=person.pk).erased_at is None
    response = admin_client.post(
        url, {"certificates": "revoke", "reason": "Cerere 5", "confirm": "on"}, follow=True
    )
    assert Professional.objects.get(pk=person.pk).erased_at is not None
    assert "Persoană ștearsă" in response.content.decode()
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).count() == 2


@pytest.mark.django_db
def test_admin_erase_page_needs_the_permission(client):
    person = ProfessionalFactory()
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)
    response = client.post(
        reverse("privacy:erase", args=[person.pk]),
        {"certificates": "keep", "reason": "x", "confirm": "on"},
    )
    assert response.status_code in (302, 403)
    assert Professional.objects.get(pk=person.pk).erased_at is None


@pytest.mark.django_db
def test_the_erased_objects_log_entries_keep_what_was_edited_not_the_values(world, staff_user):
    person = world["person"]
    person_erase(professional=person, acting_user=staff_user, keep_certificates=True, reason="x")
    edits = [
        e.data["changes"]
        for e in ModelLogEntry.objects.filter(
            action="wagtail.edit", content_type__model="professional", object_id=str(person.pk)
        ).order_by("pk")
    ]
    assert edits == [
        {
            "last_name": ["[șters]", "[șters]"],
            "email": ["[șters]", "[șters]"],
            "phone": ["[șters]", "[șters]"],
        },
        {"birth_date": ["[șters]", "[șters]"], "position": ["[șters]", "[șters]"]},
    ]
    # The registration moved to them: the link keeps its ids, not the names.
    moved = ModelLogEntry.objects.get(action="wagtail.edit", content_type__model="enrolment")
    assert moved.data["changes"]["professional"][1] == {"id": person.pk}
    assert set(moved.data["changes"]["professional"][0]) == {"id"}


ERASED_REFUSAL = "This person's personal data was erased: the record cannot be edited."


@pytest.mark.django_db
def test_an_erased_person_cannot_be_filled_in_again(world, staff_user):
    person = world["person"]
    person_erase(professional=person, acting_user=staff_user, keep_certificates=True, reason="x")
    erased = Professional.objects.get(pk=person.pk)
    pseudonym = erased.full_name
    erased.first_name, erased.last_name, erased.email = FIRST, LAST, EMAIL
    with pytest.raises(ValidationError, match=re.escape(gettext(ERASED_REFUSAL))):
        professional_save(professional=erased, acting_user=staff_user)
    erased.refresh_from_db()
    assert (erased.full_name, erased.email) == (pseudonym, "")


@pytest.mark.django_db
def test_an_import_cannot_fill_in_an_erased_person(world, staff_user):
    person = world["person"]
    person_erase(professional=person, acting_user=staff_user, keep_certificates=True, reason="x")
    erased = Professional.objects.get(pk=person.pk)
    erased.email = EMAIL
    with pytest.raises(ValidationError, match=re.escape(gettext(ERASED_REFUSAL))):
        professional_bulk_update(professionals=[erased], fields=["email"])
    assert Professional.objects.get(pk=person.pk).email == ""


@pytest.mark.django_db
def test_import_matching_never_picks_an_erased_person(world, staff_user):
    person = world["person"]
    person_erase(professional=person, acting_user=staff_user, keep_certificates=True, reason="x")
    kept = Professional.objects.get(pk=person.pk)
    identity = Identity(
        match_key=kept.match_key,
        birth_date=kept.birth_date,
        county_id=kept.county_id,
        institution_id=kept.institution_id,
    )
    assert PersonIndex.load().match(identity).person is None
