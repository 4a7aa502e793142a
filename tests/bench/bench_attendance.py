"""Attendance benchmarks (issue 6). Run with `make bench`; they print figures and ratios to a
baseline measured in the same run, and never fail on time.

1. The marking screen of one day of a 200-person session (half of them already marked):
   SQL queries and render time, against the same screen for 20 people (the query count must
   not grow with the people) and, when the admin screens exist, against the session's roster.
   Through `training_sessions_admin:attendance_day` with a signed-in organiser when that URL
   exists, else the screen's selector (`attendance_day_rows`) rendered with a stand-in
   template; the output says which.
2. The completion rule for 2,000 held sessions (3 days each, 30 registrations of which 28
   confirmed, ~160,000 marks): `completion_compute` over all of them in one transaction, in
   sessions/s and enrolments/s, with its queries; again on a subset with nothing to change
   (what a mark corrected after completion costs); against a naive baseline on a 50-session
   subset (per-enrolment queries and saves), whose results must equal the service's.
"""

import datetime
import io
import json
import random
import statistics
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import timezone, translation

from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from sessions.selectors import attendance_day_rows, day_minutes
from sessions.services import completion_compute, completion_rule
from tests.factories.sessions import VenueFactory
from tests.factories.training import CourseFactory, InstitutionFactory
from training.models import County, Professional, ProfessionalCategory
from training.text import name_match_key

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SCREEN_PEOPLE = 200
SCREEN_BASELINE_PEOPLE = 20
SCREEN_RUNS = 9
SESSIONS = 2000
PER_SESSION = 30  # registrations per session: 28 confirmed, 1 cancelled, 1 on the waiting list
DAYS = 3
NAIVE_SESSIONS = 50
PROFESSIONALS = 3000
SEED = 6

A = Attendance.Status
E = Enrolment.Status


class QueryCount:
    """SQL statements run and the seconds spent in the database, by kind of statement."""

    def __init__(self):
        self.count = 0
        self.seconds: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = sql.lstrip().split(" ", 1)[0].upper()
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - started

    def in_database(self) -> float:
        return sum(self.seconds.values())


@contextmanager
def counted_queries():
    """Count the SQL statements run, without keeping them (CaptureQueriesContext keeps 9,000 at
    most and misreads beyond that)."""
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        yield counter


def _people(count: int, prefix: str) -> list[Professional]:
    cluj = County.objects.get(code="CJ")
    category = ProfessionalCategory.objects.get(name="asistent social")
    institutions = InstitutionFactory.create_batch(10)
    Professional.objects.bulk_create(
        [
            Professional(
                first_name=f"Ana-Maria {i}",
                last_name=f"{prefix}{i:04d}",
                match_key=name_match_key(f"Ana-Maria {i}", f"{prefix}{i:04d}"),
                email=f"{prefix.lower()}{i}@example.org",
                county=cluj,
                category=category,
                institution=institutions[i % len(institutions)],
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    return list(Professional.objects.filter(last_name__startswith=prefix).order_by("pk"))


# --- 1. the marking screen ---------------------------------------------------------------------


def _screen_session(people: int, prefix: str) -> tuple[TrainingSession, SessionDay]:
    """A published session with a day running now (yesterday's day before it), `people`
    confirmed participants; half of them marked today (present, some late, a few absent)."""
    now = timezone.now()
    session = TrainingSession.objects.create(
        code=f"ATT-{prefix}",
        course=CourseFactory(),
        county=County.objects.get(code="CJ"),
        venue=VenueFactory(),
        capacity=people,
        status=TrainingSession.Status.PUBLISHED,
    )
    SessionDay.objects.create(
        training_session=session,
        starts_at=now - datetime.timedelta(days=1, hours=1),
        ends_at=now - datetime.timedelta(days=1) + datetime.timedelta(hours=6),
    )
    today = SessionDay.objects.create(
        training_session=session,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=6),
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(training_session=session, professional=p, status=E.CONFIRMED, source="staff")
        for p in _people(people, prefix)
    )
    marks = []
    for i, enrolment in enumerate(enrolments[: people // 2]):
        status = A.PARTIAL if i % 10 == 0 else A.ABSENT if i % 10 == 1 else A.PRESENT
        marks.append(
            Attendance(
                enrolment=enrolment,
                day=today,
                status=status,
                minutes=45 if status == A.PARTIAL else None,
                method=Attendance.Method.QR,
            )
        )
    Attendance.objects.bulk_create(marks)
    return session, today


# Stands in for the marking screen's template while it does not exist: one row per person with
# the name, institution, category, the mark and four large buttons.
STAND_IN = Template(
    """{% load i18n %}<form method="post">
<input type="search" placeholder="{% translate "Search" %}"><ul>{% for row in rows %}
<li id="e{{ row.pk }}"><strong>{{ row.professional.last_name }}
{{ row.professional.first_name }}</strong> {{ row.professional.institution.name }},
{{ row.professional.category.name }} {% if row.mark %}{{ row.mark.get_status_display }}
{% if row.mark.minutes %}{{ row.mark.minutes }} min{% endif %}{% endif %}
{% for value, label in statuses %}<button name="m{{ row.pk }}" value="{{ value }}"
{% if row.mark.status == value %}aria-pressed="true"{% endif %}>{{ label }}</button>{% endfor %}
</li>{% endfor %}</ul></form>"""
)


def _screen_url(session, day) -> str | None:
    try:
        return reverse("training_sessions_admin:attendance_day", args=[session.pk, day.pk])
    except NoReverseMatch:
        return None


def _roster_url(session) -> str | None:
    try:
        return reverse("training_sessions_admin:roster", args=[session.pk])
    except NoReverseMatch:
        return None


def _measure(render) -> dict:
    """Queries of one call (after a first one, which also fills the process's caches), then
    the median time of SCREEN_RUNS calls."""
    render()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        body = render()
    # Counted now: each request's start empties the log the context reads from.
    count = len(queries)
    timings = []
    for _ in range(SCREEN_RUNS):
        started = time.perf_counter()
        render()
        timings.append(time.perf_counter() - started)
    return {"queries": count, "ms": statistics.median(timings) * 1000, "body": body}


def _via_url(client, url):
    def render():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    return render


def _via_selector(day):
    def render():
        with translation.override("ro"):
            rows = attendance_day_rows(day=day)
            return STAND_IN.render(Context({"rows": rows, "statuses": A.choices}))

    return render


def _marking_screen(vendor: str) -> dict:
    big, big_day = _screen_session(SCREEN_PEOPLE, "Benchez")
    small, small_day = _screen_session(SCREEN_BASELINE_PEOPLE, "Micu")
    url = _screen_url(big, big_day)
    if url:
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
        client = Client()
        client.force_login(user)
        how = f"GET {url} (training_sessions_admin:attendance_day, signed-in organiser)"
        screen = _measure(_via_url(client, url))
        baseline = _measure(_via_url(client, _screen_url(small, small_day)))
        roster_url = _roster_url(big)
        roster = _measure(_via_url(client, roster_url)) if roster_url else None
    else:
        how = (
            "fallback: training_sessions_admin:attendance_day does not exist yet; "
            "attendance_day_rows + a stand-in template"
        )
        screen = _measure(_via_selector(big_day))
        baseline = _measure(_via_selector(small_day))
        roster = None
    # Everyone is on the screen (a search box filters; no pages).
    page = screen["body"].lower()
    missing = [i for i in range(SCREEN_PEOPLE) if f"benchez{i:04d}" not in page]
    assert not missing, f"{len(missing)} people missing from the screen"

    print()
    print(f"[{vendor}] attendance marking screen: {how}")
    print(
        f"[{vendor}] {SCREEN_PEOPLE} people ({SCREEN_PEOPLE // 2} marked): "
        f"{screen['queries']} queries, {screen['ms']:.1f} ms (median of {SCREEN_RUNS}), "
        f"{len(screen['body']) / 1024:.0f} KB; {SCREEN_BASELINE_PEOPLE} people (baseline, same "
        f"run): {baseline['queries']} queries, {baseline['ms']:.1f} ms → ×"
        f"{screen['ms'] / baseline['ms']:.1f} the time for ×"
        f"{SCREEN_PEOPLE // SCREEN_BASELINE_PEOPLE} the people; queries "
        f"{'constant' if screen['queries'] == baseline['queries'] else 'GROW with the people'}"
        f" ({baseline['queries']} → {screen['queries']}); "
        f"{screen['ms'] / SCREEN_PEOPLE:.2f} ms per person"
    )
    if roster:
        print(
            f"[{vendor}] vs the roster of the same {SCREEN_PEOPLE}-person session (same run): "
            f"{roster['queries']} queries, {roster['ms']:.1f} ms → the marking screen takes ×"
            f"{screen['ms'] / roster['ms']:.2f} the roster's time"
        )
    return {
        "screen_via": "url" if url else "selector",
        "screen_queries": screen["queries"],
        "screen_ms": round(screen["ms"], 1),
        "screen_baseline_queries": baseline["queries"],
        "screen_baseline_ms": round(baseline["ms"], 1),
    }


# --- 2. completion for 2,000 sessions ----------------------------------------------------------


def _held_sessions(rng: random.Random) -> list[int]:
    """SESSIONS completed sessions of DAYS days (09:00–16:00) in the past months, each with
    PER_SESSION registrations and the confirmed participants' marks, bulk-inserted."""
    courses = [
        *CourseFactory.create_batch(7),
        CourseFactory(min_attendance_percent=100),
        CourseFactory(min_attendance_percent=60),
        CourseFactory(completion_basis="days", min_days=2, delivery_type="seminar"),
    ]
    cluj = County.objects.get(code="CJ")
    venue = VenueFactory()
    people = [p.pk for p in _people(PROFESSIONALS, "Completus")]
    sessions = TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                code=f"CMP-{n:05d}",
                course=courses[n % len(courses)],
                county=cluj,
                venue=venue,
                capacity=PER_SESSION,
                status=TrainingSession.Status.COMPLETED,
            )
            for n in range(SESSIONS)
        ],
        batch_size=500,
    )
    today = timezone.localdate()
    days = []
    for n, session in enumerate(sessions):
        first = today - datetime.timedelta(days=30 + n % 300)
        for d in range(DAYS):
            date = first + datetime.timedelta(days=d)
            days.append(
                SessionDay(
                    training_session=session,
                    starts_at=timezone.make_aware(datetime.datetime.combine(date, _h(9))),
                    ends_at=timezone.make_aware(datetime.datetime.combine(date, _h(16))),
                )
            )
    SessionDay.objects.bulk_create(days, batch_size=2000)
    enrolments = []
    for n, session in enumerate(sessions):
        for k in range(PER_SESSION):
            status = E.CANCELLED if k == 0 else E.WAITLISTED if k == 1 else E.CONFIRMED
            enrolments.append(
                Enrolment(
                    training_session=session,
                    professional_id=people[(n * 7 + k) % len(people)],
                    status=status,
                    source="import",
                )
            )
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    days_of: dict[int, list[int]] = {}
    for pk, session_id in SessionDay.objects.filter(
        training_session__code__startswith="CMP-"
    ).values_list("pk", "training_session_id"):
        days_of.setdefault(session_id, []).append(pk)
    marks = []
    for enrolment_id, session_id in Enrolment.objects.filter(
        training_session__code__startswith="CMP-", status=E.CONFIRMED
    ).values_list("pk", "training_session_id"):
        for day_id in days_of[session_id]:
            draw = rng.random()
            if draw < 0.04:
                continue  # never marked
            status = (
                A.PRESENT
                if draw < 0.82
                else A.PARTIAL
                if draw < 0.92
                else A.ABSENT
                if draw < 0.97
                else A.EXCUSED
            )
            marks.append(
                Attendance(
                    enrolment_id=enrolment_id,
                    day_id=day_id,
                    status=status,
                    minutes=rng.randint(30, 419) if status == A.PARTIAL else None,
                    method=Attendance.Method.SHEET,
                )
            )
    Attendance.objects.bulk_create(marks, batch_size=5000)
    return [s.pk for s in sessions]


def _h(hour: int) -> datetime.time:
    return datetime.time(hour)


def _naive(session_ids: list[int]) -> int:
    """The obvious way: per session its days, per enrolment its marks, one save each."""
    stored = 0
    now = timezone.now()
    for session in TrainingSession.objects.filter(pk__in=session_ids).select_related("course"):
        day_lengths = {
            d.pk: day_minutes(d) for d in SessionDay.objects.filter(training_session=session)
        }
        for enrolment in Enrolment.objects.filter(training_session=session):
            if enrolment.status != E.CONFIRMED:
                continue
            marks = {
                a.day_id: (a.status, a.minutes)
                for a in Attendance.objects.filter(enrolment=enrolment)
            }
            result = completion_rule(course=session.course, day_lengths=day_lengths, marks=marks)
            enrolment.completion = (
                Enrolment.Completion.COMPLETED
                if result.completed
                else Enrolment.Completion.NOT_COMPLETED
            )
            enrolment.attended_minutes = result.minutes
            enrolment.attended_days = result.days
            enrolment.completion_computed_at = now
            enrolment.save(
                update_fields=[
                    "completion",
                    "attended_minutes",
                    "attended_days",
                    "completion_computed_at",
                ]
            )
            stored += 1
    return stored


def _results(session_ids) -> dict[int, tuple]:
    return {
        pk: rest
        for pk, *rest in Enrolment.objects.filter(training_session_id__in=session_ids)
        .values_list("pk", "completion", "attended_minutes", "attended_days")
        .order_by("pk")
    }


def _completion(vendor: str) -> dict:
    # As in a running server: the URLconf loaded (with it, the admin's registrations, which
    # make each Enrolment.save() also update Wagtail's reference index).
    get_resolver().url_patterns  # noqa: B018
    rng = random.Random(SEED)
    started = time.perf_counter()
    with transaction.atomic():
        ids = _held_sessions(rng)
    generated = time.perf_counter() - started
    confirmed = Enrolment.objects.filter(training_session_id__in=ids, status=E.CONFIRMED).count()
    registrations = Enrolment.objects.filter(training_session_id__in=ids).count()
    mark_count = Attendance.objects.filter(day__training_session_id__in=ids).count()

    def batch(pks):
        return (
            TrainingSession.objects.filter(pk__in=pks)
            .select_related("course")
            .prefetch_related("days")
            .order_by("pk")
        )

    # In one transaction, as training_session_complete runs it.
    with counted_queries() as queries, transaction.atomic():
        started = time.perf_counter()
        stored = completion_compute(training_sessions=batch(ids))
        first = time.perf_counter() - started
    first_queries = queries.count
    first_split = queries
    assert stored == confirmed
    outcome = Enrolment.objects.filter(training_session_id__in=ids, status=E.CONFIRMED)
    completed = outcome.filter(completion=Enrolment.Completion.COMPLETED).count()
    assert 0 < completed < confirmed
    assert (
        not Enrolment.objects.filter(training_session_id__in=ids)
        .exclude(status=E.CONFIRMED)
        .exclude(completion="")
        .exists()
    )

    # Naive baseline on a subset, after clearing the service's results there; it must agree.
    subset = ids[:NAIVE_SESSIONS]
    # Again on the subset, nothing to change: what a mark corrected after completion costs.
    with counted_queries() as queries, transaction.atomic():
        started = time.perf_counter()
        again = completion_compute(training_sessions=batch(subset))
        second = time.perf_counter() - started
    assert again == 0
    second_queries = queries.count
    expected = _results(subset)
    Enrolment.objects.filter(training_session_id__in=subset).update(
        completion="", attended_minutes=None, attended_days=None, completion_computed_at=None
    )
    sub_confirmed = Enrolment.objects.filter(
        training_session_id__in=subset, status=E.CONFIRMED
    ).count()
    with counted_queries() as queries, transaction.atomic():
        started = time.perf_counter()
        naive_stored = _naive(subset)
        naive = time.perf_counter() - started
    naive_queries = queries.count
    assert naive_stored == sub_confirmed
    assert _results(subset) == expected, "the naive computation disagrees with the service"

    rate_sessions, rate_people = SESSIONS / first, confirmed / first
    naive_sessions, naive_people = NAIVE_SESSIONS / naive, sub_confirmed / naive
    print(
        f"[{vendor}] generated {SESSIONS} held sessions × {DAYS} days, {registrations} "
        f"registrations ({confirmed} confirmed), {mark_count} marks in {generated:.1f} s "
        f"(bulk inserts)"
    )
    print(
        f"[{vendor}] completion_compute, {SESSIONS} sessions (course and days prefetched): "
        f"{first:.2f} s, {rate_sessions:.0f} sessions/s, {rate_people:.0f} enrolments/s, "
        f"{first_queries} queries ({first_queries / SESSIONS:.1f} per session, "
        f"{first_queries / confirmed:.2f} per enrolment); {completed} completed, "
        f"{confirmed - completed} not"
    )
    in_db = first_split.in_database()
    print(
        f"[{vendor}] where completion_compute's {first:.1f} s go: in the database "
        + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(first_split.seconds.items()))
        + f"; in Python (building the rows and the bulk UPDATEs) {first - in_db:.1f} s "
        f"({(first - in_db) / first:.0%})"
    )
    print(
        f"[{vendor}] completion_compute again on {NAIVE_SESSIONS} of them, nothing to change: "
        f"{second * 1000 / NAIVE_SESSIONS:.1f} ms per session, {second_queries} queries "
        f"({second_queries / NAIVE_SESSIONS:.1f} per session)"
    )
    print(
        f"[{vendor}] naive baseline (same run), {NAIVE_SESSIONS} sessions, per-enrolment "
        f"queries and saves: {naive:.2f} s, {naive_sessions:.0f} sessions/s, "
        f"{naive_people:.0f} enrolments/s, {naive_queries} queries; completion_compute is "
        f"×{rate_people / naive_people:.1f} faster per enrolment, with ×"
        f"{(naive_queries / NAIVE_SESSIONS) / (first_queries / SESSIONS):.1f} fewer queries "
        f"per session; same results"
    )
    return {
        "completion_sessions_per_s": round(rate_sessions),
        "completion_enrolments_per_s": round(rate_people),
        "completion_queries": first_queries,
        "completion_seconds": round(first, 2),
        "naive_enrolments_per_s": round(naive_people),
        "ratio_vs_naive": round(rate_people / naive_people, 1),
    }


def _signin_sheets(vendor: str) -> dict:
    """The printable sign-in sheet of one day: 200 people against 30 (the same run), per page
    against the bar BENCHMARKS.md gives for a tuned ReportLab page (6–12 ms)."""
    from pypdf import PdfReader

    from sessions.signin_sheet import signin_sheet_pdf

    figures = {}
    for people in (30, 200):
        _, day = _screen_session(people, f"fisa{people}")
        result = _measure(lambda day=day: signin_sheet_pdf(day=day))
        pages = len(PdfReader(io.BytesIO(result["body"])).pages)
        figures[people] = (result["ms"], result["queries"], pages, len(result["body"]))
    (small_ms, small_q, small_pages, _), (big_ms, big_q, big_pages, big_size) = (
        figures[30],
        figures[200],
    )
    print(
        f"[{vendor}] sign-in sheet PDF: 200 people {big_ms:.1f} ms, {big_pages} pages "
        f"({big_ms / big_pages:.1f} ms per page), {big_size // 1024} KB, {big_q} queries; "
        f"30 people (same run) {small_ms:.1f} ms, {small_pages} pages, {small_q} queries "
        f"→ ×{big_ms / small_ms:.1f} the time for ×{200 / 30:.1f} the people"
    )
    return {"sheet_200_ms": round(big_ms, 1), "sheet_200_pages": big_pages}


def test_attendance_screen_and_completion_at_scale():
    vendor = connection.vendor
    figures = {"vendor": vendor}
    figures.update(_marking_screen(vendor))
    figures.update(_signin_sheets(vendor))
    figures.update(_completion(vendor))
    print(json.dumps(figures))
