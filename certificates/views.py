"""The public verification page of a certificate (`/v/<code>`, what the QR code opens) with its
form (`/v/`), and the holder's own downloads (PDF and Open Badges credential).

The verification page shows what the certificate states and its status, nothing else
personal. Lookups are rate-limited per client address (certificates.ratelimit). Its answers
are never cached, indexed or sent on as a referrer, and the code (a secret, like a password
to that page) is not logged: Django's request log, which records the path of every 404 and
429, is told these responses are already logged."""

import json

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from certificates import ratelimit, selectors
from certificates.public import code_groups, normalize_code, public_record

# The media type of a Verifiable Credential secured with an embedded proof, as in the PDF.
CREDENTIAL_CONTENT_TYPE = "application/vc+ld+json"


def _private(response: HttpResponse) -> HttpResponse:
    """Headers of every verification answer: no cache, no index, no referrer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    if response.status_code >= 400:
        # django.request logs the path of 4xx answers: the path holds the code.
        response._has_been_logged = True
    return response


def _form(request, *, code: str = "", status: int = 200, **context) -> HttpResponse:
    code = normalize_code(code)[:32]
    return _private(
        render(
            request,
            "certificates/verify_form.html",
            {"code": code, "code_groups": code_groups(code), **context},
            status=status,
        )
    )


class VerifyFormView(View):
    """`/v/`: type the code printed on a certificate; the form (GET) leads to its page."""

    def get(self, request, *args, **kwargs):
        if "code" not in request.GET:
            return _form(request)
        code = normalize_code(request.GET["code"])
        if not code:
            return _form(request, error=True)
        return _private(redirect(reverse("certificates:verify", kwargs={"code": code[:32]})))


class VerifyView(View):
    """`/v/<code>`: the certificate's status and what it certifies; 404 with the form again for
    a code that matches none; 429 over the lookup limit (nothing looked up)."""

    def get(self, request, *args, **kwargs):
        if not ratelimit.verification_lookup_allowed(request):
            response = _form(
                request, limited=True, minutes=ratelimit.WINDOW_SECONDS // 60, status=429
            )
            response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
            return response
        certificate = selectors.certificate_by_code(kwargs["code"])
        if certificate is None:
            return _form(request, code=kwargs["code"], not_found=True, status=404)
        return _private(
            render(
                request,
                "certificates/verify.html",
                {
                    "record": public_record(certificate),
                    "code_groups": code_groups(certificate.code),
                },
            )
        )


class _HolderDownload(LoginRequiredMixin, View):
    """The signed-in holder's own certificate; for anyone else it does not exist (404, so
    that a serial's existence is not confirmed). Revoked and replaced ones stay downloadable:
    "my trainings" says what they are."""

    def get_certificate(self):
        certificate = selectors.certificate_of_user(
            user=self.request.user, serial=self.kwargs["serial"]
        )
        if certificate is None:
            raise Http404
        return certificate

    @staticmethod
    def _no_cache(response):
        response["Cache-Control"] = "private, no-store"
        return response


class CertificatePdfView(_HolderDownload):
    def get(self, request, *args, **kwargs):
        certificate = self.get_certificate()
        return self._no_cache(
            FileResponse(
                certificate.pdf.open("rb"),
                as_attachment=True,
                filename=f"{certificate.serial}.pdf",
                content_type="application/pdf",
            )
        )


class CertificateCredentialView(_HolderDownload):
    def get(self, request, *args, **kwargs):
        certificate = self.get_certificate()
        response = HttpResponse(
            json.dumps(certificate.credential, ensure_ascii=False, indent=2).encode(),
            content_type=CREDENTIAL_CONTENT_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.json"'
        return self._no_cache(response)
