"""Evaluation in the Wagtail admin: the questionnaires, a session's forms, and the log actions
of their changes."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from evaluation import admin_urls
from evaluation.admin_views import URL_NAMESPACE, VIEW_PERMISSION
from evaluation.viewsets import EvaluationGroup
from training.access import staff_scope


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "formativ.evaluation.version",
        _("New questionnaire version"),
        _("Questionnaire version changed"),
    )
    actions.register_action(
        "formativ.evaluation.setup",
        _("Set up a session's evaluation forms"),
        _("Evaluation forms changed"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [EvaluationGroup()]


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path(
            "evaluation/",
            include((admin_urls.urlpatterns, URL_NAMESPACE), namespace=URL_NAMESPACE),
        )
    ]


@hooks.register("register_permissions")
def register_permissions():
    # The questionnaire's permissions come with its viewset; a session's forms have no
    # viewset of their own (they are set up on the session's evaluation screen).
    return Permission.objects.filter(
        content_type__app_label="evaluation", content_type__model="sessionform"
    )


def _trainer_session_ids(user) -> frozenset[int]:
    """The sessions the user teaches, read once per request (cached on the user object)."""
    cached = getattr(user, "_formativ_evaluation_trainer_sessions", None)
    if cached is None:
        from sessions.models import TrainingSession

        trainer_id = staff_scope(user).trainer_id
        cached = frozenset(
            TrainingSession.trainers.through.objects.filter(trainer_id=trainer_id).values_list(
                "trainingsession_id", flat=True
            )
            if trainer_id
            else ()
        )
        user._formativ_evaluation_trainer_sessions = cached
    return cached


def _in_scope(user, session) -> bool:
    """Whether `staff_scope(user).sessions_q()` holds the session, without a query per row."""
    scope = staff_scope(user)
    return (
        scope.all
        or session.project_id in scope.project_ids
        or session.county_id in scope.county_ids
        or (scope.trainer_id is not None and session.pk in _trainer_session_ids(user))
    )


@hooks.register("register_training_session_buttons")
def evaluation_button(user, session):
    if not user.has_perm(VIEW_PERMISSION) or not _in_scope(user, session):
        return []
    return [
        Button(
            _("Evaluation"),
            url=reverse(f"{URL_NAMESPACE}:session", args=[session.pk]),
            icon_name="form",
            priority=7,
        )
    ]
