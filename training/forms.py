from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class ProfessionalForm(WagtailAdminModelForm):
    """The CNP is never shown back: staff type it to set or replace it, or tick to erase it."""

    cnp = forms.CharField(
        label=_("CNP"),
        required=False,
        max_length=20,
        # Never rendered back, not even after a form error: the CNP is only ever shown masked.
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "inputmode": "numeric"}
        ),
        help_text=_(
            "Required only for people registered in sessions of a project marked “requires "
            "the CNP” (the funder's reporting asks for it, Law 190/2018); leave it empty for "
            "everyone else. Stored encrypted, shown masked. Leave empty to keep the stored one."
        ),
    )
    erase_cnp = forms.BooleanField(label=_("Erase the stored CNP"), required=False)
    allow_unverifiable_cnp = forms.BooleanField(
        label=_("Accept a foreign resident's CNP without checking its birth date"),
        required=False,
        help_text=_("For CNPs starting with 7 or 8, whose century is not encoded."),
    )

    def cnp_argument(self) -> str | None:
        """What professional_save's `cnp` argument should be: None keeps, "" erases."""
        if self.cleaned_data.get("erase_cnp"):
            return ""
        return self.cleaned_data.get("cnp") or None
