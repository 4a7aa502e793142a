"""REST endpoints for certificates: a holder's own, an organiser's full record and issuing, and
the public verification lookup (rate-limited like the verification page, whose counter it
shares)."""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field as PydanticField

from certificates import ratelimit, selectors, services
from certificates.documents import format_dates, verification_url
from certificates.models import Certificate, IssueRun
from certificates.public import public_record
from config.api_support import BoundedPagination, ErrorOut, require_perm
from sessions.models import TrainingSession
from training.access import staff_scope

router = Router(tags=["certificates"])

ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)
S = Certificate.Status


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


# --- a holder's own certificates ------------------------------------------------------------


class MyCertificateOut(Schema):
    serial: str
    title: str
    course: str
    session: str = PydanticField(description="The session's code.")
    starts_on: datetime.date
    ends_on: datetime.date
    dates: str = PydanticField(description="The dates, in the caller's language.")
    hours: str = PydanticField(description="The hours certified, as printed (“16”, “7,5”).")
    status: str = PydanticField(description="`valid`, `revoked` or `superseded`.")
    issued_at: datetime.datetime
    pdf_url: str = PydanticField(description="The sealed PDF (for the signed-in holder).")
    credential_url: str = PydanticField(
        description="The Open Badges 3.0 credential, JSON-LD with its Data Integrity proof."
    )
    verify_url: str = PydanticField(description="The public verification page.")

    # What the certificate states comes from the data frozen at issue.
    @staticmethod
    def resolve_title(obj):
        return obj.data["title"]

    @staticmethod
    def resolve_course(obj):
        return obj.data["course_title"]

    @staticmethod
    def resolve_starts_on(obj):
        return datetime.date.fromisoformat(obj.data["starts_on"])

    @staticmethod
    def resolve_ends_on(obj):
        return datetime.date.fromisoformat(obj.data["ends_on"])

    @staticmethod
    def resolve_dates(obj):
        return format_dates(
            datetime.date.fromisoformat(obj.data["starts_on"]),
            datetime.date.fromisoformat(obj.data["ends_on"]),
        )

    @staticmethod
    def resolve_hours(obj):
        return obj.data["course_hours"]

    @staticmethod
    def resolve_session(obj):
        return obj.enrolment.training_session.code

    @staticmethod
    def resolve_pdf_url(obj):
        return absolute_url(reverse("certificates:download_pdf", kwargs={"serial": obj.serial}))

    @staticmethod
    def resolve_credential_url(obj):
        return absolute_url(
            reverse("certificates:download_credential", kwargs={"serial": obj.serial})
        )

    @staticmethod
    def resolve_verify_url(obj):
        return verification_url(obj.code)


@router.get("/me/certificates", response=list[MyCertificateOut])
@paginate(BoundedPagination)
def my_certificates(request):
    """Your own certificates, whatever their status, the newest first (empty when your account
    is not linked to a registry entry). The download addresses work for you signed in on the
    site."""
    return selectors.certificates_of_user(user=request.user)


# --- the public lookup ----------------------------------------------------------------------


class VerifyOut(Schema):
    status: str = PydanticField(description="`valid`, `revoked` or `superseded`.")
    holder_name: str
    title: str
    course: str
    dates: str = PydanticField(description="The dates, in the caller's language.")
    starts_on: datetime.date
    ends_on: datetime.date
    hours: str
    issuer: str
    serial: str
    issued_on: datetime.date
    revoked_on: datetime.date | None = PydanticField(None, description="Revoked ones only.")
    reason: str | None = PydanticField(None, description="Revoked ones only: why.")
    replaced_on: datetime.date | None = PydanticField(None, description="Replaced ones only.")
    replaced_by: str | None = PydanticField(
        None, description="Replaced ones only: the serial of the certificate replacing it."
    )


def _public_out(certificate: Certificate) -> dict:
    record = public_record(certificate)
    out = {
        "status": record.status,
        "holder_name": record.holder_name,
        "title": record.title,
        "course": record.course,
        "dates": record.dates,
        "starts_on": record.starts_on,
        "ends_on": record.ends_on,
        "hours": record.hours,
        "issuer": record.issuer,
        "serial": record.serial,
        "issued_on": record.issued_on,
    }
    if record.is_revoked:
        out.update(revoked_on=record.status_changed_on, reason=record.reason)
    elif record.is_superseded:
        out.update(replaced_on=record.status_changed_on, replaced_by=record.replaced_by)
    return out


@router.get(
    "/certificates/verify/{code}",
    response={200: VerifyOut, 404: ErrorOut, 429: ErrorOut},
    auth=None,
    exclude_none=True,
)
def verify_certificate(request, code: str, response: HttpResponse):
    """Public: what a certificate states and whether it is still valid, by its verification
    code (as printed, dashes and small letters allowed). Nothing else personal. 404 for a
    code that matches none; lookups are limited per client address (429 when over)."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    if not ratelimit.verification_lookup_allowed(request):
        response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
        response._has_been_logged = True  # the path holds the code: not in the request log
        return Status(
            429,
            {"detail": _("Too many lookups. Wait a minute and try again."), "errors": {}},
        )
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        response._has_been_logged = True
        return Status(
            404, {"detail": _("No certificate has this verification code."), "errors": {}}
        )
    return _public_out(certificate)


# --- organisers -----------------------------------------------------------------------------


class CertificateOut(Schema):
    serial: str
    kind: str
    status: str
    status_reason: str
    status_changed_at: datetime.datetime | None
    replaced_by: str | None = PydanticField(description="The serial replacing this one.")
    replaces: str | None = PydanticField(description="The serial this one replaced.")
    session: str = PydanticField(description="The session's code.")
    enrolment_id: int
    professional_id: int
    issued_at: datetime.datetime
    data: dict = PydanticField(description="What the certificate certifies, frozen at issue.")
    sealed: bool
    pdf_sha256: str
    verify_url: str
    credential: dict = PydanticField(description="Open Badges 3.0, with its Data Integrity proof.")
    credential_jwt: str = PydanticField(description="The same credential as a VC-JWT.")

    @staticmethod
    def resolve_replaced_by(obj):
        return obj.superseded_by.serial if obj.superseded_by_id else None

    @staticmethod
    def resolve_replaces(obj):
        older = getattr(obj, "supersedes", None)
        return older.serial if older else None

    @staticmethod
    def resolve_session(obj):
        return obj.enrolment.training_session.code

    @staticmethod
    def resolve_professional_id(obj):
        return obj.enrolment.professional_id

    @staticmethod
    def resolve_verify_url(obj):
        return verification_url(obj.code)


@router.get("/certificates/{serial}", response={200: CertificateOut, **ERRORS})
def get_certificate(request, serial: str):
    """A certificate's full record, for organisers who may view certificates (403 for others,
    404 for an unknown serial)."""
    require_perm(request, selectors.VIEW_PERMISSION)
    return get_object_or_404(
        selectors.certificates_for_staff(user=request.user).select_related("supersedes"),
        serial=serial,
    )


class RunOut(Schema):
    run: int
    session: int
    status: str = PydanticField(description="`queued`, `running`, `done` or `failed`.")
    total: int = PydanticField(description="Certificates the session owed when the run began.")
    issued: int
    percent: int
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    status_url: str


def _run_out(run: IssueRun) -> dict:
    return {
        "run": run.pk,
        "session": run.training_session_id,
        "status": run.status,
        "total": run.total,
        "issued": run.issued,
        "percent": run.percent,
        "error": run.error,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status_url": absolute_url(reverse("api-v1:certificate_run", kwargs={"run_id": run.pk})),
    }


@router.post(
    "/sessions/{session_id}/certificates/issue",
    response={202: RunOut, **ERRORS},
)
def issue_certificates(request, session_id: int):
    """Issue the certificates of a completed session, in the background: to every confirmed
    participant whose result earns the course's certificate and who has no valid one yet
    (nobody twice). Answers 202 with the run; follow it at `status_url`. A run already queued
    or running for the session is returned instead of a second one. 403 without permission to
    issue certificates, 404 for an unknown session, 400 when the session is not completed."""
    require_perm(request, selectors.ISSUE_PERMISSION)
    session = get_object_or_404(
        TrainingSession.objects.filter(staff_scope(request.user).sessions_q()), pk=session_id
    )
    run = services.issue_run_start(training_session=session, acting_user=request.user)
    return Status(202, _run_out(run))


@router.get(
    "/certificates/runs/{run_id}",
    response={200: RunOut, **ERRORS},
    url_name="certificate_run",
)
def get_issue_run(request, run_id: int):
    """How an issue run stands (`issued` of `total`), for those who may issue certificates."""
    require_perm(request, selectors.ISSUE_PERMISSION)
    runs = IssueRun.objects.filter(staff_scope(request.user).sessions_q("training_session__"))
    return _run_out(get_object_or_404(runs, pk=run_id))
