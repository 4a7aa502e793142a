"""The registry and training offer in the Wagtail admin (the one back office)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import BaseChooser
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from training import selectors, services
from training.access import staff_scope
from training.admin_views import (
    ProtectedSnippetDeleteView,
    ServiceSnippetCreateView,
    ServiceSnippetEditView,
    ServiceViewSetMixin,
    orm_search_filter_form,
    orm_search_snippet_chooser,
    scoped_view,
)
from training.exports import SafeSpreadsheetExportMixin
from training.forms import ProfessionalForm
from training.models import (
    County,
    Course,
    Curriculum,
    FocalPoint,
    Indicator,
    Institution,
    InstitutionType,
    LocalTeam,
    LocalTeamMembership,
    Professional,
    ProfessionalCategory,
    Project,
    Sector,
    Trainer,
)
from training.roles import ORGANISER


class ServiceSnippetViewSet(ServiceViewSetMixin, SnippetViewSet):
    add_view_class = ServiceSnippetCreateView
    edit_view_class = ServiceSnippetEditView
    delete_view_class = ProtectedSnippetDeleteView
    search_backend_name = None  # plain database search: nothing to keep indexed
    copy_view_enabled = False
    inspect_view_enabled = True


def _simple(service, name):
    def save(*, instance, acting_user, form):
        return service(**{name: instance, "acting_user": acting_user})

    return staticmethod(save)


class ProfessionalIndexView(SafeSpreadsheetExportMixin, snippet_views.IndexView):
    pass


# The registry export: the registry import's own headers (imports.columns.COLUMNS), so that a
# downloaded list imports again as it is, matching every person. Never the CNP.
PROFESSIONAL_EXPORT = {
    "last_name": "Nume",
    "first_name": "Prenume",
    "email": "Email",
    "phone": "Telefon",
    "birth_date": "Data nașterii",
    "sex": "Sex",
    "county.code": "Județ",
    "institution.name": "Instituția",
    "institution.institution_type.name": "Tip instituție",
    "category.name": "Categoria profesională",
}


def _professionals_q(scope) -> Q:
    return scope.professionals_q()


def _local_teams_q(scope) -> Q:
    return scope.local_teams_q()


def _memberships_q(scope) -> Q:
    return scope.local_team_memberships_q()


def _editable_institutions_q(scope) -> Q:
    return scope.editable_institutions_q()


def _refuse_outside_scope(field: str, message):
    """For a save service: a ValidationError on `field` when the record being saved (in
    memory) falls outside the user's scope (`allowed(scope, instance)`)."""

    def check(allowed, *, instance, acting_user):
        scope = staff_scope(acting_user)
        if not scope.all and not allowed(scope, instance):
            raise ValidationError({field: [message]})

    return check


def _scoped_save(service, name, field, allowed, message):
    """`_simple(service, name)`, refused for a record outside the user's scope."""
    refuse = _refuse_outside_scope(field, message)

    def save(*, instance, acting_user, form):
        refuse(allowed, instance=instance, acting_user=acting_user)
        return service(**{name: instance, "acting_user": acting_user})

    return staticmethod(save)


class ProfessionalInspectView(snippet_views.InspectView):
    """Opening a person's full record is logged (the audit trail of staff views)."""

    def get(self, request, *args, **kwargs):
        from audit.services import person_view_log

        response = super().get(request, *args, **kwargs)
        person_view_log(professional=self.object, user=request.user, via="admin.inspect")
        return response


class ProfessionalViewSet(ServiceSnippetViewSet):
    """The registry: each user lists and opens only the people of their scope
    (training.access); anyone else's record is 404."""

    model = Professional
    icon = "user"
    menu_label = _("Professionals")
    index_view_class = ProfessionalIndexView
    edit_view_class = scoped_view(ServiceSnippetEditView, _professionals_q)
    delete_view_class = scoped_view(ProtectedSnippetDeleteView, _professionals_q)
    inspect_view_class = scoped_view(ProfessionalInspectView, _professionals_q)
    history_view_class = scoped_view(snippet_views.HistoryView, _professionals_q)
    usage_view_class = scoped_view(snippet_views.UsageView, _professionals_q)
    list_display = ["full_name", "county", "institution", "category", "email"]
    list_export = list(PROFESSIONAL_EXPORT)
    export_headings = PROFESSIONAL_EXPORT
    export_filename = "registru-persoane"
    list_filter = ["county", "category", "institution__institution_type", "sex"]
    search_fields = ["first_name", "last_name", "email", "match_key"]
    ordering = ["last_name", "first_name"]
    chooser_viewset_class = orm_search_snippet_chooser(
        "first_name",
        "last_name",
        "email",
        folded=("match_key",),
        # the same people as the list: organisers fill their seats from the whole registry
        # through the roster's search, not through this chooser
        scope_q=_professionals_q,
    )
    inspect_view_fields = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "sex",
        "birth_date",
        "county",
        "sector",
        "institution",
        "position",
        "category",
        "category_detail",
        "cnp_masked",
        "user",
        "created_at",
        "updated_at",
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
            FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
            FieldRowPanel([FieldPanel("sex"), FieldPanel("birth_date")]),
            FieldRowPanel([FieldPanel("county"), FieldPanel("sector")]),
            FieldPanel("institution"),
            FieldPanel("position"),
            FieldRowPanel([FieldPanel("category"), FieldPanel("category_detail")]),
            MultiFieldPanel(
                [FieldPanel("cnp"), FieldPanel("erase_cnp"), FieldPanel("allow_unverifiable_cnp")],
                heading=_("CNP"),
            ),
            FieldPanel("user"),
        ],
        base_form_class=ProfessionalForm,
    )

    @staticmethod
    def save_service(*, instance, acting_user, form):
        return services.professional_save(
            professional=instance,
            acting_user=acting_user,
            cnp=form.cnp_argument(),
            allow_unverifiable_cnp=form.cleaned_data.get("allow_unverifiable_cnp", False),
        )

    def get_queryset(self, request):
        # the institution's type: for the export's "Tip instituție" column, in the same query
        return (
            selectors.professional_list()
            .filter(staff_scope(request.user).professionals_q())
            .select_related("institution__institution_type")
        )


class InstitutionViewSet(ServiceSnippetViewSet):
    model = Institution
    icon = "group"
    menu_label = _("Institutions")
    list_display = ["name", "institution_type", "county", "ownership"]
    list_filter = ["county", "institution_type", "ownership"]
    search_fields = ["name"]
    # reference data: read and chosen by everyone with the view permission; a county
    # coordinator changes only their county's (training.access)
    edit_view_class = scoped_view(ServiceSnippetEditView, _editable_institutions_q)
    delete_view_class = scoped_view(ProtectedSnippetDeleteView, _editable_institutions_q)
    history_view_class = scoped_view(snippet_views.HistoryView, _editable_institutions_q)
    usage_view_class = scoped_view(snippet_views.UsageView, _editable_institutions_q)
    chooser_viewset_class = orm_search_snippet_chooser("name", "county__name")
    save_service = _scoped_save(
        services.institution_save,
        "institution",
        "county",
        lambda scope, institution: scope.project_ids or institution.county_id in scope.county_ids,
        _("You can only manage the institutions of your county."),
    )
    panels = [
        FieldPanel("name"),
        FieldPanel("institution_type"),
        FieldRowPanel([FieldPanel("country"), FieldPanel("county"), FieldPanel("sector")]),
        FieldPanel("ownership"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("address"),
    ]

    def get_queryset(self, request):
        return selectors.institution_list()


class LocalTeamViewSet(ServiceSnippetViewSet):
    model = LocalTeam
    icon = "group"
    menu_label = _("Local teams (EIL)")
    list_display = ["name", "county", "sector", "coordinator", "is_active"]
    list_filter = ["county", "is_active"]
    search_fields = ["name"]
    edit_view_class = scoped_view(ServiceSnippetEditView, _local_teams_q)
    delete_view_class = scoped_view(ProtectedSnippetDeleteView, _local_teams_q)
    inspect_view_class = scoped_view(snippet_views.InspectView, _local_teams_q)
    history_view_class = scoped_view(snippet_views.HistoryView, _local_teams_q)
    usage_view_class = scoped_view(snippet_views.UsageView, _local_teams_q)
    save_service = _scoped_save(
        services.local_team_save,
        "local_team",
        "county",
        lambda scope, team: team.county_id in scope.county_ids or team.pk in scope.local_team_ids,
        _("You can only manage the local teams of your county."),
    )
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("county"), FieldPanel("sector")]),
        FieldPanel("coordinator"),
        FieldPanel("institutions"),
        FieldPanel("is_active"),
    ]

    def get_queryset(self, request):
        return LocalTeam.objects.filter(staff_scope(request.user).local_teams_q()).select_related(
            "county", "sector", "coordinator"
        )


class LocalTeamMembershipViewSet(ServiceSnippetViewSet):
    model = LocalTeamMembership
    icon = "user"
    menu_label = _("Team members (EIL)")
    list_display = ["professional", "team", "role", "since", "until"]
    list_filter = ["team__county", "role"]
    search_fields = ["professional__last_name", "professional__first_name", "team__name"]
    edit_view_class = scoped_view(ServiceSnippetEditView, _memberships_q)
    delete_view_class = scoped_view(ProtectedSnippetDeleteView, _memberships_q)
    inspect_view_class = scoped_view(snippet_views.InspectView, _memberships_q)
    history_view_class = scoped_view(snippet_views.HistoryView, _memberships_q)
    usage_view_class = scoped_view(snippet_views.UsageView, _memberships_q)
    chooser_viewset_class = orm_search_snippet_chooser(
        "professional__last_name", "professional__first_name", "team__name", scope_q=_memberships_q
    )

    @staticmethod
    def save_service(*, instance, acting_user, form):
        scope = staff_scope(acting_user)
        if not scope.all:
            membership = instance
            team = membership.team if membership.team_id else None
            if not (
                membership.team_id in scope.local_team_ids
                or (team is not None and team.county_id in scope.county_ids)
            ):
                raise ValidationError(
                    {"team": [_("You can only manage the members of your county's local teams.")]}
                )
            if not Professional.objects.filter(
                scope.professionals_q(), pk=membership.professional_id
            ).exists():
                raise ValidationError(
                    {"professional": [_("You can only add people whose records you manage.")]}
                )
        return services.local_team_membership_save(membership=instance, acting_user=acting_user)

    panels = [
        FieldPanel("team"),
        FieldPanel("professional"),
        FieldPanel("role"),
        FieldRowPanel([FieldPanel("since"), FieldPanel("until")]),
    ]

    def get_queryset(self, request):
        return LocalTeamMembership.objects.filter(
            staff_scope(request.user).local_team_memberships_q()
        ).select_related("team", "professional")


class TrainerViewSet(ServiceSnippetViewSet):
    model = Trainer
    icon = "user"
    menu_label = _("Trainers")
    list_display = ["full_name", "kind", "organisation", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["full_name", "email"]
    chooser_viewset_class = orm_search_snippet_chooser("full_name", "email")
    save_service = _simple(services.trainer_save, "trainer")

    def get_queryset(self, request):
        return Trainer.objects.select_related("organisation")


# --- nomination rights ------------------------------------------------------------------------

# Who may choose a user account: those who manage nomination rights or user accounts.
USER_CHOOSER_PERMISSIONS = (
    "training.add_focalpoint",
    "training.change_focalpoint",
    "auth.view_user",
    "auth.change_user",
)


class UserChooserGate:
    """Every view of the user chooser (the list, its results, `chosen/<pk>/` and
    `chosen-multiple/`): for those who manage nomination rights or user accounts."""

    def dispatch(self, request, *args, **kwargs):
        if not any(request.user.has_perm(p) for p in USER_CHOOSER_PERMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserChooserListMixin(UserChooserGate):
    filter_form_class = orm_search_filter_form("username", "email", "first_name", "last_name")

    def get_object_list(self):
        return get_user_model().objects.filter(is_active=True).order_by("email", "username")


def user_label(user) -> str:
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else (user.email or user.get_username())


class UserColumnsMixin(UserChooserListMixin):
    @property
    def columns(self):
        return [
            *super().columns,
            Column("name", label=_("Name"), accessor=lambda u: u.get_full_name() or "—"),
            Column("email", label=_("E-mail")),
        ]


class UserChoose(UserColumnsMixin, chooser_views.ChooseView):
    pass


class UserChooseResults(UserColumnsMixin, chooser_views.ChooseResultsView):
    pass


class UserChosen(UserChooserGate, chooser_views.ChosenView):
    def get_display_title(self, instance):
        return user_label(instance)


class UserChosenMultiple(UserChooserGate, chooser_views.ChosenMultipleView):
    def get_display_title(self, instance):
        return user_label(instance)


class UserChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return user_label(instance)


class UserChooserViewSet(ChooserViewSet):
    """Choose a user account (searched by name, e-mail or user name in the database)."""

    model = get_user_model()
    icon = "user"
    choose_one_text = _("Choose a user")
    choose_another_text = _("Choose another user")
    choose_view_class = UserChoose
    choose_results_view_class = UserChooseResults
    chosen_view_class = UserChosen
    chosen_multiple_view_class = UserChosenMultiple
    base_widget_class = UserChooserWidget
    per_page = 25


user_chooser_viewset = UserChooserViewSet("formativ_user_chooser")


class FocalPointViewSet(ServiceSnippetViewSet):
    """Nomination rights: a user may nominate the people of one institution, county or local
    team (one right each; a user may hold several)."""

    model = FocalPoint
    icon = "user"
    menu_label = _("Nomination rights")
    list_display = [
        "user",
        Column("email", label=_("E-mail"), accessor=lambda f: f.user.email),
        Column("scope", label=_("May nominate the people of"), accessor="scope"),
    ]
    list_filter = ["county"]
    search_fields = ["user__email", "user__username", "institution__name", "local_team__name"]
    # who may nominate whom: for those who hold the model's permissions (administrators)
    chooser_viewset_class = orm_search_snippet_chooser(
        "user__email",
        "user__username",
        "institution__name",
        "local_team__name",
        actions=("view", "change"),
    )
    save_service = _simple(services.model_save, "instance")
    panels = [
        FieldPanel("user", widget=user_chooser_viewset.widget_class),
        MultiFieldPanel(
            [FieldPanel("institution"), FieldPanel("county"), FieldPanel("local_team")],
            heading=_("Scope"),
            help_text=_("Choose exactly one of: an institution, a county or a local team."),
        ),
    ]

    def get_queryset(self, request):
        return FocalPoint.objects.select_related("user", "institution", "county", "local_team")


class RegistryGroup(SnippetViewSetGroup):
    menu_label = _("Registry")
    menu_icon = "user"
    menu_order = 210
    items = (
        ProfessionalViewSet,
        InstitutionViewSet,
        LocalTeamViewSet,
        LocalTeamMembershipViewSet,
        TrainerViewSet,
        FocalPointViewSet,
    )


class ProjectForm(WagtailAdminModelForm):
    """The organisers are chosen among the users of the organisers' group (and those already
    organising the project), shown by name and e-mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("organisers")
        if field is not None:
            current = self.instance.organisers.all() if self.instance.pk else []
            field.queryset = (
                get_user_model()
                .objects.filter(
                    Q(groups__name=ORGANISER.group, is_active=True)
                    | Q(pk__in=[u.pk for u in current])
                )
                .distinct()
                .order_by("last_name", "first_name", "email")
            )
            field.label_from_instance = user_label


class ProjectViewSet(ServiceSnippetViewSet):
    model = Project
    icon = "folder-open-inverse"
    menu_label = _("Projects")
    list_display = ["acronym", "name", "funder", "starts_on", "ends_on"]
    list_filter = ["funder"]
    search_fields = ["acronym", "name", "contract_number", "smis_code"]
    save_service = _simple(services.project_save, "project")
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("acronym"), FieldPanel("funder")]),
            FieldPanel("name"),
            FieldPanel("programme"),
            FieldRowPanel([FieldPanel("contract_number"), FieldPanel("smis_code")]),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
            FieldPanel("lead"),
            FieldPanel("partners"),
            FieldPanel("description"),
            FieldPanel("organisers", widget=forms.CheckboxSelectMultiple),
            MultiFieldPanel(
                [FieldPanel("requires_cnp"), FieldPanel("retention_ends_on")],
                heading=_("Personal data"),
            ),
        ],
        base_form_class=ProjectForm,
    )


class IndicatorViewSet(ServiceSnippetViewSet):
    model = Indicator
    icon = "list-ul"
    menu_label = _("Indicators")
    list_display = ["code", "name", "project", "kind", "unit", "target"]
    list_filter = ["project", "kind", "unit"]
    search_fields = ["code", "name"]
    save_service = _simple(services.indicator_save, "indicator")

    def get_queryset(self, request):
        return Indicator.objects.select_related("project")


class CurriculumViewSet(ServiceSnippetViewSet):
    model = Curriculum
    icon = "doc-full"
    menu_label = _("Curricula")
    list_display = ["title", "code", "version", "project"]
    list_filter = ["project"]
    search_fields = ["title", "code"]
    save_service = _simple(services.curriculum_save, "curriculum")

    def get_queryset(self, request):
        return Curriculum.objects.select_related("project")


class CourseViewSet(ServiceSnippetViewSet):
    model = Course
    icon = "doc-full-inverse"
    menu_label = _("Courses and modules")
    list_display = [
        "title",
        "code",
        "curriculum",
        "delivery_type",
        "hours",
        Column("session_count", label=_("Sessions")),
    ]
    list_filter = ["curriculum", "delivery_type", "certificate_type"]
    search_fields = ["title", "code"]
    chooser_viewset_class = orm_search_snippet_chooser("title", "code")
    save_service = _simple(services.course_save, "course")

    def get_queryset(self, request):
        return selectors.course_list()


class OfferGroup(SnippetViewSetGroup):
    menu_label = _("Training offer")
    menu_icon = "doc-full"
    menu_order = 220
    items = (CurriculumViewSet, CourseViewSet, ProjectViewSet, IndicatorViewSet)


class ReadOnlyViewSet(SnippetViewSet):
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False


class CountyViewSet(ReadOnlyViewSet):
    model = County
    icon = "site"
    menu_label = _("Counties")
    list_display = ["name", "code", "siruta", "cnp_code", "development_region"]
    list_filter = ["development_region", "kind"]
    search_fields = ["name", "name_ascii", "code"]
    list_per_page = 50


class SectorViewSet(ReadOnlyViewSet):
    model = Sector
    icon = "site"
    menu_label = _("Sectors of București")
    list_display = ["name", "code", "siruta", "cnp_code"]


class InstitutionTypeViewSet(ServiceSnippetViewSet):
    model = InstitutionType
    icon = "tag"
    menu_label = _("Institution types")
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]
    save_service = _simple(services.reference_item_save, "item")


class ProfessionalCategoryViewSet(ServiceSnippetViewSet):
    model = ProfessionalCategory
    icon = "tag"
    menu_label = _("Professional categories")
    list_display = ["name", "name_en", "requires_detail"]
    search_fields = ["name", "name_en"]
    save_service = _simple(services.reference_item_save, "item")


class ReferenceGroup(SnippetViewSetGroup):
    menu_label = _("Reference lists")
    menu_icon = "list-ul"
    menu_order = 290
    items = (CountyViewSet, SectorViewSet, InstitutionTypeViewSet, ProfessionalCategoryViewSet)
