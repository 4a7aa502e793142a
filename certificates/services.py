"""Issuing, revoking and re-issuing certificates.

Issuing works through a session in chunks; each chunk is one transaction that holds the
session's row lock, takes the next eligible enrolments without a valid certificate, reserves
their serial numbers and status list positions, renders and seals their PDFs and stores them.
A unique constraint (one valid certificate per enrolment) makes a repeated or concurrent run
issue nothing twice; a failed chunk leaves no row and removes the files it wrote."""

import datetime
import hashlib
import json
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from certificates import credentials, selectors
from certificates.documents import (
    certified_data,
    document_for,
    search_fold,
    template_for,
    verification_url,
)
from certificates.keys import credential_key
from certificates.models import Certificate, Counter, IssueRun, new_verification_code
from certificates.pdf import render_certificate
from certificates.seal import Attachment, seal_pdf
from sessions.models import Enrolment, TrainingSession

logger = logging.getLogger(__name__)

V = Certificate.Status
CHUNK_SIZE = 25


class CertificateError(ValidationError):
    """A request the rules refuse; the message is for the person who asked."""


def _reserve(name: str, count: int) -> int:
    """Reserve `count` consecutive numbers of counter `name`; returns the first. Runs inside
    the caller's transaction, so a rolled-back chunk gives its numbers back."""
    counter, _created = Counter.objects.select_for_update().get_or_create(name=name)
    first = counter.value + 1
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
    return first


def _session_dates(training_session: TrainingSession) -> tuple[datetime.date, datetime.date]:
    bounds = training_session.days.aggregate(first=Min("starts_at"), last=Max("ends_at"))
    tz = timezone.get_current_timezone()
    return bounds["first"].astimezone(tz).date(), bounds["last"].astimezone(tz).date()


def _check_issuer(acting_user) -> None:
    if acting_user is not None and not acting_user.has_perm(selectors.ISSUE_PERMISSION):
        raise PermissionDenied


def _credential_files(credential: dict, jwt: str) -> list[Attachment]:
    return [
        Attachment(
            filename="credential.json",
            data=json.dumps(credential, ensure_ascii=False, indent=2).encode(),
            mime_type="application/vc+ld+json",
            description="Open Badges 3.0 credential (Data Integrity proof, eddsa-rdfc-2022)",
        ),
        Attachment(
            filename="credential.jwt",
            data=jwt.encode("ascii"),
            mime_type="application/vc+jwt",
            description="Open Badges 3.0 credential (VC-JWT)",
        ),
    ]


def _build(
    *,
    enrolment: Enrolment,
    template,
    days,
    serial: str,
    status_index: int,
    issued_at: datetime.datetime,
    acting_user,
) -> Certificate:
    """One certificate with its credential and sealed PDF (not saved)."""
    code = new_verification_code()
    key = credential_key()
    data = certified_data(
        enrolment=enrolment,
        template=template,
        days=days,
        issued_on=timezone.localdate(issued_at),
    )
    unsigned = credentials.build_credential(
        serial=serial,
        data=data,
        issued_at=issued_at,
        status_index=status_index,
        verify_url=verification_url(code),
    )
    credential = credentials.add_proof(unsigned, key=key, created=issued_at)
    jwt = credentials.sign_jwt(unsigned, key=key)
    document = document_for(data=data, serial=serial, code=code, template=template)
    pdf = seal_pdf(render_certificate(document), attachments=_credential_files(credential, jwt))
    certificate = Certificate(
        serial=serial,
        code=code,
        enrolment=enrolment,
        kind=data["kind"],
        issued_at=issued_at,
        issued_by=acting_user,
        data=data,
        holder_key=search_fold(data["holder_name"])[:255],
        status_index=status_index,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        sealed=True,
        credential=credential,
        credential_jwt=jwt,
    )
    certificate.pdf.save(f"{issued_at:%Y}/{serial}.pdf", ContentFile(pdf), save=False)
    return certificate


def _issue(
    *, training_session: TrainingSession, enrolments: list[Enrolment], acting_user
) -> list[Certificate]:
    """Certificates for `enrolments` (all of one session), inside the caller's transaction."""
    if not enrolments:
        return []
    credentials.publish_key(credential_key())
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    first_serial = _reserve(f"serial-{year}", len(enrolments))
    first_index = _reserve("status-index", len(enrolments)) - 1  # positions count from 0
    template = template_for(enrolments[0])
    days = _session_dates(training_session)
    prefix = settings.CERTIFICATE_SERIAL_PREFIX
    built: list[Certificate] = []
    try:
        for offset, enrolment in enumerate(enrolments):
            enrolment.training_session = training_session
            built.append(
                _build(
                    enrolment=enrolment,
                    template=template,
                    days=days,
                    serial=f"{prefix}-{year}-{first_serial + offset:06d}",
                    status_index=first_index + offset,
                    issued_at=issued_at,
                    acting_user=acting_user,
                )
            )
        Certificate.objects.bulk_create(built)
    except BaseException:
        for certificate in built:
            certificate.pdf.delete(save=False)
        raise
    # bulk_create gives no primary keys on every database: read them back by serial.
    saved = list(
        Certificate.objects.filter(serial__in=[c.serial for c in built]).order_by("serial")
    )
    for certificate in saved:
        log(
            instance=certificate,
            action="formativ.certificate.issue",
            user=acting_user,
            data={
                "serial": certificate.serial,
                "session": training_session.code,
                "from": "",
                "to": certificate.status,
            },
        )
        _notify_ready(certificate)
    return saved


def _notify_ready(certificate: Certificate) -> None:
    from certificates import tasks

    transaction.on_commit(
        partial(tasks.send_certificate_email.enqueue, certificate.pk), robust=True
    )


def _locked_session(training_session: TrainingSession) -> TrainingSession:
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("course", "project", "county")
        .get(pk=training_session.pk)
    )
    if session.status != TrainingSession.Status.COMPLETED:
        raise CertificateError(_("Certificates are issued once the session is completed."))
    return session


@transaction.atomic
def certificate_issue_chunk(
    *,
    training_session: TrainingSession,
    acting_user,
    limit: int | None = None,
    enrolment_ids: list[int] | None = None,
) -> list[Certificate]:
    """Issue the next `limit` (default CHUNK_SIZE) certificates the session owes (none
    twice); with `enrolment_ids`, only to those of these enrolments that are still owed one."""
    _check_issuer(acting_user)
    session = _locked_session(training_session)
    candidates = selectors.certificate_candidates(training_session=session)
    if enrolment_ids is not None:
        candidates = candidates.filter(pk__in=enrolment_ids)
    enrolments = list(candidates[: limit or CHUNK_SIZE])
    return _issue(training_session=session, enrolments=enrolments, acting_user=acting_user)


def certificate_issue_all(
    *,
    training_session: TrainingSession,
    acting_user,
    progress=None,
    enrolment_ids: list[int] | None = None,
) -> int:
    """Issue every certificate the session owes (with `enrolment_ids`, to those of these
    enrolments only), chunk by chunk; `progress(n)` is called after each committed chunk.
    Returns how many were issued."""
    total = 0
    while True:
        issued = certificate_issue_chunk(
            training_session=training_session,
            acting_user=acting_user,
            enrolment_ids=enrolment_ids,
        )
        if not issued:
            return total
        total += len(issued)
        if progress:
            progress(len(issued))


# --- runs (the admin's "issue certificates" action) ---------------------------------------


@transaction.atomic
def issue_run_start(*, training_session: TrainingSession, acting_user) -> IssueRun:
    """Queue the issuing of a session's certificates; a run already queued or running for
    the session is returned instead of a second one."""
    _check_issuer(acting_user)
    session = _locked_session(training_session)
    existing = selectors.active_issue_run(training_session=session)
    if existing:
        return existing
    summary = selectors.issue_summary(training_session=session)
    run = IssueRun.objects.create(
        training_session=session, requested_by=acting_user, total=summary.to_issue
    )
    from certificates import tasks

    transaction.on_commit(partial(tasks.run_issue.enqueue, run.pk), robust=True)
    return run


def issue_run_execute(*, run: IssueRun) -> IssueRun:
    """Work through a run (called by the background task). The run issues to the people owed
    a certificate when it starts, and its `total` is their number (counted again here: the
    count made when it was queued may be stale); whoever becomes eligible while it works
    (e.g. by passing a post-test still open) is left to a later run, so `issued` never
    exceeds `total`."""
    IssueRun.objects.filter(pk=run.pk).update(
        status=IssueRun.Status.RUNNING, started_at=timezone.now()
    )

    def progress(count: int) -> None:
        IssueRun.objects.filter(pk=run.pk).update(issued=F("issued") + count)

    try:
        owed = list(
            selectors.certificate_candidates(training_session=run.training_session).values_list(
                "pk", flat=True
            )
        )
        IssueRun.objects.filter(pk=run.pk).update(total=len(owed))
        certificate_issue_all(
            training_session=run.training_session,
            acting_user=run.requested_by,
            progress=progress,
            enrolment_ids=owed,
        )
    except Exception as error:
        logger.exception("Certificate issue run %s failed", run.pk)
        message = (
            error.messages[0]
            if isinstance(error, ValidationError)
            else _(
                "Issuing stopped because of an error. The certificates already issued are kept; "
                "start again to issue the rest."
            )
        )
        IssueRun.objects.filter(pk=run.pk).update(
            status=IssueRun.Status.FAILED, error=message[:500], finished_at=timezone.now()
        )
    else:
        IssueRun.objects.filter(pk=run.pk).update(
            status=IssueRun.Status.DONE, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


# --- revocation and re-issue --------------------------------------------------------------


def _check_revoker(acting_user) -> None:
    if not acting_user.has_perm(selectors.REVOKE_PERMISSION):
        raise PermissionDenied


def _change_status(*, certificate: Certificate, status: str, reason: str, acting_user) -> None:
    previous = certificate.status
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_changed_at = timezone.now()
    certificate.status_changed_by = acting_user
    certificate.save(
        update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"]
    )
    log(
        instance=certificate,
        action="formativ.certificate.status",
        user=acting_user,
        data={"serial": certificate.serial, "from": previous, "to": status, "reason": reason},
    )
    transaction.on_commit(credentials.status_lists_changed)


def _clean_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(message)
    return reason[:500]


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, acting_user) -> Certificate:
    """Revoke a valid certificate: the verification page, the API and the status list say so
    from now on."""
    _check_revoker(acting_user)
    reason = _clean_reason(
        reason, _("Give the reason for revoking; it is shown on the verification page.")
    )
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != V.VALID:
        raise CertificateError(_("Only a valid certificate can be revoked."))
    _change_status(
        certificate=certificate, status=V.REVOKED, reason=reason, acting_user=acting_user
    )
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, reason: str, acting_user) -> Certificate:
    """Replace a valid certificate with a new one (new serial and code, the data as it is
    now, e.g. a corrected name); the old one is marked superseded. Returns the new one."""
    _check_revoker(acting_user)
    reason = _clean_reason(
        reason, _("Give the reason for the new certificate; it is kept in the history.")
    )
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status != V.VALID:
        raise CertificateError(_("Only a valid certificate can be re-issued."))
    session = _locked_session(old.enrolment.training_session)
    enrolment = Enrolment.objects.select_related(
        "professional__institution", "training_session__course"
    ).get(pk=old.enrolment_id)
    if not selectors.certificate_earned(enrolment=enrolment):
        raise CertificateError(
            _("The participant no longer meets the completion rule; revoke it instead.")
        )
    _change_status(certificate=old, status=V.SUPERSEDED, reason=reason, acting_user=acting_user)
    (new,) = _issue(training_session=session, enrolments=[enrolment], acting_user=acting_user)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    return new
