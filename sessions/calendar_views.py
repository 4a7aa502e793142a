"""Calendar files and subscription feeds. Feeds answer conditional requests (ETag and
Last-Modified, 304 when nothing changed) and keep what they built in the cache under the same
digest, so a client polling hourly costs one read of the rows and no rendering.

The personal and county feeds sit behind the person's secret calendar key: calendar clients
cannot sign in. A wrong or revoked key is a plain 404, the same as an unknown address."""

import time

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views import View

from sessions import ical, selectors
from sessions.forms import SessionFilterForm
from sessions.models import Enrolment
from training.models import County

CACHE_SECONDS = 3600
SEEN_SECONDS = 30 * 24 * 3600


def _calendar_response(
    request, specs, *, name: str, refresh: bool, filename: str, private: bool
) -> HttpResponse:
    digest = ical.fingerprint(specs, name=name, refresh=refresh)
    etag = f'"{digest}"'
    modified = ical.last_modified(specs)
    # Not only the newest event: an event that left the feed (a registration cancelled, a
    # session unpublished) changes nothing that remains, and a client asking only
    # If-Modified-Since would keep it. So: no earlier than this content was first served.
    seen = cache.get_or_set(f"formativ:ical-seen:{digest}", int(time.time()), SEEN_SECONDS)
    modified_ts = max(int(modified.timestamp()) if modified else 0, seen)
    conditional = get_conditional_response(request, etag=etag, last_modified=modified_ts)
    if conditional is None:
        key = f"formativ:ical:{digest}"
        body = cache.get(key)
        if body is None:
            body = ical.build_calendar(specs, name=name, refresh=refresh)
            cache.set(key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = conditional
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified_ts)
    # Revalidate every time: the digest is cheap, and a change must show at the next poll.
    response["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


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
        specs = [spec for session in sessions for spec in ical.session_specs(session)]
        name = _("Formativ: training sessions")
        if filters.county is not None:
            name = _("Formativ: training sessions in %(county)s") % {"county": filters.county}
        return _calendar_response(
            request,
            specs,
            name=name,
            refresh=True,
            filename="formativ.ics",
            private=False,
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
        specs = [spec for enrolment in enrolments for spec in ical.enrolment_specs(enrolment)]
        return _calendar_response(
            request,
            specs,
            name=_("Formativ: my trainings"),
            refresh=True,
            filename="formativ-personal.ics",
            private=True,
        )


class CountyFeedView(View):
    """An organiser's or county coordinator's feed of one county, drafts included."""

    def get(self, request, county, token):
        user = _token_user(token)
        county = get_object_or_404(County, code__iexact=county)
        if not selectors.can_follow_county(user=user, county=county):
            raise Http404
        sessions = selectors.county_feed_sessions(county=county)
        return _calendar_response(
            request,
            ical.county_specs(sessions),
            name=_("Formativ: sessions in %(county)s (organisers)") % {"county": county},
            refresh=True,
            filename=f"formativ-{county.code.lower()}.ics",
            private=True,
        )
