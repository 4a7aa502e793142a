"""REST endpoints about the caller's own account: who they are, and the secret addresses of
their calendar subscriptions (their own sessions, and the counties they may follow)."""

from typing import Annotated

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from config.api_support import ErrorOut
from sessions import ical, selectors
from sessions.services import calendar_token_regenerate, calendar_token_revoke

router = Router(tags=["account"])

ERRORS = {401: ErrorOut, 403: ErrorOut}

FEED_NOTE = (
    " The address carries your secret calendar key: whoever has it reads the feed, so keep it "
    "private. Feeds are in the language of this request (Accept-Language)."
)


class CountyFeedOut(Schema):
    """A county's organiser feed: every session of the county, drafts included."""

    code: str = Field(description="The county's code, e.g. `CJ` (`B` for Bucharest).")
    name: str = Field(description="The county's name.")
    url: str = Field(description="The feed's address (https, or http on a development site).")
    webcal_url: str = Field(description="The same address with `webcal://`, to subscribe.")


PersonalFeedUrl = Annotated[
    str | None,
    Field(
        description="Your personal calendar feed: the sessions you are confirmed for, and, "
        "marked tentative, those you wait for or await approval for. `null` while you have no "
        "calendar key (create one with `POST /me/calendar-key`)." + FEED_NOTE
    ),
]
PersonalFeedWebcalUrl = Annotated[
    str | None,
    Field(
        description="The same address with `webcal://`, which calendar apps offer to subscribe "
        "to; `null` without a calendar key."
    ),
]
CountyFeeds = Annotated[
    list[CountyFeedOut],
    Field(
        description="The organiser feeds of the counties you may follow: every county for "
        "organisers, their own county for county coordinators, none for anyone else. Empty "
        "without a calendar key." + FEED_NOTE
    ),
]


class CalendarFeedsOut(Schema):
    """The addresses of your calendar feeds."""

    calendar_feed_url: PersonalFeedUrl
    calendar_feed_webcal_url: PersonalFeedWebcalUrl
    county_feed_urls: CountyFeeds


class MeOut(Schema):
    """Your own account, and the addresses of your calendar feeds."""

    id: int = Field(description="Your account's id.")
    email: str
    first_name: str
    last_name: str
    professional_id: int | None = Field(
        description="Your entry in the registry of professionals (the `professional_id` of "
        "enrolments), or `null` when your account is not linked to one."
    )
    preferred_language: str | None = Field(
        description="The language of the e-mails Formativ sends you (`ro` or `en`), from your "
        "registry entry; `null` without one."
    )
    calendar_feed_url: PersonalFeedUrl
    calendar_feed_webcal_url: PersonalFeedWebcalUrl
    county_feed_urls: CountyFeeds


def _absolute(name: str, **kwargs) -> str:
    return ical.absolute_url(reverse(f"training_sessions:{name}", kwargs=kwargs))


def _feeds(user, token: str | None) -> dict:
    if token is None:
        return {
            "calendar_feed_url": None,
            "calendar_feed_webcal_url": None,
            "county_feed_urls": [],
        }
    personal = _absolute("personal_feed", token=token)
    counties = []
    for county in selectors.followable_counties(user=user):
        url = _absolute("county_feed", county=county.code, token=token)
        counties.append(
            {
                "code": county.code,
                "name": county.name,
                "url": url,
                "webcal_url": ical.webcal_url(url),
            }
        )
    return {
        "calendar_feed_url": personal,
        "calendar_feed_webcal_url": ical.webcal_url(personal),
        "county_feed_urls": counties,
    }


def _private(response: HttpResponse) -> None:
    # The body holds the secret calendar key: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request, response: HttpResponse):
    """Who you are, and the addresses of your calendar feeds. Only for a signed-in caller
    (bearer token or the site's session): 401 otherwise."""
    _private(response)
    user = request.user
    professional = getattr(user, "professional", None)
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "professional_id": professional.pk if professional else None,
        "preferred_language": professional.preferred_language if professional else None,
        **_feeds(user, selectors.calendar_token_of(user=user)),
    }


@router.post("/me/calendar-key", response={200: CalendarFeedsOut, **ERRORS})
def regenerate_calendar_key(request, response: HttpResponse):
    """Create your calendar key, or replace it: answers the new feed addresses. The old
    addresses stop working at once (404), so calendars subscribed to them must subscribe
    again. From the site's session, send the CSRF token."""
    _private(response)
    token = calendar_token_regenerate(user=request.user)
    return _feeds(request.user, token.token)


@router.delete("/me/calendar-key", response={204: None, **ERRORS})
def revoke_calendar_key(request):
    """Switch your calendar feeds off: their addresses answer 404 from now on. 204 also when
    you had no key. From the site's session, send the CSRF token."""
    calendar_token_revoke(user=request.user)
    return Status(204, None)
