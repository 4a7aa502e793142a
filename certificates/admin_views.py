"""Certificates in the back office, beyond the list and the template forms (viewsets.py):
a template's specimen PDF, a certificate's page with its downloads, revoking and re-issuing,
issuing the certificates of a completed session and following the run that issues them.
Every write goes through `certificates.services`.

The services (and the PDF renderer and sealer behind them) are imported when a view needs
them: the admin's URLs and menus load without ReportLab and pyHanko."""

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from certificates import documents, selectors
from certificates.admin_forms import ReissueForm, RevokeForm
from certificates.keys import using_development_keys
from certificates.models import Certificate, CertificateTemplate, IssueRun
from sessions.admin_views import AdminScreen
from sessions.models import Enrolment, TrainingSession
from training.access import staff_scope
from training.admin_views import add_service_errors
from training.models import CertificateType, CompletionBasis

URL_NAMESPACE = "certificates_admin"
ISSUE_PERMISSION = selectors.ISSUE_PERMISSION
REVOKE_PERMISSION = selectors.REVOKE_PERMISSION
VIEW_PERMISSION = selectors.VIEW_PERMISSION
TEMPLATE_PERMISSIONS = (
    "certificates.add_certificatetemplate",
    "certificates.change_certificatetemplate",
    "certificates.view_certificatetemplate",
)

V = Certificate.Status
R = IssueRun.Status


def admin_url(name: str, *args) -> str:
    return reverse(f"{URL_NAMESPACE}:{name}", args=args)


def inspect_url(certificate: Certificate) -> str:
    return reverse("certificate:inspect", args=[certificate.pk])


def certificate_list_url(*, session_code: str = "") -> str:
    url = reverse("certificate:index")
    return f"{url}?{urlencode({'session': session_code})}" if session_code else url


def attachment(content, *, content_type: str, filename: str, inline: bool = False):
    """A file the browser saves (or, `inline`, shows): never cached, never sniffed."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def forbidden(request) -> HttpResponse:
    """A refusal as a 403 page (or JSON for scripts), where Wagtail would send the user to the
    dashboard with a message."""
    text = _("You do not have permission for this certificate screen.")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": text}, status=403)
    return TemplateResponse(
        request,
        "certificates/admin/forbidden.html",
        {"page_title": _("Certificates"), "header_title": _("Certificates"), "message": text},
        status=403,
    )


class ForbiddenMixin:
    """A PermissionDenied raised by the view (or a service it calls) answers 403."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class RequirePermissions:
    """For users holding all of `permissions` (others: PermissionDenied)."""

    permissions: tuple[str, ...] = (VIEW_PERMISSION,)

    def dispatch(self, request, *args, **kwargs):
        if not all(request.user.has_perm(p) for p in self.permissions):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PermissionScreen(ForbiddenMixin, RequirePermissions, WagtailAdminTemplateMixin, TemplateView):
    """A back-office screen for users holding all of `permissions` (403 for the others)."""

    header_icon = "tick-inverse"


# --- a template's specimen --------------------------------------------------------------------

SAMPLE_HOLDER = "Ioana Mureșan-Țăranu"
# The specimen's serial is all zeros; its code is spelled from the code alphabet (16
# characters, no look-alikes) so the page looks like a real one.
SAMPLE_CODE = "SPECMEN2SPECMEN2"
SAMPLE_TEXTS = {
    "ro": {
        "course": "Curs exemplu",
        "session": "Curs exemplu, Cluj-Napoca",
        "county": "Cluj",
        "institution": "Direcția Generală de Asistență Socială și Protecția Copilului Cluj",
        "project": "Proiect exemplu",
    },
    "en": {
        "course": "Sample course",
        "session": "Sample course, Cluj-Napoca",
        "county": "Cluj",
        "institution": "General Directorate for Social Assistance and Child Protection Cluj",
        "project": "Sample project",
    },
}


def sample_serial() -> str:
    return f"{settings.CERTIFICATE_SERIAL_PREFIX}-0000-000000"


def sample_data(template: CertificateTemplate, *, today: datetime.date | None = None) -> dict:
    """What `documents.certified_data` would freeze for a sample participant of a two-day
    session ending today, with this template (the course's and project's own names where the
    template belongs to one)."""
    today = today or timezone.localdate()
    days = (today - datetime.timedelta(days=1), today)
    language = template.language
    samples = SAMPLE_TEXTS.get(language, SAMPLE_TEXTS["ro"])
    course = template.course
    kind = course.certificate_type if course else CertificateType.PARTICIPATION
    if kind not in documents.DEFAULT_TITLES:  # a course without certificates: as attendance
        kind = CertificateType.PARTICIPATION
    return documents.compose_data(
        values={
            "name": SAMPLE_HOLDER,
            "course": course.title if course else samples["course"],
            "session": samples["session"],
            "hours": course.hours if course else 16,
            "county": samples["county"],
            "institution": samples["institution"],
            "project": template.project.name if template.project_id else samples["project"],
        },
        kind=kind,
        template=template,
        codes={
            "course_code": course.code if course else "EXEMPLU",
            "session_code": "EXEMPLU-0000",
        },
        days=days,
        issued_on=today,
    )


class TemplatePreviewView(ForbiddenMixin, View):
    """A template's specimen: the PDF a participant would get (unsealed, sample data)."""

    def dispatch(self, request, *args, **kwargs):
        if not any(request.user.has_perm(p) for p in TEMPLATE_PERMISSIONS):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk: int):
        from certificates.pdf import render_certificate

        template = get_object_or_404(
            CertificateTemplate.objects.select_related(
                "course", "project", "logo_left", "logo_right", "background"
            ).prefetch_related("signatories__signature"),
            pk=pk,
        )
        errors = documents.placeholder_errors(template.body)
        if errors:
            for error in errors:
                messages.error(request, error)
            return redirect("certificatetemplate:edit", template.pk)
        document = documents.document_for(
            data=sample_data(template), serial=sample_serial(), code=SAMPLE_CODE, template=template
        )
        return attachment(
            render_certificate(document),
            content_type="application/pdf",
            filename=f"specimen-{template.pk}.pdf",
            inline=True,
        )


# --- one certificate --------------------------------------------------------------------------


def certificate_for_staff(request, pk: int) -> Certificate:
    return get_object_or_404(
        selectors.certificates_for_staff(user=request.user).select_related(
            "issued_by", "status_changed_by"
        ),
        pk=pk,
    )


class CertificateFileView(ForbiddenMixin, RequirePermissions, View):
    """A certificate's files, for staff who may view certificates: served from private
    storage as downloads."""

    permissions = (VIEW_PERMISSION,)

    def get(self, request, pk: int):
        return self.respond(certificate_for_staff(request, pk))

    def respond(self, certificate: Certificate):
        raise NotImplementedError


class CertificatePdfView(CertificateFileView):
    def respond(self, certificate):
        if not certificate.pdf:
            raise Http404
        try:
            handle = certificate.pdf.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{certificate.serial}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CredentialJsonView(CertificateFileView):
    def respond(self, certificate):
        return attachment(
            json.dumps(certificate.credential, ensure_ascii=False, indent=2).encode(),
            content_type="application/vc+ld+json",
            filename=f"{certificate.serial}.json",
        )


class CredentialJwtView(CertificateFileView):
    def respond(self, certificate):
        return attachment(
            certificate.credential_jwt.encode("ascii"),
            content_type="application/vc+jwt",
            filename=f"{certificate.serial}.jwt",
        )


class CertificateActionView(PermissionScreen):
    """Revoking or re-issuing one certificate: a reason, then the service."""

    template_name = "certificates/admin/certificate_action.html"
    permissions = (VIEW_PERMISSION, REVOKE_PERMISSION)
    form_class = RevokeForm
    submit_label = ""
    intro = ""

    @cached_property
    def certificate(self) -> Certificate:
        return certificate_for_staff(self.request, self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.certificate.serial

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": certificate_list_url(), "label": _("Certificates")},
            {"url": inspect_url(self.certificate), "label": self.certificate.serial},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_form(self):
        return self.form_class(self.request.POST if self.request.method == "POST" else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.certificate
        context.update(
            {
                "certificate": certificate,
                "data": certificate.data,
                "form": kwargs.get("form") or self.get_form(),
                "can_act": certificate.status == V.VALID,
                "submit_label": self.submit_label,
                "intro": self.intro,
                "back_url": inspect_url(certificate),
                "confirming": kwargs.get("confirming", False),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            if self.needs_confirmation(form):
                return self.render_to_response(
                    self.get_context_data(form=form, confirming=True), status=200
                )
            try:
                target = self.perform(form.cleaned_data["reason"])
            except ValidationError as exc:  # a CertificateError: the rules refuse
                add_service_errors(form, exc)
            else:
                return redirect(inspect_url(target))
        return self.render_to_response(self.get_context_data(form=form), status=200)

    def needs_confirmation(self, form) -> bool:
        return False

    def perform(self, reason: str) -> Certificate:
        raise NotImplementedError


class RevokeView(CertificateActionView):
    page_title = gettext_lazy("Revoke the certificate")
    submit_label = gettext_lazy("Revoke the certificate")
    header_icon = "warning"
    intro = gettext_lazy(
        "A revoked certificate stays on record: its verification page, the API and the "
        "published status list say it is revoked, with the reason. This cannot be undone."
    )

    def needs_confirmation(self, form) -> bool:
        return not form.cleaned_data.get("confirm")

    def perform(self, reason):
        from certificates import services

        certificate = services.certificate_revoke(
            certificate=self.certificate, reason=reason, acting_user=self.request.user
        )
        messages.success(
            self.request,
            _("Certificate %(serial)s was revoked.") % {"serial": certificate.serial},
        )
        return certificate


class ReissueView(CertificateActionView):
    page_title = gettext_lazy("Re-issue the certificate")
    submit_label = gettext_lazy("Re-issue")
    header_icon = "repeat"
    form_class = ReissueForm
    intro = gettext_lazy(
        "A new certificate is issued with a new serial number and verification code, stating "
        "the participant's and the course's data as they are now (e.g. a corrected name). "
        "This one is marked as replaced by it; the participant is told by e-mail."
    )

    def perform(self, reason):
        from certificates import services

        new = services.certificate_reissue(
            certificate=self.certificate, reason=reason, acting_user=self.request.user
        )
        messages.success(
            self.request,
            _("Certificate %(new)s was issued; it replaces %(old)s.")
            % {"new": new.serial, "old": self.certificate.serial},
        )
        return new


# --- issuing a session's certificates ---------------------------------------------------------


def issue_url(session_pk: int) -> str:
    return admin_url("issue", session_pk)


def _percent_text(value) -> str:
    """A score percentage as people write it: 60, 62.5 (localised)."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value)


def _not_eligible_reason(
    enrolment: Enrolment, session: TrainingSession, *, rule=None, post_test=None
) -> str:
    """Why a confirmed participant gets no certificate. `rule` is the course's post-test
    condition (certificates.selectors.post_test_rule) and `post_test` maps enrolment ids to
    their post-test score (None when the test has no score): the attendance rule is told
    first, the post-test only to those who met it."""
    if session.course.certificate_type == CertificateType.NONE:
        return _("The course gives no certificate.")
    if not enrolment.completion:
        return _("No result yet: results are worked out when the session is completed.")
    course = session.course
    if enrolment.completion == Enrolment.Completion.COMPLETED and rule is not None:
        post_test = post_test or {}
        if enrolment.pk not in post_test:
            return _("The post-test was not submitted.")
        return _("Post-test score %(score)s %% is below the %(minimum)s %% needed.") % {
            "score": _percent_text(post_test[enrolment.pk] or 0),
            "minimum": rule.certificate_min_score or 0,
        }
    if course.completion_basis == CompletionBasis.DAYS:
        return _(
            "Did not meet the completion rule: attended %(attended)s days, %(needed)s needed."
        ) % {"attended": enrolment.attended_days or 0, "needed": course.min_days or 1}
    return _(
        "Did not meet the completion rule: attended %(hours)s hours, %(percent)s %% of the "
        "scheduled hours needed."
    ) % {
        "hours": enrolment.attended_hours if enrolment.attended_hours is not None else 0,
        "percent": course.min_attendance_percent,
    }


def _post_test_scores(session: TrainingSession, enrolments: list[Enrolment]) -> dict:
    """The post-test score of each of these enrolments that submitted it (one query)."""
    from evaluation.models import Response, SessionForm

    if not enrolments:
        return {}
    return dict(
        Response.objects.filter(
            session_form__training_session=session,
            session_form__purpose=SessionForm.Purpose.POST_TEST,
            enrolment_id__in=[e.pk for e in enrolments],
        ).values_list("enrolment_id", "score_percent")
    )


def post_test_open_warning(session: TrainingSession, *, now=None) -> str:
    """When the session's certificates depend on its post-test (selectors.post_test_rule) and
    the post-test is still open: who meets the condition later is not in this run (empty
    otherwise). Issuing is not refused: the others need not wait."""
    from evaluation.selectors import window_of

    if session.course.certificate_type == CertificateType.NONE:
        return ""
    if selectors.post_test_rule(session) is None:
        return ""
    window = window_of(selectors.post_test_form(session))
    if not window.is_open(now or timezone.now()):
        return ""
    return _(
        "The post-test is open until %(date)s: people who meet the condition after you issue "
        "get their certificate from a later issue run."
    ) % {"date": date_format(timezone.localtime(window.closes_at), "SHORT_DATETIME_FORMAT")}


def issue_overview(session: TrainingSession) -> dict:
    """Who gets a certificate from this session, who already has one, and who does not and
    why. A fixed number of queries whatever the size of the session."""
    eligible = selectors.eligible_enrolments(training_session=session)
    certified = list(
        Certificate.objects.filter(enrolment__training_session=session, status=V.VALID)
        .select_related("enrolment__professional")
        .order_by("enrolment__professional__last_name", "enrolment__professional__first_name")
    )
    not_eligible = list(
        session.enrolments.filter(status=Enrolment.Status.CONFIRMED)
        .exclude(pk__in=eligible.values("pk"))
        .select_related("professional__institution")
        .order_by("professional__last_name", "professional__first_name", "pk")
    )
    rule = (
        selectors.post_test_rule(session)
        if session.course.certificate_type != CertificateType.NONE
        else None
    )
    post_test = {}
    if rule is not None:
        completed = [e for e in not_eligible if e.completion == Enrolment.Completion.COMPLETED]
        post_test = _post_test_scores(session, completed)
    for enrolment in not_eligible:
        enrolment.reason = _not_eligible_reason(enrolment, session, rule=rule, post_test=post_test)
    return {
        "summary": selectors.issue_summary(training_session=session),
        "candidates": list(selectors.certificate_candidates(training_session=session)),
        "certified": certified,
        "not_eligible": not_eligible,
        "template": documents.template_for(Enrolment(training_session=session)),
    }


class IssueView(ForbiddenMixin, AdminScreen):
    """GET: what issuing would do for the session; POST: start the run that issues them."""

    template_name = "certificates/admin/issue.html"
    permissions = (ISSUE_PERMISSION,)
    page_title = gettext_lazy("Issue certificates")
    header_icon = "tick-inverse"

    def extra_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.session
        overview = issue_overview(session)
        latest_run = IssueRun.objects.filter(training_session=session).first()
        completed = session.status == TrainingSession.Status.COMPLETED
        context.update(
            {
                "session": session,
                **overview,
                "completed": completed,
                "post_test_open": post_test_open_warning(session) if completed else "",
                "gives_certificates": session.course.certificate_type != CertificateType.NONE,
                "development_keys": using_development_keys(),
                "latest_run": latest_run,
                "run_active": latest_run is not None and latest_run.status in (R.QUEUED, R.RUNNING),
                "list_url": certificate_list_url(session_code=session.code),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        from certificates import services

        try:
            run = services.issue_run_start(training_session=self.session, acting_user=request.user)
        except ValidationError as exc:  # CertificateError: e.g. the session is not completed
            for message in exc.messages:
                messages.error(request, message)
            return self.render_to_response(self.get_context_data(), status=200)
        return redirect(admin_url("run", run.pk))


class RunScreen(PermissionScreen):
    permissions = (ISSUE_PERMISSION,)

    @cached_property
    def run(self) -> IssueRun:
        return get_object_or_404(
            IssueRun.objects.select_related("training_session__course", "requested_by").filter(
                staff_scope(self.request.user).sessions_q("training_session__")
            ),
            pk=self.kwargs["pk"],
        )


def progress_bar(run: IssueRun) -> tuple[int, int]:
    """The bar's (max, value): a run with nothing to issue is a full bar once done."""
    if run.total == 0:
        return 1, 1 if run.status == R.DONE else 0
    return run.total, min(run.issued, run.total)


def run_progress_text(run: IssueRun) -> str:
    return _("%(issued)s of %(total)s certificates issued") % {
        "issued": run.issued,
        "total": run.total,
    }


class RunView(RunScreen):
    """A run's progress: a progress bar the page's script keeps up to date (without
    JavaScript the page reloads itself while the run is under way)."""

    template_name = "certificates/admin/run.html"
    page_title = gettext_lazy("Issuing certificates")

    def get_page_subtitle(self):
        return str(self.run.training_session)

    def get_breadcrumbs_items(self):
        session = self.run.training_session
        return [
            *self.breadcrumbs_items,
            {"url": reverse("trainingsession:index"), "label": _("Sessions")},
            {"url": reverse("trainingsession:edit", args=[session.pk]), "label": str(session)},
            {"url": issue_url(session.pk), "label": _("Issue certificates")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        progress_max, progress_value = progress_bar(run)
        context.update(
            {
                "run": run,
                "progress_max": progress_max,
                "progress_value": progress_value,
                "session": run.training_session,
                "under_way": run.status in (R.QUEUED, R.RUNNING),
                "progress_text": run_progress_text(run),
                "status_url": admin_url("run_status", run.pk),
                "issue_url": issue_url(run.training_session_id),
                "list_url": certificate_list_url(session_code=run.training_session.code),
            }
        )
        return context


class RunStatusView(RunScreen):
    """What the run page polls."""

    def get(self, request, *args, **kwargs):
        run = self.run
        return JsonResponse(
            {
                "status": run.status,
                "status_label": run.get_status_display(),
                "total": run.total,
                "issued": run.issued,
                "percent": run.percent,
                "error": run.error,
                "text": run_progress_text(run),
            },
            headers={"Cache-Control": "no-store"},
        )
