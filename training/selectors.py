"""Reads for the registry and training offer: each selector owns its joins."""

from django.db.models import Count, Q, QuerySet

from training.models import Course, Institution, Professional


def professional_list() -> QuerySet[Professional]:
    return Professional.objects.select_related("county", "institution", "category", "sector")


def institution_list() -> QuerySet[Institution]:
    return Institution.objects.select_related("institution_type", "county", "sector")


def course_list() -> QuerySet[Course]:
    return Course.objects.select_related("curriculum").annotate(
        session_count=Count("sessions", distinct=True)
    )


def course_search(*, query: str) -> QuerySet[Course]:
    """Courses whose title, code or description contains every word of `query`."""
    qs = Course.objects.select_related("curriculum").order_by("title")
    for word in query.split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(code__icontains=word) | Q(description__icontains=word)
        )
    return qs
