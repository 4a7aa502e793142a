"""Counties, București's sectors, institution types and professional categories.

Loaded from the project's copy of the reference data (training/data/*.csv), normalised to
NFC with comma-below ș ț. Institution types and categories stay editable in the admin.
"""

import csv
import unicodedata
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
_COMMA = str.maketrans({"Ş": "Ș", "ş": "ș", "Ţ": "Ț", "ţ": "ț"})


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).translate(_COMMA).strip()


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load(apps, schema_editor):
    County = apps.get_model("training", "County")
    Sector = apps.get_model("training", "Sector")
    InstitutionType = apps.get_model("training", "InstitutionType")
    ProfessionalCategory = apps.get_model("training", "ProfessionalCategory")
    for row in _rows("counties.csv"):
        County.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": _clean(row["name"]),
                "name_ascii": row["name_ascii"],
                "siruta": int(row["siruta_if_known"]),
                "cnp_code": row["cnp_county_code"],
                "development_region": _clean(row["development_region"]),
                "kind": row["kind"],
            },
        )
    bucuresti = County.objects.get(code="B")
    for row in _rows("bucuresti_sectors.csv"):
        Sector.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": _clean(row["name"]),
                "siruta": int(row["siruta"]),
                "cnp_code": row["cnp_county_code"],
                "county": bucuresti,
            },
        )
    for row in _rows("categories.csv"):
        if row["kind"] == "institution_type":
            InstitutionType.objects.update_or_create(
                name=_clean(row["ro"]), defaults={"name_en": row["en"]}
            )
        elif row["kind"] == "professional_category":
            ProfessionalCategory.objects.update_or_create(
                name=_clean(row["ro"]),
                defaults={"name_en": row["en"], "requires_detail": row["ro"] == "altă categorie"},
            )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
