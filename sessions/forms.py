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
