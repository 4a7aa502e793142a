from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from django.db.models.signals import post_migrate

        from training.roles import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="formativ_roles_sync")
