from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_account_menu_item")
def api_tokens_menu_item(request):
    """The account page links to the user's REST API tokens (Wagtail's token screens)."""
    if not request.user.has_perm("wagtailcore.add_apitoken"):
        return None
    return {
        "url": reverse("wagtailusers_api_tokens:index"),
        "label": _("API tokens"),
        "help_text": _(
            "Create and revoke the bearer tokens that let programs use the REST API on your behalf."
        ),
    }
