"""`python manage.py import_registry FILE`: persons (institution, county, category, EIL
membership) from a spreadsheet, matched against the registry as the admin import does."""

from imports.management.commands._common import KINDS, ImportCommand


class Command(ImportCommand):
    help = "Import persons into the registry from a spreadsheet (XLSX, XLS, ODS or CSV)."
    kind = KINDS.REGISTRY
