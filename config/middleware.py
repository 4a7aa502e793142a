"""Request language for the REST API, which lives outside the language-prefixed URLs."""

from django.utils import translation


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
