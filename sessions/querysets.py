from django.db import models
from django.utils import timezone


class TrainingSessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=self.model.Status.PUBLISHED)

    def in_county(self, county):
        return self.filter(county=county)

    def upcoming(self):
        return self.filter(days__starts_at__gte=timezone.now()).distinct()


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        """Enrolments that hold a seat."""
        return self.filter(status__in=self.model.SEAT_HOLDING)
