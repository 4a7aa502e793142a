"""Sessions, enrolments and attendance in the Wagtail admin."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button

from sessions import selectors, services
from sessions.admin_forms import SessionAdminForm
from sessions.admin_views import URL_NAMESPACE, VIEW_PERMISSION
from sessions.models import Attendance, Enrolment, TrainingSession, Venue
from training.access import staff_scope
from training.admin_views import (
    ChooserPermissionMixin,
    ProtectedDeleteView,
    ServiceCreateView,
    ServiceEditView,
    ServiceViewSetMixin,
    orm_search_filter_form,
    scoped_view,
)
from training.models import County, Course, Project

# --- training sessions ------------------------------------------------------------------------


class TrainingSessionFilterSet(WagtailFilterSet):
    county = django_filters.ModelChoiceFilter(queryset=County.objects.all(), label=_("County"))
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"))
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.all(), label=_("Course"))
    status = django_filters.ChoiceFilter(choices=TrainingSession.Status.choices, label=_("Status"))
    dates = django_filters.DateFromToRangeFilter(
        label=_("First day between"), field_name="first_day", widget=DateRangePickerWidget
    )

    class Meta:
        model = TrainingSession
        fields = ["county", "project", "course", "status", "delivery_mode"]


def _local_datetime(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _local_date(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT") if value else "—"


def _roster_button(session_pk, *, priority=5):
    return Button(
        _("Roster"),
        url=reverse(f"{URL_NAMESPACE}:roster", args=[session_pk]),
        icon_name="group",
        priority=priority,
    )


def _may_see_roster(user) -> bool:
    return user.has_perm(VIEW_PERMISSION)


def _attendance_button(session_pk, *, priority=6):
    return Button(
        _("Attendance"),
        url=reverse(f"{URL_NAMESPACE}:attendance", args=[session_pk]),
        icon_name="calendar-check",
        priority=priority,
    )


def _may_take_attendance(user) -> bool:
    # The list holds only the sessions in the user's scope: those whose attendance the
    # permission lets them take, or, for a trainer, their own.
    return user.has_perm(selectors.ATTENDANCE_PERMISSION) or bool(staff_scope(user).trainer_id)


def _sessions_q(scope):
    return scope.sessions_q()


def _enrolments_q(scope):
    return scope.enrolments_q()


def _attendance_q(scope):
    return scope.enrolments_q("enrolment__")


def _extra_buttons(user, session) -> list:
    """Buttons the apps built on sessions add to a session's menu (evaluation, …): each
    `register_training_session_buttons` hook takes (user, session) and returns buttons."""
    return [
        button
        for hook in hooks.get_hooks("register_training_session_buttons")
        for button in hook(user, session)
    ]


class SessionIndexView(generic.IndexView):
    """The sessions the user manages (training.access): all for administrators, their
    projects' for organisers, their county's for coordinators, their own for trainers."""

    default_ordering = "-first_day"

    def get_base_queryset(self):
        return selectors.staff_session_list(user=self.request.user)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if _may_see_roster(self.request.user):
            buttons.append(_roster_button(instance.pk))
        if _may_take_attendance(self.request.user):
            buttons.append(_attendance_button(instance.pk))
        return buttons + _extra_buttons(self.request.user, instance)


class SessionInspectView(generic.InspectView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if _may_see_roster(self.request.user):
            buttons.append(_roster_button(self.object.pk))
        if _may_take_attendance(self.request.user):
            buttons.append(_attendance_button(self.object.pk))
        return buttons + _extra_buttons(self.request.user, self.object)


def _warn_conflicts(request, result) -> None:
    for conflict in result.conflicts:
        if conflict.reason == "venue":
            text = _("Venue double booking: %(venue)s is also booked for %(other)s.")
            messages.warning(request, text % {"venue": conflict.detail, "other": conflict.other})
        else:
            text = _("Trainer double booking: %(trainer)s also teaches %(other)s at that time.")
            messages.warning(request, text % {"trainer": conflict.detail, "other": conflict.other})


def _save_session(*, instance, acting_user, form):
    if not staff_scope(acting_user).manages_new_session(instance):
        raise ValidationError(
            {"county": [_("You can only manage the sessions of your county or your projects.")]}
        )
    result = services.training_session_save(training_session=instance, acting_user=acting_user)
    form.conflict_result = result
    return result.training_session


class SessionSaveWarningsMixin:
    def save_action(self):
        result = getattr(self.form, "conflict_result", None)
        if result is not None:
            _warn_conflicts(self.request, result)
        return super().save_action()


class SessionCreateView(SessionSaveWarningsMixin, ServiceCreateView):
    pass


class SessionEditView(SessionSaveWarningsMixin, ServiceEditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if _may_see_roster(self.request.user):
            buttons.append(_roster_button(self.object.pk))
        if _may_take_attendance(self.request.user):
            buttons.append(_attendance_button(self.object.pk))
        return buttons + _extra_buttons(self.request.user, self.object)


class TrainingSessionViewSet(ServiceViewSetMixin, ModelViewSet):
    model = TrainingSession
    icon = "date"
    menu_label = _("Sessions")
    menu_order = 100
    add_view_class = SessionCreateView
    edit_view_class = scoped_view(SessionEditView, _sessions_q)
    index_view_class = SessionIndexView
    inspect_view_class = scoped_view(SessionInspectView, _sessions_q)
    delete_view_class = scoped_view(generic.DeleteView, _sessions_q)
    history_view_class = scoped_view(HistoryView, _sessions_q)
    usage_view_class = scoped_view(UsageView, _sessions_q)
    save_service = staticmethod(_save_session)
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["code", "title", "course__title"]
    filterset_class = TrainingSessionFilterSet
    list_per_page = 50
    list_display = [
        "code",
        Column("display_title", label=_("Title"), accessor="display_title"),
        "county",
        "project",
        Column(
            "first_day",
            label=_("First day"),
            sort_key="first_day",
            accessor=lambda s: _local_date(s.first_day),
        ),
        Column("day_count", label=_("Days")),
        Column(
            "seats", label=_("Seats taken"), accessor=lambda s: f"{s.seats_taken} / {s.capacity}"
        ),
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            primary=lambda s: s.status == TrainingSession.Status.PUBLISHED,
        ),
    ]
    inspect_view_fields = [
        "code",
        "course",
        "title",
        "project",
        "county",
        "sector",
        "delivery_mode",
        "venue",
        "online_url",
        "trainers",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
        "approval_mode",
        "target_categories",
        "eligible_counties",
        "cancellation_cutoff_hours",
        "offer_hours",
        "reminder_days",
        "status",
        "description",
    ]
    edit_handler_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("code"), FieldPanel("status")]),
                FieldPanel("course"),
                FieldPanel("title"),
                FieldPanel("project"),
            ],
            heading=_("What"),
        ),
        InlinePanel(
            "days",
            heading=_("Days"),
            label=_("Day"),
            min_num=1,
            panels=[
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            ],
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("county"), FieldPanel("sector")]),
                FieldPanel("delivery_mode"),
                FieldPanel("venue"),
                FieldPanel("online_url"),
            ],
            heading=_("Where"),
        ),
        FieldPanel("trainers", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("approval_mode")]),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldPanel(
                    "target_categories",
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "formativ-columns"}),
                ),
                FieldPanel(
                    "eligible_counties",
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "formativ-columns"}),
                ),
                FieldRowPanel(
                    [
                        FieldPanel("cancellation_cutoff_hours"),
                        FieldPanel("offer_hours"),
                        FieldPanel("reminder_days"),
                    ]
                ),
            ],
            heading=_("Registration"),
        ),
        InlinePanel(
            "quotas",
            heading=_("Nomination quotas"),
            label=_("Quota"),
            help_text=_(
                "For sessions whose places are given by nomination: seats reserved for the "
                "people of one county, intersectoral local team or institution. Choose exactly "
                "one of the three on each quota."
            ),
            panels=[
                FieldRowPanel([FieldPanel("county"), FieldPanel("local_team")]),
                FieldRowPanel([FieldPanel("institution"), FieldPanel("seats")]),
            ],
        ),
        FieldPanel("description"),
    ]
    edit_handler = ObjectList(edit_handler_panels, base_form_class=SessionAdminForm)


def _orm_search_chooser(model, icon, choose_one_text, *fields, related=(), scope_q=None):
    form_class = orm_search_filter_form(*fields)

    class ListMixin(ChooserPermissionMixin):
        filter_form_class = form_class

        def get_object_list(self):
            objects = model.objects.select_related(*related)
            if scope_q is not None:
                objects = objects.filter(scope_q(staff_scope(self.request.user)))
            return objects

    class Choose(ListMixin, chooser_views.ChooseView):
        pass

    class Results(ListMixin, chooser_views.ChooseResultsView):
        pass

    class Chooser(ChooserViewSet):
        choose_view_class = Choose
        choose_results_view_class = Results
        per_page = 25

    Chooser.model = model
    Chooser.icon = icon
    Chooser.choose_one_text = choose_one_text
    return Chooser


SessionChooserViewSet = _orm_search_chooser(
    TrainingSession,
    "date",
    _("Choose a session"),
    "code",
    "title",
    "course__title",
    "county__name",
    related=("course",),
    # Those whose roster the user opens: a coordinator enrols their people anywhere.
    scope_q=lambda scope: scope.roster_sessions_q(),
)
VenueChooserViewSet = _orm_search_chooser(
    Venue, "home", _("Choose a venue"), "name", "city", related=("county",)
)


# --- enrolments -------------------------------------------------------------------------------


class EnrolmentFilterSet(WagtailFilterSet):
    county = django_filters.ModelChoiceFilter(
        queryset=County.objects.all(), field_name="training_session__county", label=_("County")
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.all(),
        field_name="training_session__project",
        label=_("Project"),
    )

    class Meta:
        model = Enrolment
        fields = ["county", "project", "status", "source"]


class EnrolmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.staff_enrolment_list(user=self.request.user)


class EnrolmentInspectView(generic.InspectView):
    def get_history_display_value(self):
        changes = self.object.history.select_related("changed_by")
        return (
            format_html_join(
                mark_safe("<br>"),  # noqa: S308 - a constant separator
                "{} · {} → {} · {} {}",
                (
                    (
                        _local_datetime(change.changed_at),
                        change.get_from_status_display() or "—",
                        change.get_to_status_display(),
                        change.changed_by or _("system"),
                        f"({change.reason})" if change.reason else "",
                    )
                    for change in changes
                ),
            )
            or "—"
        )


class EnrolmentEditForm(WagtailAdminModelForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)


ENROLMENT_EDIT_PANEL = ObjectList(
    [FieldPanel("status"), FieldPanel("reason")], base_form_class=EnrolmentEditForm
).bind_to_model(Enrolment)


def _save_enrolment(*, instance, acting_user, form):
    if instance.pk is None:
        try:
            return services.enrolment_create(
                training_session=instance.training_session,
                professional=instance.professional,
                source=Enrolment.Source.STAFF,
                nominated_by=instance.nominated_by,
                acting_user=acting_user,
            )
        except PermissionDenied as exc:  # a person or session outside the user's scope
            raise ValidationError({"professional": [str(exc)]}) from exc
    return services.enrolment_set_status(
        enrolment=instance,
        status=instance.status,
        acting_user=acting_user,
        reason=form.cleaned_data.get("reason", ""),
    )


class EnrolmentViewSet(ServiceViewSetMixin, ModelViewSet):
    model = Enrolment
    icon = "tick"
    menu_label = _("Enrolments")
    menu_order = 110
    add_view_class = ServiceCreateView
    edit_view_class = scoped_view(ServiceEditView, _enrolments_q)
    delete_view_class = scoped_view(generic.DeleteView, _enrolments_q)
    history_view_class = scoped_view(HistoryView, _enrolments_q)
    usage_view_class = scoped_view(UsageView, _enrolments_q)
    index_view_class = EnrolmentIndexView
    save_service = staticmethod(_save_enrolment)
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = [
        "professional__last_name",
        "professional__first_name",
        "training_session__code",
    ]
    filterset_class = EnrolmentFilterSet
    list_per_page = 50
    list_display = [
        "professional",
        Column("training_session", label=_("Session"), accessor=lambda e: e.training_session.code),
        Column("county", label=_("County"), accessor=lambda e: e.training_session.county),
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            primary=lambda e: e.status == Enrolment.Status.CONFIRMED,
        ),
        "source",
        DateColumn("created_at", label=_("Enrolled")),
    ]
    inspect_view_fields = [
        "training_session",
        "professional",
        "status",
        "source",
        "nominated_by",
        "created_at",
        "updated_at",
        "history",
    ]
    inspect_view_class = scoped_view(EnrolmentInspectView, _enrolments_q)
    # Staff add people directly (source "staff"); imports and self-registration have their
    # own flows, so the source is not a choice here.
    panels = [
        FieldPanel("training_session"),
        FieldPanel("professional"),
        FieldPanel("nominated_by"),
    ]

    def get_edit_view_kwargs(self, **kwargs):
        # Editing an enrolment is changing its status (with a reason for the history).
        return super().get_edit_view_kwargs(
            panel=ENROLMENT_EDIT_PANEL,
            form_class=ENROLMENT_EDIT_PANEL.get_form_class(),
            **kwargs,
        )


# --- attendance -------------------------------------------------------------------------------


class AttendanceIndexView(generic.IndexView):
    def get_base_queryset(self):
        return Attendance.objects.filter(
            _attendance_q(staff_scope(self.request.user))
        ).select_related("enrolment__professional", "enrolment__training_session", "day")


def _save_attendance(*, instance, acting_user, form):
    return services.attendance_mark(
        enrolment=instance.enrolment,
        day=instance.day,
        status=instance.status,
        minutes=instance.minutes if instance.status == Attendance.Status.PARTIAL else None,
        method=Attendance.Method.STAFF,
        acting_user=acting_user,
    )


class AttendanceViewSet(ServiceViewSetMixin, ModelViewSet):
    """Attendance marks: listed, inspected and corrected here; taken on the attendance
    screen."""

    model = Attendance
    icon = "clipboard-list"
    menu_label = _("Attendance")
    menu_order = 120
    index_view_class = AttendanceIndexView
    edit_view_class = scoped_view(ServiceEditView, _attendance_q)
    inspect_view_class = scoped_view(generic.InspectView, _attendance_q)
    delete_view_class = scoped_view(generic.DeleteView, _attendance_q)
    history_view_class = scoped_view(HistoryView, _attendance_q)
    usage_view_class = scoped_view(UsageView, _attendance_q)
    save_service = staticmethod(_save_attendance)
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["enrolment__professional__last_name", "enrolment__training_session__code"]
    list_filter = ["status", "method"]
    list_per_page = 50
    form_fields = ["status", "minutes"]
    list_display = [
        Column("participant", label=_("Participant"), accessor=lambda a: a.enrolment.professional),
        Column("session", label=_("Session"), accessor=lambda a: a.enrolment.training_session.code),
        Column("day", label=_("Day"), accessor=lambda a: _local_date(a.day.starts_at)),
        "status",
        "minutes",
        "method",
    ]


# --- venues -----------------------------------------------------------------------------------


def _save_venue(*, instance, acting_user, form):
    return services.venue_save(venue=instance, acting_user=acting_user)


class VenueViewSet(ServiceViewSetMixin, ModelViewSet):
    model = Venue
    icon = "home"
    menu_label = _("Venues")
    menu_order = 130
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ProtectedDeleteView
    save_service = staticmethod(_save_venue)
    search_backend_name = None
    search_fields = ["name", "city"]
    list_display = ["name", "city", "county", "capacity"]
    list_filter = ["county"]
    form_fields = ["name", "address", "city", "county", "capacity", "accessibility"]
    inspect_view_enabled = True
    copy_view_enabled = False

    index_view_class = type(
        "VenueIndexView",
        (generic.IndexView,),
        {"get_base_queryset": lambda self: Venue.objects.select_related("county")},
    )


class SessionsGroup(ModelViewSetGroup):
    menu_label = _("Training sessions")
    menu_icon = "date"
    menu_order = 200
    items = (TrainingSessionViewSet, EnrolmentViewSet, AttendanceViewSet, VenueViewSet)
