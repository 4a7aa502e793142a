"""Two-factor authentication is required of everyone who can open the Wagtail admin.

A staff member (Wagtail's `access_admin` permission, `is_staff` or a superuser) who opens the
admin:

- without a TOTP authenticator is sent to allauth's page that sets one up, and comes back to
  the admin page they asked for once it is done;
- with one, but in a session that never passed the two-factor step (a session opened before the
  authenticator existed, or by `force_login`), is sent to allauth's two-factor check, which
  records the step in the session and comes back.

allauth notes every way a session was authenticated in the session itself
(`allauth.account.authentication.get_authentication_records`); its two-factor step leaves a
record with method "mfa", and nothing else counts. Setting up the authenticator counts for the
session that set it up (it needed a valid code from the new authenticator): allauth's
`authenticator_added` signal carries that request, and `record_two_factor_on_activation`
leaves the same record in it. Other sessions of the user, such as one opened with a stolen
password before the authenticator existed, still have to give a code.

Staff pages of the public site (nominating people for a session, which lists people) ask the
same of the staff member who opens them: the view calls `staff_two_factor_redirect` once it
knows the visitor is staff there.

The REST API: a request with a bearer token (`Authorization: Bearer …`) is the token's business
(tokens are made in the admin, behind this check). A staff member's request that authenticates
with the site's session cookie, from a session that did not pass the step, is refused with 403
and a JSON message, here and in the API's session authentication itself
(`config.api_support.SessionCookieAuth`), whatever other header the request carries.

Off when `FORMATIV_STAFF_2FA_REQUIRED` is False (the test settings, and the demo site of
`make run`, whose demo administrator has no authenticator).
"""

from urllib.parse import urlencode

from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"
API_PREFIX = "/api/"
# The admin's own sign-in address only redirects to the site's sign-in; never stop it.
EXEMPT_PREFIXES = ("/admin/login/", "/admin/logout/")


def is_admin_user(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin")


def _authenticators(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)


def session_passed_two_factor(request) -> bool:
    """Whether this session went through the two-factor step (or set up the authenticator)."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def two_factor_missing(request) -> bool:
    """Whether the signed-in user of `request` must still give a code in this session (the
    caller decides the user is staff where it asks)."""
    if not settings.FORMATIV_STAFF_2FA_REQUIRED:
        return False
    if not _authenticators(request.user).exists():
        return True
    return not session_passed_two_factor(request)


def two_factor_api_refusal_text() -> str:
    return _(
        "Two-factor authentication is required for staff accounts. Sign in "
        "to the admin with your authentication code, or use an API token."
    )


def _has_bearer_token(request) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[:7].lower() == "bearer "


@receiver(authenticator_added, dispatch_uid="accounts.two_factor_on_activation")
def record_two_factor_on_activation(sender, request, user, authenticator, **kwargs):
    """Setting up an authenticator app (with a valid code from it) counts as this session's
    two-factor step, and only this session's."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    if getattr(request, "user", None) is None or request.user.pk != user.pk:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def staff_two_factor_redirect(request):
    """For a staff page outside the admin: None when the session may go on, else the redirect
    to set up an authenticator or to give its code, coming back to this page."""
    if not two_factor_missing(request):
        return None
    return _two_factor_redirect(request, where="site")


def _two_factor_redirect(request, *, where: str):
    query = urlencode({"next": request.get_full_path()})
    if not _authenticators(request.user).exists():
        if where == "admin":
            text = _(
                "Staff accounts must use two-factor authentication. Set up an "
                "authenticator app to continue to the admin."
            )
        else:
            text = _(
                "Staff accounts must use two-factor authentication. Set up an "
                "authenticator app to continue."
            )
        messages.warning(request, text)
        return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
    if where == "admin":
        text = _("Enter the code from your authenticator app to continue to the admin.")
    else:
        text = _("Enter the code from your authenticator app to continue.")
    messages.info(request, text)
    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")


class StaffTwoFactorMiddleware:
    """After AuthenticationMiddleware, MessageMiddleware and allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.FORMATIV_STAFF_2FA_REQUIRED:
            refusal = self.check(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def check(self, request):
        path = request.path_info
        admin = path.startswith(ADMIN_PREFIX) and not path.startswith(EXEMPT_PREFIXES)
        # Only a bearer token is the token's business: with any other Authorization header
        # the API still falls back to the session cookie.
        api = path.startswith(API_PREFIX) and not _has_bearer_token(request)
        if not (admin or api):
            return None
        user = getattr(request, "user", None)
        if user is None or not is_admin_user(user):
            return None
        if not two_factor_missing(request):
            return None
        if api:
            return JsonResponse({"detail": two_factor_api_refusal_text(), "errors": {}}, status=403)
        return _two_factor_redirect(request, where="admin")
