"""Taking attendance in the back office, on a phone as well as at a desk: a session's days with
their marks and scanned sheets, the marking screen of one day, the scanner, the projector's
self check-in, the sign-in sheet and the signed sheets kept as evidence, and completing the
session. Organisers holding the attendance permission and the session's own trainers use them;
every write goes through `sessions.services`."""

import re
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from sessions import qr, selectors, services
from sessions.admin_views import URL_NAMESPACE, AdminScreen
from sessions.models import (
    Attendance,
    AttendanceEvidence,
    Enrolment,
    SessionDay,
    TrainingSession,
)
from sessions.upload import SizeLimitUploadHandler
from training.access import staff_scope

A = Attendance.Status
S = TrainingSession.Status
CONFIRMED = Enrolment.Status.CONFIRMED
# Marks are taken (and corrected) for published sessions, and corrected after completion.
MARKING_STATUSES = (S.PUBLISHED, S.COMPLETED)
# How long the projector's self check-in window stays open: the choices offered.
WINDOW_MINUTES = (5, 15, 30, 60)
HISTORY_LIMIT = 100
# The check-in endpoint the scanner posts each code to (helper D's, under /api/v1/).
CHECKIN_API_URL = "/api/v1/checkin"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARK_ACTION = "formativ.attendance.mark"


def admin_url(name: str, *args) -> str:
    return reverse(f"{URL_NAMESPACE}:{name}", args=args)


def wants_json(request) -> bool:
    """The marking and scanning scripts ask for JSON; forms without JavaScript get pages."""
    return "application/json" in request.headers.get("Accept", "")


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form, for searching names ("stefanescu" finds
    "Ștefănescu"); the marking script folds the same way."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def day_label(day: SessionDay) -> str:
    start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
    return f"{date_format(start, 'l, j F Y')}, {start:%H:%M}–{end:%H:%M}"


def file_code(session: TrainingSession) -> str:
    """The session's code as a file name part: no personal data, nothing a file system
    dislikes."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", session.code).strip("-") or str(session.pk)


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def marked_by_label(mark: Attendance | None) -> str:
    """Who took a mark, as the screens show it: a participant who checked in is not named
    twice."""
    if mark is None or mark.method == Attendance.Method.SELF:
        return ""
    return get_user_display_name(mark.marked_by) if mark.marked_by else ""


def day_counters(rows: list[Enrolment]) -> dict[str, int]:
    statuses = [row.mark.status if row.mark else "" for row in rows]
    return {
        "confirmed": len(rows),
        "present": sum(1 for s in statuses if s in selectors.ATTENDED),
        "absent": statuses.count(A.ABSENT),
        "excused": statuses.count(A.EXCUSED),
        "unmarked": statuses.count(""),
    }


def attended_count(day: SessionDay) -> int:
    """People present (or late) on the day: the projector's and the scanner's counter."""
    return Attendance.objects.filter(
        day=day, status__in=selectors.ATTENDED, enrolment__status=CONFIRMED
    ).count()


def day_history(day: SessionDay, names: dict[int, str]) -> list[dict]:
    """The day's marks as the audit log recorded them, newest first: when, who, whom, from
    what to what. Two queries at most, whatever the number of marks."""
    marks = Attendance.objects.filter(day=day).annotate(key=Cast("pk", CharField())).values("key")
    entries = list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Attendance),
            action=MARK_ACTION,
            object_id__in=marks,
        )
        .select_related("user")
        .order_by("-timestamp", "-pk")[:HISTORY_LIMIT]
    )
    missing = {
        e.data.get("enrolment")
        for e in entries
        if isinstance(e.data.get("enrolment"), int) and e.data.get("enrolment") not in names
    }
    if missing:  # people no longer confirmed, marked before
        names = {
            **names,
            **{
                e.pk: e.professional.full_name
                for e in Enrolment.objects.filter(pk__in=missing).select_related("professional")
            },
        }
    labels = dict(A.choices)
    methods = dict(Attendance.Method.choices)
    history = []
    for entry in entries:
        data = entry.data or {}
        method = data.get("method", "")
        history.append(
            {
                "when": timezone.localtime(entry.timestamp),
                "who": ""
                if method == Attendance.Method.SELF
                else (get_user_display_name(entry.user) if entry.user else _("system")),
                "person": names.get(data.get("enrolment"), "—"),
                "from": labels.get(data.get("from"), "—"),
                "to": labels.get(data.get("status"), "—"),
                "minutes": data.get("minutes"),
                "method": methods.get(method, ""),
            }
        )
    return history


def checkin_url(code: str) -> str:
    """The absolute address the projected QR encodes: the public self check-in page at the
    site's own address, in its default language (no language prefix), whatever language the
    admin speaks."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("training_sessions:checkin_code", args=[code])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


# --- the base screens -------------------------------------------------------------------------


class AttendanceScreen(AdminScreen):
    """A screen about one session's attendance: for organisers holding the attendance
    permission and for the session's own trainers (403 for anybody else)."""

    permissions = ()
    header_icon = "calendar-check"
    is_overview = False
    # Found among all sessions, then refused (403) unless can_take_attendance: the sessions
    # in the user's scope (training.access) or the user's own as a trainer.
    session_scope = None

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_take_attendance(user=request.user, training_session=self.session):
            return self.forbidden()
        return super().dispatch(request, *args, **kwargs)

    def forbidden(self):
        text = _("You cannot take attendance for this session.")
        if wants_json(self.request):
            return JsonResponse({"detail": text, "errors": {}}, status=403)
        return TemplateResponse(
            self.request,
            "training_sessions/admin/attendance_forbidden.html",
            {"page_title": _("Attendance"), "header_title": _("Attendance"), "message": text},
            status=403,
        )

    @cached_property
    def can_mark(self) -> bool:
        return self.session.status in MARKING_STATUSES

    def status_notice(self) -> str:
        if self.session.status == S.DRAFT:
            return _("This session is a draft: attendance is taken once it is published.")
        if self.session.status == S.CANCELLED:
            return _("This session is cancelled: no attendance is taken for it.")
        return ""

    def overview_url(self) -> str:
        return admin_url("attendance", self.session.pk)

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": admin_url("attendance_index"), "label": _("Take attendance")},
        ]
        if not self.is_overview:
            items.append({"url": self.overview_url(), "label": str(self.session)})
        items.append({"url": "", "label": self.get_page_title(), "sublabel": ""})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "session": self.session,
                "can_mark": self.can_mark,
                "status_notice": self.status_notice(),
                "overview_url": self.overview_url(),
                "url_namespace": URL_NAMESPACE,
            }
        )
        return context


class DayScreen(AttendanceScreen):
    """A screen about one day of the session."""

    @cached_property
    def day(self) -> SessionDay:
        day = get_object_or_404(
            SessionDay, pk=self.kwargs["day_pk"], training_session_id=self.session.pk
        )
        day.training_session = self.session
        return day

    def get_page_subtitle(self):
        return f"{self.session.code} · {day_label(self.day)}"

    def get_page_title(self):
        return f"{self.page_title}: {date_format(timezone.localtime(self.day.starts_at), 'j F')}"

    def day_url(self, name: str = "attendance_day") -> str:
        return admin_url(name, self.session.pk, self.day.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            {
                "day": self.day,
                "day_label": day_label(self.day),
                "day_started": self.day.starts_at <= now,
                "day_ended": self.day.ends_at <= now,
                "checkin_open": selectors.checkin_open(self.day, now=now),
                "day_links": {
                    "mark": self.day_url("attendance_day"),
                    "scan": self.day_url("attendance_scan"),
                    "projector": self.day_url("attendance_projector"),
                    "sheet": self.day_url("attendance_sheet"),
                },
            }
        )
        return context


# --- the sessions a user takes attendance for ------------------------------------------------


class AttendanceIndexView(WagtailAdminTemplateMixin, TemplateView):
    """The sessions whose attendance the user may take: today's and the coming ones first,
    with a shortcut to today's day, then the recent past."""

    template_name = "training_sessions/admin/attendance_index.html"
    page_title = gettext_lazy("Take attendance")
    header_icon = "calendar-check"
    PAST_LIMIT = 30
    CURRENT_LIMIT = 100

    def dispatch(self, request, *args, **kwargs):
        # Those who take attendance: holders of the permission (for the sessions in their
        # scope) and trainers (for their own); anybody else is refused (403).
        user = request.user
        if not (user.has_perm(selectors.ATTENDANCE_PERMISSION) or staff_scope(user).trainer_id):
            return TemplateResponse(
                request,
                "training_sessions/admin/attendance_forbidden.html",
                {
                    "page_title": _("Attendance"),
                    "header_title": _("Attendance"),
                    "message": _("You do not take attendance for any session."),
                },
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        today = timezone.localdate()
        sessions = selectors.attendance_session_list(user=self.request.user).prefetch_related(
            "days"
        )
        current = list(
            sessions.filter(last_day__gte=now).order_by("first_day", "pk")[: self.CURRENT_LIMIT]
        )
        past = list(
            sessions.filter(last_day__lt=now).order_by("-last_day", "-pk")[: self.PAST_LIMIT]
        )
        for session in current + past:
            session.today = next(
                (d for d in session.days.all() if timezone.localdate(d.starts_at) == today), None
            )
        context.update({"current": current, "past": past, "url_namespace": URL_NAMESPACE})
        return context


# --- the session's overview -------------------------------------------------------------------


class AttendanceView(AttendanceScreen):
    """The session's days with their counts and scanned sheets, the reconciliation flags,
    completing the session and, once completed, every participant's result."""

    template_name = "training_sessions/admin/attendance.html"
    page_title = gettext_lazy("Attendance")
    is_overview = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.session
        now = timezone.now()
        days = selectors.attendance_reconciliation(training_session=session)
        for row in days:
            row.label = day_label(row.day)
            row.started = row.day.starts_at <= now
            row.checkin_open = selectors.checkin_open(row.day, now=now)
            row.links = {
                name: admin_url(f"attendance_{name}", session.pk, row.day.pk)
                for name in ("day", "scan", "projector", "sheet", "evidence_upload")
            }
        scheduled_minutes = sum(selectors.day_minutes(r.day) for r in days)
        last_end = max((r.day.ends_at for r in days), default=None)
        results = []
        if session.status == S.COMPLETED:
            results = list(
                Enrolment.objects.filter(training_session=session, status=CONFIRMED)
                .select_related("professional__institution")
                .order_by("professional__last_name", "professional__first_name", "pk")
            )
        context.update(
            {
                "days": days,
                "unmarked_total": sum(r.unmarked for r in days),
                "flagged": [r for r in days if not r.ok],
                "can_complete": session.status == S.PUBLISHED
                and last_end is not None
                and last_end <= now,
                "last_end": last_end,
                "results": results,
                "completed_count": sum(
                    1 for e in results if e.completion == Enrolment.Completion.COMPLETED
                ),
                "scheduled_hours": round(scheduled_minutes / 60, 1),
                "day_count": len(days),
                "max_upload": filesizeformat(settings.ATTENDANCE_EVIDENCE_MAX_BYTES),
                "accept": ",".join([*AttendanceEvidence.Kind.values, ".pdf,.jpg,.jpeg,.png"]),
                "complete_url": admin_url("attendance_complete", session.pk),
                "workbook_url": admin_url("attendance_workbook", session.pk),
            }
        )
        return context


class CompleteView(AttendanceScreen):
    """Complete the session (its last day has ended): every participant's result is worked
    out by the course's completion rule. Days nobody marked count as missed, so the button
    asks for a confirmation while some are left."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        session = self.session
        if session.status != S.PUBLISHED:
            messages.error(request, _("Only a published session can be completed."))
            return redirect(self.overview_url())
        unmarked = sum(
            r.unmarked for r in selectors.attendance_reconciliation(training_session=session)
        )
        if unmarked and not request.POST.get("confirm_unmarked"):
            messages.error(
                request,
                ngettext(
                    "%(count)d participant-day has no mark. Mark it, or confirm that it counts "
                    "as missed.",
                    "%(count)d participant-days have no mark. Mark them, or confirm that they "
                    "count as missed.",
                    unmarked,
                )
                % {"count": unmarked},
            )
            return redirect(self.overview_url())
        try:
            completed = services.training_session_complete(
                training_session=session, acting_user=request.user
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            total = session.enrolments.filter(status=CONFIRMED).count()
            messages.success(
                request,
                ngettext(
                    "The session is completed: %(completed)d of %(total)d participant "
                    "completed it.",
                    "The session is completed: %(completed)d of %(total)d participants "
                    "completed it.",
                    total,
                )
                % {"completed": completed, "total": total},
            )
        return redirect(self.overview_url() + "#results")


class WorkbookView(AttendanceScreen):
    """The session's attendance as a spreadsheet (one column per day)."""

    def get(self, request, *args, **kwargs):
        from sessions.attendance_sheet import attendance_workbook

        return attachment(
            attendance_workbook(training_session=self.session),
            content_type=XLSX,
            filename=f"prezenta-{file_code(self.session)}.xlsx",
        )


# --- marking one day --------------------------------------------------------------------------


class DayView(DayScreen):
    """One row per confirmed participant with big buttons: present, late or partial (with the
    minutes), absent, excused. Each row is a small form (it works without JavaScript); the
    script posts the same form and swaps the row in place."""

    template_name = "training_sessions/admin/attendance_day.html"
    page_title = gettext_lazy("Attendance")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.attendance_day_rows(day=self.day)
        query = self.request.GET.get("q", "").strip()[:100]
        words = fold(query).split()
        for row in rows:
            self.decorate(row)
        shown = [r for r in rows if all(w in fold(r.search_text) for w in words)]
        context.update(
            {
                "rows": shown,
                "row_count": len(rows),
                "q": query,
                "counters": day_counters(rows),
                "history": day_history(self.day, {r.pk: r.professional.full_name for r in rows}),
                "day_minutes": selectors.day_minutes(self.day),
                "mark_url": self.day_url(),
                "all_present_url": self.day_url("attendance_all_present"),
                "session_completed": self.session.status == S.COMPLETED,
            }
        )
        return context

    @staticmethod
    def decorate(row: Enrolment) -> Enrolment:
        person = row.professional
        row.search_text = f"{person.full_name} {person.institution or ''}".strip()
        row.marked_by_label = marked_by_label(row.mark)
        return row

    def row_html(self, row: Enrolment) -> str:
        return render_to_string(
            "training_sessions/admin/attendance_row.html",
            self.get_row_context(row),
            request=self.request,
        )

    def get_row_context(self, row):
        return {
            "row": self.decorate(row),
            "day": self.day,
            "can_mark": self.can_mark,
            "day_started": self.day.starts_at <= timezone.now(),
            "day_minutes": selectors.day_minutes(self.day),
            "mark_url": self.day_url(),
            "q": self.request.POST.get("q", ""),
        }

    def post(self, request, *args, **kwargs):
        enrolment = request.POST.get("enrolment", "")
        back = self.day_url()
        if request.POST.get("q"):
            back += "?" + urlencode({"q": request.POST["q"][:100]})
        if enrolment.isascii() and enrolment.isdigit():
            back += f"#row-{enrolment}"
        try:
            mark = self.parse_mark(request.POST)
            if not self.can_mark:
                raise ValidationError(_("Attendance is taken only for published sessions."))
            services.attendance_mark_many(
                training_session=self.session, marks=[mark], acting_user=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if wants_json(request):
                return JsonResponse({"detail": text, "errors": {}}, status=400)
            messages.error(request, text)
            return redirect(back)
        enrolment = (
            Enrolment.objects.select_related("professional").filter(pk=mark.enrolment_id).first()
        )
        text = _("%(name)s: %(status)s.") % {
            "name": enrolment.professional.full_name,
            "status": A(mark.status).label,
        }
        if wants_json(request):
            rows = selectors.attendance_day_rows(day=self.day)
            row = next(r for r in rows if r.pk == mark.enrolment_id)
            return JsonResponse(
                {
                    "detail": text,
                    "enrolment": mark.enrolment_id,
                    "status": mark.status,
                    "row": self.row_html(row),
                    "counters": day_counters(rows),
                }
            )
        messages.success(request, text)
        return redirect(back)

    def parse_mark(self, data) -> services.Mark:
        enrolment = data.get("enrolment", "")
        if not (enrolment.isascii() and enrolment.isdigit()):
            raise ValidationError(_("Choose whom to mark."))
        status = data.get("status", "")
        if status not in A.values:
            raise ValidationError(_("Unknown attendance status."))
        minutes = None
        if status == A.PARTIAL:
            raw = data.get("minutes", "").strip()
            if raw:
                if not re.fullmatch(r"[0-9]{1,5}", raw):
                    raise ValidationError(_("Give the minutes attended as a whole number."))
                minutes = int(raw)
        return services.Mark(int(enrolment), self.day.pk, status, minutes)


class AllPresentView(DayScreen):
    """Mark present, at once, everybody who has no mark for the day yet."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            if not self.can_mark:
                raise ValidationError(_("Attendance is taken only for published sessions."))
            count = services.attendance_mark_all_present(day=self.day, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if count:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d participant marked present.",
                        "%(count)d participants marked present.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.info(request, _("Everybody already has a mark for this day."))
        return redirect(self.day_url())


# --- scanning personal codes ------------------------------------------------------------------


class ScanView(DayScreen):
    """Scan the participants' personal QR codes with the phone's camera, or type them with a
    USB or Bluetooth scanner into the focused field. The script posts each code to the
    check-in API; without JavaScript the field's form posts here."""

    template_name = "training_sessions/admin/attendance_scan.html"
    page_title = gettext_lazy("Scan check-in codes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "api_url": CHECKIN_API_URL,
                "status_url": self.day_url("attendance_projector_status"),
                "attended": attended_count(self.day),
                "confirmed": self.session.enrolments.filter(status=CONFIRMED).count(),
                "zxing_wasm_url": settings.STATIC_URL + "vendor/zxing-wasm/zxing_reader.wasm",
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        code = request.POST.get("code", "").strip()[:200]
        result = self.scan(code) if code else None
        return self.render_to_response(self.get_context_data(result=result))

    def scan(self, code: str) -> dict:
        if not self.can_mark:
            return {"kind": "error", "message": self.status_notice()}
        try:
            checkin = services.checkin_scan(
                code=code,
                acting_user=self.request.user,
                training_session=self.session,
                day=self.day,
            )
        except ValidationError as exc:
            return {"kind": "error", "message": " ".join(exc.messages)}
        except PermissionDenied as exc:
            return {"kind": "error", "message": str(exc)}
        person = checkin.enrolment.professional
        if checkin.already:
            time = timezone.localtime(checkin.attendance.marked_at)
            message = _("%(name)s was already checked in at %(time)s.") % {
                "name": person.full_name,
                "time": f"{time:%H:%M}",
            }
        else:
            message = _("%(name)s is checked in.") % {"name": person.full_name}
        return {
            "kind": "already" if checkin.already else "checked_in",
            "message": message,
            "name": person.full_name,
            "institution": str(person.institution or ""),
        }


# --- self check-in on the projector -----------------------------------------------------------


class ProjectorView(DayScreen):
    """Open a self check-in window for the day and project its short code and QR, with a
    countdown and the number of people checked in; close it early."""

    template_name = "training_sessions/admin/attendance_projector.html"
    page_title = gettext_lazy("Self check-in")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        window = selectors.open_checkin_window(day=self.day)
        context.update(
            {
                "window": window,
                "window_minutes": WINDOW_MINUTES,
                "default_minutes": settings.CHECKIN_WINDOW_MINUTES,
                "status_url": self.day_url("attendance_projector_status"),
                "attended": attended_count(self.day),
                "confirmed": self.session.enrolments.filter(status=CONFIRMED).count(),
            }
        )
        if window is not None:
            url = checkin_url(window.code)
            context.update(
                {
                    "checkin_url": url,
                    "code_characters": list(window.code),
                    "qr": qr.qr_svg(
                        url, scale=10, title=_("Check-in code %(code)s") % {"code": window.code}
                    ),
                    "closes_at": timezone.localtime(window.closes_at),
                    "seconds_left": max(
                        int((window.closes_at - timezone.now()).total_seconds()), 0
                    ),
                }
            )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if not self.can_mark:
                raise ValidationError(_("Self check-in opens only for published sessions."))
            if action == "open":
                minutes = request.POST.get("minutes", "")
                if minutes not in {str(m) for m in WINDOW_MINUTES}:
                    raise ValidationError(_("Choose how long self check-in stays open."))
                window = services.checkin_window_open(
                    day=self.day, acting_user=request.user, minutes=int(minutes)
                )
                messages.success(
                    request,
                    _("Self check-in is open until %(time)s.")
                    % {"time": f"{timezone.localtime(window.closes_at):%H:%M}"},
                )
            elif action == "close":
                window = selectors.open_checkin_window(day=self.day)
                if window is not None:
                    services.checkin_window_close(window=window, acting_user=request.user)
                messages.success(request, _("Self check-in is closed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(self.day_url("attendance_projector"))


class ProjectorStatusView(DayScreen):
    """What the projector and the scanner poll: people checked in, and the open window."""

    def get(self, request, *args, **kwargs):
        window = selectors.open_checkin_window(day=self.day)
        now = timezone.now()
        return JsonResponse(
            {
                "attended": attended_count(self.day),
                "confirmed": self.session.enrolments.filter(status=CONFIRMED).count(),
                "open": window is not None,
                "code": window.code if window else None,
                "seconds_left": int((window.closes_at - now).total_seconds()) if window else 0,
            },
            headers={"Cache-Control": "no-store"},
        )


# --- the sign-in sheet ------------------------------------------------------------------------


class SheetView(DayScreen):
    """The day's printable sign-in sheet (PDF)."""

    def get(self, request, *args, **kwargs):
        from sessions.signin_sheet import signin_sheet_pdf

        date = timezone.localtime(self.day.starts_at).date().isoformat()
        return attachment(
            signin_sheet_pdf(day=self.day),
            content_type="application/pdf",
            filename=f"prezenta-{file_code(self.session)}-{date}.pdf",
        )


# --- the signed sheets kept as evidence -------------------------------------------------------


class EvidenceUploadView(DayScreen):
    """Keep a scanned signed sheet for the day. The size limit is enforced while the body
    arrives (`evidence_upload_view` below puts the handler in place); the type by the service."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        handler = getattr(request, "size_limit_handler", None)
        upload = request.FILES.get("file")
        back = self.overview_url() + f"#day-{self.day.pk}"
        if handler is not None and handler.too_large:
            messages.error(
                request,
                _("The file is too large: at most %(max)s. Nothing was saved.")
                % {"max": filesizeformat(handler.max_bytes)},
            )
            return redirect(back)
        if upload is None:
            messages.error(request, _("Choose the scanned sheet to upload."))
            return redirect(back)
        try:
            if not self.can_mark:
                raise ValidationError(self.status_notice())
            evidence = services.evidence_upload(
                day=self.day, upload=upload, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The signed sheet “%(name)s” is kept for %(day)s.")
                % {"name": evidence.original_name, "day": day_label(self.day)},
            )
        return redirect(back)


_protected_evidence_upload = csrf_protect(EvidenceUploadView.as_view())


@csrf_exempt
def evidence_upload_view(request, *args, **kwargs):
    """The upload handlers can change only before the body is read, and the CSRF check reads
    it: so the handler goes in first and the CSRF check runs after (Django's documented way,
    "Modifying upload handlers on the fly")."""
    handler = SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    request.size_limit_handler = handler
    return _protected_evidence_upload(request, *args, **kwargs)


class EvidenceMixin:
    @cached_property
    def evidence(self) -> AttendanceEvidence:
        return get_object_or_404(
            AttendanceEvidence.objects.select_related("day", "uploaded_by"),
            pk=self.kwargs["evidence_pk"],
            day__training_session_id=self.session.pk,
        )


class EvidenceFileView(EvidenceMixin, AttendanceScreen):
    """Download a signed sheet: private, never shown inline."""

    def get(self, request, *args, **kwargs):
        evidence = self.evidence
        try:
            handle = evidence.file.storage.open(evidence.file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        date = timezone.localtime(evidence.day.starts_at).date().isoformat()
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
            evidence.content_type, "bin"
        )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"prezenta-semnata-{file_code(self.session)}-{date}-{evidence.pk}.{extension}",
            content_type=evidence.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class EvidenceDeleteView(EvidenceMixin, AttendanceScreen):
    """Remove a sheet uploaded by mistake, after a confirmation."""

    template_name = "training_sessions/admin/attendance_evidence_delete.html"
    page_title = gettext_lazy("Remove a signed sheet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"evidence": self.evidence, "evidence_day": day_label(self.evidence.day)})
        return context

    def post(self, request, *args, **kwargs):
        evidence = self.evidence
        name, day = evidence.original_name, evidence.day
        try:
            services.evidence_delete(evidence=evidence, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The signed sheet “%(name)s” was removed.") % {"name": name},
            )
        return redirect(self.overview_url() + f"#day-{day.pk}")
