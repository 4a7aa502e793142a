"""Downloads: a session's roster with per-day attendance, and the review queue of probable
duplicates, as XLSX or CSV (imports.exports does the writing)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from imports import exports, merge
from sessions import selectors as session_selectors
from sessions.models import TrainingSession
from training.access import in_scope, staff_scope
from training.models import DuplicateCandidate

ROSTER_PERMISSION = "training_sessions.view_enrolment"
# as the review queue (imports.review_views.REVIEW_PERMISSION)
REVIEW_PERMISSION = "training.change_duplicatecandidate"
FORMATS = ("xlsx", "csv")


def _download(data: bytes, file_format: str, filename: str) -> HttpResponse:
    content_type = exports.XLSX_CONTENT_TYPE if file_format == "xlsx" else exports.CSV_CONTENT_TYPE
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class RosterExportView(View):
    """The roster of one session with its attendance (the roster import's format): for those
    who see the session's roster or take its attendance (the session's own trainers)."""

    def get(self, request, pk: int, file_format: str):
        if file_format not in FORMATS:
            raise Http404
        session = get_object_or_404(TrainingSession.objects.select_related("course"), pk=pk)
        user = request.user
        # The whole roster: for those who manage the session (training.access) or take its
        # attendance (its own trainers).
        if not (
            (
                user.has_perm(ROSTER_PERMISSION)
                and in_scope(user, session, lambda scope: scope.sessions_q())
            )
            or session_selectors.can_take_attendance(user=user, training_session=session)
        ):
            raise PermissionDenied
        writer = exports.roster_workbook if file_format == "xlsx" else exports.roster_csv
        return _download(
            writer(training_session=session),
            file_format,
            exports.roster_filename(session, file_format),
        )


class ReviewQueueExportView(View):
    """The review queue filtered as its list (imports.review_views.IndexView): `?status=`
    open (the default), merged or distinct; `?reason=` one reason."""

    def get(self, request, file_format: str):
        if file_format not in FORMATS:
            raise Http404
        if not request.user.has_perm(REVIEW_PERMISSION) or not staff_scope(request.user).all:
            raise PermissionDenied
        status = request.GET.get("status") or DuplicateCandidate.Status.OPEN
        if status not in DuplicateCandidate.Status.values:
            status = DuplicateCandidate.Status.OPEN
        reason = request.GET.get("reason") or ""
        if reason not in DuplicateCandidate.Reason.values:
            reason = ""
        pairs = merge.duplicate_queue(status=status, reason=reason or None)
        if file_format == "xlsx":
            data = exports.review_queue_workbook(pairs)
        else:
            data = exports.review_queue_csv(pairs)
        return _download(data, file_format, f"posibile-duplicate.{file_format}")
