"""Privacy notices and consent records in the Wagtail admin.

Notices: staff with the privacy notice permissions add a version (numbered automatically),
edit it while it is a draft, and publish it; a published version is read-only and cannot be
deleted (403). Consent records: a read-only list, filterable by purpose, place and date.
Every write goes through privacy.services (audited).

Registered by privacy/wagtail_hooks.py: `hooks.register("register_admin_viewset")` returning
`PrivacyGroup()`.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from certificates.admin_views import ForbiddenMixin
from privacy import selectors, services
from privacy.models import ConsentRecord, PrivacyNotice
from training.admin_views import RestrictedPermissionPolicy, add_service_errors

# --- privacy notices -------------------------------------------------------------------------


def _publish_url(notice: PrivacyNotice) -> str:
    return reverse("privacy_notice:publish", args=[notice.pk])


class NoticeIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.published_at is None and self.permission_policy.user_has_permission(
            self.request.user, "change"
        ):
            buttons.append(
                Button(_("Publish"), url=_publish_url(instance), icon_name="upload", priority=5)
            )
        return buttons

    def get_delete_url(self, instance):
        # A published version has no delete link: it cannot be deleted.
        return None if instance.published_at else super().get_delete_url(instance)


class NoticeCreateView(generic.CreateView):
    """The version number is the service's: the next one."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.notice_create(
            acting_user=self.request.user, **{name: data[name] for name in services.NOTICE_FIELDS}
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)


class NoticeEditView(ForbiddenMixin, generic.EditView):
    """A draft is edited; a published version is shown read-only and a POST is refused."""

    @cached_property
    def published(self) -> bool:
        return self.object.published_at is not None

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.published:
            for field in form.fields.values():
                field.disabled = True
        return form

    def post(self, request, *args, **kwargs):
        if self.get_object().published_at is not None:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def save_instance(self):
        data = self.form.cleaned_data
        return services.notice_update(
            notice=self.object,
            acting_user=self.request.user,
            **{name: data[name] for name in services.NOTICE_FIELDS},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.published:
            # Nothing to save on a published version.
            context["action_url"] = ""
        return context

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if not self.published:
            buttons.append(
                Button(_("Publish"), url=_publish_url(self.object), icon_name="upload", priority=5)
            )
        return buttons

    def get_delete_url(self):
        return None if self.published else super().get_delete_url()


class NoticeDeleteView(ForbiddenMixin, generic.DeleteView):
    """Only drafts are deleted (403 for a published version)."""

    def get_object(self, queryset=None):
        notice = super().get_object(queryset)
        if notice.published_at is not None:
            raise PermissionDenied
        return notice

    def delete_action(self):
        services.notice_delete(notice=self.object, acting_user=self.request.user)


class NoticePublishView(ForbiddenMixin, generic.base.WagtailAdminTemplateMixin, TemplateView):
    """GET asks to confirm; POST publishes the draft (staff who may change notices)."""

    template_name = "privacy/admin/notice_publish.html"
    header_icon = "doc-full"
    permission_policy = None
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.object = get_object_or_404(PrivacyNotice, pk=kwargs["pk"])
        if self.object.published_at is not None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Publish version %(version)s of the privacy notice") % {
            "version": self.object.version
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(notice=self.object, index_url=reverse(self.index_url_name))
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.notice_publish(notice=self.object, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Version %(version)s of the privacy notice is published.")
                % {"version": self.object.version},
            )
        return redirect(self.index_url_name)


class NoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = list(services.NOTICE_FIELDS)


class PrivacyNoticeViewSet(ModelViewSet):
    model = PrivacyNotice
    url_namespace = "privacy_notice"
    url_prefix = "privacy/notices"
    icon = "doc-full"
    menu_label = _("Privacy notices")
    menu_order = 100
    form_fields = list(services.NOTICE_FIELDS)
    index_view_class = NoticeIndexView
    add_view_class = NoticeCreateView
    edit_view_class = NoticeEditView
    delete_view_class = NoticeDeleteView
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["title_ro", "title_en"]
    list_display = [
        "version",
        "title_ro",
        DateColumn("published_at", label=_("Published"), sort_key="published_at"),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
    ]
    ordering = ["-version"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "<int:pk>/publish/",
                NoticePublishView.as_view(
                    permission_policy=self.permission_policy,
                    index_url_name=self.get_url_name("index"),
                ),
                name="publish",
            ),
        ]


# --- consent records -------------------------------------------------------------------------


class ConsentRecordFilterSet(WagtailFilterSet):
    purpose = django_filters.ChoiceFilter(choices=ConsentRecord.Purpose.choices, label=_("Purpose"))
    context = django_filters.ChoiceFilter(
        choices=ConsentRecord.Context.choices, label=pgettext_lazy("consent", "Where")
    )
    given = django_filters.BooleanFilter(label=_("Given"))
    recorded_at = django_filters.DateFromToRangeFilter(
        label=_("Recorded"), widget=DateRangePickerWidget
    )
    version = django_filters.NumberFilter(field_name="notice__version", label=_("Notice version"))

    class Meta:
        model = ConsentRecord
        fields = ["purpose", "context", "given", "recorded_at", "version"]


class ConsentRecordIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.consent_records_for_staff()


def _person(record: ConsentRecord) -> str:
    # The registry entry's number, not the name: the list is about consents, not people.
    if record.professional_id:
        return f"#{record.professional_id}"
    return _("account #%(pk)s") % {"pk": record.user_id}


class ConsentRecordViewSet(ModelViewSet):
    """Read-only: records are added only by the services (sign-up, registration, profile,
    nomination); the permission policy forbids adding, changing and deleting them."""

    model = ConsentRecord
    url_namespace = "consent_record"
    url_prefix = "privacy/consents"
    icon = "tick"
    menu_label = _("Consent records")
    menu_order = 110
    index_view_class = ConsentRecordIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = []
    filterset_class = ConsentRecordFilterSet
    list_per_page = 50
    list_display = [
        DateColumn("recorded_at", label=_("When"), sort_key="recorded_at"),
        Column("person", label=_("Person"), accessor=_person),
        Column("purpose", label=_("Purpose"), accessor="get_purpose_display"),
        Column("given", label=_("Given"), accessor=lambda r: _("yes") if r.given else _("no")),
        Column(
            "version",
            label=_("Notice version"),
            accessor=lambda r: r.notice.version if r.notice_id else "—",
        ),
        Column("context", label=pgettext_lazy("consent", "Where"), accessor="get_context_display"),
        Column(
            "recorded_by",
            label=_("Recorded by"),
            accessor=lambda r: r.recorded_by or "",
        ),
    ]
    inspect_view_fields = [
        "professional",
        "user",
        "notice",
        "purpose",
        "given",
        "context",
        "recorded_at",
        "recorded_by",
    ]


class PrivacyGroup(ModelViewSetGroup):
    menu_label = _("Personal data")
    menu_icon = "lock"
    menu_order = 900
    items = (PrivacyNoticeViewSet, ConsentRecordViewSet)


# Consent records are never added, changed or deleted in the admin, not even by a superuser
# (registered on import: before the viewsets are).
register_permission_policy(
    ConsentRecord, RestrictedPermissionPolicy(ConsentRecord, forbidden={"add", "change", "delete"})
)
