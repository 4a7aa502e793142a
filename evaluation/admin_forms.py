"""Forms of the evaluation admin: a questionnaire (its rules are the service's) and the choice
of a session's forms."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from evaluation.models import SessionForm


class QuestionnaireAdminForm(WagtailAdminModelForm):
    """The questionnaire's edit form. The model's check constraints on anonymity and on the
    minimum score are left to `services.questionnaire_validate`, which says in words what is
    wrong (the constraint's own message names only the constraint)."""

    # Model fields whose constraints the service checks (the form field still checks its type).
    SERVICE_CHECKED = ("anonymous", "certificate_min_score")

    def _get_validation_exclusions(self):
        return set(super()._get_validation_exclusions()) | set(self.SERVICE_CHECKED)


class SessionFormsSetupForm(forms.Form):
    """Which forms a session runs: one checkbox per purpose."""

    purposes = forms.MultipleChoiceField(
        label=_("Forms this session runs"),
        choices=SessionForm.Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "A new form is pinned to the latest version of the course's questionnaire and its "
            "participants are invited. A form that already has answers cannot be turned off."
        ),
    )
