from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Spreadsheet imports and exports that span the domain apps."""

    name = "imports"
    verbose_name = _("Imports")
