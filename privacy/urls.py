"""The public privacy notice (Romanian and English addresses) and the person's "my data".
Included in config/urls.py inside i18n_patterns, before Wagtail's catch-all."""

from django.urls import path

from privacy import views

app_name = "privacy_public"

urlpatterns = [
    path("confidentialitate/", views.NoticeView.as_view(language="ro"), name="notice"),
    path(
        "confidentialitate/versiunea-<int:version>/",
        views.NoticeView.as_view(language="ro"),
        name="notice_version",
    ),
    path("privacy/", views.NoticeView.as_view(language="en"), name="notice_en"),
    path(
        "privacy/version-<int:version>/",
        views.NoticeView.as_view(language="en"),
        name="notice_version_en",
    ),
    path("contul-meu/datele-mele/", views.MyDataView.as_view(), name="my_data"),
    path("contul-meu/datele-mele.json", views.MyDataJsonView.as_view(), name="my_data_json"),
    path(
        "contul-meu/nota-de-informare/accept/",
        views.NoticeAcceptView.as_view(),
        name="notice_accept",
    ),
]
