from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts import selectors, services
from accounts.forms import ProfileForm
from privacy import selectors as privacy_selectors
from sessions.views import calendar_subscription


class ProfileView(LoginRequiredMixin, FormView):
    """The signed-in person's own registry entry: create it, or update it. Always scoped to
    request.user; the services decide."""

    template_name = "accounts/profile.html"
    form_class = ProfileForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.professional = None
        self.conflict = False
        self.email = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            user = request.user
            self.email = services.verified_primary_email(user=user)
            # Again on each visit while unlinked: organisers may have resolved a conflict.
            self.professional = services.account_link_professional(user=user)
            if self.professional is None and self.email:
                self.conflict = services.registry_conflict(user=user, email=self.email) is not None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["has_cnp"] = bool(self.professional and self.professional.cnp_encrypted)
        kwargs["asks_cnp"] = privacy_selectors.cnp_requested(professional=self.professional)
        return kwargs

    def get_initial(self):
        return ProfileForm.initial_for(
            professional=self.professional,
            user=self.request.user,
            language=getattr(self.request, "LANGUAGE_CODE", ""),
        )

    def post(self, request, *args, **kwargs):
        if self.conflict or not self.email:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            self.professional = services.profile_save(
                user=self.request.user, data=form.service_data()
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, field_errors in errors.items():
                target = field if field in form.fields else None
                for error in field_errors:
                    form.add_error(target, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your profile has been saved."))
        next_url = self.request.POST.get("next") or self.request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return redirect(next_url)
        return redirect(self.request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            professional=self.professional,
            conflict=self.conflict,
            verified_email=self.email,
            memberships=selectors.current_memberships(professional=self.professional),
            next_url=self.request.POST.get("next") or self.request.GET.get("next", ""),
        )
        # The calendar subscription: the person's own trainings, and the county calendars of
        # coordinators and organisers (who choose a county: `calendar_county`).
        subscription = calendar_subscription(
            user=self.request.user,
            next_url=f"{self.request.get_full_path()}#calendar-subscription",
            with_counties=True,
            county_code=self.request.GET.get("calendar_county", ""),
        )
        if self.professional is not None or subscription.follows_counties:
            context["calendar_subscription"] = subscription
        return context
