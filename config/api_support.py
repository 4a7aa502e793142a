"""Helpers the apps' API routers share."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import field_validator


def require_perm(request, perm: str) -> None:
    """Scoped access: API callers need the same model permissions as in the back office."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


class InputSchema(Schema):
    """Base of every request body: text may not carry NUL characters (PostgreSQL refuses
    them, and no person's name holds one)."""

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
