from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    # The address printed under every certificate's QR code: exactly /v/<code>, no slash.
    path("v/", views.VerifyFormView.as_view(), name="verify_form"),
    path("v/<str:code>", views.VerifyView.as_view(), name="verify"),
    path(
        "contul-meu/certificate/<str:serial>.pdf",
        views.CertificatePdfView.as_view(),
        name="download_pdf",
    ),
    path(
        "contul-meu/certificate/<str:serial>.json",
        views.CertificateCredentialView.as_view(),
        name="download_credential",
    ),
]
