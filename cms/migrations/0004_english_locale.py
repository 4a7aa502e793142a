"""The content locales: Romanian (the default, created by Wagtail) and English."""

from django.db import migrations


def add_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Locale.objects.get_or_create(language_code="ro")
    Locale.objects.get_or_create(language_code="en")


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_public_site")]
    operations = [migrations.RunPython(add_locales, migrations.RunPython.noop)]
