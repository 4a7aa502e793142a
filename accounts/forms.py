from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import services
from privacy import selectors as privacy_selectors
from privacy.forms import notice_checkbox_label
from training.models import County, Institution, Professional, ProfessionalCategory, Sector


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail and password) plus the person's names and the acknowledgement
    of the privacy notice. Names are stored on the account; the registry entry is made or linked
    once the e-mail address is verified (see accounts.services)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    privacy_notice = forms.BooleanField(
        label=_("I have read the privacy notice and understand how my data is used."),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )

    field_order = ["email", "first_name", "last_name", "password1", "password2", "privacy_notice"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The version in force when the page was shown is the one accepted.
        self.notice = privacy_selectors.current_notice()
        if self.notice is not None:
            self.fields["privacy_notice"].label = notice_checkbox_label(self.notice)

    def signup(self, request, user):
        services.account_names_save(
            user=user,
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
        )
        services.account_notice_accept(user=user, notice=self.notice, context="signup")


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.county})" if obj.county_id else obj.name


class ProfileForm(forms.Form):
    """What a person says about themselves. E-mail and registry link are not here: the e-mail is
    the account's verified one, and the link is made by the organisers or on verification."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Professional.Sex.choices, required=False)
    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.all(), empty_label=_("Choose the county")
    )
    sector = forms.ModelChoiceField(
        label=_("Sector (București only)"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("None"),
    )
    institution = InstitutionChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.select_related("county").order_by("name", "pk"),
        required=False,
        empty_label=_("Not in the list / none"),
        help_text=_("The institution where you work."),
    )
    category = forms.ModelChoiceField(
        label=_("Professional category"),
        queryset=ProfessionalCategory.objects.all(),
        empty_label=_("Choose the category"),
    )
    category_detail = forms.CharField(
        label=_("Other category: which one"),
        max_length=150,
        required=False,
        help_text=_("Only if you chose a category that asks for a description."),
    )
    cnp = forms.CharField(
        label=_("CNP (personal numeric code)"),
        required=False,
        max_length=20,
        # Never shown back, not even after an error: the stored CNP is only ever shown masked.
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "inputmode": "numeric"}
        ),
        help_text=_(
            "Asked only because you are registered for a session of a project whose funder "
            "requires it for reporting (Law 190/2018). Stored encrypted, shown only masked. "
            "Leave empty to keep the one already saved."
        ),
    )
    erase_cnp = forms.BooleanField(label=_("Delete my saved CNP"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language of the e-mails we send you"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
    contact_consent = forms.BooleanField(
        label=_("I agree to be contacted about future trainings"), required=False
    )

    def __init__(self, *args, has_cnp: bool = False, asks_cnp: bool = False, **kwargs):
        """`asks_cnp`: the person is registered for a session of a project that requires the
        CNP; `has_cnp`: one is stored (they may replace or erase it). Otherwise the CNP is not
        asked for at all."""
        super().__init__(*args, **kwargs)
        if not has_cnp:
            del self.fields["erase_cnp"]
        if not (has_cnp or asks_cnp):
            del self.fields["cnp"]

    def clean(self):
        data = super().clean()
        county = data.get("county")
        if county is not None and county.sectors.exists() and not data.get("sector"):
            self.add_error("sector", _("Choose your sector of București."))
        return data

    def service_data(self) -> dict:
        """What profile_save takes: the profile fields, and `cnp` (None keeps, "" erases)."""
        data = {name: self.cleaned_data.get(name) for name in services.PROFILE_FIELDS}
        data["category_detail"] = data["category_detail"] or ""
        data["sex"] = data["sex"] or ""
        if self.cleaned_data.get("erase_cnp"):
            data["cnp"] = ""
        elif "cnp" in self.fields:
            data["cnp"] = self.cleaned_data.get("cnp") or None
        else:
            data["cnp"] = None  # not asked: the stored one (none) is kept
        return data

    @staticmethod
    def initial_for(*, professional: Professional | None, user, language: str) -> dict:
        if professional is None:
            return {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "preferred_language": language if language in dict(settings.LANGUAGES) else "ro",
            }
        initial = {name: getattr(professional, name) for name in services.PROFILE_FIELDS}
        for name in ("county", "sector", "institution", "category"):
            initial[name] = getattr(professional, f"{name}_id")
        return initial
