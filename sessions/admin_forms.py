"""Forms of the organisers' back office for sessions: the session form (quotas checked before
the database sees them) and the roster's action forms."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from sessions.models import TrainingSession
from training.models import County, ProfessionalCategory

QUOTA_SCOPES = ("county", "local_team", "institution")


class SessionAdminForm(WagtailAdminModelForm):
    """The session form: each nomination quota names exactly one county, local team or
    institution, and no scope has two quotas. (The database refuses both; this says so on the
    quota, instead of a server error.)"""

    def is_valid(self):
        # After the quota forms have been cleaned (the parent form is cleaned before them).
        valid = super().is_valid()
        quotas = getattr(self, "formsets", {}).get("quotas")
        if quotas is None or not quotas.is_bound:
            return valid
        return self._check_quotas(quotas) and valid

    def _check_quotas(self, quotas) -> bool:
        ok = True
        seen = set()
        for form in quotas.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            chosen = [scope for scope in QUOTA_SCOPES if data.get(scope)]
            if not chosen and not data.get("seats"):
                continue  # an empty, untouched row
            if len(chosen) != 1:
                message = _(
                    "A quota is for exactly one of: a county, a local team or an institution."
                )
                if message not in form.errors.get(NON_FIELD_ERRORS, []):
                    form.add_error(None, message)
                ok = False
                continue
            key = (chosen[0], data[chosen[0]].pk)
            if key in seen:
                form.add_error(chosen[0], _("This session already has a quota for it."))
                ok = False
            seen.add(key)
        return ok


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the person and kept in the registration's history."),
    )


class RejectForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: the person sees why the registration was rejected."),
    )


class MoveForm(ReasonForm):
    to_session = forms.ModelChoiceField(
        label=_("Move to session"),
        queryset=TrainingSession.objects.none(),
        help_text=_(
            "Sessions not yet started, published or in draft. The person gets a seat there if "
            "one is free, else a place on its waiting list."
        ),
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_session"].queryset = sessions
        self.fields["to_session"].label_from_instance = _session_label


def _session_label(session) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    first = getattr(session, "first_day", None)
    when = date_format(timezone.localtime(first), "SHORT_DATE_FORMAT") if first else "—"
    return f"{session.code} · {when} · {session.display_title} · {session.county}"


class RegistrySearchForm(forms.Form):
    """Find professionals in the registry to enrol several at once."""

    q = forms.CharField(
        label=_("Name or e-mail"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.all(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Professional category"),
        queryset=ProfessionalCategory.objects.all(),
        required=False,
    )

    def has_criteria(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("q", "").strip() or data.get("county") or data.get("category"))
