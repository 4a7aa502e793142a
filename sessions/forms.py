"""Forms of the public registration pages, and the sessions' public filters (the calendar
page and the calendar feeds)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import TrainingSession
from sessions.selectors import SessionFilters
from training.models import County, Course, DeliveryType, ProfessionalCategory, Project


class SessionFilterForm(forms.Form):
    """Unknown or malicious values are reported, never an error page: the calendar page
    ignores them with a message, the feeds answer 400."""

    county = forms.ModelChoiceField(
        queryset=County.objects.all(),
        required=False,
        label=_("County"),
        empty_label=_("All counties"),
        to_field_name="code",
    )
    project = forms.ModelChoiceField(
        queryset=Project.objects.all(),
        required=False,
        label=_("Project"),
        empty_label=_("All projects"),
        to_field_name="acronym",
    )
    category = forms.ModelChoiceField(
        queryset=ProfessionalCategory.objects.all(),
        required=False,
        label=_("For professionals"),
        empty_label=_("All professions"),
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.all(),
        required=False,
        label=_("Course"),
        empty_label=_("All courses"),
        to_field_name="code",
    )
    delivery_type = forms.ChoiceField(
        choices=[("", _("All kinds"))] + list(DeliveryType.choices),
        required=False,
        label=_("Kind of training"),
    )
    mode = forms.ChoiceField(
        choices=[
            ("", _("Online or in person")),
            (TrainingSession.DeliveryMode.IN_PERSON, _("In person")),
            (TrainingSession.DeliveryMode.ONLINE, _("Online")),
        ],
        required=False,
        label=_("Format"),
    )
    month = forms.CharField(
        required=False,
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a date
        except ValueError:
            raise forms.ValidationError(_("Choose a month as YYYY-MM.")) from None

    @property
    def ignored_fields(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.errors] if self.is_bound else []

    def session_filters(self) -> SessionFilters:
        """Filters from the valid fields; invalid ones are dropped (and reported)."""
        if not self.is_bound:
            return SessionFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return SessionFilters(
            county=data.get("county"),
            project=data.get("project"),
            category=data.get("category"),
            course=data.get("course"),
            delivery_type=data.get("delivery_type") or "",
            mode=data.get("mode") or "",
            month=data.get("month"),
        )


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)


class NominationForm(forms.Form):
    """The people chosen on the nomination page, among those the user may nominate."""

    people = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("People to nominate"),
        error_messages={
            "required": _("Choose at least one person to nominate."),
            "invalid_choice": _("One of the people chosen cannot be nominated by you."),
            "invalid_pk_value": _("One of the people chosen cannot be nominated by you."),
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


class RegistrationForm(forms.Form):
    """What a person confirms when registering themselves: the privacy notice in force when
    they have not accepted it yet (`notice`), their CNP when the session's project requires it
    and none is stored (`asks_cnp`), and whether they may be contacted about future trainings
    (`contact_consent`, the profile's current answer)."""

    privacy_notice = forms.BooleanField(
        label=_("I have read the privacy notice and understand how my data is used."),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )
    cnp = forms.CharField(
        label=_("CNP (personal numeric code)"),
        max_length=20,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "inputmode": "numeric"}
        ),
        help_text=_(
            "The funder of this session's project requires it for reporting (Law 190/2018). "
            "Stored encrypted, shown only masked, never on certificates."
        ),
        error_messages={"required": _("This session's project requires your CNP.")},
    )
    contact_consent = forms.BooleanField(
        label=_("I agree to be contacted about future trainings"), required=False
    )

    def __init__(
        self,
        *args,
        notice=None,
        notice_label: str = "",
        asks_cnp: bool = False,
        contact_consent: bool = False,
        **kwargs,
    ):
        kwargs.setdefault("initial", {"contact_consent": contact_consent})
        super().__init__(*args, **kwargs)
        self.notice = notice
        self.contact_consent_before = contact_consent
        if notice is None:
            del self.fields["privacy_notice"]
        elif notice_label:
            self.fields["privacy_notice"].label = notice_label
        if not asks_cnp:
            del self.fields["cnp"]

    @property
    def contact_consent_changed(self) -> bool:
        return self.cleaned_data.get("contact_consent", False) != self.contact_consent_before
