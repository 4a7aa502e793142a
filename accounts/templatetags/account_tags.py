from django import template
from wagtail.models import Locale, Page

register = template.Library()

PRIVACY_SLUGS = ("politica-de-confidentialitate", "privacy-notice")


@register.simple_tag
def privacy_notice_page():
    """The published privacy notice in the current language (else any language), or None."""
    pages = Page.objects.live().filter(slug__in=PRIVACY_SLUGS).order_by("path")
    try:
        localized = pages.filter(locale=Locale.get_active()).first()
    except Locale.DoesNotExist:
        localized = None
    return localized or pages.first()
