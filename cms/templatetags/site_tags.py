"""Template helpers of the public site: main menu, breadcrumbs, language switcher, the
accessibility statement link, the funder publicity block and pagination ranges.

Every helper copes with a missing page (search results, 404) and a missing request."""

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, Site

register = template.Library()

ACCESSIBILITY_SLUGS = ("declaratie-accesibilitate", "accessibility-statement")


def _request(context):
    return context.get("request")


def _page(context, page=None):
    page = page if page is not None else context.get("page")
    return page if isinstance(page, Page) else None


def _locale(page=None):
    if page is not None:
        return page.locale
    try:
        return Locale.get_active()
    except Locale.DoesNotExist:
        return None


def _site(request):
    site = Site.find_for_request(request) if request is not None else None
    return site or Site.objects.filter(is_default_site=True).select_related("root_page").first()


def locale_home(request, locale):
    """The site's home page in `locale` (the default home when it has no translation)."""
    site = _site(request)
    if site is None:
        return None
    root = site.root_page
    if locale is not None and root.locale_id != locale.pk:
        translated = root.get_translation_or_none(locale)
        if translated is not None and translated.live:
            return translated
    return root


@register.simple_tag(takes_context=True)
def home_page(context, page=None):
    """The current language's home page."""
    page = _page(context, page)
    return locale_home(_request(context), _locale(page))


@register.simple_tag(takes_context=True)
def main_menu(context, page=None):
    """Live children of the locale's home page marked "show in menus", each as
    {"page", "current"} where current is "page" (this page), "location" (an ancestor of this
    page) or ""."""
    page = _page(context, page)
    home = locale_home(_request(context), _locale(page))
    if home is None:
        return []
    items = []
    for item in home.get_children().live().in_menu():
        current = ""
        if page is not None:
            if item.pk == page.pk:
                current = "page"
            elif page.path.startswith(item.path):
                current = "location"
        items.append({"page": item, "current": current})
    return items


@register.simple_tag(takes_context=True)
def breadcrumbs(context, page=None):
    """The page's ancestors below the tree's root, the page itself last; empty on the home
    page (a trail of one says nothing)."""
    page = _page(context, page)
    if page is None:
        return []
    trail = list(page.get_ancestors(inclusive=True).filter(depth__gt=1))
    return trail if len(trail) > 1 else []


def _language_name(code):
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def _non_page_url(request, code):
    """For a Django view in i18n_patterns (e.g. search): the same view in language `code`,
    query string kept. None for Wagtail's catch-all (page slugs differ per language)."""
    if request is None:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name == "wagtail_serve":
        return None
    url = translate_url(request.path, code)
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@register.simple_tag(takes_context=True)
def language_links(context, page=None):
    """One link per content language: the page's live translation (query string kept), or
    that language's home page. Each as {"code", "name", "url", "current", "translation"}."""
    request = _request(context)
    page = _page(context, page)
    current_locale = _locale(page)
    translations = {}
    if page is not None:
        translations = {p.locale_id: p for p in page.get_translations(inclusive=True).live()}
    order = [code for code, _name in settings.LANGUAGES]
    locales = sorted(
        Locale.objects.all(),
        key=lambda loc: order.index(loc.language_code) if loc.language_code in order else 99,
    )
    query = request.GET.urlencode() if request is not None else ""
    links = []
    for locale in locales:
        target = translations.get(locale.pk)
        url = target.get_url(request) if target is not None else None
        if url is not None and query:
            url = f"{url}?{query}"  # the same filters / page in the other language
        if url is None and page is None:
            url = _non_page_url(request, locale.language_code)
        same_content = url is not None
        if url is None:
            home = locale_home(request, locale)
            url = home.get_url(request) if home is not None else None
        if url is None:
            continue
        links.append(
            {
                "code": locale.language_code,
                "name": _language_name(locale.language_code),
                "url": url,
                "current": current_locale is not None and locale.pk == current_locale.pk,
                # False when the link falls back to the language's home page
                "translation": same_content,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def accessibility_page(context, page=None):
    """The accessibility statement of the current language, if published."""
    from cms.models import StandardPage

    locale = _locale(_page(context, page))
    pages = StandardPage.objects.live().filter(slug__in=ACCESSIBILITY_SLUGS)
    if locale is not None:
        pages = pages.filter(locale=locale)
    return pages.order_by("path").first()


def _funder_block_for(funder):
    from training.models import Project

    if funder == Project.Funder.ESF:
        return "esf"
    if funder == Project.Funder.NORWAY_GRANTS:
        return "norway"
    return ""


@register.simple_tag(name="funder_block_for")
def funder_block_for_tag(funder):
    """{% funder_block_for project.funder as key %}: "esf", "norway" or ""."""
    return _funder_block_for(funder)


@register.filter(name="funder_block_for")
def funder_block_for(funder):
    """{{ project.funder|funder_block_for }}: "esf", "norway" or ""."""
    return _funder_block_for(funder)


@register.simple_tag
def page_range(page_obj, on_each_side=2, on_ends=1):
    """Page numbers around the current one, with the paginator's ellipsis between gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.filter
def days_with_sessions(weeks):
    """The days of the month grid's own month that have sessions (the month view's agenda)."""
    return [day for week in weeks or [] for day in week if day["in_month"] and day["sessions"]]
