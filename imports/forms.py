"""The upload form of the import screen."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.models import registry

from imports.models import ImportBatch
from imports.reader import UnreadableFile, check_upload_type
from sessions.models import TrainingSession


class UploadForm(WagtailAdminModelForm):
    """What to import and how. A Wagtail admin form: the session and the project get the
    admin's choosers. The batch itself is made by `services.import_batch_create`."""

    upload = forms.FileField(
        label=_("File"),
        error_messages={"empty": _("The file is empty."), "required": _("Choose a file.")},
        help_text=_("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    class Meta:
        model = ImportBatch
        fields = ["kind", "training_session", "project", "skip_invalid", "create_missing"]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "training_session": _("Required for a session roster: the session it belongs to."),
            "project": _(
                "Historical participations: the project of rows that do not name one (optional)."
            ),
            "skip_invalid": _(
                "Import the valid rows and set the invalid ones aside, to download and correct. "
                "Without it, nothing is imported while any row is invalid."
            ),
            "create_missing": _(
                "Historical participations: add the projects and courses the file names that "
                "are not in Formativ yet."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ImportBatch.Kind.choices  # no empty choice
        self.fields["kind"].initial = ImportBatch.Kind.PARTICIPATIONS
        self.fields["training_session"].queryset = TrainingSession.objects.select_related("course")
        # The admin's choosers are registered once the admin's URLs load, after this module:
        # take their widgets now rather than when the class was made.
        for name in ("training_session", "project"):
            widget = (registry.get(ImportBatch._meta.get_field(name)) or {}).get("widget")
            if widget is not None:
                self.fields[name].widget = widget()

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB. Split it into smaller files.")
                % {"size": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        try:
            check_upload_type(upload.name, data)
        except UnreadableFile as exc:
            raise forms.ValidationError(exc.message, code="file_type") from exc
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ImportBatch.Kind.ROSTER and not cleaned.get("training_session"):
            self.add_error("training_session", _("Choose the session of the roster."))
        if cleaned.get("kind") != ImportBatch.Kind.PARTICIPATIONS:
            cleaned["create_missing"] = False
        return cleaned


class SkipInvalidForm(forms.Form):
    """Check the batch again, setting invalid rows aside."""

    skip_invalid = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
