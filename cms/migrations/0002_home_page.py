"""Replace Wagtail's placeholder page with Formativ's home page and point the site at it."""

from django.db import migrations

INTRO = (
    "<p>Formativ este sistemul de formare și dezvoltare profesională al ANES și al partenerilor "
    "săi din toate județele: seminarii, programe de formare și sesiuni pentru profesioniștii "
    "care lucrează cu victimele violenței domestice.</p>"
)


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("cms", "HomePage")

    Page.objects.filter(depth=2, content_type__model="page", slug="home").delete()
    if HomePage.objects.exists():
        return
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="Formativ",
        draft_title="Formativ",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro=INTRO,
        live=True,
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home,
                  "site_name": "Formativ"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
