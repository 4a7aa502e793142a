"""The report's parameters as the dashboard, the exports, the API and the command line take
them: codes rather than database ids (project acronym, course code, county code), dates as
YYYY-MM-DD, `group_by` as one or two comma-separated field names. Errors are in the reader's
language, one per parameter."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reports.selectors import AGE_BANDS, GROUP_FIELDS, SEX_VALUES, ReportFilters
from training.models import (
    County,
    Course,
    DeliveryType,
    Institution,
    InstitutionType,
    ProfessionalCategory,
    Project,
)

TRUE_VALUES = {"1", "true", "yes", "da", "y"}
FALSE_VALUES = {"0", "false", "no", "nu", "n"}


class CodeChoiceField(forms.ModelChoiceField):
    """A row named by its code, whatever the case of the letters."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if "\x00" in value:  # PostgreSQL refuses NUL in text: a bad value, not a 500
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value.replace("\x00", "")},
            )
        try:
            return self.queryset.get(**{f"{self.to_field_name}__iexact": value})
        except (self.queryset.model.DoesNotExist, self.queryset.model.MultipleObjectsReturned):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None

    def label_from_instance(self, obj):
        code = getattr(obj, self.to_field_name)
        name = getattr(obj, "name", None) or getattr(obj, "title", None) or ""
        return name if name.startswith(code) else f"{code} – {name}"


class YesNoField(forms.CharField):
    def to_python(self, value):
        value = (value or "").strip().lower()
        if not value:
            return None
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise ValidationError(_("Answer yes or no."), code="invalid")


def _code_field(queryset, to_field_name, label, unknown):
    return CodeChoiceField(
        queryset=queryset,
        to_field_name=to_field_name,
        required=False,
        label=label,
        error_messages={"invalid_choice": unknown},
    )


def _date_field(label):
    return forms.DateField(
        required=False,
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )


def county_field(label):
    return _code_field(
        County.objects.order_by("name_ascii"),
        "code",
        label,
        _("There is no county with the code “%(value)s”."),
    )


def professional_category_field():
    return forms.ModelChoiceField(
        queryset=ProfessionalCategory.objects.order_by("name"),
        required=False,
        label=_("Professional category"),
        error_messages={"invalid_choice": _("There is no such professional category.")},
    )


class PeriodForm(forms.Form):
    """What every report filters on first: the period, the project and the course. The API and
    the command line name the dates "from" and "to"; `error_dict()` keys errors that way."""

    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    project = _code_field(
        Project.objects.order_by("acronym"),
        "acronym",
        _("Project"),
        _("There is no project with the short name “%(value)s”."),
    )
    course = _code_field(
        Course.objects.order_by("code"),
        "code",
        _("Course"),
        _("There is no course with the code “%(value)s”."),
    )

    ALIASES = {"from": "date_from", "to": "date_to"}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy() if hasattr(data, "copy") else dict(data)
            for alias, name in self.ALIASES.items():
                if alias in data and name not in data:
                    data[name] = data[alias]
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def error_dict(self) -> dict[str, list[str]]:
        """Errors keyed by the parameter names the API and the command line use."""
        back = {name: alias for alias, name in self.ALIASES.items()}
        return {back.get(k, k): [str(m) for m in v] for k, v in self.errors.items()}


class ReportForm(PeriodForm):
    """Bound to request.GET (or the command's options as a dict); `filters()`
    once valid; `grouping()` gives the fields to group by."""

    curriculum = forms.CharField(required=False, label=_("Curriculum (code)"), max_length=32)
    delivery_type = forms.ChoiceField(
        required=False,
        label=_("Delivery type"),
        choices=[("", "—"), *DeliveryType.choices],
    )
    session_county = county_field(_("Session county"))
    person_county = county_field(_("Person's county"))
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.order_by("name"),
        required=False,
        label=_("Institution"),
        error_messages={"invalid_choice": _("There is no such institution.")},
    )
    institution_type = forms.ModelChoiceField(
        queryset=InstitutionType.objects.order_by("name"),
        required=False,
        label=_("Institution type"),
        error_messages={"invalid_choice": _("There is no such institution type.")},
    )
    professional_category = professional_category_field()
    sex = forms.ChoiceField(
        required=False,
        label=_("Sex"),
        choices=[("", "—"), ("F", _("female")), ("M", _("male")), ("unknown", _("not stated"))],
    )
    age_band = forms.ChoiceField(
        required=False, label=_("Age band"), choices=[("", "—"), *AGE_BANDS.items()]
    )
    eil_member = YesNoField(required=False, label=_("EIL member (yes/no)"))
    group_by = forms.CharField(
        required=False,
        label=_("Group by"),
        help_text=_("One or two of: %(fields)s, separated by a comma.")
        % {"fields": ", ".join(GROUP_FIELDS)},
    )
    then_by = forms.ChoiceField(
        required=False,
        label=_("Then by"),
        choices=[("", "—"), *((name, g.verbose_name) for name, g in GROUP_FIELDS.items())],
    )

    def clean_group_by(self):
        raw = self.cleaned_data.get("group_by") or ""
        names = [part.strip() for part in raw.split(",") if part.strip()]
        unknown = [name for name in names if name not in GROUP_FIELDS]
        if unknown:
            raise ValidationError(
                _("Cannot group by “%(names)s”. Choose from: %(fields)s."),
                params={"names": ", ".join(unknown), "fields": ", ".join(GROUP_FIELDS)},
            )
        return names

    def clean_sex(self):
        value = self.cleaned_data.get("sex") or ""
        if value and value not in SEX_VALUES:
            raise ValidationError(_("Choose F, M or unknown."))
        return value

    def clean(self):
        data = super().clean()
        names = list(data.get("group_by") or [])
        if data.get("then_by"):
            names.append(data["then_by"])
        if len(names) != len(set(names)):
            self.add_error("group_by", _("Group by two different fields."))
        elif len(names) > 2:
            self.add_error("group_by", _("Group by at most two fields."))
        data["group_by_fields"] = names
        return data

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            project=data.get("project"),
            course=data.get("course"),
            curriculum_code=(data.get("curriculum") or "").strip(),
            delivery_type=data.get("delivery_type") or "",
            session_county=data.get("session_county"),
            person_county=data.get("person_county"),
            institution=data.get("institution"),
            institution_type=data.get("institution_type"),
            professional_category=data.get("professional_category"),
            sex=data.get("sex") or "",
            age_band=data.get("age_band") or "",
            eil_member=data.get("eil_member"),
        )

    def grouping(self) -> list[str]:
        return list(self.cleaned_data.get("group_by_fields") or [])
