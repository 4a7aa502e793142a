"""Calendar feeds at benchmark scale: 2,000 published sessions of 3 days each (6,000 events).

1. In process (Django test client, one client): the public feed of all 6,000 events built cold
   (cache cleared, no conditional headers), warm (the body in the cache) and answered to a
   conditional request (If-None-Match with its ETag: 304), with the SQL queries of each, and
   the one-event .ics download as the baseline.
2. Over HTTP, gunicorn with 2 sync workers on loopback on the benchmark database (the
   `server` fixture of bench_registration), 4 concurrent clients for ~5 s each: the one-event
   .ics download (baseline, like the peers' "iCal, one event" in ../shared/BENCHMARKS.md), and
   a county's feed of 120 events (40 sessions × 3 days), unconditional and conditional.

Prints milliseconds, requests/s, p50 and ratios to the baseline measured in the same run, and
to the peers' figures (their machine); never fails on time.
"""

import datetime
import http.client
import json
import statistics
import threading
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sessions import ical, selectors
from sessions.models import SessionDay, TrainingSession, Venue
from sessions.selectors import SessionFilters
from tests.bench.bench_registration import server  # noqa: F401 - the gunicorn fixture
from tests.factories.training import CourseFactory, ProjectFactory, TrainerFactory
from training.models import County

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SESSIONS = 2000
DAYS = 3
COUNTY = "CJ"  # the county of the filtered feed
COUNTY_SESSIONS = 40  # × 3 days = 120 events
CLIENTS = 4
SECONDS = 5.0
COLD_RUNS = 5
# "iCal, one event", gunicorn 2 sync workers (../shared/BENCHMARKS.md, their machine, ±25–40 %).
INDICO_PER_SECOND = (385, 573)
PRETIX_PER_SECOND = (134, 187)


def _start(offset_days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=offset_days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _sessions(count: int, county_sessions: int) -> None:
    """`count` published sessions of DAYS days each over the coming year, `county_sessions` of
    them in COUNTY and the rest spread over the other counties; a third with a project, two
    trainers each, one in ten hybrid. Bulk inserts: seconds, not minutes."""
    counties = list(County.objects.exclude(code=COUNTY).order_by("code"))
    target = County.objects.get(code=COUNTY)
    venues = {
        county.pk: Venue.objects.create(
            name=f"Sala mare {county.code}",
            address=f"Str. Exemplu nr. {n + 1}",
            city=f"Oraș {county.code}",
            county=county,
        )
        for n, county in enumerate([target, *counties])
    }
    courses = CourseFactory.create_batch(20)
    projects = ProjectFactory.create_batch(3)
    trainers = TrainerFactory.create_batch(30)
    sessions = []
    for i in range(count):
        county = target if i < county_sessions else counties[i % len(counties)]
        hybrid = i % 10 == 0
        sessions.append(
            TrainingSession(
                code=f"B-{i:05d}",
                course=courses[i % len(courses)],
                project=projects[i % 3] if i % 3 == 0 else None,
                county=county,
                venue=venues[county.pk],
                delivery_mode=(
                    TrainingSession.DeliveryMode.HYBRID
                    if hybrid
                    else TrainingSession.DeliveryMode.IN_PERSON
                ),
                online_url="https://meet.example.org/formare" if hybrid else "",
                capacity=25,
                status=TrainingSession.Status.PUBLISHED,
            )
        )
    sessions = TrainingSession.objects.bulk_create(sessions, batch_size=500)
    days = [
        # The model's default (uuid4) is called for each object too; explicit for clarity.
        SessionDay(
            training_session=session,
            starts_at=_start(2 + n % 360 + d, 9),
            ends_at=_start(2 + n % 360 + d, 17),
            uid=uuid.uuid4(),
        )
        for n, session in enumerate(sessions)
        for d in range(DAYS)
    ]
    SessionDay.objects.bulk_create(days, batch_size=1000)
    through = TrainingSession.trainers.through
    through.objects.bulk_create(
        [
            through(trainingsession=session, trainer=trainers[(n + k) % len(trainers)])
            for n, session in enumerate(sessions)
            for k in (0, 7)
        ],
        batch_size=1000,
    )


def _timed(client: Client, url: str, **headers) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), response


def _in_process(client: Client, url: str, events: int) -> dict:
    """Cold (median of COLD_RUNS, cache cleared), warm and conditional timings of one feed."""
    cold, cold_queries, response = [], 0, None
    for _ in range(COLD_RUNS):
        cache.clear()
        elapsed, cold_queries, response = _timed(client, url)
        cold.append(elapsed)
    assert response.status_code == 200
    assert response.content.count(b"BEGIN:VEVENT") == events
    etag = response["ETag"]
    warm = [_timed(client, url) for _ in range(COLD_RUNS)]
    assert all(r.status_code == 200 for _, _, r in warm)
    conditional = [_timed(client, url, if_none_match=etag) for _ in range(COLD_RUNS * 2)]
    assert all(r.status_code == 304 for _, _, r in conditional)
    return {
        "cold": statistics.median(cold),
        "cold_queries": cold_queries,
        "warm": statistics.median(t for t, _, _ in warm),
        "warm_queries": warm[-1][1],
        "conditional": statistics.median(t for t, _, _ in conditional),
        "conditional_queries": conditional[-1][1],
        "size": len(response.content),
        "etag": etag,
    }


def _phases(filters: SessionFilters) -> dict[str, float]:
    """Where a cold build's time goes: the rows (ORM), the events, the digest (ETag) and the
    iCalendar serialisation, timed apart with the view's own functions."""
    with translation.override("ro"):
        started = time.perf_counter()
        sessions = list(selectors.public_feed_sessions(filters=filters))
        rows = time.perf_counter()
        specs = [spec for session in sessions for spec in ical.session_specs(session)]
        events = time.perf_counter()
        feed = ical.Feed(specs, name="x", refresh=True)
        digest = time.perf_counter()
        feed.body()
        built = time.perf_counter()
    return {
        "rows": rows - started,
        "events": events - rows,
        "digest": digest - events,
        "serialise": built - digest,
    }


def _load(port: int, path: str, headers: dict, expect: int, seconds: float = SECONDS) -> dict:
    """CLIENTS threads sending GET `path` one after another for `seconds`: req/s and p50."""
    latencies: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)
    deadline = [0.0]

    def client():
        barrier.wait()
        mine = []
        while time.perf_counter() < deadline[0]:
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            finally:
                conn.close()
            mine.append(time.perf_counter() - started)
            with lock:
                codes[response.status] = codes.get(response.status, 0) + 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    assert set(codes) == {expect}, codes
    return {"rate": len(latencies) / wall, "p50": statistics.median(latencies), "n": len(latencies)}


def _warm_up(port: int, path: str, headers: dict | None = None) -> None:
    # Enough requests for both workers to have built and cached the body.
    for _ in range(8):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("GET", path, headers=headers or {})
            conn.getresponse().read()
        finally:
            conn.close()


def _etag(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.getheader("ETag")
    finally:
        conn.close()


def test_calendar_feeds_at_scale(server):  # noqa: F811 - the imported fixture
    vendor = connection.vendor
    started = time.perf_counter()
    _sessions(SESSIONS, COUNTY_SESSIONS)
    generated = time.perf_counter() - started
    events = SESSIONS * DAYS
    county_events = COUNTY_SESSIONS * DAYS
    feed = reverse("training_sessions:feed")
    county_feed = f"{feed}?county={COUNTY}"

    client = Client()
    full = _in_process(client, feed, events)
    small = _in_process(client, county_feed, county_events)
    phases = {
        f"county feed ({county_events} events)": _phases(
            SessionFilters(county=County.objects.get(code=COUNTY))
        ),
        f"full feed ({events} events)": _phases(SessionFilters()),
    }

    # The baseline: a one-day session's .ics (one event), added after the feeds were measured.
    single = TrainingSession.objects.create(
        code="B-ONE",
        course=CourseFactory(),
        county=County.objects.get(code="B"),
        venue=Venue.objects.get(county__code="B"),
        capacity=25,
        status=TrainingSession.Status.PUBLISHED,
    )
    SessionDay.objects.create(
        training_session=single, starts_at=_start(5, 9), ends_at=_start(5, 17)
    )
    ics = reverse("training_sessions:ics", kwargs={"code": single.code})
    one = _in_process(client, ics, 1)

    print()
    print(
        f"[{vendor}] generated {SESSIONS} sessions × {DAYS} days ({events} events) in "
        f"{generated:.1f} s (bulk inserts)"
    )
    for label, figures, count in (
        ("one-session .ics (1 event, baseline)", one, 1),
        (f"public feed ?county={COUNTY} ({county_events} events)", small, county_events),
        (f"public feed, everything ({events} events)", full, events),
    ):
        print(
            f"[{vendor}] in process, {label}, {figures['size'] / 1024:.0f} KB: "
            f"cold {figures['cold'] * 1000:.1f} ms ({figures['cold_queries']} queries), "
            f"warm {figures['warm'] * 1000:.1f} ms ({figures['warm_queries']} queries), "
            f"conditional 304 {figures['conditional'] * 1000:.1f} ms "
            f"({figures['conditional_queries']} queries); cold/warm "
            f"×{figures['cold'] / figures['warm']:.1f}, cold/conditional "
            f"×{figures['cold'] / figures['conditional']:.1f}, warm/conditional "
            f"×{figures['warm'] / figures['conditional']:.2f}; per event: cold "
            f"{figures['cold'] / count * 1000:.3f} ms, conditional "
            f"{figures['conditional'] / count * 1000:.3f} ms"
        )
    for label, parts in phases.items():
        total = sum(parts.values())
        print(
            f"[{vendor}] in process, {label}, a cold build in phases: "
            + ", ".join(
                f"{name} {value * 1000:.1f} ms ({value / total:.0%})"
                for name, value in parts.items()
            )
        )
    for label, figures in (("county feed", small), ("full feed", full)):
        print(
            f"[{vendor}] in process, {label} vs the one-event .ics (same run): cold "
            f"×{figures['cold'] / one['cold']:.1f}, warm ×{figures['warm'] / one['warm']:.1f}, "
            f"conditional ×{figures['conditional'] / one['conditional']:.1f}"
        )

    # Over HTTP.
    for path in (ics, county_feed):
        _warm_up(server, path)
    county_etag = _etag(server, county_feed)
    base = _load(server, ics, {}, 200)
    runs = {
        f"feed ?county={COUNTY} ({county_events} events), unconditional (body cached)": _load(
            server, county_feed, {}, 200
        ),
        f"feed ?county={COUNTY} ({county_events} events), If-None-Match → 304": _load(
            server, county_feed, {"If-None-Match": county_etag}, 304
        ),
    }
    low, high = INDICO_PER_SECOND
    print(
        f"[{vendor}] HTTP, gunicorn 2 sync workers, {CLIENTS} clients, {SECONDS:.0f} s each: "
        f"one-session .ics (1 event, baseline): {base['rate']:.0f} req/s, "
        f"p50 {base['p50'] * 1000:.1f} ms ({base['n']} requests); vs BENCHMARKS.md (their "
        f"machine, ±25–40 %): Indico {low}–{high} req/s → ×{base['rate'] / high:.2f}–"
        f"×{base['rate'] / low:.2f}, pretix {PRETIX_PER_SECOND[0]}–{PRETIX_PER_SECOND[1]} "
        f"req/s → ×{base['rate'] / PRETIX_PER_SECOND[1]:.2f}–"
        f"×{base['rate'] / PRETIX_PER_SECOND[0]:.2f}"
    )
    for label, run in runs.items():
        print(
            f"[{vendor}] HTTP, {label}: {run['rate']:.0f} req/s, p50 {run['p50'] * 1000:.1f} ms "
            f"({run['n']} requests); ×{run['rate'] / base['rate']:.2f} the baseline's req/s "
            f"(same run); vs Indico's one-event figure (their machine) {low}–{high} req/s → "
            f"×{run['rate'] / high:.2f}–×{run['rate'] / low:.2f} (goal ≥ Indico with 100+ events)"
        )
    print(
        json.dumps(
            {
                "vendor": vendor,
                "full_feed_cold_ms": round(full["cold"] * 1000),
                "full_feed_conditional_ms": round(full["conditional"] * 1000, 1),
                "ics_req_per_s": round(base["rate"]),
                "county_feed_req_per_s": {k: round(v["rate"]) for k, v in runs.items()},
            }
        )
    )
