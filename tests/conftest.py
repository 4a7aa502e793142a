import os
import shutil
import tempfile

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file (on tmpfs where there is one), unique to this run:
    transactional tests whose threads each open their own connection (the concurrency tests)
    need a database those connections share with real locking, which an in-memory database
    cannot give. Removed at the end of the run."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        yield
        return
    tmpfs = "/dev/shm"  # noqa: S108 - mkdtemp makes a private, randomly named folder
    folder = tempfile.mkdtemp(prefix="formativ-test-", dir=tmpfs if os.path.isdir(tmpfs) else None)
    database.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def staff_user(db):
    """An organiser with full back-office rights (ANES staff)."""
    return get_user_model().objects.create_superuser(
        "organizator", "organizator@anes.example", "parola-sigura-123"
    )


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests (browser journeys, benchmarks): the rows the data migrations
    load (counties, sectors, categories, the home page), which a flush between transactional
    tests removes. Loaded with the migrations' own (idempotent) functions."""
    from importlib import import_module

    from django.apps import apps
    from django.core.cache import cache
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    import_module("training.migrations.0002_reference_data").load(apps, None)
    if not HomePage.objects.exists():
        Locale.objects.get_or_create(language_code="ro")
        Locale.objects.get_or_create(language_code="en")
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.add_child(instance=HomePage(title="Formativ", slug="home"))
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Formativ",
        )
    cache.clear()  # Wagtail caches the site's root paths


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (pages cache their headline figures)."""
    from django.core.cache import cache

    cache.clear()
