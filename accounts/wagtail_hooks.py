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


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "formativ.account.link",
        _("Link a user account"),
        _("User account linked to this person"),
    )
    actions.register_action(
        "formativ.account.link_conflict",
        _("User account not linked"),
        _("A user account verified this e-mail address under another name: not linked"),
    )
    actions.register_action(
        "formativ.account.email_conflict",
        _("E-mail address not changed"),
        _("A user account verified an e-mail address another person uses: not changed"),
    )
