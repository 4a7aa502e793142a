"""Resolving the review queue of probable duplicates: merging two registry entries into one
(reversibly: the merge's audit entry holds everything needed to undo it), marking a pair as
different people, and the queue itself.

A merge moves everything of the entry that goes (`drop`) to the one that stays (`keep`): its
enrolments (and, in a session both attend, its attendance marks, certificates and enrolment
history), its local team memberships, its identifiers (e-mail, phone, spelling of the name, the
imported rows that found it: a later import finds the kept person by them), the fields the kept
entry lacks, its user account, and its other pairs in the queue. Then the entry is deleted."""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from certificates.models import Certificate
from sessions.models import Attendance, Enrolment, EnrolmentStatusChange, TrainingSession
from sessions.services import completion_compute
from training.matching import name_identifier_key
from training.models import (
    DuplicateCandidate,
    LocalTeamMembership,
    PersonIdentifier,
    Professional,
)

MERGE_ACTION = "formativ.person.merge"
UNMERGE_ACTION = "formativ.person.unmerge"
DISTINCT_ACTION = "formativ.person.distinct"
PERMISSIONS = ("training.change_professional", "training.change_duplicatecandidate")

# Fields of the kept entry that the dropped one fills in when they are empty.
_FILLABLE = (
    "email",
    "phone",
    "sex",
    "birth_date",
    "sector_id",
    "institution_id",
    "position",
    "category_id",
    "category_detail",
    "cnp_encrypted",
    "cnp_hash",
    "user_id",
)
_EMPTY = ("", None)


def check_permission(acting_user) -> None:
    if acting_user is None or not all(acting_user.has_perm(p) for p in PERMISSIONS):
        raise PermissionDenied


# --- rows in and out of the snapshot ----------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder keeps milliseconds): an undo restores them
    exactly."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _jsonable(value):
    return json.loads(json.dumps(value, cls=_Encoder))


def _row(instance: models.Model) -> dict:
    """Every concrete field of a row, by attribute name, as JSON values."""
    return _jsonable({f.attname: f.value_from_object(instance) for f in _concrete(instance)})


def _concrete(model) -> list:
    return list(model._meta.concrete_fields)


def _value(field, value):
    return None if value is None else field.to_python(value)


def _recreate(model, rows: list[dict]) -> None:
    """Insert rows with their original primary keys and values (auto_now fields included)."""
    if not rows:
        return
    fields = {f.attname: f for f in _concrete(model)}
    objects = [
        model(**{name: _value(fields[name], value) for name, value in row.items()}) for row in rows
    ]
    model._base_manager.bulk_create(objects)
    automatic = [
        f.attname
        for f in fields.values()
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if automatic:
        for row in rows:
            model._base_manager.filter(pk=row["id"]).update(
                **{name: _value(fields[name], row[name]) for name in automatic}
            )


def _person_identifiers(person: Professional) -> dict[tuple[str, str], str]:
    """What identifies a person besides the record's own values: (kind, key) -> value."""
    kinds = PersonIdentifier.Kind
    found = {}
    if person.email:
        found[(kinds.EMAIL, person.email.lower())] = person.email.lower()
    if person.phone:
        found[(kinds.PHONE, person.phone)] = person.phone
    if person.match_key:
        found[(kinds.NAME, name_identifier_key(person.full_name))] = person.full_name
    return found


# --- merge ------------------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    return (min(a, b), max(a, b))


@transaction.atomic
def person_merge(
    *,
    keep: Professional,
    drop: Professional,
    acting_user,
    candidate: DuplicateCandidate | None = None,
) -> dict:
    """Merge `drop` into `keep` (see the module's docstring). Returns a summary with the id of
    the audit entry (`log_entry_id`) that `person_merge_undo` takes."""
    check_permission(acting_user)
    if keep.pk == drop.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    people = Professional.objects.select_for_update().in_bulk([keep.pk, drop.pk])
    if len(people) != 2:
        raise ValidationError(_("One of the two people no longer exists."))
    keep, drop = people[keep.pk], people[drop.pk]
    if keep.erased_at or drop.erased_at:
        raise ValidationError(
            _("The personal data of one of the two people was erased: they cannot be merged.")
        )
    if keep.user_id and drop.user_id:
        raise ValidationError(
            _(
                "Both people have a user account: two accounts cannot be merged here. "
                "Ask one of them to stop using their account first."
            )
        )
    if candidate is not None:
        candidate = DuplicateCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
        if candidate is None or _pair(keep.pk, drop.pk) != (
            candidate.first_id,
            candidate.second_id,
        ):
            raise ValidationError(_("This pair is no longer in the review queue."))
        if candidate.status != DuplicateCandidate.Status.OPEN:
            raise ValidationError(_("This pair has already been resolved."))
    else:
        first, second = _pair(keep.pk, drop.pk)
        candidate = DuplicateCandidate.objects.filter(first_id=first, second_id=second).first()

    snapshot: dict = {
        "keep": keep.pk,
        "drop": _row(drop),
        "candidate": _row(candidate) if candidate else None,
    }

    # Identifiers: the dropped entry's own values and every identifier seen for it.
    drop_identifiers = list(drop.identifiers.all())
    snapshot["drop_identifiers"] = [_row(i) for i in drop_identifiers]
    wanted = _person_identifiers(drop)
    sources = {}
    for identifier in drop_identifiers:
        wanted.setdefault((identifier.kind, identifier.key), identifier.value)
        sources[(identifier.kind, identifier.key)] = identifier.source
    has = set(keep.identifiers.values_list("kind", "key"))
    added = [
        PersonIdentifier(
            professional=keep,
            kind=kind,
            key=key,
            value=value,
            source=sources.get((kind, key), "") or _("merge"),
        )
        for (kind, key), value in wanted.items()
        if (kind, key) not in has and (kind, key) not in _person_identifiers(keep)
    ]
    PersonIdentifier.objects.bulk_create(added, ignore_conflicts=True)
    snapshot["identifiers_added"] = [[i.kind, i.key] for i in added]

    # Enrolments: moved, or (a session both attend) folded into the kept one.
    moved_enrolments, deleted_enrolments, keep_enrolments = [], [], []
    moved_attendance, deleted_attendance, moved_history, moved_certificates = [], [], [], []
    completed_sessions = set()
    keep_by_session = {e.training_session_id: e for e in keep.enrolments.all()}
    for enrolment in drop.enrolments.select_related("training_session"):
        target = keep_by_session.get(enrolment.training_session_id)
        if target is None:
            moved_enrolments.append(enrolment.pk)
            continue
        if enrolment.training_session.status == TrainingSession.Status.COMPLETED:
            completed_sessions.add(enrolment.training_session)
        keep_enrolments.append(
            {
                "id": target.pk,
                "completion": target.completion,
                "attended_minutes": target.attended_minutes,
                "attended_days": target.attended_days,
                "completion_computed_at": _jsonable(target.completion_computed_at),
            }
        )
        keep_days = set(target.attendance.values_list("day_id", flat=True))
        for mark in enrolment.attendance.all():
            if mark.day_id in keep_days:
                deleted_attendance.append(_row(mark))
            else:
                moved_attendance.append([mark.pk, enrolment.pk])
        Attendance.objects.filter(
            pk__in=[pk for pk, origin in moved_attendance if origin == enrolment.pk]
        ).update(enrolment=target)
        valid = target.certificates.filter(status=Certificate.Status.VALID).first()
        for certificate in enrolment.certificates.all():
            moved_certificates.append(
                {
                    "id": certificate.pk,
                    "enrolment_id": enrolment.pk,
                    "status": certificate.status,
                    "superseded_by_id": certificate.superseded_by_id,
                    "status_reason": certificate.status_reason,
                    "status_changed_at": _jsonable(certificate.status_changed_at),
                    "status_changed_by_id": certificate.status_changed_by_id,
                }
            )
            changes = {"enrolment": target}
            if certificate.status == Certificate.Status.VALID and valid is not None:
                changes.update(
                    status=Certificate.Status.SUPERSEDED,
                    status_reason=_("Two registry entries of the same person were merged."),
                    status_changed_at=timezone.now(),
                    status_changed_by=acting_user,
                )
                if not Certificate.objects.filter(superseded_by=valid).exists():
                    changes["superseded_by"] = valid
            elif certificate.status == Certificate.Status.VALID:
                valid = certificate
            Certificate.objects.filter(pk=certificate.pk).update(**changes)
        history = list(enrolment.history.values_list("pk", flat=True))
        EnrolmentStatusChange.objects.filter(pk__in=history).update(enrolment=target)
        moved_history += [[pk, enrolment.pk] for pk in history]
        deleted_enrolments.append(_row(enrolment))
        enrolment.delete()  # its marks for days the kept enrolment has go with it
    Enrolment.objects.filter(pk__in=moved_enrolments).update(professional=keep)
    if completed_sessions:
        completion_compute(training_sessions=list(completed_sessions))
    snapshot.update(
        moved_enrolments=moved_enrolments,
        deleted_enrolments=deleted_enrolments,
        keep_enrolments=keep_enrolments,
        moved_attendance=moved_attendance,
        deleted_attendance=deleted_attendance,
        moved_history=moved_history,
        moved_certificates=moved_certificates,
    )

    # Local team memberships: one current membership per team.
    open_teams = set(
        keep.team_memberships.filter(until__isnull=True).values_list("team_id", flat=True)
    )
    moved_memberships, deleted_memberships = [], []
    for membership in drop.team_memberships.all():
        if membership.until is None and membership.team_id in open_teams:
            deleted_memberships.append(_row(membership))
            membership.delete()
        else:
            if membership.until is None:
                open_teams.add(membership.team_id)
            moved_memberships.append(membership.pk)
    LocalTeamMembership.objects.filter(pk__in=moved_memberships).update(professional=keep)
    snapshot.update(moved_memberships=moved_memberships, deleted_memberships=deleted_memberships)

    # The dropped entry's other pairs in the queue now concern the kept one.
    repointed, deleted_candidates = [], []
    existing_pairs = set(
        DuplicateCandidate.objects.filter(models.Q(first=keep) | models.Q(second=keep)).values_list(
            "first_id", "second_id"
        )
    )
    others = DuplicateCandidate.objects.filter(models.Q(first=drop) | models.Q(second=drop))
    if candidate is not None:
        others = others.exclude(pk=candidate.pk)
    for other in others:
        partner = other.second_id if other.first_id == drop.pk else other.first_id
        pair = _pair(keep.pk, partner)
        if partner == keep.pk or pair in existing_pairs:
            deleted_candidates.append(_row(other))
            continue
        existing_pairs.add(pair)
        repointed.append([other.pk, other.first_id, other.second_id])
        DuplicateCandidate.objects.filter(pk=other.pk).update(first_id=pair[0], second_id=pair[1])
    snapshot.update(repointed_candidates=repointed, deleted_candidates=deleted_candidates)

    # The kept entry's empty fields, filled from the dropped one (after it is gone: e-mail,
    # CNP and account are unique).
    filled = {}
    for name in _FILLABLE:
        if getattr(keep, name) in _EMPTY and getattr(drop, name) not in _EMPTY:
            filled[name] = getattr(drop, name)
    if "sector_id" in filled and drop.county_id != keep.county_id:
        del filled["sector_id"]
    if "category_detail" in filled and drop.category_id != (
        filled.get("category_id") or keep.category_id
    ):
        del filled["category_detail"]
    if ("cnp_hash" in filled) != ("cnp_encrypted" in filled):
        filled.pop("cnp_hash", None)
        filled.pop("cnp_encrypted", None)
    snapshot["keep_filled"] = _jsonable({name: getattr(keep, name) for name in filled})

    Professional.objects.filter(pk=drop.pk).delete()  # its identifiers and pairs with it
    if (
        "email" in filled
        and Professional.objects.filter(email__iexact=filled["email"]).exclude(pk=keep.pk).exists()
    ):
        del filled["email"]
        del snapshot["keep_filled"]["email"]
    if filled:
        Professional.objects.filter(pk=keep.pk).update(**filled, updated_at=timezone.now())
        for name, value in filled.items():
            setattr(keep, name, value)

    entry = log(
        instance=keep,
        action=MERGE_ACTION,
        user=acting_user,
        title=f"#{keep.pk}",
        data=_jsonable(snapshot)
        | {  # before/after of the kept entry's filled fields; a CNP only as "changed"
            "changes": {
                ("cnp" if n.startswith("cnp_") else n): (
                    "changed"
                    if n.startswith("cnp_")
                    else [snapshot["keep_filled"][n], _jsonable(filled[n])]
                )
                for n in filled
            },
            "merged": {"from": drop.pk, "into": keep.pk},
        },
    )
    return {
        "log_entry_id": entry.pk,
        "keep": keep.pk,
        "drop": drop.pk,
        "enrolments_moved": len(moved_enrolments) + len(deleted_enrolments),
        "attendance_moved": len(moved_attendance),
        "certificates_moved": len(moved_certificates),
        "memberships_moved": len(moved_memberships),
        "identifiers_added": len(added),
        "fields_filled": sorted(filled),
    }


def merge_entry(log_entry_id: int) -> ModelLogEntry | None:
    return ModelLogEntry.objects.filter(pk=log_entry_id, action=MERGE_ACTION).first()


def merge_undone(log_entry_id: int) -> bool:
    return ModelLogEntry.objects.filter(
        action=UNMERGE_ACTION, data__merge_log_id=log_entry_id
    ).exists()


def merge_entry_for_candidate(candidate_id: int) -> ModelLogEntry | None:
    """The merge that resolved a pair (the pair itself goes with the entry that was dropped)."""
    return (
        ModelLogEntry.objects.filter(action=MERGE_ACTION, data__candidate__id=candidate_id)
        .order_by("-timestamp", "-pk")
        .first()
    )


@transaction.atomic
def person_merge_undo(*, log_entry_id: int, acting_user) -> Professional:
    """Undo a merge from its audit entry: the dropped person comes back with its id, fields,
    enrolments, marks, certificates, memberships, identifiers and pairs; the kept one gets back
    what it had. Refused when already undone or when what changed since prevents it."""
    check_permission(acting_user)
    entry = (
        ModelLogEntry.objects.select_for_update()
        .filter(pk=log_entry_id, action=MERGE_ACTION)
        .first()
    )
    if entry is None:
        raise ValidationError(_("There is no such merge to undo."))
    if merge_undone(entry.pk):
        raise ValidationError(_("This merge has already been undone."))
    data = entry.data
    drop_row = data["drop"]
    drop_pk = drop_row["id"]
    keep = Professional.objects.select_for_update().filter(pk=data["keep"]).first()
    if keep is None:
        raise ValidationError(
            _("The person the merge kept no longer exists: the merge cannot be undone.")
        )
    if keep.erased_at:
        raise ValidationError(
            _("The kept person's personal data was erased since: the merge cannot be undone.")
        )
    if Professional.objects.filter(pk=drop_pk).exists():
        raise ValidationError(_("The merged person already exists again."))
    filled = data["keep_filled"]
    _check_unique(keep, drop_row, filled)
    moved = data["moved_enrolments"]
    if Enrolment.objects.filter(pk__in=moved, professional=keep).count() != len(moved):
        raise ValidationError(
            _("The kept person's enrolments have changed since the merge: it cannot be undone.")
        )
    for row in data["deleted_enrolments"]:
        if (
            Enrolment.objects.filter(pk=row["id"]).exists()
            or Enrolment.objects.filter(
                training_session_id=row["training_session_id"], professional_id=drop_pk
            ).exists()
        ):
            raise ValidationError(
                _("The kept person's enrolments have changed since the merge: it cannot be undone.")
            )

    # The kept entry gets back what it had, then the dropped one comes back.
    fields = {f.attname: f for f in _concrete(Professional)}
    if filled:
        Professional.objects.filter(pk=keep.pk).update(
            **{name: _value(fields[name], value) for name, value in filled.items()}
        )
    _recreate(Professional, [drop_row])
    drop = Professional.objects.get(pk=drop_pk)

    kinds_keys = models.Q(pk__in=[])
    for kind, key in data["identifiers_added"]:
        kinds_keys |= models.Q(kind=kind, key=key)
    keep.identifiers.filter(kinds_keys).delete()
    _recreate(PersonIdentifier, data["drop_identifiers"])

    Enrolment.objects.filter(pk__in=moved).update(professional=drop)
    _recreate(Enrolment, data["deleted_enrolments"])
    for pk, origin in data["moved_attendance"]:
        Attendance.objects.filter(pk=pk).update(enrolment_id=origin)
    _recreate(Attendance, data["deleted_attendance"])
    for pk, origin in data["moved_history"]:
        EnrolmentStatusChange.objects.filter(pk=pk).update(enrolment_id=origin)
    cert_fields = {f.attname: f for f in _concrete(Certificate)}
    for row in data["moved_certificates"]:
        Certificate.objects.filter(pk=row["id"]).update(
            **{name: _value(cert_fields[name], row[name]) for name in row if name != "id"}
        )
    enrolment_fields = {f.attname: f for f in _concrete(Enrolment)}
    for row in data["keep_enrolments"]:
        Enrolment.objects.filter(pk=row["id"]).update(
            **{name: _value(enrolment_fields[name], row[name]) for name in row if name != "id"}
        )

    LocalTeamMembership.objects.filter(pk__in=data["moved_memberships"]).update(professional=drop)
    _recreate(LocalTeamMembership, data["deleted_memberships"])

    for pk, first, second in data["repointed_candidates"]:
        DuplicateCandidate.objects.filter(pk=pk).update(first_id=first, second_id=second)
    _recreate(DuplicateCandidate, data["deleted_candidates"])
    if data["candidate"]:
        row = {
            **data["candidate"],
            "status": DuplicateCandidate.Status.OPEN,
            "resolved_at": None,
            "resolved_by_id": None,
        }
        if not DuplicateCandidate.objects.filter(
            first_id=row["first_id"], second_id=row["second_id"]
        ).exists():
            _recreate(DuplicateCandidate, [row])

    log(
        instance=drop,
        action=UNMERGE_ACTION,
        user=acting_user,
        title=f"#{drop.pk}",
        data={"merge_log_id": entry.pk, "keep": keep.pk, "drop": drop.pk},
    )
    return drop


def _check_unique(keep: Professional, drop_row: dict, filled: dict) -> None:
    """The dropped person's unique values must be free again once the kept one gives back
    what the merge filled in."""
    email = drop_row.get("email") or ""
    if email:
        holders = Professional.objects.filter(email__iexact=email)
        if "email" in filled:
            holders = holders.exclude(pk=keep.pk)
        if holders.exists():
            raise ValidationError(
                _(
                    "The merged person's e-mail address is now used by someone else: "
                    "the merge cannot be undone."
                )
            )
    cnp_hash = drop_row.get("cnp_hash")
    if cnp_hash:
        holders = Professional.objects.filter(cnp_hash=cnp_hash)
        if "cnp_hash" in filled:
            holders = holders.exclude(pk=keep.pk)
        if holders.exists():
            raise ValidationError(
                _("The merged person's CNP is now someone else's: the merge cannot be undone.")
            )
    user_id = drop_row.get("user_id")
    if user_id:
        holders = Professional.objects.filter(user_id=user_id)
        if "user_id" in filled:
            holders = holders.exclude(pk=keep.pk)
        if holders.exists():
            raise ValidationError(
                _(
                    "The merged person's user account is now linked to someone else: "
                    "the merge cannot be undone."
                )
            )


# --- different people, the queue -------------------------------------------------------------


@transaction.atomic
def duplicate_mark_distinct(*, candidate: DuplicateCandidate, acting_user) -> DuplicateCandidate:
    """The two entries are different people: the pair leaves the queue, and imports do not put
    it back."""
    check_permission(acting_user)
    candidate = DuplicateCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
    if candidate is None:
        raise ValidationError(_("This pair is no longer in the review queue."))
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("This pair has already been resolved."))
    candidate.status = DuplicateCandidate.Status.DISTINCT
    candidate.resolved_at = timezone.now()
    candidate.resolved_by = acting_user
    candidate.save(update_fields=["status", "resolved_at", "resolved_by"])
    log(
        instance=candidate,
        action=DISTINCT_ACTION,
        user=acting_user,
        title=f"#{candidate.first_id} ~ #{candidate.second_id}",
    )
    return candidate


def _enrolment_count(side: str):
    return Coalesce(
        Subquery(
            Enrolment.objects.filter(professional_id=OuterRef(f"{side}_id"))
            .order_by()
            .values("professional_id")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def duplicate_queue(*, status: str | None = "open", reason: str | None = None):
    """The pairs to review (or those resolved, by status), both people with their county and
    institution, and how many enrolments each has."""
    queryset = DuplicateCandidate.objects.select_related(
        "first__county",
        "first__institution",
        "second__county",
        "second__institution",
        "resolved_by",
    ).annotate(
        first_enrolments=_enrolment_count("first"), second_enrolments=_enrolment_count("second")
    )
    if status:
        queryset = queryset.filter(status=status)
    if reason:
        queryset = queryset.filter(reason=reason)
    return queryset.order_by("-created_at", "pk")
