"""The course questionnaires in the Wagtail admin (menu group "Evaluation"): list, create and
edit through `evaluation.services.questionnaire_save` (a new version when what respondents see
changes), inspect their versions with a preview of the latest, delete only unused ones."""

import django_filters
from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from evaluation import services
from evaluation.admin_forms import QuestionnaireAdminForm
from evaluation.blocks import SCALES
from evaluation.models import Questionnaire, QuestionnaireVersion, SessionForm
from evaluation.questions import is_scored
from training.admin_views import ServiceCreateView, ServiceEditView, ServiceViewSetMixin
from training.models import Course


def questionnaire_list():
    """Questionnaires with their course, latest version number and how many sessions use one
    of their versions."""
    return Questionnaire.objects.select_related("course").annotate(
        latest_number=Max("versions__number"),
        session_count=Count("versions__session_forms__training_session", distinct=True),
    )


class QuestionnaireFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.all(), label=_("Course"))
    kind = django_filters.ChoiceFilter(choices=Questionnaire.Kind.choices, label=_("Kind"))

    class Meta:
        model = Questionnaire
        fields = ["course", "kind"]


class QuestionnaireIndexView(generic.IndexView):
    def get_base_queryset(self):
        return questionnaire_list()


def _save_questionnaire(*, instance, acting_user, form):
    previous = (
        QuestionnaireVersion.objects.filter(questionnaire_id=instance.pk)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        if instance.pk
        else None
    )
    version = services.questionnaire_save(questionnaire=instance, acting_user=acting_user)
    form.saved_version = version
    form.new_version = version.number != previous
    return instance


class VersionMessageMixin:
    """The success message says which version the save left the questionnaire at."""

    def version_message(self, instance) -> str:
        version = getattr(self.form, "saved_version", None)
        if version is None:
            return ""
        if not self.form.new_version:
            return gettext("No change to what respondents see: still version %(number)s.") % {
                "number": version.number
            }
        if version.number == 1:
            return gettext("Version %(number)s saved.") % {"number": version.number}
        return gettext("Version %(number)s saved; sessions already set up keep their version.") % {
            "number": version.number
        }


class QuestionnaireCreateView(VersionMessageMixin, ServiceCreateView):
    def get_success_message(self, instance):
        message = super().get_success_message(instance)
        return f"{message} {self.version_message(instance)}".strip()


class QuestionnaireEditView(VersionMessageMixin, ServiceEditView):
    def get_success_message(self):
        message = super().get_success_message()
        return f"{message} {self.version_message(self.object)}".strip()


def questions_preview(version: QuestionnaireVersion) -> list[dict]:
    """A version's questions as the preview shows them: options with the correct ones marked,
    the points of scored questions, the scale's labels."""
    preview = []
    for number, question in enumerate(version.questions, start=1):
        item = {
            "number": number,
            "text": question["text"],
            "type": question["type"],
            "required": question.get("required", False),
            "options": question.get("options", []),
            "scored": is_scored(question) if "options" in question else False,
            "points": question.get("points"),
            "scale": [str(label) for label in SCALES.get(question.get("scale"), [])],
        }
        preview.append(item)
    return preview


class QuestionnaireInspectView(generic.InspectView):
    template_name = "evaluation/admin/questionnaire_inspect.html"

    @cached_property
    def versions(self):
        return list(
            QuestionnaireVersion.objects.filter(questionnaire=self.object)
            .select_related("created_by")
            .annotate(session_count=Count("session_forms__training_session", distinct=True))
            .order_by("-number")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = self.versions[0] if self.versions else None
        context.update(
            {
                "versions": self.versions,
                "latest": latest,
                "questions": questions_preview(latest) if latest else [],
                "type_labels": {
                    "likert": _("Rating (1–5 scale)"),
                    "text": _("Free text"),
                    "single": _("Single choice"),
                    "multiple": _("Multiple choice"),
                },
            }
        )
        return context


def questionnaire_in_use(questionnaire: Questionnaire) -> bool:
    return SessionForm.objects.filter(version__questionnaire=questionnaire).exists()


class QuestionnaireDeleteView(generic.DeleteView):
    """Deleting a questionnaire no session uses (its versions go with it); one whose version a
    session form uses is refused with a message."""

    def refuse(self):
        messages.error(
            self.request,
            gettext(
                "“%(object)s” is used by the evaluation forms of sessions, so it cannot be deleted."
            )
            % {"object": self.object},
        )
        return redirect(self.get_success_url())

    def get(self, request, *args, **kwargs):
        if questionnaire_in_use(self.object):
            return self.refuse()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if questionnaire_in_use(self.object):
            return self.refuse()
        return super().post(request, *args, **kwargs)

    def delete_action(self):
        # Its versions go with it; the service refuses one a session uses (checked above too).
        services.questionnaire_delete(questionnaire=self.object, acting_user=self.request.user)


class QuestionnaireViewSet(ServiceViewSetMixin, ModelViewSet):
    model = Questionnaire
    icon = "form"
    menu_label = _("Questionnaires")
    menu_order = 100
    url_prefix = "evaluation/questionnaires"
    url_namespace = "evaluation_questionnaires"
    index_view_class = QuestionnaireIndexView
    add_view_class = QuestionnaireCreateView
    edit_view_class = QuestionnaireEditView
    inspect_view_class = QuestionnaireInspectView
    delete_view_class = QuestionnaireDeleteView
    save_service = staticmethod(_save_questionnaire)
    inspect_view_enabled = True
    inspect_view_fields = [
        "course",
        "kind",
        "anonymous",
        "follow_up_months",
        "certificate_rule",
        "certificate_min_score",
        "updated_at",
    ]
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["title"]
    filterset_class = QuestionnaireFilterSet
    list_per_page = 50
    # The title links to the record (the first column); a course has up to three rows.
    list_display = [
        "title",
        "course",
        Column("kind", label=_("Kind"), accessor=lambda q: capfirst(q.get_kind_display())),
        Column(
            "latest_number",
            label=_("Latest version"),
            sort_key="latest_number",
            accessor=lambda q: q.latest_number or "—",
        ),
        Column(
            "session_count",
            label=_("Sessions using it"),
            sort_key="session_count",
            accessor="session_count",
        ),
    ]

    @cached_property
    def edit_handler(self):
        return ObjectList(
            [
                MultiFieldPanel(
                    [
                        FieldPanel(
                            "course",
                            help_text=_("A course has at most one questionnaire of each kind."),
                        ),
                        FieldPanel(
                            "kind",
                            help_text=_(
                                "A knowledge test is given twice (pre-test and post-test) and "
                                "scored; feedback and follow-up survey are opinion forms."
                            ),
                        ),
                    ],
                    heading=_("Course"),
                ),
                MultiFieldPanel(
                    [
                        FieldPanel("title", help_text=_("What participants see as its name.")),
                        FieldPanel("intro", help_text=_("Shown above the questions (optional).")),
                        FieldPanel(
                            "questions",
                            help_text=_(
                                "A change here makes a new version when saved; sessions already "
                                "set up keep the version they use. In a knowledge test, mark "
                                "the correct options and give each question its points."
                            ),
                        ),
                    ],
                    heading=_("What respondents see"),
                ),
                MultiFieldPanel(
                    [
                        FieldPanel("anonymous"),
                        FieldPanel("follow_up_months"),
                        FieldRowPanel(
                            [
                                FieldPanel("certificate_rule"),
                                FieldPanel(
                                    "certificate_min_score",
                                    help_text=_(
                                        "With the condition “minimum score”: the percentage "
                                        "of the maximum score the post-test must reach."
                                    ),
                                ),
                            ]
                        ),
                    ],
                    heading=_("Rules"),
                ),
            ],
            base_form_class=QuestionnaireAdminForm,
        )


class EvaluationGroup(ModelViewSetGroup):
    menu_label = _("Evaluation")
    menu_icon = "form"
    menu_order = 203  # after the training sessions (200), before the certificates (205)
    items = (QuestionnaireViewSet,)
