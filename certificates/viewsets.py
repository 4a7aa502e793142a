"""Certificates in the Wagtail admin: the certificates issued (listed and inspected, never
added or edited here: they come only from the issue service) and the templates they are
drawn with."""

import json

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button

from certificates import selectors
from certificates.admin_forms import CertificateTemplateForm
from certificates.admin_views import (
    REVOKE_PERMISSION,
    VIEW_PERMISSION,
    ForbiddenMixin,
    admin_url,
    certificate_list_url,
)
from certificates.documents import search_fold, verification_url
from certificates.models import PLACEHOLDERS, Certificate, CertificateTemplate
from training.access import require_in_scope
from training.admin_views import ServiceCreateView, ServiceEditView, ServiceViewSetMixin
from training.exports import SafeSpreadsheetExportMixin
from training.models import CertificateType, Course
from training.services import model_save

V = Certificate.Status

# --- certificates -----------------------------------------------------------------------------


class CertificateFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=V.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(
        choices=[c for c in CertificateType.choices if c[0] != CertificateType.NONE],
        label=_("Kind"),
    )
    session = django_filters.CharFilter(
        field_name="enrolment__training_session__code",
        lookup_expr="iexact",
        label=_("Session code"),
    )
    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.order_by("title"),
        field_name="enrolment__training_session__course",
        label=_("Course"),
    )

    class Meta:
        model = Certificate
        fields = ["status", "kind", "session", "course"]


def _frozen(key: str):
    return lambda certificate: certificate.data.get(key, "")


class CertificateIndexView(ForbiddenMixin, SafeSpreadsheetExportMixin, generic.IndexView):
    # The export ("Download XLSX / CSV"): what the certificate says, as it was issued.
    export_accessors = {
        "holder": _frozen("holder_name"),
        "course": _frozen("course_title"),
        "session": _frozen("session_code"),
        "dates": _frozen("dates"),
        "status": lambda certificate: certificate.get_status_display(),
    }

    def get_base_queryset(self):
        return selectors.certificates_for_staff(user=self.request.user)

    def search_queryset(self, queryset):
        """Every word in the serial or the holder's name, diacritics and case ignored
        ("tirlea" finds "Țîrlea")."""
        if not self.is_searching:
            return queryset
        for word in self.search_query.split()[:6]:
            match = Q(serial__icontains=word)
            folded = search_fold(word)
            if folded:
                match |= Q(holder_key__contains=folded)
            queryset = queryset.filter(match)
        return queryset


def _certificate_buttons(view, certificate):
    buttons = [
        Button(
            _("Download the PDF"),
            url=admin_url("pdf", certificate.pk),
            icon_name="download",
            priority=10,
        ),
        Button(
            _("Verification page"),
            url=verification_url(certificate.code),
            icon_name="link-external",
            priority=20,
        ),
    ]
    if certificate.status == V.VALID and view.request.user.has_perm(REVOKE_PERMISSION):
        buttons += [
            Button(
                _("Re-issue"),
                url=admin_url("reissue", certificate.pk),
                icon_name="repeat",
                priority=30,
            ),
            Button(
                _("Revoke"),
                url=admin_url("revoke", certificate.pk),
                icon_name="warning",
                priority=40,
            ),
        ]
    return buttons


class CertificateInspectView(ForbiddenMixin, generic.InspectView):
    template_name = "certificates/admin/certificate_inspect.html"

    def get_object(self, queryset=None):
        # Called before the permission check: those who may not view certificates find the
        # certificate, and are then refused (403, not 404).
        if self.request.user.has_perm(VIEW_PERMISSION):
            certificates = selectors.certificates_for_staff(user=self.request.user)
        else:
            certificates = Certificate.objects.all()
        return get_object_or_404(
            certificates.select_related(
                "issued_by", "status_changed_by", "enrolment__training_session"
            ),
            pk=self.pk,
        )

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *_certificate_buttons(self, self.object)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        replaces = Certificate.objects.filter(superseded_by=certificate).first()
        data = certificate.data
        context.update(
            {
                "certificate": certificate,
                "data": data,
                "data_rows": _data_rows(data),
                "data_json": json.dumps(data, ensure_ascii=False, indent=2),
                "replaces": replaces,
                "history_url": reverse("certificate:history", args=[certificate.pk]),
                "links": {
                    "pdf": admin_url("pdf", certificate.pk),
                    "json": admin_url("credential_json", certificate.pk),
                    "jwt": admin_url("credential_jwt", certificate.pk),
                    "verify": verification_url(certificate.code),
                    "session": certificate_list_url(session_code=data.get("session_code", "")),
                    "revoke": admin_url("revoke", certificate.pk),
                    "reissue": admin_url("reissue", certificate.pk),
                },
                "can_revoke": certificate.status == V.VALID
                and self.request.user.has_perm(REVOKE_PERMISSION),
            }
        )
        return context


def _data_rows(data: dict) -> list[tuple[str, str]]:
    """The frozen data as label/value rows, in the order a reader checks them."""
    signatories = "; ".join(
        f"{s.get('name', '')} ({s.get('role', '')})" for s in data.get("signatories", ())
    )
    rows = [
        (_("Holder"), data.get("holder_name")),
        (_("Title"), data.get("title")),
        (_("Text"), data.get("text")),
        (_("Course"), f"{data.get('course_title', '')} ({data.get('course_code', '')})"),
        (_("Session"), f"{data.get('session_title', '')} ({data.get('session_code', '')})"),
        (_("Dates"), data.get("dates")),
        (_("Hours"), data.get("course_hours")),
        (_("County"), data.get("county")),
        (_("Institution"), data.get("institution")),
        (_("Project"), data.get("project")),
        (_("Issuer"), data.get("issuer")),
        (_("Signatories"), signatories),
        (_("Language"), data.get("language")),
    ]
    return [(label, value) for label, value in rows if value]


class CertificateHistoryView(ForbiddenMixin, HistoryView):
    """Issued, revoked, replaced: who did it and when, for those who may view certificates
    (Wagtail's default asks for an edit right nobody has here)."""

    any_permission_required = ["view"]

    def get_object(self):
        # Only a certificate in the user's scope (training.access): others are 404.
        obj = super().get_object()
        require_in_scope(self.request.user, obj, lambda scope: scope.enrolments_q("enrolment__"))
        return obj


class ForbiddenCreateView(ForbiddenMixin, generic.CreateView):
    pass


class ForbiddenEditView(ForbiddenMixin, generic.EditView):
    pass


class ForbiddenDeleteView(ForbiddenMixin, generic.DeleteView):
    pass


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "tick-inverse"
    menu_label = _("Certificates")
    menu_order = 100
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    add_view_class = ForbiddenCreateView
    edit_view_class = ForbiddenEditView
    delete_view_class = ForbiddenDeleteView
    history_view_class = CertificateHistoryView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Certificates come from the issue service only; the permission policy (wagtail_hooks)
    # forbids adding, editing and deleting them here.
    form_fields = []
    search_backend_name = None
    search_fields = ["serial", "holder_key"]
    filterset_class = CertificateFilterSet
    list_per_page = 50
    list_export = ["serial", "holder", "course", "session", "dates", "status", "issued_at"]
    export_headings = {
        "serial": _("Serial number"),
        "holder": _("Holder"),
        "course": _("Course"),
        "session": _("Session"),
        "dates": _("Dates"),
        "status": _("Status"),
        "issued_at": _("Issued"),
    }
    export_filename = "certificate"
    list_display = [
        "serial",
        Column("holder", label=_("Holder"), accessor=lambda c: c.data.get("holder_name", "")),
        Column("course", label=_("Course"), accessor=lambda c: c.data.get("course_title", "")),
        Column("session", label=_("Session"), accessor=lambda c: c.data.get("session_code", "")),
        DateColumn("issued_at", label=_("Issued"), sort_key="issued_at"),
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            primary=lambda c: c.status == V.VALID,
        ),
    ]


# --- templates --------------------------------------------------------------------------------


def _body_help() -> str:
    placeholders = ", ".join(f"{{{name}}} ({label})" for name, label in PLACEHOLDERS.items())
    return _(
        "Leave empty for the standard text. The text follows the holder's name. "
        "Placeholders: %(placeholders)s. Write {{ or }} for a literal brace."
    ) % {"placeholders": placeholders}


class TemplatePreviewButtonMixin:
    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("Preview PDF (specimen)"),
                url=admin_url("template_preview", self.object.pk),
                icon_name="doc-full",
                priority=5,
                attrs={"target": "_blank", "rel": "noopener"},
            ),
        ]


class TemplateCreateView(ForbiddenMixin, ServiceCreateView):
    pass


class TemplateEditView(ForbiddenMixin, TemplatePreviewButtonMixin, ServiceEditView):
    pass


class TemplateDeleteView(ForbiddenMixin, generic.DeleteView):
    pass


class TemplateIndexView(ForbiddenMixin, generic.IndexView):
    def get_base_queryset(self):
        return CertificateTemplate.objects.select_related("course", "project")

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            Button(
                _("Preview PDF (specimen)"),
                url=admin_url("template_preview", instance.pk),
                icon_name="doc-full",
                priority=15,
            ),
        ]


def _save_template(*, instance, acting_user, form):
    return model_save(instance=instance, acting_user=acting_user)


class CertificateTemplateViewSet(ServiceViewSetMixin, ModelViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificate templates")
    menu_order = 110
    add_view_class = TemplateCreateView
    edit_view_class = TemplateEditView
    delete_view_class = TemplateDeleteView
    index_view_class = TemplateIndexView
    save_service = staticmethod(_save_template)
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["name", "title"]
    list_display = [
        "name",
        "course",
        "project",
        Column(
            "is_default",
            label=_("Default"),
            accessor=lambda t: _("yes") if t.is_default else "",
        ),
        Column("language", label=_("Language"), accessor="get_language_display"),
        DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
    ]

    @cached_property
    def edit_handler(self):
        return ObjectList(
            [
                MultiFieldPanel(
                    [
                        FieldPanel("name"),
                        FieldRowPanel([FieldPanel("course"), FieldPanel("project")]),
                        FieldRowPanel([FieldPanel("is_default"), FieldPanel("language")]),
                    ],
                    heading=_("Where it is used"),
                    help_text=_(
                        "A course's template wins over its session's project's template, "
                        "which wins over the default template; with none, the built-in "
                        "layout is used."
                    ),
                ),
                MultiFieldPanel(
                    [
                        FieldPanel("title"),
                        FieldPanel("body", help_text=lazy(_body_help, str)()),
                        FieldPanel("issuer_name"),
                    ],
                    heading=_("Text"),
                ),
                MultiFieldPanel(
                    [
                        FieldRowPanel([FieldPanel("logo_left"), FieldPanel("logo_right")]),
                        FieldPanel("background"),
                    ],
                    heading=_("Images"),
                ),
                InlinePanel(
                    "signatories",
                    heading=_("Signatories"),
                    label=_("Signatory"),
                    panels=[
                        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
                        FieldPanel("signature"),
                    ],
                ),
            ],
            base_form_class=CertificateTemplateForm,
        )


class CertificatesGroup(ModelViewSetGroup):
    menu_label = _("Certificates")
    menu_icon = "tick-inverse"
    menu_order = 205
    items = (CertificateViewSet, CertificateTemplateViewSet)
