"""Public pages at benchmark scale: the calendar and a seminar page, rendered in process
(Django test client, one client), at demo scale and after `seed_demo --size large`.
Prints medians, requests per second and the ratio between the two scales (same run)."""

import io
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from cms.models import CalendarPage, SeminarPage

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def _median(client, url, repeats=15) -> tuple[float, int]:
    response = client.get(url)
    assert response.status_code == 200
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(response.content)


def test_public_pages_at_demo_and_benchmark_scale():
    call_command("seed_demo", "--no-admin", stdout=io.StringIO())
    client = Client()
    urls = {
        "calendar": CalendarPage.objects.get(locale__language_code="ro").url,
        "calendar, month view": CalendarPage.objects.get(locale__language_code="ro").url
        + "?view=month",
        "seminar": SeminarPage.objects.filter(locale__language_code="ro").first().url,
        "home": "/",
    }
    small = {name: _median(client, url) for name, url in urls.items()}
    call_command("seed_demo", "--size", "large", "--no-admin", stdout=io.StringIO())
    large = {name: _median(client, url) for name, url in urls.items()}
    print()
    for name in urls:
        (t_small, _), (t_large, size) = small[name], large[name]
        print(
            f"[{connection.vendor}] {name}: demo {t_small * 1000:.0f} ms, benchmark scale "
            f"{t_large * 1000:.0f} ms ({1 / t_large:.0f} req/s, {size / 1024:.0f} KB; "
            f"×{t_large / t_small:.2f} the demo time, same run)"
        )
