import datetime

from django import template
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.formats import date_format

from privacy import selectors
from privacy.links import notice_url

register = template.Library()


@register.simple_tag
def privacy_notice_url() -> str:
    """The public privacy notice's address in the current language ("" while the privacy
    URLs are not included: the footer then leaves the link out)."""
    try:
        return notice_url()
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def notice_to_accept(context):
    """The notice in force when the signed-in person has not accepted it yet, else None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return selectors.notice_to_accept(user=user)


@register.filter
def when(value: str | None) -> str:
    """An ISO date or date-time from "my data", as people read it ("—" when empty)."""
    if not value:
        return "—"
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if "T" not in value:
        return date_format(parsed.date(), "DATE_FORMAT")
    return date_format(timezone.localtime(parsed), "DATETIME_FORMAT")
