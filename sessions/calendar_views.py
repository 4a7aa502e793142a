"""Calendar files and subscription feeds. Feeds answer conditional requests (ETag and
Last-Modified, 304 when nothing changed). A poll first reads the feed's cheap version
(selectors.calendar_version); while it is unchanged, the ETag and the body come from the cache
and no event is loaded or rendered.

The personal and county feeds sit behind the person's secret calendar key: calendar clients
cannot sign in. A wrong or revoked key is a plain 404, the same as an unknown address."""

import hashlib
import time

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from sessions import ical, selectors
from sessions.forms import SessionFilterForm
from sessions.models import Enrolment, TrainingSession
from training.models import County

CACHE_SECONDS = 3600
SEEN_SECONDS = 30 * 24 * 3600


def _calendar_response(
    request, specs, *, name: str, refresh: bool, filename: str, private: bool, version_key=""
) -> HttpResponse:
    """Serve a calendar. `specs` may be a callable (the feeds: loading the events is the
    costly part); with `version_key` (the feed, its reader and language, and
    selectors.calendar_version) a poll whose version is unchanged is answered from the cache
    without loading them."""
    known = cache.get(version_key) if version_key else None
    body = None
    if known is not None:
        digest, modified_ts = known
        body = cache.get(f"formativ:ical:{digest}")
    if body is None:
        feed = ical.Feed(specs() if callable(specs) else specs, name=name, refresh=refresh)
        digest = feed.digest
        modified = feed.last_modified
        # Not only the newest event: an event that left the feed (a registration cancelled, a
        # session unpublished) changes nothing that remains, and a client asking only
        # If-Modified-Since would keep it. So: no earlier than this content was first served.
        seen = cache.get_or_set(f"formativ:ical-seen:{digest}", int(time.time()), SEEN_SECONDS)
        modified_ts = max(int(modified.timestamp()) if modified else 0, seen)
        if version_key:
            cache.set(version_key, (digest, modified_ts), CACHE_SECONDS)
    etag = f'"{digest}"'
    conditional = get_conditional_response(request, etag=etag, last_modified=modified_ts)
    if conditional is None:
        if body is None:
            body = feed.body()
            cache.set(f"formativ:ical:{digest}", body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = conditional
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified_ts)
    # Revalidate every time: the version check is cheap, and a change must show at the next
    # poll.
    response["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


def _version_key(kind: str, reader, version) -> str:
    raw = repr((kind, reader, get_language(), ical.FORMAT, version))
    return "formativ:ical-version:" + hashlib.sha256(raw.encode()).hexdigest()


class SessionIcsView(View):
    """One session's days, to download. The meeting link is in it only for a signed-in person
    holding a confirmed seat; for them the file is private."""

    def get(self, request, code):
        session = selectors.calendar_session(code=code)
        if session is None:
            raise Http404
        enrolment = None
        if request.user.is_authenticated:
            enrolment = (
                Enrolment.objects.filter(training_session=session, professional__user=request.user)
                .select_related("professional")
                .first()
            )
        if enrolment is not None and enrolment.status in Enrolment.OPEN:
            enrolment.training_session = session
            specs = ical.enrolment_specs(enrolment)
        else:
            specs = ical.session_specs(session)
        response = _calendar_response(
            request,
            specs,
            name=session.display_title,
            refresh=False,
            filename=f"{session.code}.ics",
            private=request.user.is_authenticated,
        )
        if response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{session.code}.ics"'
        patch_vary_headers(response, ["Cookie"])
        return response


class PublicFeedView(View):
    """Every public session to come, with the calendar page's filters (county, project,
    course, category, kind, format). A filter it does not understand is a 400: a feed that
    silently ignored it would fill a calendar with the wrong sessions."""

    def get(self, request):
        form = SessionFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return HttpResponseBadRequest(
                _("These filters were not understood: %(fields)s.")
                % {"fields": ", ".join(form.ignored_fields)},
                content_type="text/plain; charset=utf-8",
            )
        filters = form.session_filters()
        sessions = selectors.public_feed_sessions(filters=filters)
        version = selectors.calendar_version(sessions=sessions)
        name = _("Formativ: training sessions")
        if filters.county is not None:
            name = _("Formativ: training sessions in %(county)s") % {"county": filters.county}
        return _calendar_response(
            request,
            lambda: [spec for session in sessions for spec in ical.session_specs(session)],
            name=name,
            refresh=True,
            filename="formativ.ics",
            private=False,
            version_key=_version_key("public", sorted(request.GET.lists()), version),
        )


def _token_user(token: str):
    user = selectors.calendar_token_owner(token=token)
    if user is None:
        raise Http404
    return user


class PersonalFeedView(View):
    """A person's own sessions: confirmed, or tentative while waiting or awaiting approval."""

    def get(self, request, token):
        user = _token_user(token)
        enrolments = selectors.personal_feed_enrolments(user=user)
        version = selectors.calendar_version(
            sessions=TrainingSession.objects.filter(enrolments__in=enrolments.values("pk")),
            enrolments=enrolments,
        )
        return _calendar_response(
            request,
            lambda: [spec for e in enrolments for spec in ical.enrolment_specs(e)],
            name=_("Formativ: my trainings"),
            refresh=True,
            filename="formativ-personal.ics",
            private=True,
            version_key=_version_key("personal", user.pk, version),
        )


class CountyFeedView(View):
    """An organiser's or county coordinator's feed of one county, drafts included."""

    def get(self, request, county, token):
        user = _token_user(token)
        county = get_object_or_404(County, code__iexact=county)
        if not selectors.can_follow_county(user=user, county=county):
            raise Http404
        sessions = selectors.county_feed_sessions(county=county)
        # The seat counts are in the events: registrations are part of the version.
        version = selectors.calendar_version(
            sessions=sessions, enrolments=Enrolment.objects.filter(training_session__in=sessions)
        )
        return _calendar_response(
            request,
            lambda: ical.county_specs(sessions),
            name=_("Formativ: sessions in %(county)s (organisers)") % {"county": county},
            refresh=True,
            filename=f"formativ-{county.code.lower()}.ics",
            private=True,
            version_key=_version_key("county", (user.pk, county.pk), version),
        )
