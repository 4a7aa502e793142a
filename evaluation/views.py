"""The participant side of evaluation: the personal link (`evaluare/<token>/`, no sign-in: a
nominee may have no account) and the room QR (`evaluare/sesiune/<code>/`, signed in: it finds
the person's own confirmed registration and sends them to their personal link).

The answer page shows nothing about the person: the link may be forwarded or opened on a shared
phone. So a test's score (and whether it meets the certificate's condition) is shown only to
the browser that just submitted it (the invitation is remembered in its session for a while)
or to the signed-in person whose registration it is; anybody else holding the link sees only
that the form was answered. Submissions go through services.response_submit, which decides;
the views report."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from evaluation import selectors, services
from evaluation.forms import purpose_name, question_fields
from evaluation.models import Invitation, Questionnaire, Response, SessionForm
from sessions.models import Enrolment, TrainingSession

ANSWER_TEMPLATE = "evaluation/answer.html"
# The invitations this browser answered lately (their pks, in its session): it may see their
# result. Short: the newest few only.
ANSWERED_SESSION_KEY = "evaluation_answered"
ANSWERED_KEEP = 10


def _remember_answered(request, invitation: Invitation) -> None:
    """Only for a named test, the one form with a result to show: for an anonymous form the
    session row would record when this invitation was answered, which nothing may keep."""
    form = invitation.session_form
    if not form.is_test or form.version.anonymous:
        return
    answered = [pk for pk in request.session.get(ANSWERED_SESSION_KEY, []) if pk != invitation.pk]
    request.session[ANSWERED_SESSION_KEY] = (answered + [invitation.pk])[-ANSWERED_KEEP:]


def _may_see_result(request, invitation: Invitation) -> bool:
    """The browser that submitted it, or the signed-in person whose registration it is."""
    if invitation.pk in request.session.get(ANSWERED_SESSION_KEY, []):
        return True
    if not request.user.is_authenticated:
        return False
    professional = getattr(request.user, "professional", None)
    return professional is not None and professional.pk == invitation.enrolment.professional_id


def _state(invitation: Invitation, window, now) -> str:
    """What the personal link shows instead of (or as) the form."""
    form = invitation.session_form
    if invitation.submitted:
        return "answered"
    if (
        invitation.enrolment.status != Enrolment.Status.CONFIRMED
        or form.training_session.status == TrainingSession.Status.CANCELLED
    ):
        return "not_participant"
    if window.is_open(now):
        return "open"
    return "not_open" if window.is_upcoming(now) else "closed"


def _result(invitation: Invitation) -> dict:
    """For a named test they answered: their score and, for a post-test the certificate
    depends on, whether the condition is met. Nothing for an anonymous form."""
    form = invitation.session_form
    if not form.is_test or form.version.anonymous:
        return {}
    response = Response.objects.filter(session_form=form, enrolment=invitation.enrolment).first()
    if response is None:
        return {}
    result = {"score_percent": response.score_percent}
    if form.purpose == SessionForm.Purpose.POST_TEST:
        rule = selectors.post_test_condition(form.training_session.course)
        if rule is not None:
            if rule.certificate_rule == Questionnaire.CertificateRule.MIN_SCORE:
                minimum = rule.certificate_min_score or 0
                met = response.score_percent is not None and response.score_percent >= minimum
                result.update(condition="min_score", min_score=minimum, condition_met=met)
            else:
                result.update(condition="submitted", condition_met=True)
    return result


def _render(request, invitation: Invitation, *, data=None, errors=None, message="", status=200):
    form = invitation.session_form
    session = form.training_session
    now = timezone.now()
    times = selectors.SessionTimes.of(session)
    window = selectors.window_of(form, times)
    state = _state(invitation, window, now)
    version = form.version
    fields = question_fields(version.questions, data, errors) if state == "open" else []
    context = {
        "invitation": invitation,
        "session_form": form,
        "training_session": session,
        "days": list(session.days.order_by("starts_at")),
        "form_name": purpose_name(form.purpose),
        "version": version,
        "anonymous": version.anonymous,
        "state": state,
        "window": window,
        "fields": fields,
        "errors": [f for f in fields if f.error],
        "message": message,
        "result": (
            _result(invitation)
            if state == "answered" and _may_see_result(request, invitation)
            else {}
        ),
        "just_answered": request.GET.get("done") == "1" and state == "answered",
    }
    return render(request, ANSWER_TEMPLATE, context, status=status)


@method_decorator(never_cache, name="dispatch")
class AnswerView(View):
    """`evaluare/<token>/`: GET shows the form or its state; POST submits it. Not cached: the
    page is one person's."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invitation = selectors.invitation_by_token(kwargs.get("token", ""))

    def dispatch(self, request, *args, **kwargs):
        if self.invitation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return _render(request, self.invitation)

    def post(self, request, *args, **kwargs):
        try:
            services.response_submit(
                invitation=self.invitation,
                data=request.POST,
                # Missing only from a page older than the field: then the current version.
                shown_version=request.POST.get("version"),
            )
        except ValidationError as exc:
            self.invitation.refresh_from_db(fields=["submitted"])
            if hasattr(exc, "error_dict"):
                errors = {key: " ".join(value) for key, value in exc.message_dict.items()}
                return _render(request, self.invitation, data=request.POST, errors=errors)
            # A changed form shows again with what was given still filled in.
            data = request.POST if exc.code == "changed" else None
            self.invitation.session_form.refresh_from_db(fields=["version"])
            return _render(request, self.invitation, data=data, message=" ".join(exc.messages))
        _remember_answered(request, self.invitation)
        return redirect(f"{request.path}?done=1")


class RoomView(LoginRequiredMixin, View):
    """`evaluare/sesiune/<code>/`, what the room QR opens: the signed-in person's confirmed
    registration in the session, then their personal link. Opening it submits nothing."""

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(self.request.get_full_path())

    def get(self, request, *args, **kwargs):
        form = selectors.session_form_by_code(kwargs["code"])
        if form is None:
            raise Http404
        professional = getattr(request.user, "professional", None)
        enrolment = (
            Enrolment.objects.filter(
                training_session=form.training_session,
                professional=professional,
                status=Enrolment.Status.CONFIRMED,
            ).first()
            if professional is not None
            else None
        )
        if enrolment is None:
            return render(
                request,
                "evaluation/not_participant.html",
                {
                    "training_session": form.training_session,
                    "form_name": purpose_name(form.purpose),
                },
            )
        services.invitations_ensure(session_form=form)
        invitation = Invitation.objects.get(session_form=form, enrolment=enrolment)
        return redirect("evaluation:answer", token=invitation.token)
