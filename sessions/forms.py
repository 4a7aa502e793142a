"""Forms of the public registration pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
