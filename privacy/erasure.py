"""Erasing a person's personal data (on request, or at the end of retention).

The person is not deleted: their registry entry stays, pseudonymised, so that every count of
trained persons, participations, completions and certificates stays the same. What reports
group by stays: county, sector, institution, professional category, sex, EIL memberships, the
enrolments, attendance and certificates. The birth date is coarsened (see `coarse_birth_date`)
so that the person stays in the same age band on the first day of every session they attended.

Everything else that names or identifies them goes, wherever it was copied to: the name (a
random pseudonym instead), e-mail, phone, CNP, job title, the "other category" text, every
identifier seen for them, the user account (deactivated and scrubbed: e-mail addresses,
second factors, calendar key; a staff account is only unlinked, see `_account_close`), the
free-text reasons of their enrolments, the copies of their data in merge snapshots, import
previews and results, the audit log's labels and data, and the certificates' frozen data, PDF
and credential, the free-text answers of their named evaluation responses (scores and
chosen options stay, so the evaluation reports do not change; anonymous answers are nobody's
and stay) and the tokens of their evaluation links (rotated). A kept certificate stays valid
and verifiable, "issued to a person whose personal data was erased"; otherwise it is revoked.
Consent records stay (they hold no personal data, only that an agreement was given).

The audit log: the entries of the erased objects (the person, their enrolments, identifiers,
memberships, certificates, closed account) keep what was edited, when and by whom, but their
before/after values (`data["changes"]`) of personal fields become "[șters]" and their links
keep only the id. Every earlier value the person's entries remember (an old surname, e-mail,
phone, birth date, job title: `History`) is a trace too, scrubbed wherever else it is found.

Not reached: files outside the database (uploaded import spreadsheets, scanned sign-in sheets)
and backups; see the README."""

import contextlib
import datetime
import json
import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from certificates import credentials
from certificates.documents import search_fold
from certificates.models import Certificate
from certificates.public import ERASED_HOLDER
from sessions.models import (
    Attendance,
    CalendarToken,
    Enrolment,
    EnrolmentStatusChange,
)
from training.cnp import decrypt_cnp
from training.models import (
    DuplicateCandidate,
    LocalTeamMembership,
    PersonIdentifier,
    Professional,
)
from training.text import name_match_key, normalize_text

ERASE_ACTION = "formativ.person.erase"
ERASE_PERMISSION = "privacy.erase_person"
MERGE_ACTION = "formativ.person.merge"  # imports.merge.MERGE_ACTION (imports sits beside us)
CERTIFICATE_STATUS_ACTION = "formativ.certificate.status"

# The pseudonym: "Persoană ștearsă 7F3K2Q" (comma-below ș, as everything we store).
PSEUDONYM_FIRST_NAME = "Persoană"
PSEUDONYM_LAST_NAME = "ștearsă {code}"
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# What replaces any other trace of the person in free text and copies.
ERASED = "[șters]"
# What a kept certificate's frozen data and verification page say instead of the name.
ERASED_REVOKE_REASON = gettext_noop("The holder's personal data was erased.")
# Reasons stored as msgids (translated on display): generic, kept.
_GENERIC_REASONS = {Enrolment.SESSION_CANCELLED}


class ErasureError(ValidationError):
    pass


@dataclass(frozen=True)
class ErasureResult:
    professional_id: int
    pseudonym: str
    certificates_kept: int
    certificates_revoked: int
    identifiers_deleted: int
    log_entries_rewritten: int
    account_closed: bool
    account_unlinked: bool = False


def check_permission(acting_user) -> None:
    if acting_user is None or not acting_user.has_perm(ERASE_PERMISSION):
        raise PermissionDenied


# --- the age band, kept --------------------------------------------------------------------


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """As reports.functions.YearsBefore: from 29 February, the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band(birth: datetime.date | None, first_day: datetime.date | None) -> str:
    """The report's age band (reports.selectors._age_band), in Python."""
    if birth is None or first_day is None:
        return "unknown"
    if birth > _years_before(first_day, 25):
        return "under_25"
    if birth > _years_before(first_day, 55):
        return "25_54"
    return "over_54"


def coarse_birth_date(
    birth: datetime.date | None, first_days: list[datetime.date]
) -> datetime.date | None:
    """The birth date as kept after erasure: 1 July of the birth year, unless that moves the
    person to another age band on the first day of one of their sessions; then the day of the
    same year nearest to 1 July that keeps every band (the real date always does, so there is
    one; it is bounded by a session's date, not by the birthday)."""
    if birth is None:
        return None
    days = sorted({d for d in first_days if d is not None})
    wanted = [age_band(birth, d) for d in days]
    middle = datetime.date(birth.year, 7, 1)
    for offset in range(184):
        for candidate in (middle - datetime.timedelta(offset), middle + datetime.timedelta(offset)):
            if candidate.year != birth.year:
                continue
            if all(age_band(candidate, d) == w for d, w in zip(days, wanted, strict=True)):
                return candidate
    return birth  # pragma: no cover - the birth date itself keeps every band


# --- what identifies the person -------------------------------------------------------------


class Traces:
    """Every string that identifies the person, and replacing them in text and JSON."""

    def __init__(
        self,
        *,
        person: Professional,
        pseudonym: str,
        user=None,
        extra=(),
        history: "History | None" = None,
    ):
        history = history or History()
        firsts = {person.first_name} | history.first_names
        lasts = {person.last_name} | history.last_names
        full_names = {f"{f} {la}" for f in firsts for la in lasts if f and la}
        full_names |= {f"{la} {f}" for f in firsts for la in lasts if f and la}
        names = {person.first_name, person.last_name, person.full_name}
        names |= {f"{person.last_name} {person.first_name}", person.match_key}
        names |= firsts | lasts | full_names
        for name in list(names):
            names |= {normalize_text(name), search_fold(name), name_match_key(name)}
            for form in (search_fold(name), normalize_text(name)):
                names |= set(re.split(r"[\s\-]+", form))
        other = {person.email, person.phone, "".join(ch for ch in person.phone if ch.isdigit())}
        other |= {person.position, person.category_detail}
        cnp = decrypt_cnp(person.cnp_encrypted) if person.cnp_encrypted else ""
        other |= {cnp, person.cnp_hash or "", person.cnp_encrypted}
        if user is not None:
            other |= {user.email, user.username}
            names |= {user.first_name, user.last_name, user.get_full_name()}
        for value in extra:
            other.add(value)
        other |= history.strong | history.other | _date_forms(person.birth_date)
        self.cnp = cnp
        self.pseudonym = pseudonym
        # Short tokens (a first name "Ana") would eat ordinary words: kept to 3 letters and up;
        # digits only from 6 up (a phone number, a CNP).
        self.names = _usable(names)
        self.other = _usable(other)
        self.strong = _usable(
            {
                person.full_name,
                person.email,
                cnp,
                person.phone,
                f"{person.last_name} {person.first_name}",
            }
            | ({user.email} if user is not None else set())
            | full_names
            | history.strong
        )
        self._pattern = _pattern(self.names | self.other)
        self._strong = _pattern(self.strong)
        self._names = {n.casefold() for n in self.names}

    def _replace(self, match: re.Match) -> str:
        return self.pseudonym if match.group(0).casefold() in self._names else ERASED

    def text(self, value: str, *, strong_only: bool = False) -> str:
        pattern = self._strong if strong_only else self._pattern
        if not value or pattern is None:
            return value
        return pattern.sub(self._replace, value)

    def found_in(self, value: str) -> bool:
        return bool(value) and self._strong is not None and bool(self._strong.search(value))

    def json(self, value):
        """Every trace replaced: for what is about the person alone."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {
                self.text(k) if isinstance(k, str) else k: self.json(v) for k, v in value.items()
            }
        return value

    def json_shared(self, value):
        """For what is about many people (an import's preview): an object that holds a strong
        trace (the person's full name, e-mail, CNP) is the person's and loses every trace;
        elsewhere only the strong traces go, so that other people's rows are left alone."""
        if isinstance(value, str):
            return self.text(value, strong_only=True)
        if isinstance(value, list):
            return [self.json_shared(v) for v in value]
        if isinstance(value, dict):
            if any(isinstance(v, str) and self.found_in(v) for v in value.values()):
                return self.json(value)
            return {k: self.json_shared(v) for k, v in value.items()}
        return value

    def q(self, field: str) -> Q:
        """Rows whose text (or JSON as text) `field` holds a strong trace. Both forms: JSON on
        SQLite is stored with non-ASCII letters escaped, on PostgreSQL as they are."""
        q = Q(pk__in=[])
        for needle in self.strong:
            escaped = json.dumps(needle)[1:-1]
            q |= Q(**{f"{field}__icontains": needle})
            if escaped != needle:
                q |= Q(**{f"{field}__icontains": escaped})
        return q


@dataclass
class History:
    """What the audit log remembers of the person beyond their current values: the earlier
    names, e-mail addresses, phones, birth dates, job titles (the before/after `changes` of
    their entry's edits and merges, and the rows of entries merged into theirs)."""

    first_names: set = field(default_factory=set)
    last_names: set = field(default_factory=set)
    strong: set = field(default_factory=set)  # e-mail addresses and phones: searched for
    other: set = field(default_factory=set)


# The person's fields whose earlier values are traces (besides the CNP, never logged).
_HISTORY_FIELDS = {
    "first_name": "first_names",
    "last_name": "last_names",
    "email": "strong",
    "phone": "strong",
    "birth_date": "other",
    "position": "other",
    "category_detail": "other",
}
# The same for a closed account's own entries.
_ACCOUNT_HISTORY_FIELDS = {
    "first_name": "first_names",
    "last_name": "last_names",
    "email": "strong",
    "username": "strong",
}


def _history(person: Professional, user=None) -> History:
    history = History()

    def learn(fields: dict, name: str, value) -> None:
        slot = fields.get(name)
        if slot is None or not isinstance(value, str) or not value.strip():
            return
        value = value.strip()
        getattr(history, slot).add(value)
        if name == "phone":
            history.strong.add("".join(ch for ch in value if ch.isdigit()))
        elif name == "birth_date":
            with contextlib.suppress(ValueError):
                history.other |= _date_forms(datetime.date.fromisoformat(value[:10]))

    sources = [(_log_entries(Professional, [person.pk]), _HISTORY_FIELDS)]
    if user is not None:
        sources.append((_log_entries(get_user_model(), [user.pk]), _ACCOUNT_HISTORY_FIELDS))
    for entries, fields in sources:
        for data in entries.exclude(action=ERASE_ACTION).values_list("data", flat=True):
            if not isinstance(data, dict):
                continue
            changes = data.get("changes")
            if isinstance(changes, dict):
                for name, value in changes.items():
                    for one in value if isinstance(value, list) else [value]:
                        learn(fields, name, one)
            drop = data.get("drop")  # a merge: the row of the entry merged into this one
            if fields is _HISTORY_FIELDS and isinstance(drop, dict):
                for name, value in drop.items():
                    learn(fields, name, value)
    return history


def _date_forms(day: datetime.date | None) -> set[str]:
    if day is None:
        return set()
    return {day.isoformat(), day.strftime("%d.%m.%Y")}


def _pattern(needles) -> re.Pattern | None:
    """Whole words only (a first name "Ana" is not the "ana" of "Management")."""
    if not needles:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _usable(values) -> set[str]:
    found = set()
    for value in values:
        value = (value or "").strip()
        if value.isdigit():
            if len(value) >= 6:
                found.add(value)
        elif len(value) >= 3:
            found.add(value)
    return found


def new_pseudonym() -> tuple[str, str]:
    code = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(6))
    return PSEUDONYM_FIRST_NAME, PSEUDONYM_LAST_NAME.format(code=code)


# --- what an erasure will touch (the confirmation page) --------------------------------------


@dataclass(frozen=True)
class ErasurePreview:
    enrolments: int
    certificates_valid: int
    certificates_other: int
    identifiers: int
    has_account: bool
    has_cnp: bool
    merges: int


def erasure_preview(*, professional: Professional) -> ErasurePreview:
    certificates = Certificate.objects.filter(enrolment__professional=professional)
    return ErasurePreview(
        enrolments=professional.enrolments.count(),
        certificates_valid=certificates.filter(status=Certificate.Status.VALID).count(),
        certificates_other=certificates.exclude(status=Certificate.Status.VALID).count(),
        identifiers=professional.identifiers.count(),
        has_account=professional.user_id is not None,
        has_cnp=bool(professional.cnp_hash),
        merges=_log_entries(Professional, [professional.pk]).filter(action=MERGE_ACTION).count(),
    )


# --- the erasure -------------------------------------------------------------------------------


def _log_entries(model, pks) -> models.QuerySet:
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=[str(pk) for pk in pks],
    )


@transaction.atomic
def person_erase(
    *, professional: Professional, acting_user, keep_certificates: bool, reason: str
) -> ErasureResult:
    """Erase a person's personal data (see the module's docstring). `acting_user` must hold
    `privacy.erase_person`. Erasing twice is refused."""
    check_permission(acting_user)
    return erase(
        professional=professional,
        acting_user=acting_user,
        keep_certificates=keep_certificates,
        reason=reason,
    )


def erase(
    *, professional: Professional, acting_user, keep_certificates: bool, reason: str
) -> ErasureResult:
    """The erasure itself, without the permission check: `person_erase` for a person's
    request, `privacy.retention` for the end of retention (acting_user may be None there)."""
    person = (
        Professional.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=professional.pk)
        .first()
    )
    if person is None:
        raise ErasureError(_("This person no longer exists."))
    if person.erased_at is not None:
        raise ErasureError(
            _("This person's personal data was already erased on %(date)s.")
            % {"date": timezone.localtime(person.erased_at).strftime("%d.%m.%Y %H:%M")}
        )
    now = timezone.now()
    user = person.user
    first_name, last_name = new_pseudonym()
    pseudonym = f"{first_name} {last_name}"
    # A staff account is the agency's: it is only unlinked (see `_account_close`).
    closed_user = user if user is not None and not is_staff_account(user) else None
    identifiers = list(person.identifiers.all())
    extra = [i.value for i in identifiers] + [i.key for i in identifiers]
    if closed_user is not None:
        from allauth.account.models import EmailAddress

        extra += list(EmailAddress.objects.filter(user=closed_user).values_list("email", flat=True))
    traces = Traces(
        person=person,
        pseudonym=pseudonym,
        user=closed_user,
        extra=extra,
        history=_history(person, closed_user),
    )

    enrolments = list(person.enrolments.select_related("training_session"))
    enrolment_ids = [e.pk for e in enrolments]
    certificates = list(
        Certificate.objects.select_for_update().filter(enrolment_id__in=enrolment_ids)
    )

    # The registry entry: pseudonymised, what reports read kept.
    birth = coarse_birth_date(person.birth_date, [e.training_session.starts_on for e in enrolments])
    erased_fields = {
        "first_name": first_name,
        "last_name": last_name,
        "match_key": name_match_key(first_name, last_name),
        "email": "",
        "phone": "",
        "birth_date": birth,
        "position": "",
        "category_detail": "",
        "contact_consent": False,
        "cnp_encrypted": "",
        "cnp_hash": None,
        "user": None,
        "erased_at": now,
    }
    Professional.objects.filter(pk=person.pk).update(**erased_fields, updated_at=now)
    identifiers_deleted = len(identifiers)
    PersonIdentifier.objects.filter(professional=person).delete()

    # Pairs in the review queue: an erased entry cannot be merged any more.
    pairs = DuplicateCandidate.objects.filter(Q(first=person) | Q(second=person))
    pair_ids = list(pairs.values_list("pk", flat=True))
    for pair in pairs:
        changes = {"source": traces.text(pair.source)}
        if pair.status == DuplicateCandidate.Status.OPEN:
            changes.update(
                status=DuplicateCandidate.Status.DISTINCT, resolved_at=now, resolved_by=acting_user
            )
        DuplicateCandidate.objects.filter(pk=pair.pk).update(**changes)

    # Free text about the person's registrations.
    for enrolment in enrolments:
        if enrolment.status_reason and enrolment.status_reason not in _GENERIC_REASONS:
            Enrolment.objects.filter(pk=enrolment.pk).update(status_reason="")
    EnrolmentStatusChange.objects.filter(enrolment_id__in=enrolment_ids).exclude(
        reason__in=[*_GENERIC_REASONS, ""]
    ).update(reason="")

    # Evaluation: the named answers keep their scores (reports stay the same), their free
    # text goes; the personal links stop working. Anonymous answers are nobody's: untouched.
    _evaluation_scrub(enrolment_ids)

    # Certificates.
    kept = revoked = 0
    for certificate in certificates:
        if not keep_certificates and certificate.status == Certificate.Status.VALID:
            _certificate_revoke(certificate=certificate, acting_user=acting_user, now=now)
            revoked += 1
        elif certificate.status == Certificate.Status.VALID:
            kept += 1
        _certificate_scrub(certificate=certificate, traces=traces)
    if revoked:
        transaction.on_commit(credentials.status_lists_changed)

    # The account: closed, unless it is a staff account (then only unlinked, above).
    if closed_user is not None:
        _account_close(user=closed_user, person_pk=person.pk)

    # Copies in the audit log (merge snapshots first: they hold whole rows), import previews,
    # and anything else the strong traces are found in.
    rewritten = _scrub_log_entries(
        traces=traces,
        erased_fields=erased_fields,
        objects={
            Professional: [person.pk],
            Enrolment: enrolment_ids,
            Certificate: [c.pk for c in certificates],
            PersonIdentifier: [i.pk for i in identifiers],
            DuplicateCandidate: pair_ids,
            LocalTeamMembership: list(person.team_memberships.values_list("pk", flat=True)),
            EnrolmentStatusChange: list(
                EnrolmentStatusChange.objects.filter(enrolment_id__in=enrolment_ids).values_list(
                    "pk", flat=True
                )
            ),
            Attendance: list(
                Attendance.objects.filter(enrolment_id__in=enrolment_ids).values_list(
                    "pk", flat=True
                )
            ),
            get_user_model(): [closed_user.pk] if closed_user is not None else [],
        },
        enrolments={e.pk: e.training_session.code for e in enrolments},
    )
    _scrub_elsewhere(traces=traces)

    person.refresh_from_db()
    log(
        instance=person,
        action=ERASE_ACTION,
        user=acting_user,
        title=pseudonym,
        data={
            "keep_certificates": keep_certificates,
            "certificates_kept": kept,
            "certificates_revoked": revoked,
            "enrolments": len(enrolments),
            "account_closed": closed_user is not None,
            "account_unlinked": user is not None and closed_user is None,
            "reason": traces.text(reason or "")[:500],
        },
    )
    return ErasureResult(
        professional_id=person.pk,
        pseudonym=pseudonym,
        certificates_kept=kept,
        certificates_revoked=revoked,
        identifiers_deleted=identifiers_deleted,
        log_entries_rewritten=rewritten,
        account_closed=closed_user is not None,
        account_unlinked=user is not None and closed_user is None,
    )


def _evaluation_scrub(enrolment_ids: list[int]) -> None:
    """Blank the free-text answers of the person's named responses and give their invitations
    new tokens (an e-mailed link stops working)."""
    from evaluation.models import Invitation, Response, new_token

    changed = []
    for response in Response.objects.filter(enrolment_id__in=enrolment_ids).select_related(
        "version"
    ):
        texts = {q["id"] for q in response.version.questions if q["type"] == "text"}
        answers = {
            key: ("" if key in texts and value != "" else value)
            for key, value in (response.answers or {}).items()
        }
        if answers != response.answers:
            response.answers = answers
            changed.append(response)
    Response.objects.bulk_update(changed, ["answers"])
    invitations = list(Invitation.objects.filter(enrolment_id__in=enrolment_ids))
    for invitation in invitations:
        invitation.token = new_token()
    Invitation.objects.bulk_update(invitations, ["token"])


def _certificate_revoke(*, certificate: Certificate, acting_user, now) -> None:
    """The status change certificates.services.certificate_revoke makes (that service also
    asks for the revoking permission, which the privacy officer need not hold)."""
    with translation.override(certificate.data.get("language") or "ro"):
        reason = _(ERASED_REVOKE_REASON)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.REVOKED,
        status_reason=reason,
        status_changed_at=now,
        status_changed_by=acting_user,
    )
    certificate.status = Certificate.Status.REVOKED
    certificate.status_reason = reason
    log(
        instance=certificate,
        action=CERTIFICATE_STATUS_ACTION,
        user=acting_user,
        data={
            "serial": certificate.serial,
            "from": Certificate.Status.VALID,
            "to": Certificate.Status.REVOKED,
            "reason": reason,
        },
    )


def _certificate_scrub(*, certificate: Certificate, traces: Traces) -> None:
    """The frozen data without the name (the page says who instead), no PDF, no credential
    (both carry the name; the verification page and the status list still answer)."""
    data = dict(certificate.data or {})
    with translation.override(data.get("language") or "ro"):
        holder = _(ERASED_HOLDER)
    previous = data.pop("holder_name", "") or ""
    if previous and isinstance(data.get("text"), str):
        data["text"] = data["text"].replace(previous, holder)
    scrubbed = traces.json(data)
    scrubbed.update(holder_name=holder, holder_erased=True)
    if certificate.pdf:
        certificate.pdf.delete(save=False)
    Certificate.objects.filter(pk=certificate.pk).update(
        data=scrubbed,
        holder_key="",
        status_reason=traces.text(certificate.status_reason),
        pdf="",
        pdf_sha256="",
        sealed=False,
        credential={},
        credential_jwt="",
    )


def is_staff_account(user) -> bool:
    """Whether a user linked to a person is (also) a staff account: staff or superuser flag,
    any group, a trainer or focal point, a project's organiser, or admin access."""
    from training.models import FocalPoint, Trainer

    return (
        user.is_staff
        or user.is_superuser
        or user.groups.exists()
        or FocalPoint.objects.filter(user=user).exists()
        or Trainer.objects.filter(user=user).exists()
        or user.organised_projects.exists()
        or user.has_perm("wagtailadmin.access_admin")
    )


def _account_close(*, user, person_pk: int) -> None:
    """Close a participant's own account: addresses, second factors, calendar key, groups and
    permissions go, the names and e-mail are blanked, it can no longer sign in.

    Only for a participant's account. A staff account (`is_staff_account`: a coordinator, a
    trainer, an organiser who also took part in a training) belongs to the agency, not to the
    person: erasing the participant must not lock a colleague out, so such an account is left
    exactly as it is and only unlinked from the registry entry (`Professional.user = None`);
    its own log entries are not rewritten either. Closing it is an account decision, taken
    separately by an administrator."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.username = f"sters-{person_pk}-{secrets.token_hex(4)}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session (the session hash changes)
    user.save()


def _merge_snapshot(data: dict, traces: Traces, erased_fields: dict) -> dict:
    """A merge's undo snapshot holds the dropped entry's whole row and identifiers: the row
    gets the erased values (an undo brings back a pseudonymised entry), the identifiers go."""
    data = dict(data)
    row = data.get("drop")
    if isinstance(row, dict):
        row = dict(row)
        for name, value in erased_fields.items():
            attname = "user_id" if name == "user" else name
            if attname in row:
                row[attname] = value.isoformat() if hasattr(value, "isoformat") else value
        data["drop"] = row
    data["drop_identifiers"] = []
    data["identifiers_added"] = []
    if isinstance(data.get("keep_filled"), dict):
        data["keep_filled"] = {
            k: v for k, v in data["keep_filled"].items() if k not in erased_fields
        }
    return traces.json(data)


def _scrub_log_entries(*, traces: Traces, erased_fields: dict, objects: dict, enrolments) -> int:
    enrolment_type = ContentType.objects.get_for_model(Enrolment)
    person_type = ContentType.objects.get_for_model(Professional)
    q = Q(pk__in=[])
    for model, pks in objects.items():
        if pks:
            q |= Q(
                content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
                object_id__in=[str(pk) for pk in pks],
            )
    q |= traces.q("label") | Q(
        pk__in=ModelLogEntry.objects.annotate(as_text=Cast("data", TextField()))
        .filter(traces.q("as_text"))
        .values("pk")
    )
    erased = {}  # (content type id, object id) -> model, for the erased objects' own entries
    for model, pks in objects.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        erased.update({(content_type.pk, str(pk)): model for pk in pks})
    rewritten = 0
    for entry in ModelLogEntry.objects.filter(q).exclude(action=ERASE_ACTION).iterator():
        data = entry.data
        model = erased.get((entry.content_type_id, entry.object_id))
        if model is not None and isinstance(data, dict) and isinstance(data.get("changes"), dict):
            data = {**data, "changes": _erased_changes(data["changes"], model)}
        if entry.action == MERGE_ACTION and isinstance(data, dict):
            data = _merge_snapshot(data, traces, erased_fields)
        else:
            data = traces.json(data)
        if entry.content_type_id == person_type.pk:
            label = traces.pseudonym
        elif entry.content_type_id == enrolment_type.pk and int(entry.object_id) in enrolments:
            label = f"{traces.pseudonym} @ {enrolments[int(entry.object_id)]}"
        else:
            label = traces.text(entry.label)
        if label != entry.label or data != entry.data:
            ModelLogEntry.objects.filter(pk=entry.pk).update(label=label[:255], data=data)
            rewritten += 1
    return rewritten


# Fields of an erased object that hold personal data though they are not text.
_PERSONAL_FIELDS = {Professional: {"birth_date"}}
# Logged for a CNP instead of its value (training.services.SECRET_FIELDS): nothing to erase.
_SECRET_CHANGE = "changed"  # noqa: S105 - a marker, no secret


def _is_personal(model, name: str) -> bool:
    """An erased object's field whose before/after values the audit log may no longer show:
    free text (names, e-mail, phone, job title, reasons, frozen data, ...), and the fields of
    `_PERSONAL_FIELDS`. Choices (sex, status), numbers, flags and timestamps stay; links are
    handled apart (their id stays). A name that is no field (a CNP's "cnp") counts as one."""
    if name in _PERSONAL_FIELDS.get(model, ()):
        return True
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return True
    if model_field.is_relation or model_field.choices:
        return False
    return isinstance(
        model_field, models.CharField | models.TextField | models.JSONField | models.FileField
    )


def _erased_value(value):
    if isinstance(value, list):
        return [_erased_value(v) for v in value]
    if value in (None, "") or value == _SECRET_CHANGE:
        return value
    return ERASED


def _unlabelled(value):
    """A link's value ({"id", "label"}) keeps its id and loses its label (a person's name,
    an account's e-mail, "name @ session")."""
    if isinstance(value, list):
        return [_unlabelled(v) for v in value]
    if isinstance(value, dict) and "id" in value:
        return {"id": value["id"]}
    return value


def _erased_changes(changes: dict, model) -> dict:
    """The before/after of an erased object's edits: the field names stay (what was edited,
    when, by whom), the personal values become "[șters]", links keep only their id."""
    result = {}
    for name, value in changes.items():
        try:
            is_link = model._meta.get_field(name).is_relation
        except FieldDoesNotExist:
            is_link = False
        if is_link:
            result[name] = _unlabelled(value)
        elif _is_personal(model, name):
            result[name] = _erased_value(value)
        else:
            result[name] = value
    return result


def _scrub_elsewhere(*, traces: Traces) -> None:
    """Copies outside the domain tables: import previews and results (their error lists and
    probable-duplicate samples quote rows), background task results, form submissions."""
    from django.apps import apps

    targets = [
        ("imports.ImportBatch", ["preview", "result", "error", "file_name"]),
        ("django_tasks_database.DBTaskResult", ["args_kwargs", "return_value", "traceback"]),
        ("wagtailforms.FormSubmission", ["form_data"]),
    ]
    for label, fields in targets:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        present = [f for f in fields if _has_field(model, f)]
        q = Q(pk__in=[])
        annotations = {}
        for name in present:
            annotations[f"{name}_as_text"] = Cast(name, TextField())
            q |= traces.q(f"{name}_as_text")
        for row in model.objects.annotate(**annotations).filter(q).iterator():
            changes = {}
            for name in present:
                value = getattr(row, name)
                scrubbed = traces.json_shared(value)
                if scrubbed != value:
                    changes[name] = scrubbed
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return False
    return True
