from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    # "sessions" would collide with django.contrib.sessions: always address this app by its label.
    name = "sessions"
    label = "training_sessions"
    verbose_name = _("Training sessions")

    def ready(self):
        from sessions import signals  # noqa: F401
