"""Reads for the registry and training offer: each selector owns its joins."""

from django.db.models import Count, QuerySet, Sum

from training.models import Course, Institution, Professional


def professional_list() -> QuerySet[Professional]:
    return Professional.objects.select_related("county", "institution", "category", "sector")


def institution_list() -> QuerySet[Institution]:
    return Institution.objects.select_related("institution_type", "county", "sector")


def course_list() -> QuerySet[Course]:
    return Course.objects.select_related("curriculum").annotate(
        session_count=Count("sessions", distinct=True)
    )


def curriculum_hours(curriculum) -> float:
    return curriculum.courses.aggregate(total=Sum("hours"))["total"] or 0
