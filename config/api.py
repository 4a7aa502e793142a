"""The REST API (django-ninja) under /api/v1/: bearer-token authentication, JSON errors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from accounts.api import router as accounts_router
from certificates.api import router as certificates_router
from config.api_support import API_AUTH, validation_error_body
from reports.api import router as reports_router
from sessions.api import router as sessions_router
from training.api import router as training_router

api = NinjaAPI(
    title="Formativ API",
    version="1",
    description="Sessions, people and the training offer of Formativ. "
    "Authenticate with `Authorization: Bearer <token>`, or, from the site itself, with the "
    "signed-in user's session (with the CSRF token on POST, PATCH and DELETE).",
    auth=API_AUTH,
    urls_namespace="api-v1",
)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return api.create_response(request, validation_error_body(exc), status=400)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    """Malformed input (wrong types, bad dates, out-of-range paging): the same JSON shape as
    the services' errors, field by field."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        name = location[-1] if location else "non_field_errors"
        if name in ("body", "payload", "query"):
            name = "non_field_errors"
        errors.setdefault(name, []).append(_("This value is not valid."))
    detail = _("Some values are not valid: %(fields)s.") % {"fields": ", ".join(errors)}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    """Ninja's own refusals (an unreadable body above all) in the same JSON shape."""
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": detail, "errors": {}}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(
        request,
        {"detail": str(exc) or _("You do not have permission to do this."), "errors": {}},
        status=403,
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found."), "errors": {}}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request,
        {"detail": _("Authentication required: send a valid bearer token."), "errors": {}},
        status=401,
    )


api.add_router("/", training_router)
api.add_router("/", sessions_router)
api.add_router("/", accounts_router)
api.add_router("/", certificates_router)
api.add_router("/", reports_router)
