"""What the issuer publishes for credentials to verify offline: its profile, its public keys,
its status lists, the achievements. Language-independent JSON at stable URLs."""

from django.urls import path

from certificates import credential_views

app_name = "credentials"

urlpatterns = [
    path("issuer", credential_views.issuer, name="issuer"),
    path("keys/<str:kid>", credential_views.key, name="key"),
    path("status/<int:number>", credential_views.status_list, name="status_list"),
    path("achievements/<path:code>", credential_views.achievement, name="achievement"),
]
