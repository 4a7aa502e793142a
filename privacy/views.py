"""The public privacy notice, the re-acceptance of a new version, and "my data"."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from privacy import selectors, services
from privacy.links import notice_url
from privacy.models import ConsentRecord
from training.models import Professional


class NoticeView(TemplateView):
    """The notice in force (or an earlier published version) in the page's language, with
    the list of versions. Each language has its own address; the other one redirects."""

    template_name = "privacy/notice.html"
    language = "ro"

    def get(self, request, *args, **kwargs):
        current = (translation.get_language() or "ro")[:2]
        wanted = "en" if current == "en" else "ro"
        if wanted != self.language:
            return redirect(notice_url(version=kwargs.get("version")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(selectors.published_notices())
        version = self.kwargs.get("version")
        if version is None:
            notice = versions[0] if versions else None
        else:
            notice = next((n for n in versions if n.version == version), None)
            if notice is None:
                raise Http404
        english = self.language == "en"
        context.update(
            notice=notice,
            title=(notice.title_en if english else notice.title_ro) if notice else "",
            body=(notice.body_en if english else notice.body_ro) if notice else "",
            is_current=bool(notice and versions and notice.pk == versions[0].pk),
            versions=[(n, notice_url(version=n.version)) for n in versions],
            current_url=notice_url(),
        )
        return context


def _professional_of(user) -> Professional | None:
    return Professional.objects.filter(user=user).first()


class NoticeAcceptView(LoginRequiredMixin, View):
    """POST: the signed-in person accepts the notice in force (the banner's button)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        notice = selectors.notice_to_accept(user=request.user)
        version = request.POST.get("version", "")
        if notice is not None and version == str(notice.version):
            try:
                services.notice_accept(
                    user=request.user, notice=notice, context=ConsentRecord.Context.PROFILE
                )
            except ValidationError:  # pragma: no cover - a notice is in force here
                pass
            else:
                messages.success(request, _("Thank you: you have read the privacy notice."))
        next_url = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = "/"
        return redirect(next_url)


class MyDataView(LoginRequiredMixin, TemplateView):
    """Everything held about the signed-in person, readable and printable."""

    template_name = "privacy/my_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = selectors.person_data(_professional_of(self.request.user), user=self.request.user)
        if data["profile"]:
            data["profile"].pop("cnp")  # the page shows it masked only
        context["data"] = data
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "no-store, private"
        return response


class MyDataJsonView(LoginRequiredMixin, View):
    """The same data as a JSON file to download. The CNP is in it unmasked: it is the
    person's own copy of their data (GDPR art. 15(3) and 20), sent only to them, never
    cached."""

    def get(self, request, *args, **kwargs):
        data = selectors.person_data(_professional_of(request.user), user=request.user)
        if data["profile"]:
            data["profile"].pop("cnp_masked", None)
        body = json.dumps(data, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="formativ-datele-mele-{stamp}.json"'
        )
        response["Cache-Control"] = "no-store, private"
        return response
