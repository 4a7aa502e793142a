from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from cms.models import paginate
from training.selectors import course_search


def search(request):
    """Site search over the pages of the visitor's language and over the courses."""
    query = (request.GET.get("q") or "").strip()[:200]
    pages = Page.objects.none()
    courses = []
    if query:
        locale = Locale.objects.filter(language_code=get_language()).first()
        live = Page.objects.live().public().exclude(depth=1)
        if locale is not None:
            live = live.filter(locale=locale)
        pages = live.specific().search(query)
        courses = course_search(query=query)[:10]
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "page_obj": paginate(request, pages, per_page=10) if query else None,
            "courses": courses,
        },
    )
