"""The organisers' roster of a session: who is registered, in which state, the waiting list in
order and the quotas; approving, rejecting, cancelling, moving, promoting and enrolling several
people from the registry. Every write goes through `sessions.services`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sessions import selectors, services
from sessions.admin_forms import MoveForm, ReasonForm, RegistrySearchForm, RejectForm
from sessions.models import Enrolment, TrainingSession
from training.access import staff_scope
from training.admin_views import add_service_errors
from training.models import Professional
from training.text import name_match_key

VIEW_PERMISSION = "training_sessions.view_enrolment"
CHANGE_PERMISSION = "training_sessions.change_enrolment"
ADD_PERMISSION = "training_sessions.add_enrolment"
URL_NAMESPACE = "training_sessions_admin"

E = Enrolment.Status
# The roster lists those holding or awaiting a seat first, then the waiting list in its order,
# then the registrations that ended.
_STATUS_ORDER = {
    E.PENDING: 0,
    E.OFFERED: 1,
    E.CONFIRMED: 2,
    E.WAITLISTED: 3,
    E.CANCELLED: 4,
    E.REJECTED: 5,
}


def roster_url(session_pk: int) -> str:
    return reverse(f"{URL_NAMESPACE}:roster", args=[session_pk])


class AdminScreen(WagtailAdminTemplateMixin, TemplateView):
    """A back-office screen about one session, for users holding `permissions` (all of
    them)."""

    permissions: tuple[str, ...] = (VIEW_PERMISSION,)
    header_icon = "group"
    # Which sessions the screen opens (training.access): "manage", the sessions the user
    # manages; "roster", those and — for those who look after people — any session not a
    # draft, showing only their people; None: any (the screen checks for itself). Others: 404.
    session_scope: str | None = "manage"

    def dispatch(self, request, *args, **kwargs):
        if not all(request.user.has_perm(p) for p in self.permissions):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def scope(self):
        return staff_scope(self.request.user)

    @cached_property
    def session(self) -> TrainingSession:
        sessions = selectors.training_session_list().select_related("course")
        if self.session_scope == "manage":
            sessions = sessions.filter(self.scope.sessions_q())
        elif self.session_scope == "roster":
            sessions = sessions.filter(self.scope.roster_sessions_q())
        return get_object_or_404(sessions, pk=self.kwargs["pk"])

    @cached_property
    def manages_session(self) -> bool:
        """Whether the user manages this session (its whole roster), not only their people
        in it."""
        return self.scope.all or (
            TrainingSession.objects.filter(self.scope.sessions_q(), pk=self.session.pk).exists()
        )

    def get_page_subtitle(self):
        return str(self.session)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("trainingsession:index"), "label": _("Sessions")},
            {
                "url": reverse("trainingsession:edit", args=[self.session.pk]),
                "label": str(self.session),
            },
            *self.extra_breadcrumbs(),
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def extra_breadcrumbs(self):
        return [{"url": roster_url(self.session.pk), "label": _("Roster")}]


# --- the roster -------------------------------------------------------------------------------


def roster_rows(session: TrainingSession, *, user=None) -> list[Enrolment]:
    """Every enrolment of the session (with `user`: those in the user's scope), each with
    `waitlist_position` (1..n in the order the waiting list is served, counting everyone
    waiting; None for the others), in the order the roster shows them. One query, whatever
    the number of rows."""
    rows = list(
        selectors.enrolment_list()
        .filter(training_session=session)
        .select_related("nominated_by", "professional__category")
    )
    if user is not None and not staff_scope(user).all:
        visible = set(
            Enrolment.objects.filter(training_session=session)
            .filter(staff_scope(user).enrolments_q())
            .values_list("pk", flat=True)
        )
    else:
        visible = None
    waiting = sorted(
        (e for e in rows if e.status == E.WAITLISTED),
        key=lambda e: (e.waitlisted_at or e.created_at, e.pk),
    )
    positions = {e.pk: i for i, e in enumerate(waiting, start=1)}
    for enrolment in rows:
        enrolment.waitlist_position = positions.get(enrolment.pk)
    if visible is not None:
        rows = [e for e in rows if e.pk in visible]
    return sorted(
        rows,
        key=lambda e: (
            _STATUS_ORDER.get(e.status, 9),
            e.waitlist_position or 0,
            e.professional.last_name.lower(),
            e.professional.first_name.lower(),
            e.pk,
        ),
    )


class RosterView(AdminScreen):
    """The whole roster for those who manage the session; for a coordinator or focal point
    on another session, only their own people in it."""

    template_name = "training_sessions/admin/roster.html"
    page_title = gettext_lazy("Roster")
    session_scope = "roster"

    def extra_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.session
        user = self.request.user
        rows = roster_rows(session, user=None if self.manages_session else user)
        # The seats of the whole session (public on its page), whoever the rows show.
        taken = session.seats_taken
        context.update(
            {
                "session": session,
                "rows": rows,
                "capacity": session.capacity,
                "seats_taken": taken,
                "seats_free": max(session.capacity - taken, 0),
                "waiting": sum(1 for e in rows if e.status == E.WAITLISTED),
                "pending": sum(1 for e in rows if e.status == E.PENDING),
                "quotas": selectors.quota_use(training_session=session),
                "can_change": user.has_perm(CHANGE_PERMISSION),
                # Promoting fills the whole session's seats: for those who manage it.
                "can_promote": user.has_perm(CHANGE_PERMISSION) and self.manages_session,
                "can_add": user.has_perm(ADD_PERMISSION),
                "can_move": user.has_perm(CHANGE_PERMISSION) and user.has_perm(ADD_PERMISSION),
                "open_statuses": list(Enrolment.OPEN),
                "seat_statuses": list(Enrolment.SEAT_HOLDING),
                "url_namespace": URL_NAMESPACE,
            }
        )
        return context


# --- actions on one enrolment -----------------------------------------------------------------


class EnrolmentActionView(AdminScreen):
    """One organiser decision on one enrolment: GET shows the form (reason, target session),
    POST calls the service and returns to the roster with its message."""

    template_name = "training_sessions/admin/enrolment_action.html"
    permissions = (VIEW_PERMISSION, CHANGE_PERMISSION)
    action = ""
    form_class = ReasonForm
    submit_label = gettext_lazy("Save")
    intro = ""
    session_scope = "roster"

    @cached_property
    def enrolment(self) -> Enrolment:
        enrolment = get_object_or_404(
            Enrolment.objects.select_related(
                "professional__county", "professional__institution", "training_session"
            ).filter(self.scope.enrolments_q()),
            pk=self.kwargs["enrolment_pk"],
        )
        if enrolment.training_session_id != self.kwargs["pk"]:
            raise Http404
        return enrolment

    def get_form_kwargs(self):
        return {"data": self.request.POST} if self.request.method == "POST" else {}

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "session": self.session,
                "enrolment": self.enrolment,
                "form": kwargs.get("form") or self.get_form(),
                "submit_label": self.submit_label,
                "intro": self.intro,
                "back_url": roster_url(self.session.pk),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        self.enrolment  # noqa: B018 - 404 for an enrolment outside the user's scope
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.enrolment  # noqa: B018 - 404 for an enrolment outside the user's scope
        form = self.get_form()
        if form.is_valid():
            try:
                text = self.perform(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, text)
                return redirect(roster_url(self.session.pk))
        return self.render_to_response(self.get_context_data(form=form), status=200)

    def perform(self, data) -> str:
        raise NotImplementedError

    @property
    def person(self):
        return self.enrolment.professional


class ApproveView(EnrolmentActionView):
    page_title = gettext_lazy("Approve the registration")
    submit_label = gettext_lazy("Approve")
    intro = gettext_lazy("The person gets a confirmed seat and is told by e-mail.")

    def perform(self, data) -> str:
        enrolment = services.enrolment_set_status(
            enrolment=self.enrolment,
            status=E.CONFIRMED,
            acting_user=self.request.user,
            reason=data.get("reason", ""),
        )
        return _("%(person)s is now %(status)s.") % {
            "person": self.person,
            "status": enrolment.get_status_display(),
        }


class RejectView(EnrolmentActionView):
    page_title = gettext_lazy("Reject the registration")
    submit_label = gettext_lazy("Reject")
    form_class = RejectForm
    intro = gettext_lazy(
        "The person is told by e-mail, with the reason. A seat they held goes to the first "
        "person on the waiting list."
    )

    def perform(self, data) -> str:
        services.enrolment_set_status(
            enrolment=self.enrolment,
            status=E.REJECTED,
            acting_user=self.request.user,
            reason=data["reason"],
        )
        return _("The registration of %(person)s was rejected.") % {"person": self.person}


class CancelView(EnrolmentActionView):
    page_title = gettext_lazy("Cancel the registration")
    submit_label = gettext_lazy("Cancel the registration")
    intro = gettext_lazy(
        "The person is told by e-mail. A seat they held goes to the first person on the "
        "waiting list."
    )

    def perform(self, data) -> str:
        services.enrolment_cancel(
            enrolment=self.enrolment, acting_user=self.request.user, reason=data.get("reason", "")
        )
        return _("The registration of %(person)s was cancelled.") % {"person": self.person}


class MoveView(EnrolmentActionView):
    page_title = gettext_lazy("Move to another session")
    submit_label = gettext_lazy("Move")
    form_class = MoveForm
    permissions = (VIEW_PERMISSION, CHANGE_PERMISSION, ADD_PERMISSION)
    intro = gettext_lazy(
        "The registration here is cancelled (its seat goes to the waiting list) and a new one "
        "made in the session you choose."
    )

    def get_form(self):
        sessions = (
            selectors.training_session_list()
            .filter(self.scope.roster_sessions_q())
            .filter(
                status__in=[TrainingSession.Status.PUBLISHED, TrainingSession.Status.DRAFT],
                first_day__gt=timezone.now(),
            )
            .exclude(pk=self.session.pk)
            .order_by("first_day", "code")
        )
        return self.form_class(sessions=sessions, **self.get_form_kwargs())

    def perform(self, data) -> str:
        moved = services.enrolment_move(
            enrolment=self.enrolment,
            to_session=data["to_session"],
            acting_user=self.request.user,
            reason=data.get("reason", ""),
        )
        return _("%(person)s was moved to %(session)s: %(status)s.") % {
            "person": self.person,
            "session": data["to_session"].code,
            "status": moved.get_status_display(),
        }


ACTIONS = {
    "approve": ApproveView.as_view(),
    "reject": RejectView.as_view(),
    "cancel": CancelView.as_view(),
    "move": MoveView.as_view(),
}


def enrolment_action(request, pk: int, enrolment_pk: int, action: str):
    view = ACTIONS.get(action)
    if view is None:
        raise Http404
    return view(request, pk=pk, enrolment_pk=enrolment_pk)


# --- the waiting list -------------------------------------------------------------------------


class PromoteView(AdminScreen):
    """Give the free seats to the people waiting, now (POST only)."""

    permissions = (VIEW_PERMISSION, CHANGE_PERMISSION)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            promoted = services.waitlist_promote(
                training_session=self.session, acting_user=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if promoted:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person from the waiting list got a seat: %(names)s.",
                        "%(count)d people from the waiting list got a seat: %(names)s.",
                        len(promoted),
                    )
                    % {
                        "count": len(promoted),
                        "names": ", ".join(
                            f"{e.professional} ({e.get_status_display()})" for e in promoted
                        ),
                    },
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Nobody was promoted: no seat is free, nobody eligible is waiting, or "
                        "the session is not open (published and not yet started)."
                    ),
                )
        return redirect(roster_url(self.session.pk))


# --- enrolling several people from the registry -----------------------------------------------

SEARCH_LIMIT = 50


def registry_search(*, session: TrainingSession, form: RegistrySearchForm, user=None):
    """Professionals matching the search (every word in a name, with or without diacritics,
    or the e-mail), each with their registration's status in this session (None if none);
    with `user`, only the people that user may enrol into it (selectors.nomination_scope)."""
    data = form.cleaned_data
    scope = Q()
    if user is not None:
        scope = selectors.nomination_scope(user=user, training_session=session)
        if scope is None:
            return Professional.objects.none()
    status = Enrolment.objects.filter(
        training_session_id=session.pk, professional_id=OuterRef("pk")
    ).values("status")[:1]
    qs = (
        Professional.objects.filter(scope)
        .select_related("institution", "county", "category")
        .annotate(session_status=Subquery(status))
        .order_by("last_name", "first_name", "pk")
    )
    for word in data.get("q", "").split()[:6]:
        condition = (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
        folded = name_match_key(word)
        if folded:
            condition |= Q(match_key__contains=folded)
        qs = qs.filter(condition)
    if data.get("county"):
        qs = qs.filter(county=data["county"])
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    return qs


class BulkEnrolView(AdminScreen):
    """Search the registry, tick several people, enrol them at once: each gets a seat or a
    place on the waiting list; those refused are listed with the reason."""

    template_name = "training_sessions/admin/bulk_enrol.html"
    permissions = (VIEW_PERMISSION, ADD_PERMISSION)
    page_title = gettext_lazy("Enrol from the registry")
    session_scope = "roster"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = RegistrySearchForm(self.request.GET or None)
        matches, more = None, False
        if form.is_bound and form.is_valid() and form.has_criteria():
            found = list(
                registry_search(session=self.session, form=form, user=self.request.user)[
                    : SEARCH_LIMIT + 1
                ]
            )
            matches, more = found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
        context.update(
            {
                "session": self.session,
                "search_form": form,
                "matches": matches,
                "more": more,
                "limit": SEARCH_LIMIT,
                "back_url": roster_url(self.session.pk),
                "status_labels": dict(E.choices),
            }
        )
        context.update(kwargs)
        return context

    def post(self, request, *args, **kwargs):
        ids = []
        for value in request.POST.getlist("professional"):
            if value.isdigit() and int(value) not in ids:
                ids.append(int(value))
        if not ids:
            messages.error(request, _("Tick at least one person to enrol."))
            return self.render_to_response(self.get_context_data(), status=200)
        people = Professional.objects.in_bulk(ids)
        ordered = [people[pk] for pk in ids if pk in people]
        result = services.enrolment_bulk_create(
            training_session=self.session, professionals=ordered, acting_user=request.user
        )
        if result.created:
            messages.success(
                request,
                ngettext(
                    "%(count)d person enrolled.", "%(count)d people enrolled.", len(result.created)
                )
                % {"count": len(result.created)},
            )
        if result.refused:
            messages.warning(
                request,
                ngettext(
                    "%(count)d person could not be enrolled.",
                    "%(count)d people could not be enrolled.",
                    len(result.refused),
                )
                % {"count": len(result.refused)},
            )
        return self.render_to_response(self.get_context_data(result=result), status=200)
