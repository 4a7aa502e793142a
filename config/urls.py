from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from config.api import api

urlpatterns = [
    # Staff sign in where everyone does, with the two-factor step; not on Wagtail's own form.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    # Published for Open Badges verifiers: issuer profile, keys, status lists (no language).
    path("credentials/", include("certificates.credential_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages in the visitor's language (Romanian without a prefix, English under /en/);
# Wagtail's page tree last: it catches every other URL.
urlpatterns += i18n_patterns(
    path("cautare/", cms_views.search, name="search"),
    path("cont/", include("allauth.urls")),
    path("cont/profil/", include("accounts.urls")),
    path("", include("sessions.urls")),
    path("", include("evaluation.urls")),
    path("", include("certificates.urls")),
    path("", include("privacy.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
