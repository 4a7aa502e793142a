"""Back-office forms for certificates: the template form, and the reasons an organiser gives
when revoking or re-issuing a certificate (the services check them again)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from certificates.models import CertificateTemplate

REASON_MAX_LENGTH = 500


class CertificateTemplateForm(WagtailAdminModelForm):
    """A second default template would break the database's one-default rule: said on the
    field, with the template that already is the default."""

    def clean_is_default(self):
        is_default = self.cleaned_data.get("is_default")
        if is_default:
            other = (
                CertificateTemplate.objects.filter(is_default=True)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if other is not None:
                raise forms.ValidationError(
                    _("“%(name)s” is already the default template; only one may be.")
                    % {"name": other.name}
                )
        return is_default


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page and kept in the history."),
        error_messages={
            "required": _("Give the reason; it is shown on the verification page."),
        },
    )


class RevokeForm(ReasonForm):
    """Revoking takes two steps: the reason, then a confirmation showing what will happen
    (the `confirm` field is set by the confirmation page's button)."""

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReissueForm(ReasonForm):
    pass
