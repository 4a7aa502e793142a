from django.db import models


class ProfessionalQuerySet(models.QuerySet):
    def in_county(self, county):
        return self.filter(county=county)

    def matching(self, key: str):
        return self.filter(match_key=key)
