from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """allauth's defaults, with its e-mails (verification, password reset, notices) written in
    the language the person is using the site in: the one active for the request (Romanian
    without a URL prefix, English under /en/)."""

    def send_mail(self, template_prefix, email, context):
        language = translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)
