"""The privacy officer's screens in the admin: erasing a person's personal data (from the
person's edit page) and the retention report with its run. Every write goes through
`privacy.erasure` and `privacy.retention`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from privacy import erasure, retention
from training.access import staff_scope
from training.models import Professional

NAMESPACE = "privacy"


def erase_url(pk: int) -> str:
    return reverse(f"{NAMESPACE}:erase", args=[pk])


def person_edit_url(pk: int) -> str:
    return reverse("wagtailsnippets_training_professional:edit", args=[pk])


class EraseForm(forms.Form):
    certificates = forms.ChoiceField(
        label=gettext_lazy("Certificates already issued"),
        widget=forms.RadioSelect,
        choices=[
            (
                "keep",
                gettext_lazy(
                    "Keep them valid: their verification page will say they were issued to a "
                    "person whose personal data was erased."
                ),
            ),
            ("revoke", gettext_lazy("Revoke them, with the reason “data erased”.")),
        ],
        initial="keep",
    )
    reason = forms.CharField(
        label=gettext_lazy("Why (e.g. the request's registration number)"),
        max_length=500,
        help_text=gettext_lazy("Do not write the person's name: it would stay in the audit log."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."), required=True
    )


class PrivacyScreen(WagtailAdminTemplateMixin):
    permission = ""
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class EraseView(PrivacyScreen, FormView):
    permission = erasure.ERASE_PERMISSION
    template_name = "privacy/admin/erase.html"
    form_class = EraseForm
    page_title = gettext_lazy("Erase personal data")

    @cached_property
    def person(self) -> Professional:
        people = Professional.objects.filter(staff_scope(self.request.user).professionals_q())
        return get_object_or_404(people, pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.person)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": person_edit_url(self.person.pk), "label": str(self.person)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person,
            preview=erasure.erasure_preview(professional=self.person),
            edit_url=person_edit_url(self.person.pk),
        )
        return context

    def form_valid(self, form):
        try:
            result = erasure.person_erase(
                professional=self.person,
                acting_user=self.request.user,
                keep_certificates=form.cleaned_data["certificates"] == "keep",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(person_edit_url(self.person.pk))
        messages.success(
            self.request,
            _("The personal data was erased. The person is now “%(pseudonym)s”.")
            % {"pseudonym": result.pseudonym},
        )
        return redirect(person_edit_url(self.person.pk))


class RetentionView(PrivacyScreen, TemplateView):
    permission = retention.RETENTION_PERMISSION
    template_name = "privacy/admin/retention.html"
    page_title = gettext_lazy("Retention")
    header_icon = "time"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = retention.retention_run(
            today=timezone.localdate(), dry_run=True, acting_user=self.request.user
        )
        return context

    def post(self, request, *args, **kwargs):
        report = retention.retention_run(
            today=timezone.localdate(), dry_run=False, acting_user=request.user
        )
        messages.success(
            request,
            _("Retention run: %(count)s people past retention were anonymised.")
            % {"count": report.erased},
        )
        if report.failed:
            messages.error(
                request,
                _(
                    "%(count)s people could not be anonymised; the run's audit entry lists "
                    "their record ids. Run it again, or erase them one by one."
                )
                % {"count": len(report.failed)},
            )
        return redirect(reverse(f"{NAMESPACE}:retention"))
