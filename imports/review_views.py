"""The review queue of probable duplicates in the admin: the list of pairs, a pair side by side,
merging (and undoing a merge) and marking two entries as different people. Every write goes
through `imports.merge`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from audit.services import VIA_ADMIN_DUPLICATES, person_view_log
from certificates.models import Certificate
from imports import merge
from sessions.models import Attendance, Enrolment
from training.access import staff_scope
from training.models import DuplicateCandidate, Professional

NAMESPACE = "duplicates"
REVIEW_PERMISSION = "training.change_duplicatecandidate"
PER_PAGE = 50
MERGED = DuplicateCandidate.Status.MERGED


def index_url() -> str:
    return reverse(f"{NAMESPACE}:index")


def pair_url(pk: int) -> str:
    return reverse(f"{NAMESPACE}:pair", args=[pk])


class ReviewScreen(WagtailAdminTemplateMixin, TemplateView):
    permissions: tuple[str, ...] = (REVIEW_PERMISSION,)
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        # ANES only: the queue compares people of every county (training.access).
        if not all(request.user.has_perm(p) for p in self.permissions) or not (
            staff_scope(request.user).all
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": index_url(), "label": _("Possible duplicates")},
            {"url": "", "label": self.get_page_title()},
        ]


class IndexView(ReviewScreen):
    template_name = "imports/review_index.html"
    page_title = gettext_lazy("Possible duplicates")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = dict(DuplicateCandidate.Status.choices)
        reasons = dict(DuplicateCandidate.Reason.choices)
        status = self.request.GET.get("status") or DuplicateCandidate.Status.OPEN
        status = status if status in statuses else DuplicateCandidate.Status.OPEN
        reason = self.request.GET.get("reason") or ""
        reason = reason if reason in reasons else ""
        if status == MERGED:
            # A merged pair goes with the entry the merge dropped: its trace is the audit entry.
            rows = ModelLogEntry.objects.filter(action=merge.MERGE_ACTION).select_related("user")
            if reason:
                rows = rows.filter(data__candidate__reason=reason)
            rows = rows.order_by("-timestamp", "-pk")
        else:
            rows = merge.duplicate_queue(status=status, reason=reason or None)
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("p"))
        if status == MERGED:
            undone = set(
                ModelLogEntry.objects.filter(
                    action=merge.UNMERGE_ACTION,
                    data__merge_log_id__in=[e.pk for e in page.object_list],
                ).values_list("data__merge_log_id", flat=True)
            )
            for entry in page.object_list:
                entry.undone = entry.pk in undone
                entry.candidate = entry.data.get("candidate") or {}
                entry.reason_label = reasons.get(entry.candidate.get("reason"), "")
        context.update(
            page=page,
            status=status,
            reason=reason,
            statuses=statuses.items(),
            reasons=reasons.items(),
            merged=status == MERGED,
        )
        return context


# --- one pair ----------------------------------------------------------------------------------


def _person_trainings(person: Professional) -> list[Enrolment]:
    enrolments = list(
        person.enrolments.select_related("training_session__course").prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.order_by()),
            Prefetch("certificates", queryset=Certificate.objects.order_by("pk")),
            "training_session__days",
        )
    )
    attending = (Attendance.Status.PRESENT, Attendance.Status.PARTIAL)
    for enrolment in enrolments:
        day_list = sorted(d.starts_at for d in enrolment.training_session.days.all())
        days = len(day_list)
        enrolment.first_day = timezone.localdate(day_list[0]) if day_list else None
        enrolment.last_day = timezone.localdate(day_list[-1]) if day_list else None
        present = sum(1 for mark in enrolment.attendance.all() if mark.status in attending)
        enrolment.attendance_summary = _("%(present)s of %(days)s days") % {
            "present": present,
            "days": days,
        }
    return enrolments


def _display(person: Professional) -> list[tuple[str, str]]:
    return [
        (_("Last name"), person.last_name),
        (_("First name"), person.first_name),
        (_("E-mail"), person.email),
        (_("Phone"), person.phone),
        (_("CNP"), person.cnp_masked),
        (_("Birth date"), person.birth_date.strftime("%d.%m.%Y") if person.birth_date else ""),
        (_("Sex"), person.get_sex_display() if person.sex else ""),
        (_("County"), str(person.county) if person.county_id else ""),
        (_("Institution"), str(person.institution) if person.institution_id else ""),
        (_("Professional category"), str(person.category) if person.category_id else ""),
        (_("Job title"), person.position),
        (_("User account"), _("yes") if person.user_id else _("no")),
    ]


class PairView(ReviewScreen):
    template_name = "imports/review_pair.html"
    page_title = gettext_lazy("Possible duplicate")

    @cached_property
    def candidate(self) -> DuplicateCandidate | None:
        return (
            DuplicateCandidate.objects.select_related(
                "first__county",
                "first__institution",
                "first__category",
                "second__county",
                "second__institution",
                "second__category",
                "resolved_by",
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_page_subtitle(self):
        return f"#{self.kwargs['pk']}"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        candidate = self.candidate
        if candidate is not None:  # both full records are on the page
            for person in (candidate.first, candidate.second):
                person_view_log(professional=person, user=request.user, via=VIA_ADMIN_DUPLICATES)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        candidate = self.candidate
        if candidate is None:
            entry = merge.merge_entry_for_candidate(self.kwargs["pk"])
            if entry is None:
                raise Http404
            context.update(
                merged_entry=entry,
                undone=merge.merge_undone(entry.pk),
                kept=Professional.objects.filter(pk=entry.data["keep"]).first(),
                dropped_id=entry.data["drop"]["id"],
                can_merge=self._can_merge(),
            )
            return context
        left, right = candidate.first, candidate.second
        rows = [
            {"label": label, "left": a, "right": b, "differ": a != b}
            for (label, a), (_label, b) in zip(_display(left), _display(right), strict=True)
        ]
        context.update(
            candidate=candidate,
            left=left,
            right=right,
            rows=rows,
            sides=[
                (left, list(left.identifiers.all()), _person_trainings(left)),
                (right, list(right.identifiers.all()), _person_trainings(right)),
            ],
            is_open=candidate.status == DuplicateCandidate.Status.OPEN,
            can_merge=self._can_merge(),
        )
        return context

    def _can_merge(self) -> bool:
        return all(self.request.user.has_perm(p) for p in merge.PERMISSIONS)


class _Action(View):
    """A POST from the pair page; bad or stale input becomes a message, never an error page."""

    http_method_names = ["post"]
    permissions: tuple[str, ...] = merge.PERMISSIONS

    def dispatch(self, request, *args, **kwargs):
        # ANES only: the queue compares people of every county (training.access).
        if not all(request.user.has_perm(p) for p in self.permissions) or not (
            staff_scope(request.user).all
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def fail(self, exc: ValidationError, back: str):
        for message in exc.messages:
            messages.error(self.request, message)
        return redirect(back)


class MergeView(_Action):
    def post(self, request, pk: int):
        candidate = DuplicateCandidate.objects.select_related("first", "second").filter(pk=pk)
        candidate = candidate.first()
        if candidate is None:
            messages.error(request, _("This pair is no longer in the review queue."))
            return redirect(pair_url(pk) if merge.merge_entry_for_candidate(pk) else index_url())
        keep_side = request.POST.get("keep")
        if keep_side not in ("left", "right"):
            messages.error(request, _("Choose which entry to keep."))
            return redirect(pair_url(pk))
        keep, drop = candidate.first, candidate.second
        if keep_side == "right":
            keep, drop = drop, keep
        try:
            merge.person_merge(keep=keep, drop=drop, acting_user=request.user, candidate=candidate)
        except ValidationError as exc:
            return self.fail(exc, pair_url(pk))
        messages.success(
            request,
            _("The two entries are merged into #%(keep)s. You can undo the merge below.")
            % {"keep": keep.pk},
        )
        return redirect(pair_url(pk))


class DistinctView(_Action):
    permissions = (REVIEW_PERMISSION,)

    def post(self, request, pk: int):
        candidate = DuplicateCandidate.objects.filter(pk=pk).first()
        if candidate is None:
            messages.error(request, _("This pair is no longer in the review queue."))
            return redirect(index_url())
        try:
            merge.duplicate_mark_distinct(candidate=candidate, acting_user=request.user)
        except ValidationError as exc:
            return self.fail(exc, pair_url(pk))
        except PermissionDenied:
            raise
        messages.success(request, _("Marked as different people."))
        return redirect(index_url())


class UndoView(_Action):
    def post(self, request, log_id: int):
        entry = merge.merge_entry(log_id)
        candidate = (entry.data.get("candidate") or {}) if entry else {}
        back = pair_url(candidate["id"]) if candidate.get("id") else index_url()
        try:
            person = merge.person_merge_undo(log_entry_id=log_id, acting_user=request.user)
        except ValidationError as exc:
            return self.fail(exc, back)
        messages.success(
            request, _("The merge is undone: #%(person)s is back.") % {"person": person.pk}
        )
        return redirect(back)
