"""Registration on the public site: a session's page, registering, nominating, "my trainings".
Thin views over sessions.selectors and sessions.services: the services decide, the views report
what they said."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from accounts.middleware import staff_two_factor_redirect
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services
from privacy.forms import notice_checkbox_label
from privacy.models import ConsentRecord
from sessions import ical, qr, ratelimit, selectors, services
from sessions.forms import NominationForm, PeopleSearchForm, RegistrationForm
from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from training.models import CompletionBasis, County, Professional
from training.services import professional_save

E = Enrolment.Status
PEOPLE_PER_PAGE = 25


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You are not allowed to do this.")


def _calendar_url(request) -> str | None:
    """The training calendar's address in the current language, if the site has one. Looked
    up through Wagtail's page tree by type name: the domain app does not import the CMS."""
    from wagtail.models import Locale, Page

    pages = Page.objects.live().filter(
        content_type__app_label="cms", content_type__model="calendarpage"
    )
    try:
        page = pages.filter(locale=Locale.get_active()).first() or pages.first()
    except Locale.DoesNotExist:
        page = pages.first()
    return page.get_url(request) if page is not None else None


def _session_url(session) -> str:
    return reverse("training_sessions:detail", kwargs={"code": session.code})


def _date(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _status_message(enrolment: Enrolment) -> str:
    """What a person is told after registering, by the status the service gave them."""
    title = enrolment.training_session.display_title
    if enrolment.status == E.CONFIRMED:
        return _("You are registered for “%(title)s”: your place is confirmed.") % {"title": title}
    if enrolment.status == E.PENDING:
        return _(
            "Your registration for “%(title)s” has been received. An organiser will approve it; "
            "we will write to you."
        ) % {"title": title}
    if enrolment.status == E.WAITLISTED:
        return _(
            "The session is full: you are on the waiting list, number %(position)d. "
            "We will write to you if a seat becomes free."
        ) % {"position": selectors.waitlist_position(enrolment=enrolment)}
    if enrolment.status == E.OFFERED:
        if enrolment.offer_expires_at:
            return _("A seat is offered to you: accept it by %(date)s.") % {
                "date": _date(enrolment.offer_expires_at)
            }
        return _("A seat is offered to you: accept or decline it on the session's page.")
    return enrolment.get_status_display()


def _safe_next(request, default: str) -> str:
    """`next` (posted or in the query) when it stays on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- "Add to calendar" and calendar subscriptions --------------------------------------------


@dataclass(frozen=True)
class FeedAddress:
    """A calendar feed's two addresses: `webcal` for a link that calendar apps offer to
    subscribe to, `https` for people who paste it into their app."""

    https: str
    webcal: str
    county: County | None = None

    @classmethod
    def of(cls, path: str, *, county: County | None = None) -> "FeedAddress":
        https = ical.absolute_url(path)
        return cls(https=https, webcal=ical.webcal_url(https), county=county)


@dataclass(frozen=True)
class GoogleLink:
    day: SessionDay
    url: str


@dataclass(frozen=True)
class CalendarLinks:
    """One session's "Add to calendar" links: the .ics download (with the meeting link only for
    a confirmed participant: the download decides) and one Google Calendar link per day
    (public details only)."""

    ics_url: str
    google: Sequence[GoogleLink]

    @classmethod
    def of(cls, session: TrainingSession, days) -> "CalendarLinks":
        return cls(
            ics_url=reverse("training_sessions:ics", kwargs={"code": session.code}),
            google=[
                GoogleLink(day=day, url=ical.google_calendar_url(session=session, day=day))
                for day in days
            ],
        )


def county_feed(county: County) -> FeedAddress:
    """The public feed of one county's sessions."""
    path = f"{reverse('training_sessions:feed')}?{urlencode({'county': county.code})}"
    return FeedAddress.of(path, county=county)


@dataclass(frozen=True)
class CalendarSubscription:
    """The "Calendar subscription" section of "my trainings" and the profile: the person's
    private feed (once they have a calendar key) and, on the profile, the county feeds they
    may follow with the same key."""

    personal: FeedAddress | None
    next_url: str
    # Coordinators of a county (and organisers) may follow county feeds.
    follows_counties: bool = False
    # The county feeds shown: a coordinator's counties, or the one an organiser chose.
    county_feeds: Sequence[FeedAddress] = ()
    # Organisers may follow every county: they choose one of these.
    county_choices: Sequence[County] = ()
    chosen_county: str = ""


def calendar_subscription(
    *, user, next_url: str, with_counties: bool = False, county_code: str = ""
) -> CalendarSubscription:
    token = selectors.calendar_token_of(user=user)
    personal = None
    if token:
        personal = FeedAddress.of(
            reverse("training_sessions:personal_feed", kwargs={"token": token})
        )
    if not with_counties:
        return CalendarSubscription(personal=personal, next_url=next_url)
    followable = list(selectors.followable_counties(user=user))
    if selectors.sees_all_sessions(user):
        # Organisers may follow every county: they choose one.
        choices = followable
        counties = [c for c in choices if c.code == (county_code or "").upper()]
    else:
        choices, counties = [], followable
    feeds = []
    if token:
        feeds = [
            FeedAddress.of(
                reverse(
                    "training_sessions:county_feed", kwargs={"county": county.code, "token": token}
                ),
                county=county,
            )
            for county in counties
        ]
    return CalendarSubscription(
        personal=personal,
        next_url=next_url,
        follows_counties=bool(choices or counties),
        county_feeds=feeds,
        county_choices=choices,
        chosen_county=counties[0].code if choices and counties else "",
    )


# --- "My trainings": check-in code, attendance, completion ----------------------------------


@dataclass(frozen=True)
class CheckinCode:
    """A confirmed participant's personal check-in code: the QR that staff scan at the
    entrance, and the same code as text for them to type when the camera fails."""

    code: str
    qr: SafeString
    # The session runs today: the code is shown without a click.
    today: bool

    @property
    def groups(self) -> list[str]:
        """The code in groups of four, easier to read out and type (shown without spaces
        between them, so that a copied code still works)."""
        return [self.code[i : i + 4] for i in range(0, len(self.code), 4)]


# The personal QR's size: 7 px per module, 231 px in all with the quiet zone, which fits the
# narrowest phone screens and scans from one.
CHECKIN_QR_SCALE = 7


def checkin_code_of(
    enrolment: Enrolment, days: Sequence[SessionDay], *, ended: bool, now
) -> CheckinCode | None:
    """The check-in code for a confirmed seat in a published session that is not over yet
    and is held in a room (nobody scans a code at an online session)."""
    session = enrolment.training_session
    if (
        ended
        or enrolment.status != E.CONFIRMED
        or session.status != TrainingSession.Status.PUBLISHED
        or session.delivery_mode == TrainingSession.DeliveryMode.ONLINE
    ):
        return None
    today = timezone.localdate(now)
    runs_today = any(
        selectors.checkin_open(day, now=now) or timezone.localdate(day.starts_at) == today
        for day in days
    )
    title = _("Check-in code for “%(title)s”") % {"title": session.display_title}
    return CheckinCode(
        code=enrolment.checkin_token,
        qr=qr.qr_svg(enrolment.checkin_token, scale=CHECKIN_QR_SCALE, title=title),
        today=runs_today,
    )


@dataclass(frozen=True)
class DayMark:
    """One day of a session and how the person attended it (mark None: not marked)."""

    day: SessionDay
    mark: Attendance | None
    over: bool  # the day has ended


def day_marks_of(
    enrolment: Enrolment, days: Sequence[SessionDay], *, ended: bool, now
) -> list[DayMark]:
    """The attendance per day, once the session has begun, for a confirmed seat (or a place
    with marks, whatever became of it since): the days begun so far, all of them at the
    end. Reads the prefetched marks: no query."""
    marks = {mark.day_id: mark for mark in enrolment.attendance.all()}
    session = enrolment.training_session
    seated = enrolment.status == E.CONFIRMED and session.status in (
        TrainingSession.Status.PUBLISHED,
        TrainingSession.Status.COMPLETED,
    )
    if not (seated or marks):
        return []
    return [
        DayMark(
            day=day,
            mark=marks.get(day.pk),
            over=ended or day.ends_at <= now,
        )
        for day in days
        if ended or day.starts_at <= now
    ]


@dataclass(frozen=True)
class CompletionSummary:
    """The completion rule's stored result, with what it was measured against."""

    completed: bool
    by_days: bool
    attended_hours: float
    scheduled_hours: float
    min_percent: int
    attended_days: int
    scheduled_days: int
    min_days: int


def completion_summary_of(
    enrolment: Enrolment, days: Sequence[SessionDay]
) -> CompletionSummary | None:
    """Shown once the session is completed and the person's result worked out."""
    session = enrolment.training_session
    if session.status != TrainingSession.Status.COMPLETED or not enrolment.completion:
        return None
    course = session.course
    scheduled_minutes = sum(selectors.day_minutes(day) for day in days)
    return CompletionSummary(
        completed=enrolment.completion == Enrolment.Completion.COMPLETED,
        by_days=course.completion_basis == CompletionBasis.DAYS,
        attended_hours=enrolment.attended_hours or 0,
        scheduled_hours=round(scheduled_minutes / 60, 1),
        min_percent=course.min_attendance_percent,
        attended_days=enrolment.attended_days or 0,
        scheduled_days=len(days),
        min_days=min(course.min_days or 1, len(days)),
    )


class _SignedInMixin(LoginRequiredMixin):
    """Sends visitors to sign in, and back to `login_next()` afterwards (a page they can GET)."""

    def login_next(self) -> str:
        return self.request.get_full_path()

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied(self.get_permission_denied_message())
        return redirect_to_login(self.login_next())


class SessionDetailView(DetailView):
    """A session's public page: what, when, where, for whom, and the visitor's registration."""

    template_name = "training_sessions/session_detail.html"
    context_object_name = "training_session"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return selectors.public_session_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        here = self.request.get_full_path()
        days = list(session.days.all())
        if session.status == TrainingSession.Status.PUBLISHED and days:
            context.update(
                calendar_links=CalendarLinks.of(session, days),
                county_feed=county_feed(session.county),
            )
        state = selectors.registration_state(training_session=session, user=self.request.user)
        if state.visitor == "can_register":
            context["registration_form"] = registration_form(
                user=self.request.user,
                training_session=session,
                professional=self.request.user.professional,
            )
        context.update(
            state=state,
            days=days,
            trainers=list(session.trainers.all()),
            target_categories=list(session.target_categories.all()),
            eligible_counties=list(session.eligible_counties.all()),
            login_url=_with_next("account_login", here),
            signup_url=_with_next("account_signup", here),
            profile_url=_with_next("accounts:profile", here),
            calendar_url=_calendar_url(self.request),
        )
        return context


class RegisterView(_SignedInMixin, View):
    """POST: the signed-in person registers themselves; the service decides."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.training_session = get_object_or_404(
            TrainingSession.objects.filter(status__in=selectors.PAGE_STATUSES), code=kwargs["code"]
        )

    def login_next(self):
        return _session_url(self.training_session)

    def get(self, request, *args, **kwargs):
        return redirect(_session_url(self.training_session))

    def post(self, request, *args, **kwargs):
        session = self.training_session
        session_url = _session_url(session)
        professional = getattr(request.user, "professional", None)
        if professional is None:
            messages.info(request, _("Complete your profile first: then you can register."))
            return redirect(_with_next("accounts:profile", session_url))
        if Enrolment.objects.filter(training_session=session, professional=professional).exists():
            messages.info(request, _("You are already registered for this session."))
            return redirect(session_url)
        form = registration_form(
            user=request.user,
            training_session=session,
            professional=professional,
            data=request.POST,
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(session_url)
        try:
            enrolment = _register(
                form=form, training_session=session, professional=professional, user=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _status_message(enrolment))
        return redirect(session_url)


def asks_cnp(*, training_session: TrainingSession, professional: Professional) -> bool:
    """The session's project requires the CNP and the person has none stored."""
    project = training_session.project
    return bool(project and project.requires_cnp and not professional.cnp_encrypted)


def registration_form(
    *, user, training_session: TrainingSession, professional: Professional, data=None
) -> RegistrationForm:
    """The registration form for this person and session: the privacy notice when they have
    not accepted the one in force, the CNP when the project requires it."""
    notice = privacy_selectors.notice_to_accept(user=user, professional=professional)
    return RegistrationForm(
        data,
        notice=notice,
        notice_label=notice_checkbox_label(notice) if notice is not None else "",
        asks_cnp=asks_cnp(training_session=training_session, professional=professional),
        contact_consent=professional.contact_consent,
    )


@transaction.atomic
def _register(
    *, form: RegistrationForm, training_session: TrainingSession, professional: Professional, user
) -> Enrolment:
    """The CNP, the notice accepted, the contact choice and the registration: all or none."""
    C = ConsentRecord.Context
    if form.cleaned_data.get("cnp"):
        professional = professional_save(
            professional=professional, acting_user=user, cnp=form.cleaned_data["cnp"]
        )
    if form.notice is not None:
        privacy_services.notice_accept(user=user, notice=form.notice, context=C.REGISTRATION)
    if form.contact_consent_changed:
        professional.contact_consent = form.cleaned_data["contact_consent"]
        professional = professional_save(professional=professional, acting_user=user)
        privacy_services.contact_consent_record(
            professional=professional,
            given=professional.contact_consent,
            context=C.REGISTRATION,
            acting_user=user,
        )
    return services.enrolment_create(
        training_session=training_session,
        professional=professional,
        acting_user=user,
        source=Enrolment.Source.SELF,
    )


class MyTrainingsView(_SignedInMixin, TemplateView):
    """The signed-in person's registrations, upcoming and past; only their own."""

    template_name = "training_sessions/my_trainings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        professional = getattr(self.request.user, "professional", None)
        upcoming, past = [], []
        if professional is not None:
            now = timezone.now()
            enrolments = selectors.person_enrolment_list(professional=professional)
            for enrolment in enrolments:
                row = selectors.enrolment_actions(
                    enrolment=enrolment,
                    first_start=enrolment.session_first_day,
                    waitlist_position=enrolment.waitlist_position_value,
                    now=now,
                )
                ended = (
                    enrolment.session_last_day is not None and enrolment.session_last_day < now
                ) or enrolment.training_session.status == TrainingSession.Status.COMPLETED
                session = enrolment.training_session
                days = list(session.days.all())
                enrolment.checkin_code = checkin_code_of(enrolment, days, ended=ended, now=now)
                enrolment.day_marks = day_marks_of(enrolment, days, ended=ended, now=now)
                enrolment.completion_summary = completion_summary_of(enrolment, days)
                # "Add to calendar" for a live registration of a session still to come.
                enrolment.calendar_links = (
                    CalendarLinks.of(session, days)
                    if not ended
                    and enrolment.status in Enrolment.OPEN
                    and session.status == TrainingSession.Status.PUBLISHED
                    else None
                )
                (past if ended else upcoming).append(row)

            def soonest(row):
                first = row.enrolment.session_first_day
                return (first is None, first or now, row.enrolment.pk)

            upcoming.sort(key=soonest)
            past.sort(key=soonest, reverse=True)
        context.update(
            professional=professional,
            calendar_subscription=calendar_subscription(
                user=self.request.user,
                next_url=f"{self.request.get_full_path()}#calendar-subscription",
            )
            if professional is not None
            else None,
            upcoming=upcoming,
            past=past,
            checkin_today=any(
                row.enrolment.checkin_code and row.enrolment.checkin_code.today for row in upcoming
            ),
            profile_url=_with_next("accounts:profile", self.request.get_full_path()),
            here=self.request.get_full_path(),
        )
        return context


class _CalendarKeyView(_SignedInMixin, View):
    """POST only: the person's calendar key, the secret in their calendar addresses. Back to
    `next` (on this site) or to "my trainings"."""

    http_method_names = ["post"]

    def login_next(self):
        return reverse("training_sessions:my_trainings")

    def back(self):
        return redirect(_safe_next(self.request, reverse("training_sessions:my_trainings")))


class CalendarKeyRegenerateView(_CalendarKeyView):
    """Makes the person's calendar address, or a new one in place of the old (which stops
    working at once)."""

    def post(self, request, *args, **kwargs):
        had_one = selectors.calendar_token_of(user=request.user) is not None
        services.calendar_token_regenerate(user=request.user)
        if had_one:
            messages.success(
                request,
                _(
                    "Your calendar address has changed. The old one no longer works: add the "
                    "new one to your calendar app."
                ),
            )
        else:
            messages.success(
                request, _("Your calendar address is ready: add it to your calendar app.")
            )
        return self.back()


class CalendarKeyRevokeView(_CalendarKeyView):
    """Turns the person's calendar addresses off."""

    def post(self, request, *args, **kwargs):
        if services.calendar_token_revoke(user=request.user):
            messages.success(
                request,
                _(
                    "Your calendar address is turned off: calendar apps that use it no longer "
                    "receive your trainings."
                ),
            )
        else:
            messages.info(request, _("You had no calendar address."))
        return self.back()


class _OwnEnrolmentMixin(_SignedInMixin):
    """An enrolment of the signed-in person: anyone else's is "not found", whether it exists
    or not."""

    def login_next(self):
        return reverse("training_sessions:my_trainings")

    def get_enrolment(self) -> Enrolment:
        return get_object_or_404(
            Enrolment.objects.select_related("training_session__course"),
            pk=self.kwargs["pk"],
            professional__user=self.request.user,
        )

    def next_url(self) -> str:
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return reverse("training_sessions:my_trainings")


class CancelView(_OwnEnrolmentMixin, TemplateView):
    """GET: asks to confirm; POST: cancels the registration (the service applies the cut-off)."""

    template_name = "training_sessions/cancel_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolment = self.get_enrolment()
        session = enrolment.training_session
        context.update(
            enrolment=enrolment,
            training_session=session,
            actions=selectors.enrolment_actions(
                enrolment=enrolment,
                first_start=selectors.session_first_start(session),
                waitlist_position=selectors.waitlist_position(enrolment=enrolment),
            ),
            next_url=self.next_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        enrolment = self.get_enrolment()
        try:
            services.enrolment_cancel(enrolment=enrolment, acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                _("Your registration for “%(title)s” has been cancelled.")
                % {"title": enrolment.training_session.display_title},
            )
        return redirect(self.next_url())


class RespondView(_OwnEnrolmentMixin, View):
    """POST accept=1 takes the offered seat, accept=0 declines it."""

    def get(self, request, *args, **kwargs):
        return redirect(self.next_url())

    def post(self, request, *args, **kwargs):
        enrolment = self.get_enrolment()
        accept = request.POST.get("accept")
        if accept not in ("0", "1"):
            messages.error(request, _("Choose whether you accept the seat."))
            return redirect(self.next_url())
        try:
            enrolment = services.enrolment_respond(
                enrolment=enrolment, accept=accept == "1", acting_user=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            title = enrolment.training_session.display_title
            if enrolment.status == E.CANCELLED:
                messages.success(
                    request,
                    _("You declined the seat in “%(title)s”; it goes to the next person.")
                    % {"title": title},
                )
            elif enrolment.status == E.PENDING:
                messages.success(
                    request,
                    _(
                        "You accepted the seat in “%(title)s”; an organiser will approve "
                        "your registration."
                    )
                    % {"title": title},
                )
            else:
                messages.success(
                    request,
                    _("You accepted the seat: your place in “%(title)s” is confirmed.")
                    % {"title": title},
                )
        return redirect(self.next_url())


class NominateView(_SignedInMixin, TemplateView):
    """Focal points (and organisers) choose people of their scope for a session; each
    nomination is the service's to accept or refuse."""

    template_name = "training_sessions/nominate.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.training_session = get_object_or_404(
            selectors.public_session_page().prefetch_related(None), code=kwargs["code"]
        )
        if not selectors.may_nominate_someone(user=request.user):
            raise PermissionDenied(_("Only focal points and organisers can nominate people."))
        # The page lists people: staff work, behind the same two-factor step as the admin.
        refusal = staff_two_factor_redirect(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.training_session
        search = PeopleSearchForm(self.request.GET or None)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        people = selectors.nominable_people(
            user=self.request.user, training_session=session, query=query
        )
        page_obj = Paginator(people, PEOPLE_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            training_session=session,
            search_form=search,
            query=query,
            search_query=urlencode({"q": query}) if query else "",
            page_obj=page_obj,
            form=form,
            quotas=selectors.quota_use(training_session=session),
            closed_reason=selectors.session_closed_reason(session, nominating=True),
            session_url=_session_url(session),
        )
        return context

    def post(self, request, *args, **kwargs):
        session = self.training_session
        form = NominationForm(
            request.POST,
            people=selectors.nominable_people(user=request.user, training_session=session),
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        for person in form.cleaned_data["people"]:
            name = person.full_name
            try:
                enrolment = services.enrolment_create(
                    training_session=session,
                    professional=person,
                    acting_user=request.user,
                    source=Enrolment.Source.NOMINATION,
                    nominated_by=selectors.nominating_institution(
                        user=request.user, professional=person
                    ),
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(
                    request,
                    _("%(name)s was not nominated: %(reason)s")
                    % {"name": name, "reason": _error_text(exc)},
                )
                continue
            # The focal point confirms the person was given the privacy notice.
            notice = privacy_selectors.current_notice()
            if notice is not None:
                privacy_services.consent_record(
                    purpose=ConsentRecord.Purpose.PRIVACY_NOTICE,
                    context=ConsentRecord.Context.NOMINATION,
                    professional=person,
                    notice=notice,
                    recorded_by=request.user,
                    acting_user=request.user,
                )
            if enrolment.status == E.WAITLISTED:
                messages.warning(
                    request,
                    _("%(name)s is on the waiting list, number %(position)d.")
                    % {
                        "name": name,
                        "position": selectors.waitlist_position(enrolment=enrolment),
                    },
                )
            elif enrolment.status == E.OFFERED:
                messages.success(
                    request,
                    _("%(name)s is nominated: we asked them to accept the seat.") % {"name": name},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s: %(status)s.")
                    % {"name": name, "status": enrolment.get_status_display()},
                )
        return redirect(request.get_full_path())


# --- self check-in with the code on the projector --------------------------------------------


def _checkin_problem(problem: str) -> str:
    """The service's refusals, in the service's words, for the page the projected QR opens."""
    return {
        "unknown": _("This code is not valid. Check it on the screen and try again."),
        "expired": _("This code has expired. Ask the trainer for the current one."),
        "not_participant": _("You are not a confirmed participant of this session."),
    }[problem]


def _day_date(day: SessionDay) -> str:
    return date_format(timezone.localtime(day.starts_at), "l, j F Y")


class _CheckinMixin(_SignedInMixin):
    """Self check-in: the signed-in participant marks themselves present for the day with the
    short code the trainer projects. Every POST counts as an attempt (settings.
    CHECKIN_ATTEMPTS_PER_15_MINUTES): over the limit, nothing is tried and the answer is 429."""

    def form(self, *, code: str = "", error: str = "", status: int = 200):
        return render(
            self.request,
            "training_sessions/checkin.html",
            {"code": code, "error": error},
            status=status,
        )

    def check_in(self, code: str):
        request = self.request
        if not ratelimit.checkin_attempt_allowed(request.user):
            response = render(
                request,
                "training_sessions/checkin_limited.html",
                {"minutes": ratelimit.WINDOW_SECONDS // 60},
                status=429,
            )
            response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
            return response
        try:
            result = services.checkin_self(code=code, user=request.user)
        except ValidationError as exc:
            return self.form(code=services.normalise_checkin_code(code), error=_error_text(exc))
        session = result.enrolment.training_session
        return render(
            request,
            "training_sessions/checkin_done.html",
            {
                "already": result.already,
                "training_session": session,
                "day": result.day,
                "message": (
                    _("You were already checked in for “%(title)s”, %(date)s: nothing changed.")
                    if result.already
                    else _("You are checked in for “%(title)s”, %(date)s.")
                )
                % {"title": session.display_title, "date": _day_date(result.day)},
            },
        )


class CheckinView(_CheckinMixin, View):
    """`prezenta/`: a form to type the code shown on the screen."""

    def get(self, request, *args, **kwargs):
        return self.form()

    def post(self, request, *args, **kwargs):
        code = request.POST.get("code", "")
        if not services.normalise_checkin_code(code):
            return self.form(error=_("Type the code shown on the screen."))
        return self.check_in(code)


class CheckinCodeView(_CheckinMixin, View):
    """`prezenta/<code>/`, what the projected QR opens. GET only shows what a check-in would
    do (link previewers and scanners fetch addresses: they must not check anybody in); the
    button POSTs."""

    def get(self, request, *args, **kwargs):
        code = services.normalise_checkin_code(kwargs["code"])
        preview = selectors.self_checkin_preview(code=code, user=request.user)
        if preview.problem:
            return self.form(
                code=code,
                error=_checkin_problem(preview.problem),
                status=404 if preview.problem == "unknown" else 200,
            )
        day = preview.window.day
        context = {
            "training_session": day.training_session,
            "day": day,
            "window": preview.window,
            "code": code,
        }
        if preview.already:
            context.update(
                already=True,
                message=_("You are already checked in for “%(title)s”, %(date)s.")
                % {"title": day.training_session.display_title, "date": _day_date(day)},
            )
            return render(request, "training_sessions/checkin_done.html", context)
        return render(request, "training_sessions/checkin_confirm.html", context)

    def post(self, request, *args, **kwargs):
        return self.check_in(kwargs["code"])
