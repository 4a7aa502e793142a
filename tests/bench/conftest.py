import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    # Benchmarks measure a file database like production's, not an in-memory one.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["TEST"]["NAME"] = os.path.abspath("var/bench.sqlite3")
        os.makedirs("var", exist_ok=True)
