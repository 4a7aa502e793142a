"""A session's evaluation in the back office: its forms (set-up, versions, windows, how many
answered), moving them to the latest versions, and the room QR code for the projector with its
live count. For users holding `evaluation.view_sessionform` whose scope has the session (404
for the others); changes need `evaluation.change_sessionform`. Writes go through
`evaluation.services`. No participant's token or personal link is ever shown here."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from evaluation import selectors, services
from evaluation.admin_forms import SessionFormsSetupForm
from evaluation.models import Questionnaire, SessionForm
from sessions import qr
from sessions.admin_views import AdminScreen

VIEW_PERMISSION = "evaluation.view_sessionform"
CHANGE_PERMISSION = "evaluation.change_sessionform"
QUESTIONNAIRE_VIEW = "evaluation.view_questionnaire"
QUESTIONNAIRE_CHANGE = "evaluation.change_questionnaire"
REPORTS_PERMISSION = "reports.view_reports"
URL_NAMESPACE = "evaluation_admin"
POLL_SECONDS = 15
# Marked for translation here, translated where shown.
ANSWERED_MSGID = gettext_noop("%(submitted)s of %(eligible)s answered")


def answered_text(status: selectors.FormStatus) -> str:
    return _(ANSWERED_MSGID) % {"submitted": status.submitted, "eligible": status.eligible}


def admin_url(name: str, *args) -> str:
    return reverse(f"{URL_NAMESPACE}:{name}", args=args)


def room_url(code: str) -> str:
    """The absolute address the room QR encodes: the public room page at the site's own
    address, in its default language (no language prefix), whatever language the admin
    speaks."""
    with translation.override("ro"):
        path = reverse("evaluation:room", kwargs={"code": code})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def report_url(session_code: str) -> str | None:
    """The evaluation report of one session (the reports app's), when it is installed."""
    try:
        return reverse("reports:evaluation") + "?" + urlencode({"session": session_code})
    except NoReverseMatch:
        return None


def local(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


class EvaluationScreen(AdminScreen):
    """A screen about one session's evaluation forms."""

    permissions = (VIEW_PERMISSION,)
    header_icon = "form"
    session_scope = "manage"  # sessions_q(): others are 404

    def extra_breadcrumbs(self):
        return []

    @cached_property
    def can_change(self) -> bool:
        return self.request.user.has_perm(CHANGE_PERMISSION)

    def require_change(self) -> None:
        if not self.can_change:
            raise PermissionDenied


class SessionEvaluationView(EvaluationScreen):
    """The session's forms with their versions, windows and answer counts; choosing which
    forms it runs; moving them to the latest versions."""

    template_name = "evaluation/admin/session.html"
    page_title = gettext_lazy("Evaluation")

    def get_page_subtitle(self):
        return str(self.session)

    @cached_property
    def statuses(self) -> list[selectors.FormStatus]:
        return selectors.session_form_statuses(training_session=self.session)

    def setup_form(self, data=None) -> SessionFormsSetupForm:
        current = [status.session_form.purpose for status in self.statuses]
        initial = current or selectors.default_purposes(course=self.session.course)
        return SessionFormsSetupForm(data, initial={"purposes": initial})

    def form_rows(self, questionnaires: dict[int, Questionnaire]) -> list[dict]:
        rows = []
        for status in self.statuses:
            form = status.session_form
            latest = questionnaires.get(form.version.questionnaire_id)
            window = status.window
            rows.append(
                {
                    "form": form,
                    "purpose": form.get_purpose_display(),
                    "version": form.version,
                    "newer": bool(
                        latest is not None
                        and latest.latest_number
                        and latest.latest_number > form.version.number
                    ),
                    "latest_number": latest.latest_number if latest else None,
                    "opens": local(window.opens_at) if window.opens_at else _("from set-up"),
                    "closes": local(window.closes_at)
                    if window.closes_at
                    else _("the session has no days yet"),
                    "eligible": status.eligible,
                    "submitted": status.submitted,
                    "rate": status.rate,
                    "qr_url": admin_url("qr", self.session.pk, form.purpose),
                }
            )
        return rows

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        questionnaires = {
            q.pk: q
            for q in Questionnaire.objects.filter(course_id=self.session.course_id).annotate(
                latest_number=Max("versions__number")
            )
        }
        rows = self.form_rows(questionnaires)
        context.update(
            {
                "session": self.session,
                "questionnaires": sorted(
                    questionnaires.values(),
                    key=lambda q: [k for k, _label in Questionnaire.Kind.choices].index(q.kind),
                ),
                "rows": rows,
                "any_newer": any(row["newer"] for row in rows),
                "can_change": self.can_change,
                "can_edit_questionnaires": user.has_perm(QUESTIONNAIRE_CHANGE),
                "can_view_questionnaires": user.has_perm(QUESTIONNAIRE_VIEW),
                "can_add_questionnaires": user.has_perm("evaluation.add_questionnaire"),
                "setup_form": form or (self.setup_form() if self.can_change else None),
                "update_url": admin_url("update_versions", self.session.pk),
                "report_url": report_url(self.session.code)
                if user.has_perm(REPORTS_PERMISSION)
                else None,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.setup_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.session_forms_setup(
                training_session=self.session,
                purposes=form.cleaned_data["purposes"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The session's evaluation forms are saved."))
        return redirect(admin_url("session", self.session.pk))


class UpdateVersionsView(EvaluationScreen):
    """POST: move the session's forms without answers to their questionnaires' latest
    versions."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.require_change()
        changed = services.session_forms_update_versions(
            training_session=self.session, acting_user=request.user
        )
        if changed:
            messages.success(
                request,
                ngettext(
                    "%(count)s form now uses the latest version.",
                    "%(count)s forms now use the latest versions.",
                    changed,
                )
                % {"count": changed},
            )
        else:
            messages.info(
                request,
                _(
                    "No form changed: each already uses the latest version, or has answers "
                    "and keeps its version."
                ),
            )
        return redirect(admin_url("session", self.session.pk))


class FormScreen(EvaluationScreen):
    """A screen about one form of the session (404 when the session has none of that
    purpose)."""

    @cached_property
    def session_form(self) -> SessionForm:
        if self.kwargs["purpose"] not in SessionForm.Purpose.values:
            raise Http404
        form = (
            SessionForm.objects.select_related("version")
            .filter(training_session_id=self.session.pk, purpose=self.kwargs["purpose"])
            .first()
        )
        if form is None:
            raise Http404
        return form

    @cached_property
    def status(self) -> selectors.FormStatus:
        for status in selectors.session_form_statuses(training_session=self.session):
            if status.session_form.pk == self.session_form.pk:
                return status
        raise Http404


class RoomQrView(FormScreen):
    """The form's room QR code, full screen on the projector: participants scan it, sign in
    and answer on their phones. The count of answers is polled every 15 seconds."""

    template_name = "evaluation/admin/qr.html"
    page_title = gettext_lazy("Room QR code")

    def get_page_subtitle(self):
        return f"{self.session} · {self.session_form.get_purpose_display()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.session_form
        url = room_url(form.code)
        context.update(
            {
                "session": self.session,
                "session_form": form,
                "form_name": capfirst(form.get_purpose_display()),
                "room_url": url,
                "qr": qr.qr_svg(url, scale=10, title=_("QR code of the form's address")),
                "submitted": self.status.submitted,
                "eligible": self.status.eligible,
                # The script fills the counts in the same words as they are polled.
                "answered_template": _(ANSWERED_MSGID),
                "answered_text": answered_text(self.status),
                "status_url": admin_url("qr_status", self.session.pk, form.purpose),
                "poll_seconds": POLL_SECONDS,
                "session_url": admin_url("session", self.session.pk),
            }
        )
        return context


class RoomQrStatusView(FormScreen):
    """What the QR page polls: how many of the confirmed participants answered. Counts only."""

    def get(self, request, *args, **kwargs):
        return JsonResponse(
            {"submitted": self.status.submitted, "eligible": self.status.eligible},
            headers={"Cache-Control": "no-store"},
        )
