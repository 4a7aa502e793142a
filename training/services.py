"""Writes for the registry and the training offer. Every write goes through one of these."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from training import cnp as cnp_utils
from training import roles
from training.models import (
    County,
    Course,
    Curriculum,
    DuplicateCandidate,
    Indicator,
    Institution,
    LocalTeam,
    LocalTeamMembership,
    PersonIdentifier,
    Professional,
    ProfessionalCategory,
    Project,
    Sector,
    Trainer,
)
from training.text import name_match_key, normalize_text

Validator = Callable[[models.Model], None]
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# Derived fields people never type: validated through what they derive from.
INTERNAL_FIELDS = ("match_key",)


# The audit log records what an edit changed, never a CNP: its fields log as "cnp": "changed".
SECRET_FIELDS = {"cnp_encrypted": "cnp", "cnp_hash": "cnp"}


def _audited_fields(instance: models.Model) -> list:
    return [
        f
        for f in instance._meta.concrete_fields
        if not f.primary_key
        and f.name not in INTERNAL_FIELDS
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def _stored_values(instance: models.Model) -> dict | None:
    """The row as stored before an edit (one query), for the audit log's before/after."""
    fields = [f.attname for f in _audited_fields(instance)]
    return type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()


def _audit_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
        return value.name or ""
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return str(value)


def _related_label(field, pk, instance=None) -> dict | None:
    if pk is None:
        return None
    related = getattr(instance, field.name, None) if instance is not None else None
    if related is None:
        related = field.related_model._base_manager.filter(pk=pk).first()
    return {"id": _audit_value(pk), "label": str(related) if related is not None else ""}


def _field_changes(instance: models.Model, before: dict) -> dict:
    """{field: [before, after]} for the fields an edit changed: JSON values, related records as
    id and label, a CNP only as "changed"."""
    changes: dict = {}
    for field in _audited_fields(instance):
        old, new = before.get(field.attname), getattr(instance, field.attname)
        if hasattr(new, "storage"):  # FieldFile: compare the stored names
            new = new.name or ""
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        if field.name in SECRET_FIELDS:
            changes[SECRET_FIELDS[field.name]] = "changed"
        elif field.is_relation:
            changes[field.name] = [_related_label(field, old), _related_label(field, new, instance)]
        else:
            changes[field.name] = [_audit_value(old), _audit_value(new)]
    return changes


def model_save(
    *, instance: models.Model, acting_user, validate: Validator | None = None, exclude=None
) -> models.Model:
    """Validate (the use case's own rules, then model rules and database constraints), save and
    audit one instance. A constraint that a concurrent write breaks after validation becomes a
    ValidationError too, never a server error."""
    errors: dict[str, list] = {}
    if validate is not None:  # first: it also normalises what the model rules then check
        try:
            validate(instance)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    try:
        instance.full_clean(exclude=[*(exclude or []), *INTERNAL_FIELDS])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            known = {str(m) for m in errors.get(field, [])}
            if field == NON_FIELD_ERRORS:  # a constraint already reported on its field
                known |= {str(m) for msgs in errors.values() for m in msgs}
            fresh = [m for m in messages if str(m) not in known]
            if fresh:
                errors.setdefault(field, []).extend(fresh)
    if errors:
        raise ValidationError(errors)
    creating = instance.pk is None
    try:
        with transaction.atomic():
            before = None if creating else _stored_values(instance)
            instance.save()
            log(
                instance=instance,
                action="wagtail.create" if creating else "wagtail.edit",
                user=acting_user,
                content_changed=True,
                data={} if before is None else {"changes": _field_changes(instance, before)},
            )
    except ProtectedError as exc:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Records that other records depend on cannot be removed.")]}
        ) from exc
    except IntegrityError as exc:
        if creating:
            instance.pk = None
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This record conflicts with one saved in the meantime.")]}
        ) from exc
    return instance


def _check_sector(instance) -> dict:
    # Ids, not related objects: an id that does not exist is full_clean's to report.
    sector_id = getattr(instance, "sector_id", None)
    if (
        sector_id is not None
        and not Sector.objects.filter(pk=sector_id, county_id=instance.county_id).exists()
    ):
        return {"sector": [_("The sector must belong to the chosen county.")]}
    return {}


def _normalize_name(item) -> None:
    item.name = normalize_text(item.name)


def reference_item_save(*, item: models.Model, acting_user) -> models.Model:
    """Editable reference lists (institution types, professional categories)."""
    return model_save(instance=item, acting_user=acting_user, validate=_normalize_name)


# --- institutions, teams -------------------------------------------------------------------


def _validate_institution(institution: Institution) -> None:
    institution.name = normalize_text(institution.name)
    errors = _check_sector(institution)
    if errors:
        raise ValidationError(errors)


def institution_save(*, institution: Institution, acting_user) -> Institution:
    return model_save(instance=institution, acting_user=acting_user, validate=_validate_institution)


def _validate_local_team(team: LocalTeam) -> None:
    team.name = normalize_text(team.name)
    errors = _check_sector(team)
    if errors:
        raise ValidationError(errors)


def local_team_save(*, local_team: LocalTeam, acting_user) -> LocalTeam:
    return model_save(instance=local_team, acting_user=acting_user, validate=_validate_local_team)


def local_team_membership_save(
    *, membership: LocalTeamMembership, acting_user
) -> LocalTeamMembership:
    return model_save(instance=membership, acting_user=acting_user)


# --- professionals ---------------------------------------------------------------------------


def _professional_validator(cnp: str | None, allow_unverifiable_cnp: bool) -> Validator:
    def validate(professional: Professional) -> None:
        errors: dict[str, list] = {}
        professional.first_name = normalize_text(professional.first_name)
        professional.last_name = normalize_text(professional.last_name)
        professional.email = (professional.email or "").strip().lower()
        professional.match_key = name_match_key(professional.first_name, professional.last_name)
        errors.update(_check_sector(professional))
        if professional.email:
            taken = Professional.objects.filter(email__iexact=professional.email).exclude(
                pk=professional.pk
            )
            if taken.exists():
                errors["email"] = [_("Another person already uses this email address.")]
        if professional.birth_date and professional.birth_date > timezone.localdate():
            errors["birth_date"] = [_("The birth date cannot be in the future.")]
        elif professional.birth_date and professional.birth_date < EARLIEST_BIRTH_DATE:
            errors["birth_date"] = [_("The birth date is not plausible.")]
        if (
            professional.category_id is not None
            and not professional.category_detail
            and ProfessionalCategory.objects.filter(
                pk=professional.category_id, requires_detail=True
            ).exists()
        ):
            errors["category_detail"] = [_("Say which professional category.")]
        if cnp is not None:
            if cnp.strip():
                try:
                    number = cnp_utils.validate_cnp(
                        cnp, allow_unverifiable_date=allow_unverifiable_cnp
                    )
                except ValidationError as exc:
                    errors["cnp"] = exc.messages
                else:
                    digest = cnp_utils.hash_cnp(number)
                    if (
                        Professional.objects.filter(cnp_hash=digest)
                        .exclude(pk=professional.pk)
                        .exists()
                    ):
                        errors["cnp"] = [_("Another person already has this CNP.")]
                    born = cnp_utils.birth_date(number)
                    if professional.birth_date and born and born != professional.birth_date:
                        errors["birth_date"] = [
                            _("The birth date does not match the one in the CNP.")
                        ]
                    professional.cnp_encrypted = cnp_utils.encrypt_cnp(number)
                    professional.cnp_hash = digest
                    if professional.birth_date is None and born:
                        professional.birth_date = born
            else:
                professional.cnp_encrypted = ""
                professional.cnp_hash = None
        if errors:
            raise ValidationError(errors)

    return validate


def professional_save(
    *,
    professional: Professional,
    acting_user,
    cnp: str | None = None,
    allow_unverifiable_cnp: bool = False,
) -> Professional:
    """Create or update a person. `cnp=None` leaves a stored CNP as it is; "" erases it.
    `allow_unverifiable_cnp` is the staff override for foreign residents' CNPs (S = 7/8).
    A person whose personal data was erased (`erased_at`) cannot be edited any more."""
    if professional.pk is not None:
        _refuse_erased([professional.pk])
    return model_save(
        instance=professional,
        acting_user=acting_user,
        validate=_professional_validator(cnp, allow_unverifiable_cnp),
    )


def _refuse_erased(pks) -> None:
    """Erasure is final: nothing may fill an erased entry in again (an edit, an import)."""
    if Professional.objects.filter(pk__in=pks, erased_at__isnull=False).exists():
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("This person's personal data was erased: the record cannot be edited.")
                ]
            }
        )


def professional_create(
    *, acting_user, cnp: str | None = None, allow_unverifiable_cnp: bool = False, **fields
) -> Professional:
    return professional_save(
        professional=Professional(**fields),
        acting_user=acting_user,
        cnp=cnp,
        allow_unverifiable_cnp=allow_unverifiable_cnp,
    )


# --- projects, curricula, courses, trainers ------------------------------------------------


def project_save(*, project: Project, acting_user) -> Project:
    return model_save(instance=project, acting_user=acting_user)


def indicator_save(*, indicator: Indicator, acting_user) -> Indicator:
    return model_save(instance=indicator, acting_user=acting_user)


def curriculum_save(*, curriculum: Curriculum, acting_user) -> Curriculum:
    return model_save(instance=curriculum, acting_user=acting_user)


def course_save(*, course: Course, acting_user) -> Course:
    return model_save(instance=course, acting_user=acting_user)


def _validate_trainer(trainer: Trainer) -> None:
    trainer.full_name = normalize_text(trainer.full_name)
    trainer.email = (trainer.email or "").strip().lower()


# Trainers with an account reach their sessions' attendance screens in the admin; this group
# gives them admin access and nothing else (what they may do is decided per session).
TRAINERS_GROUP = roles.TRAINER.group


def trainers_group() -> Group:
    return roles.role_group(roles.TRAINER)


@transaction.atomic
def trainer_save(*, trainer: Trainer, acting_user) -> Trainer:
    """Save a trainer. Linking a user account puts it in the trainers' group (admin access,
    for the attendance screens of the trainer's own sessions); unlinking takes it out."""
    before = (
        Trainer.objects.filter(pk=trainer.pk).values_list("user_id", flat=True).first()
        if trainer.pk
        else None
    )
    trainer = model_save(instance=trainer, acting_user=acting_user, validate=_validate_trainer)
    if before != trainer.user_id:
        group = trainers_group()
        if before:
            group.user_set.remove(before)
        if trainer.user_id:
            group.user_set.add(trainer.user_id)
    return trainer


# --- bulk writes for imports ---------------------------------------------------------------
# An import validates its rows itself (imports.engine) and writes thousands of them at once:
# these write in bulk what model_save writes one by one, and the import is audited as a whole.


def professional_bulk_create(*, professionals: list[Professional]) -> list[Professional]:
    """Save new, already validated people (match_key set, CNP encrypted and hashed)."""
    return Professional.objects.bulk_create(professionals, batch_size=500)


def professional_bulk_update(*, professionals: list[Professional], fields: list[str]) -> None:
    """Fill in what an import learned about known people (only fields that were empty).
    Refused (nothing written) if one of them was erased meanwhile."""
    if professionals and fields:
        _refuse_erased([p.pk for p in professionals])
        Professional.objects.bulk_update(professionals, fields, batch_size=500)


def person_identifiers_add(*, identifiers: list) -> None:
    """Keep the e-mail addresses, phones, spellings and rows seen for people; those already
    kept stay as they are."""
    PersonIdentifier.objects.bulk_create(identifiers, batch_size=500, ignore_conflicts=True)


def duplicate_candidates_record(*, pairs: dict[tuple[int, int], str], source: str) -> int:
    """Put probable duplicates in the review queue: `pairs` maps (id, id) to a reason. A pair
    already reviewed (merged or marked as different people) is not asked again. Returns the
    number of new pairs."""
    ordered = {(min(a, b), max(a, b)): reason for (a, b), reason in pairs.items() if a != b}
    if not ordered:
        return 0
    firsts = {a for a, _b in ordered}
    known = set(
        DuplicateCandidate.objects.filter(first_id__in=firsts).values_list("first_id", "second_id")
    )
    fresh = [
        DuplicateCandidate(first_id=a, second_id=b, reason=reason, source=source[:255])
        for (a, b), reason in ordered.items()
        if (a, b) not in known
    ]
    DuplicateCandidate.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
    return len(fresh)


def institution_bulk_create(*, institutions: list[Institution]) -> list[Institution]:
    return Institution.objects.bulk_create(institutions, batch_size=500)


def local_team_members_add(*, people: list[tuple[int, int]], since: datetime.date) -> int:
    """Make each (person id, county id) a current member of the county's intersectoral local
    team (created when the county has none yet); current members stay as they are."""
    if not people:
        return 0
    county_ids = {county_id for _pk, county_id in people}
    teams = {}
    for team in LocalTeam.objects.filter(
        county_id__in=county_ids, sector__isnull=True, is_active=True
    ).order_by("pk"):
        teams.setdefault(team.county_id, team)
    for county_id in county_ids - set(teams):
        county = County.objects.get(pk=county_id)
        teams[county_id] = LocalTeam.objects.create(
            name=f"Echipa intersectorială locală {county.name}", county=county
        )
    current = set(
        LocalTeamMembership.objects.filter(
            professional_id__in={pk for pk, _c in people}, until__isnull=True
        ).values_list("professional_id", flat=True)
    )
    fresh = [
        LocalTeamMembership(team=teams[county_id], professional_id=pk, since=since)
        for pk, county_id in dict(people).items()
        if pk not in current
    ]
    LocalTeamMembership.objects.bulk_create(fresh, batch_size=500)
    return len(fresh)


def professional_duplicates_record(*, professional: Professional, source: str) -> int:
    """After someone registers themselves: registry entries that may be them (the matching
    rules of the imports: an e-mail seen for an entry, the same name and birth date, the same
    name at the same institution, a name one letter apart in the same county) go to the review
    queue. Nothing is linked or merged by itself: a name and a birth date are no proof of who
    signs up, and an entry's history (and certificates) must not go to someone else."""
    from training.matching import Identity, PersonIndex

    nearby = Professional.objects.filter(
        models.Q(county_id=professional.county_id) | models.Q(match_key=professional.match_key)
    ).exclude(pk=professional.pk)
    index = PersonIndex.load(nearby)
    match = index.match(
        Identity(
            match_key=professional.match_key,
            email=(professional.email or "").lower(),
            cnp_hash=professional.cnp_hash,
            birth_date=professional.birth_date,
            phone="",
            county_id=professional.county_id,
            institution_id=professional.institution_id,
            institution_name=professional.institution.name if professional.institution else "",
        )
    )
    pairs = {(professional.pk, other): reason for other, reason in match.candidates}
    if match.person is not None:
        pairs[(professional.pk, match.person)] = DuplicateCandidate.Reason.SIGNUP
    return duplicate_candidates_record(pairs=pairs, source=source)


@dataclass(frozen=True)
class RekeyResult:
    rewritten: int
    current: int
    unreadable: list[int]


def professional_cnp_rekey(*, batch_size: int = 500) -> RekeyResult:
    """Re-encrypt every stored CNP with the current FORMATIV_PII_KEY and re-key its matching
    hash (the key rotation's second step: the previous keys are listed in
    FORMATIV_PII_OLD_KEYS meanwhile). A ciphertext no key can read is reported, never
    changed. Each batch is its own transaction, so a rotation can be resumed."""
    rewritten = current = 0
    unreadable: list[int] = []
    pks = list(
        Professional.objects.exclude(cnp_encrypted="").order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pks), batch_size):
        with transaction.atomic():
            batch = list(
                Professional.objects.select_for_update()
                .filter(pk__in=pks[start : start + batch_size])
                .only("pk", "cnp_encrypted", "cnp_hash")
            )
            changed = []
            for person in batch:
                number = cnp_utils.decrypt_cnp(person.cnp_encrypted)
                if not number:
                    unreadable.append(person.pk)
                    continue
                digest = cnp_utils.hash_cnp(number)
                if cnp_utils.is_current(person.cnp_encrypted) and person.cnp_hash == digest:
                    current += 1
                    continue
                person.cnp_encrypted = cnp_utils.encrypt_cnp(number)
                person.cnp_hash = digest
                changed.append(person)
            Professional.objects.bulk_update(changed, ["cnp_encrypted", "cnp_hash"])
            rewritten += len(changed)
    return RekeyResult(rewritten=rewritten, current=current, unreadable=unreadable)
