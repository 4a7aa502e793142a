"""Helpers the apps' API routers share."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require_perm(request, perm: str) -> None:
    """Scoped access: API callers need the same model permissions as in the back office."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))
