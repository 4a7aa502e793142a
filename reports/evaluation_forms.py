"""The evaluation report's parameters, as the dashboard, the XLSX export and the API take them:
codes rather than database ids (project acronym, course code, session code, county code), the
professional category's id, dates as YYYY-MM-DD (`from`/`to` in the API), `group_by` one of
reports.evaluation.GROUPS (course by default). Errors in the reader's language."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reports.evaluation import DEFAULT_GROUP, GROUPS, EvaluationFilters
from reports.forms import CodeChoiceField, PeriodForm, county_field, professional_category_field
from sessions.models import TrainingSession


class SessionCodeField(CodeChoiceField):
    def label_from_instance(self, obj):
        return obj.code


class EvaluationForm(PeriodForm):
    session = SessionCodeField(
        queryset=TrainingSession.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("Session (code)"),
        error_messages={"invalid_choice": _("There is no session with the code “%(value)s”.")},
        widget=forms.TextInput,
    )
    session_county = county_field(_("Session county"))
    person_county = county_field(_("Person's county"))
    professional_category = professional_category_field()
    group_by = forms.CharField(
        required=False,
        label=_("Group by"),
        help_text=_("One of: %(fields)s.") % {"fields": ", ".join(GROUPS)},
    )

    def clean_group_by(self):
        value = (self.cleaned_data.get("group_by") or "").strip()
        if not value:
            return DEFAULT_GROUP
        if value not in GROUPS:
            raise ValidationError(
                _("Cannot group by “%(names)s”. Choose from: %(fields)s."),
                params={"names": value, "fields": ", ".join(GROUPS)},
            )
        return value

    def filters(self) -> EvaluationFilters:
        data = self.cleaned_data
        return EvaluationFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            project=data.get("project"),
            course=data.get("course"),
            session=data.get("session"),
            session_county=data.get("session_county"),
            person_county=data.get("person_county"),
            professional_category=data.get("professional_category"),
        )

    def grouping(self) -> str:
        return self.cleaned_data.get("group_by") or DEFAULT_GROUP
