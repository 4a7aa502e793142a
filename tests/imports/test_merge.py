"""Merging two registry entries of the same person, undoing the merge, and marking a pair as
different people (imports.merge)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from certificates.models import Certificate
from imports import merge
from sessions.models import Attendance, Enrolment, EnrolmentStatusChange
from tests.factories.certificates import stored_certificate as certificate
from tests.factories.sessions import make_session
from tests.factories.training import (
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    UserFactory,
    build_cnp,
)
from tests.imports.conftest import make_xlsx, run_import
from training import cnp as cnp_utils
from training.matching import name_identifier_key
from training.models import (
    DuplicateCandidate,
    LocalTeamMembership,
    PersonIdentifier,
    Professional,
)
from training.services import duplicate_candidates_record

A = Attendance.Status


def enrol(session, person) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="staff"
    )


class World:
    """Two entries of Ana Popescu: `keep` (older, no phone, no account, no CNP) and `drop`
    (a phone, an account, a CNP, a second e-mail seen on an import), with their trainings."""

    def __init__(self):
        institution = InstitutionFactory()
        self.keep = ProfessionalFactory(
            first_name="Ana", last_name="Popescu", email="ana@dgaspc.ro", institution=institution
        )
        self.user = UserFactory()
        cnp = build_cnp("2", datetime.date(1984, 3, 15))
        self.drop = ProfessionalFactory(
            first_name="Anna",
            last_name="Popescu",
            email="ana.popescu@gmail.com",
            phone="0722123456",
            institution=institution,
            user=self.user,
            cnp_encrypted=cnp_utils.encrypt_cnp(cnp),
            cnp_hash=cnp_utils.hash_cnp(cnp),
        )
        self.other = ProfessionalFactory(first_name="Ane", last_name="Popescu")
        PersonIdentifier.objects.create(
            professional=self.drop,
            kind=PersonIdentifier.Kind.EMAIL,
            value="ana.p@yahoo.com",
            key="ana.p@yahoo.com",
            source="lista 2019",
        )
        # Only the dropped entry attended this one.
        self.only_drop = make_session(start_in=-30, day_count=1)
        self.moved = enrol(self.only_drop, self.drop)
        Attendance.objects.create(
            enrolment=self.moved, day=self.only_drop.days.get(), status=A.PRESENT
        )
        # Both entries are on this one's roster (the same person twice).
        self.both = make_session(start_in=-10, day_count=2)
        day1, day2 = self.both.days.order_by("starts_at")
        self.keep_enrolment = enrol(self.both, self.keep)
        self.drop_enrolment = enrol(self.both, self.drop)
        self.keep_mark = Attendance.objects.create(
            enrolment=self.keep_enrolment, day=day1, status=A.PRESENT
        )
        self.drop_mark_same_day = Attendance.objects.create(
            enrolment=self.drop_enrolment, day=day1, status=A.ABSENT
        )
        self.drop_mark_other_day = Attendance.objects.create(
            enrolment=self.drop_enrolment, day=day2, status=A.PRESENT
        )
        self.keep_certificate = certificate(self.keep_enrolment)
        self.drop_certificate = certificate(self.drop_enrolment)
        self.history = EnrolmentStatusChange.objects.create(
            enrolment=self.drop_enrolment, from_status="", to_status="confirmed"
        )
        # Both are current members of one team; the dropped one of another team too.
        shared, own = LocalTeamFactory(), LocalTeamFactory()
        since = datetime.date(2020, 1, 1)
        LocalTeamMembership.objects.create(team=shared, professional=self.keep, since=since)
        self.shared_membership = LocalTeamMembership.objects.create(
            team=shared, professional=self.drop, since=since
        )
        self.own_membership = LocalTeamMembership.objects.create(
            team=own, professional=self.drop, since=since
        )
        self.candidate = DuplicateCandidate.objects.create(
            first=self.keep, second=self.drop, reason="name_institution"
        )
        self.other_pair = DuplicateCandidate.objects.create(
            first=self.drop, second=self.other, reason="near_name"
        )


@pytest.fixture
def world(db):
    return World()


def state() -> dict:
    """Everything a merge touches, row by row (what an undo must give back as it was)."""
    return {
        "people": sorted(
            Professional.objects.values(*[f for f in _fields(Professional) if f != "updated_at"]),
            key=lambda r: r["id"],
        ),
        **{
            model.__name__: sorted(model.objects.values(*_fields(model)), key=lambda r: r["id"])
            for model in (
                Enrolment,
                Attendance,
                Certificate,
                EnrolmentStatusChange,
                LocalTeamMembership,
                PersonIdentifier,
                DuplicateCandidate,
            )
        },
    }


def _fields(model):
    return [f.attname for f in model._meta.concrete_fields]


def enrolment_counts():
    return {p.pk: p.enrolments.count() for p in Professional.objects.all()}


# --- the merge --------------------------------------------------------------------------------


def test_merge_moves_enrolments_attendance_certificates_and_memberships(world, staff_user):
    result = merge.person_merge(
        keep=world.keep, drop=world.drop, acting_user=staff_user, candidate=world.candidate
    )

    assert not Professional.objects.filter(pk=world.drop.pk).exists()
    # The session only the dropped entry attended is now the kept person's, with its mark.
    world.moved.refresh_from_db()
    assert world.moved.professional_id == world.keep.pk
    assert world.moved.attendance.count() == 1
    # The session both attended: one enrolment, the kept one's mark for day 1 wins, the
    # dropped one's mark for day 2 is added.
    assert list(Enrolment.objects.filter(training_session=world.both)) == [world.keep_enrolment]
    marks = dict(world.keep_enrolment.attendance.values_list("day__starts_at", "status"))
    assert sorted(marks.values()) == [A.PRESENT, A.PRESENT]
    assert len(marks) == 2
    # Both certificates belong to the kept enrolment; one stays valid.
    world.drop_certificate.refresh_from_db()
    assert world.drop_certificate.enrolment_id == world.keep_enrolment.pk
    assert world.drop_certificate.status == Certificate.Status.SUPERSEDED
    assert world.drop_certificate.superseded_by_id == world.keep_certificate.pk
    world.keep_certificate.refresh_from_db()
    assert world.keep_certificate.status == Certificate.Status.VALID
    world.history.refresh_from_db()
    assert world.history.enrolment_id == world.keep_enrolment.pk
    # Memberships: still one current membership in the shared team; the other moved.
    assert set(world.keep.team_memberships.values_list("team_id", flat=True)) == {
        world.shared_membership.team_id,
        world.own_membership.team_id,
    }
    assert world.keep.team_memberships.count() == 2
    # Empty fields filled: phone, CNP, user account.
    world.keep.refresh_from_db()
    assert world.keep.phone == "0722123456"
    assert world.keep.cnp_hash == world.drop.cnp_hash
    assert world.keep.cnp_masked == world.drop.cnp_masked
    assert world.keep.user_id == world.user.pk
    assert world.keep.email == "ana@dgaspc.ro"  # what it had stays
    # The other pair now concerns the kept person.
    world.other_pair.refresh_from_db()
    assert (world.other_pair.first_id, world.other_pair.second_id) == (
        world.keep.pk,
        world.other.pk,
    )
    assert result["enrolments_moved"] == 2


def test_merge_keeps_the_dropped_identifiers_so_a_later_import_finds_the_kept_person(
    world, staff_user
):
    merge.person_merge(keep=world.keep, drop=world.drop, acting_user=staff_user)
    identifiers = set(world.keep.identifiers.values_list("kind", "key"))
    assert ("email", "ana.popescu@gmail.com") in identifiers
    assert ("email", "ana.p@yahoo.com") in identifiers
    assert ("name", name_identifier_key(world.drop.full_name)) in identifiers
    people = Professional.objects.count()

    headers = ["Nume", "Prenume", "Email", "Județ"]
    rows = [
        ["Popescu", "Anna", "ana.popescu@gmail.com", "CJ"],
        ["Popescu", "Ana", "ANA.P@yahoo.com", "CJ"],
    ]
    summary = run_import("registry", make_xlsx(rows, headers))

    assert summary.errors == []
    assert (summary.created, summary.matched) == (0, 1)
    assert Professional.objects.count() == people


def test_merge_is_audited_with_ids_only_in_the_title(world, staff_user):
    result = merge.person_merge(keep=world.keep, drop=world.drop, acting_user=staff_user)
    entry = ModelLogEntry.objects.get(pk=result["log_entry_id"])
    assert entry.action == "formativ.person.merge"
    assert entry.user_id == staff_user.pk
    assert entry.object_id == str(world.keep.pk)
    assert entry.label == f"#{world.keep.pk}"
    for personal in ("Ana", "Anna", "Popescu", "ana@dgaspc.ro", "gmail"):
        assert personal not in entry.label
    assert entry.data["drop"]["id"] == world.drop.pk


def test_undo_gives_back_everything_as_it_was(world, staff_user):
    before = state()
    counts = enrolment_counts()
    result = merge.person_merge(
        keep=world.keep, drop=world.drop, acting_user=staff_user, candidate=world.candidate
    )
    assert state() != before

    drop = merge.person_merge_undo(log_entry_id=result["log_entry_id"], acting_user=staff_user)

    assert drop.pk == world.drop.pk
    assert state() == before
    assert enrolment_counts() == counts
    assert ModelLogEntry.objects.filter(
        action="formativ.person.unmerge", object_id=str(drop.pk)
    ).exists()
    # and twice is refused
    with translation.override("ro"), pytest.raises(ValidationError) as refused:
        merge.person_merge_undo(log_entry_id=result["log_entry_id"], acting_user=staff_user)
    assert refused.value.messages == [gettext("This merge has already been undone.")]


def test_undo_is_refused_when_the_email_is_now_someone_elses(world, staff_user):
    result = merge.person_merge(keep=world.keep, drop=world.drop, acting_user=staff_user)
    ProfessionalFactory(email="ana.popescu@gmail.com")
    with pytest.raises(ValidationError):
        merge.person_merge_undo(log_entry_id=result["log_entry_id"], acting_user=staff_user)
    assert not Professional.objects.filter(pk=world.drop.pk).exists()


def test_merge_needs_both_permissions(world):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_professional"))
    with pytest.raises(PermissionDenied):
        merge.person_merge(keep=world.keep, drop=world.drop, acting_user=user)
    user.user_permissions.add(Permission.objects.get(codename="change_duplicatecandidate"))
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    merge.person_merge(keep=world.keep, drop=world.drop, acting_user=user)
    assert not Professional.objects.filter(pk=world.drop.pk).exists()


def test_a_person_cannot_be_merged_with_themselves(world, staff_user):
    with pytest.raises(ValidationError):
        merge.person_merge(keep=world.keep, drop=world.keep, acting_user=staff_user)


def test_two_accounts_cannot_be_merged(world, staff_user):
    world.keep.user = UserFactory()
    world.keep.save()
    with pytest.raises(ValidationError):
        merge.person_merge(keep=world.keep, drop=world.drop, acting_user=staff_user)
    assert Professional.objects.filter(pk=world.drop.pk).exists()


def test_an_erased_person_is_never_merged(world, staff_user):
    world.drop.erased_at = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    world.drop.save()
    with pytest.raises(ValidationError) as refused:
        merge.person_merge(keep=world.keep, drop=world.drop, acting_user=staff_user)
    assert refused.value.messages == [
        gettext("The personal data of one of the two people was erased: they cannot be merged.")
    ]
    assert Professional.objects.filter(pk=world.drop.pk).exists()


def test_a_merge_into_a_person_erased_since_cannot_be_undone(world, staff_user):
    result = merge.person_merge(keep=world.keep, drop=world.drop, acting_user=staff_user)
    Professional.objects.filter(pk=world.keep.pk).update(
        erased_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    with pytest.raises(ValidationError) as refused:
        merge.person_merge_undo(log_entry_id=result["log_entry_id"], acting_user=staff_user)
    assert refused.value.messages == [
        gettext("The kept person's personal data was erased since: the merge cannot be undone.")
    ]
    assert not Professional.objects.filter(pk=world.drop.pk).exists()


# --- different people -------------------------------------------------------------------------


def test_different_people_are_not_asked_again_by_a_reimport(db, staff_user):
    headers = ["Nume", "Prenume", "Județ", "Instituția", "Tip instituție"]
    rows = [
        ["Popescu", "Ana", "CJ", "DGASPC Cluj", "DGASPC"],
        ["Popescu", "Ana", "CJ", "DGASPC Cluj", "DGASPC"],
    ]
    data = make_xlsx(rows[:1], headers)
    run_import("registry", data)
    # the same name at the same institution, with a phone: a new person, a probable duplicate
    second = make_xlsx([[*rows[1], "0744000111"]], [*headers, "Telefon"])
    summary = run_import("registry", second)
    assert summary.review_candidates == 1
    candidate = DuplicateCandidate.objects.get()

    merge.duplicate_mark_distinct(candidate=candidate, acting_user=staff_user)

    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.DISTINCT
    assert candidate.resolved_by == staff_user
    assert ModelLogEntry.objects.filter(action="formativ.person.distinct").exists()
    summary = run_import("registry", second)
    assert summary.review_candidates == 0
    assert list(merge.duplicate_queue()) == []
    assert duplicate_candidates_record(
        pairs={(candidate.second_id, candidate.first_id): "near_name"}, source="x"
    ) == (0)
    with pytest.raises(ValidationError):
        merge.duplicate_mark_distinct(candidate=candidate, acting_user=staff_user)


def test_the_queue_reads_both_people_and_their_enrolment_counts(world, staff_user):
    pairs = list(merge.duplicate_queue())
    assert {p.pk for p in pairs} == {world.candidate.pk, world.other_pair.pk}
    by_pk = {p.pk: p for p in pairs}
    assert by_pk[world.candidate.pk].first_enrolments == 1
    assert by_pk[world.candidate.pk].second_enrolments == 2
    assert by_pk[world.other_pair.pk].second_enrolments == 0
