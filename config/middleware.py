"""Request language for the REST API, which lives outside the language-prefixed URLs; the
Content-Security-Policy."""

from csp.middleware import CSPMiddleware
from django.utils import translation

from config import admin_scripts

# The admin runs no inline script either: Wagtail's widgets and inline panels, which start
# themselves with inline scripts in Wagtail 8, are started from JSON data blocks by a static
# script instead (config.admin_scripts). The admin alone allows WebAssembly, for the vendored QR
# reader of the check-in scanner; the public site, the API, the verification pages and the
# accounts pages never do.
ADMIN_PREFIX = "/admin/"
ADMIN_SCRIPT_SRC = ["'self'", "'wasm-unsafe-eval'"]


class ApiLanguageMiddleware:
    """Site pages take their language from the URL (Romanian unprefixed, English under /en/);
    API callers choose it with Accept-Language (Romanian by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on every response, with
    WebAssembly allowed under the admin only (see ADMIN_SCRIPT_SRC). Loading it makes the Wagtail
    admin start without inline scripts (config.admin_scripts.install)."""

    def __init__(self, get_response):
        super().__init__(get_response)
        admin_scripts.install()

    def get_policy_parts(self, request, response, report_only=False):
        if request.path_info.startswith(ADMIN_PREFIX) and not report_only:
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace.setdefault("script-src", ADMIN_SCRIPT_SRC)
            response._csp_replace = replace
        return super().get_policy_parts(request, response, report_only=report_only)
