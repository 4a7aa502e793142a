"""Registration under load over HTTP: 400 people with their own accounts register for one
published session with 200 seats through `POST /api/v1/sessions/{id}/enrolments` (bearer
token), 20 concurrent clients, against the app served by gunicorn (2 sync workers, like the
peers in ../shared/BENCHMARKS.md) on loopback, on the benchmark database (a SQLite file, or
PostgreSQL under `make bench-postgres`). The mail task is enqueued to the database task queue,
as in production. Prints requests/s, p50 and p95, confirmed vs waitlisted, and the ratio to a
baseline measured in the same run (`GET /api/v1/sessions`, same clients); never fails on time.
"""

import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from wagtail.models import APIToken

from config.settings import base as base_settings
from sessions.models import Enrolment
from sessions.services import enrolment_create
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, county
from training.models import Professional, ProfessionalCategory
from training.text import name_match_key

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SEATS = 200
PEOPLE = 400
CLIENTS = 20
WORKERS = 2
ROOT = Path(__file__).resolve().parents[2]
# Create 1,000 participants through the app's own code, one commit each (BENCHMARKS.md).
INDICO_PER_SECOND = (25, 32)
PRETIX_PER_SECOND = (6, 8)

# The served app: the test settings (fixed keys, locmem mail) but production's task queue.
SERVER_SETTINGS = """
from config.settings.test import *  # noqa: F403
from config.settings import base

TASKS = base.TASKS
DEBUG = False
"""


def _database_url() -> str:
    """The URL of the database this test run uses (the test database), for gunicorn."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{os.path.abspath(settings['NAME'])}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    """gunicorn serving the app on a loopback port, on this run's database."""
    folder = tempfile.mkdtemp(prefix="formativ-bench-")
    Path(folder, "bench_server_settings.py").write_text(SERVER_SETTINGS)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([folder, str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "bench_server_settings",
        "DATABASE_URL": _database_url(),
    }
    log = open(Path(folder, "gunicorn.log"), "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/api/v1/sessions")
                conn.getresponse().read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("gunicorn did not start: " + Path(log.name).read_text()[-2000:])
                time.sleep(0.2)
            finally:
                conn.close()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _people_with_tokens(count: int) -> list[str]:
    """`count` people, each with an account and an API token; returns the tokens."""
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"bench{i}", email=f"bench{i}@example.org") for i in range(count)
    )
    category = ProfessionalCategory.objects.get(name="asistent social")
    cluj = county("CJ")
    template = ProfessionalFactory.build()
    Professional.objects.bulk_create(
        Professional(
            first_name=f"Ana{i}",
            last_name=template.last_name,
            match_key=name_match_key(f"Ana{i}", template.last_name),
            email=f"bench{i}@example.org",
            county=cluj,
            category=category,
            user=user,
        )
        for i, user in enumerate(users)
    )
    tokens = []
    for user in users:
        _, plaintext = APIToken.create_token(user=user, name="bench")
        tokens.append(plaintext)
    return tokens


def _fire(port: int, requests: list[tuple[str, str, str]]) -> tuple[float, list[float], Counter]:
    """Send (method, path, token) requests from CLIENTS threads; returns the wall time, each
    request's latency and the count of each HTTP status."""
    work: queue.Queue = queue.Queue()
    for request in requests:
        work.put(request)
    latencies: list[float] = []
    codes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client():
        barrier.wait()
        while True:
            try:
                method, path, token = work.get_nowait()
            except queue.Empty:
                return
            headers = {"Authorization": f"Bearer {token}"}
            body = None
            if method == "POST":
                body, headers["Content-Type"] = "{}", "application/json"
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                codes[response.status] += 1
                if response.status >= 400 and codes[response.status] <= 3:
                    print(f"\n  HTTP {response.status}: {payload[:300]!r}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, codes


def _p(latencies: list[float], percent: int) -> float:
    return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1]


def test_parallel_registration_over_http(server):
    session = make_session(capacity=SEATS, start_in=20)
    tokens = _people_with_tokens(PEOPLE)
    vendor = connection.vendor

    # Baseline, same clients and server: the session list of the API (warm-up first).
    _fire(server, [("GET", "/api/v1/sessions", tokens[0])] * CLIENTS)
    base_wall, base_lat, base_codes = _fire(
        server, [("GET", "/api/v1/sessions", t) for t in tokens]
    )
    assert base_codes == {200: PEOPLE}

    path = f"/api/v1/sessions/{session.pk}/enrolments"
    wall, latencies, codes = _fire(server, [("POST", path, t) for t in tokens])

    # Correctness under load (not timing): every request answered, the seats exact.
    assert codes == {201: PEOPLE}, codes
    outcome = Counter(
        Enrolment.objects.filter(training_session=session).values_list("status", flat=True)
    )
    assert outcome == {Enrolment.Status.CONFIRMED: SEATS, Enrolment.Status.WAITLISTED: SEATS}

    # The mails of the HTTP run wait in the task queue, as in production.
    mails = DBTaskResult.objects.filter(task_path="sessions.tasks.send_enrolment_email")
    http_queued = queued = mails.count()
    # In process, one commit each, like the peers' figure: the same people in a second session.
    other = make_session(capacity=SEATS, start_in=30)
    people = list(Professional.objects.filter(user__isnull=False).select_related("user"))
    with override_settings(TASKS=base_settings.TASKS):  # the mail enqueued, as in production
        started = time.perf_counter()
        for person in people:
            enrolment_create(
                training_session=other, professional=person, acting_user=person.user, source="self"
            )
        in_process = len(people) / (time.perf_counter() - started)
    queued = mails.count() - queued

    rate, base_rate = PEOPLE / wall, PEOPLE / base_wall
    p50, p95 = statistics.median(latencies), _p(latencies, 95)
    b50, b95 = statistics.median(base_lat), _p(base_lat, 95)
    print()
    print(
        f"[{vendor}] registration over HTTP, {PEOPLE} people, {SEATS} seats, {CLIENTS} clients, "
        f"gunicorn {WORKERS} sync workers: {rate:.1f} req/s, p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms; {outcome[Enrolment.Status.CONFIRMED]} confirmed, "
        f"{outcome[Enrolment.Status.WAITLISTED]} waitlisted; {http_queued} mail tasks queued"
    )
    print(
        f"[{vendor}] baseline GET /api/v1/sessions, same clients: {base_rate:.1f} req/s, "
        f"p50 {b50 * 1000:.0f} ms, p95 {b95 * 1000:.0f} ms; registration takes "
        f"×{p50 / b50:.2f} the baseline's p50 (×{base_rate / rate:.2f} fewer req/s)"
    )
    low, high = INDICO_PER_SECOND
    print(
        f"[{vendor}] in process, enrolment_create one commit each ({len(people)} people, "
        f"lock + history + audit entry + mail task): {in_process:.1f}/s "
        f"({queued} mail tasks queued)"
    )
    for label, figure in (("in process", in_process), ("over HTTP", rate)):
        print(
            f"[{vendor}] vs ../shared/BENCHMARKS.md (participants created one commit each, "
            f"their machine, ±25–40 %), {label}: Indico {low}–{high}/s → "
            f"×{figure / high:.1f}–×{figure / low:.1f} (goal ≥ ×3); pretix "
            f"{PRETIX_PER_SECOND[0]}–{PRETIX_PER_SECOND[1]}/s → "
            f"×{figure / PRETIX_PER_SECOND[1]:.1f}–×{figure / PRETIX_PER_SECOND[0]:.1f}"
        )
    print(
        json.dumps(
            {
                "vendor": vendor,
                "http_req_per_s": round(rate, 1),
                "http_p95_ms": round(p95 * 1000),
                "in_process_per_s": round(in_process, 1),
            }
        )
    )
