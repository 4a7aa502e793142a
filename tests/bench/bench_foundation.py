"""Foundation benchmarks: building the benchmark-scale data set, and the back-office session
list at demo scale vs benchmark scale. Run with `make bench`; they print figures and never
fail on time."""

import io
import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sessions.models import Attendance, Enrolment, TrainingSession
from training.models import Professional

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def _measure_list(client, url, repeats=7):
    connection.queries_log.clear()  # a full log (9,000 entries) would make the count read 0
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return query_count, statistics.median(timings)


def test_seed_large_and_session_list():
    call_command("seed_demo", "--no-admin", stdout=io.StringIO())
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    url = "/admin/trainingsession/"
    small_sessions = TrainingSession.objects.count()
    small_q, small_t = _measure_list(client, url)

    started = time.perf_counter()
    call_command("seed_demo", "--size", "large", "--no-admin", stdout=io.StringIO())
    seed_seconds = time.perf_counter() - started
    rows = (
        Professional.objects.count(),
        TrainingSession.objects.count(),
        Enrolment.objects.count(),
        Attendance.objects.count(),
    )

    large_q, large_t = _measure_list(client, url)
    print()
    print(
        f"[{connection.vendor}] seed_demo --size large: {seed_seconds:.1f} s "
        f"({sum(rows[2:]) / seed_seconds:,.0f} enrolment+attendance rows/s); totals: "
        f"{rows[0]:,} professionals, {rows[1]:,} sessions, {rows[2]:,} enrolments, "
        f"{rows[3]:,} attendance marks"
    )
    print(
        f"[{connection.vendor}] admin session list, {small_sessions:,} sessions: "
        f"{small_q} queries, median {small_t * 1000:.0f} ms"
    )
    print(
        f"[{connection.vendor}] admin session list, {rows[1]:,} sessions: "
        f"{large_q} queries, median {large_t * 1000:.0f} ms "
        f"(×{large_t / small_t:.2f} the time of the small list, same run)"
    )
