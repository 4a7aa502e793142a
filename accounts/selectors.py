"""Reads for people's own accounts."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from training.models import LocalTeamMembership, Professional


def current_memberships(*, professional: Professional | None) -> QuerySet[LocalTeamMembership]:
    """The person's current memberships of intersectoral local teams (kept by the organisers)."""
    if professional is None:
        return LocalTeamMembership.objects.none()
    today = timezone.localdate()
    return (
        LocalTeamMembership.objects.filter(professional=professional)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("team", "team__county")
        .order_by("team__name", "since")
    )
