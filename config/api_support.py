"""Helpers the apps' API routers share."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.schema import DjangoGetter
from ninja.security import SessionAuth
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf
from pydantic import BaseModel, field_validator, model_validator
from wagtail.api.v3.auth import BearerTokenAuth

from accounts.middleware import is_admin_user, two_factor_api_refusal_text, two_factor_missing


def require_perm(request, perm: str) -> None:
    """Scoped access: API callers need the same model permissions as in the back office."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


class InputSchema(Schema):
    """Base of every request body: text may not carry NUL characters (PostgreSQL refuses
    them, and no person's name holds one)."""

    @model_validator(mode="before")
    @classmethod
    def a_json_object(cls, value):
        # ninja's Schema reads attributes from any object: without this, `[]` or `"x"` would
        # pass as an empty body.
        source = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(source, dict | BaseModel):
            raise ValueError("A JSON object is expected")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def no_nul_characters(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        return value


class BoundedPagination(LimitOffsetPagination):
    """Limit/offset pagination with bounds: at most 200 rows a page, a sane offset."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10_000_000)


def clean_query_text(value: str | None) -> str:
    """A query-string value safe to look up with: stripped, without NUL characters."""
    return (value or "").replace("\x00", "").strip()[:100]


class SessionCookieAuth(SessionAuth):
    """The Django session of a signed-in user (the site's own pages, a browser). Unsafe methods
    must carry the CSRF token, as any form of the site. Visitors without a session pass on to
    the next authentication (no CSRF check for them: there is nothing to forge). A staff
    member's session that did not pass the two-factor step is refused (403), whatever header
    came with it (accounts.middleware)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        if is_admin_user(request.user) and two_factor_missing(request):
            raise PermissionDenied(two_factor_api_refusal_text())
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(
                _("The CSRF token is missing or wrong: reload the page and try again.")
            )
        return request.user


class PublicRead(HttpAuthBase):
    """The last authentication of endpoints anyone may read: a caller who sent no credentials
    is served as a visitor. A wrong bearer token is still refused (401), not quietly read as
    anonymous."""

    openapi_scheme = "bearer"

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return None
        request.user = AnonymousUser()
        return request.user


# Bearer tokens (integrations) or the signed-in user's session (the site, a browser).
API_AUTH = [BearerTokenAuth(), SessionCookieAuth()]
# The same, plus visitors without credentials, for what the public site shows anyway.
PUBLIC_READ_AUTH = [*API_AUTH, PublicRead()]


class ErrorOut(Schema):
    """Every error: a sentence to show, and the messages field by field (`non_field_errors`
    for those about the whole request)."""

    detail: str
    errors: dict[str, list[str]] = {}


def validation_error_body(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
        first = next(iter(errors.values()))[0]
        return {"detail": first, "errors": errors}
    messages = [str(m) for m in exc.messages]
    return {
        "detail": messages[0] if messages else _("Invalid input."),
        "errors": {"non_field_errors": messages},
    }
