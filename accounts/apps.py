from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.account.signals import email_changed, email_confirmed

        from accounts import middleware, signals  # noqa: F401 (middleware: its signal receiver)

        email_confirmed.connect(signals.on_email_confirmed, dispatch_uid="accounts.email_confirmed")
        email_changed.connect(signals.on_email_changed, dispatch_uid="accounts.email_changed")
