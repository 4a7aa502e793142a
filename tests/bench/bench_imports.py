"""Spreadsheet import benchmarks (issue 8). Run with `make bench`; they print figures and ratios
to baselines measured in the same run, and never fail on time.

1. Historical participations: a generated 17,000-row XLSX (12,000 distinct persons with the
   duplicates real lists have, 680 sessions of 25 rows, 2 projects and 4 courses that exist,
   ~300 institutions of 40 counties in the registry; see tests/bench/import_data.py) imported
   end to end (`Importer(kind="participations").run(data)`): seconds, rows/s, SQL statements,
   persons created against the number the matching rules should find. Against
   (a) reading the same file with openpyxl alone (read-only, every row's values): goal ≤ 3×;
   and the absolute goal: 17,000 rows in under 30 s.
2. The registry import against django-import-export's default row-by-row configuration: a
   plain `ModelResource` for training.Professional (no bulk, default options: one transaction,
   an instance lookup, foreign key lookups and a save per row) importing the same 2,000 new
   people from its own XLSX layout, against Formativ's registry import of those people
   (matching, validation, identifiers and all): goal ≥ 10× faster. Run on the registry the
   first import filled (12,000 persons), each import rolled back afterwards.

FORMATIV_BENCH_PROFILE=1 profiles the participations import with cProfile (its times are then
inflated) and prints the functions with the most cumulative time and the most repeated SQL.
Works on SQLite (a file database, tests/bench/conftest.py) and with scripts/test-postgres.sh."""

import cProfile
import io
import json
import os
import pstats
import re
import time
from collections import Counter
from contextlib import contextmanager

import pytest
import tablib
from django.db import connection, transaction
from import_export import resources
from openpyxl import load_workbook

from imports.engine import Importer
from sessions.models import Attendance, Enrolment, TrainingSession
from tests.bench.import_data import (
    participations,
    registry_create,
    registry_rows,
    registry_xlsx,
    resource_xlsx,
)
from training.models import DuplicateCandidate, PersonIdentifier, Professional

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

REGISTRY_ROWS = 2000
RAW_RUNS = 3
GOAL_SECONDS = 30  # 17,000 rows
GOAL_RAW_RATIO = 3  # at most 3× the raw read
GOAL_DEFAULT_RATIO = 10  # at least 10× django-import-export's default configuration
PROFILE = os.environ.get("FORMATIV_BENCH_PROFILE") == "1"


class QueryCount:
    """SQL statements run and the seconds spent in the database, by kind of statement; with
    `shapes`, how often each statement (its text without literals) ran."""

    def __init__(self, *, shapes: bool = False):
        self.count = 0
        self.seconds: dict[str, float] = {}
        self.by_kind: Counter = Counter()
        self.shapes: Counter | None = Counter() if shapes else None

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = sql.lstrip().split(" ", 1)[0].upper()
            self.by_kind[kind] += 1
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - started
            if self.shapes is not None:
                shape = re.sub(r"(%s|\?)(, (%s|\?))+", "…", sql)
                self.shapes[shape[:160]] += 1

    def in_database(self) -> float:
        return sum(self.seconds.values())

    def kinds(self) -> str:
        return ", ".join(f"{kind} {n:,}" for kind, n in self.by_kind.most_common())


@contextmanager
def counted_queries(*, shapes: bool = False):
    counter = QueryCount(shapes=shapes)
    with connection.execute_wrapper(counter):
        yield counter


def _raw_read(data: bytes) -> tuple[float, float, int]:
    """Seconds (wall, CPU of this process) to open the workbook with openpyxl (read-only) and
    go through every row's values, the best of RAW_RUNS; and the rows seen."""
    best = best_cpu = None
    rows = 0
    for _ in range(RAW_RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        best = seconds if best is None else min(best, seconds)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return best, best_cpu, rows


class ProfessionalResource(resources.ModelResource):
    """django-import-export as it comes: no options besides the model."""

    class Meta:
        model = Professional


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _default_import(data: bytes) -> tuple[float, float, int, int]:
    """django-import-export's default import of `data`, from the bytes: seconds (wall, CPU),
    queries, rows imported (rolled back afterwards)."""
    with rolled_back(), counted_queries() as queries:
        started, cpu = time.perf_counter(), time.process_time()
        dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        result = ProfessionalResource().import_data(dataset, dry_run=False, raise_errors=True)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert not result.has_errors() and not result.has_validation_errors()
        imported = Professional.objects.filter(email__startswith="registru").count()
    return seconds, cpu, queries.count, imported


def _our_registry_import(data: bytes, profile: cProfile.Profile | None = None):
    """Formativ's registry import of `data`: seconds (wall, CPU), queries, summary (rolled
    back)."""
    with rolled_back(), counted_queries() as queries:
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        summary = Importer(kind="registry", acting_user=None).run(data)
        if profile:
            profile.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return seconds, cpu, queries.count, summary


def _profile_report(profile: cProfile.Profile, queries: QueryCount | None) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(r"imports/|training/|sessions/", 25)
    print("  profile, by cumulative time (our code):")
    print("\n".join("    " + line for line in out.getvalue().splitlines() if line.strip()))
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    print("  profile, by own time (everything):")
    print("\n".join("    " + line for line in out.getvalue().splitlines() if line.strip()))
    if queries is None:
        return
    print("  most repeated SQL:")
    for shape, n in queries.shapes.most_common(15):
        print(f"    {n:>6,} × {shape}")


def test_import_participations_and_registry():
    vendor = connection.vendor
    registry = registry_create()
    started = time.perf_counter()
    generated = participations(registry)
    generation = time.perf_counter() - started

    # (a) the raw read, before and after (the machine is shared): the better of the two.
    raw_seconds, raw_cpu, raw_rows = _raw_read(generated.data)

    # The import.
    profile = cProfile.Profile() if PROFILE else None
    with counted_queries(shapes=PROFILE) as queries:
        started = time.perf_counter()
        cpu = time.process_time()
        if profile:
            profile.enable()
        summary = Importer(kind="participations", acting_user=None).run(generated.data)
        if profile:
            profile.disable()
        cpu = time.process_time() - cpu
        seconds = time.perf_counter() - started
    raw_after, raw_cpu_after, _rows = _raw_read(generated.data)
    raw_seconds, raw_cpu = min(raw_seconds, raw_after), min(raw_cpu, raw_cpu_after)

    assert summary.written, summary.errors[:5]
    persons = Professional.objects.count()
    sessions = TrainingSession.objects.count()
    enrolments = Enrolment.objects.count()
    marks = Attendance.objects.count()
    identifiers = PersonIdentifier.objects.count()
    candidates = DuplicateCandidate.objects.count()

    # (b) the registry import against django-import-export's default configuration.
    people = registry_rows(registry, REGISTRY_ROWS)
    default_seconds, default_cpu, default_queries, default_imported = _default_import(
        resource_xlsx(people)
    )
    registry_profile = cProfile.Profile() if PROFILE else None
    ours_seconds, ours_cpu, ours_queries, ours_summary = _our_registry_import(
        registry_xlsx(people), registry_profile
    )
    assert default_imported == REGISTRY_ROWS
    assert ours_summary.written and ours_summary.created == REGISTRY_ROWS, ours_summary.errors[:5]

    rate = summary.rows / seconds
    ratio_raw = seconds / raw_seconds
    ratio_raw_cpu = cpu / raw_cpu
    default_per_row = default_seconds / REGISTRY_ROWS
    ours_per_row = ours_seconds / REGISTRY_ROWS
    speedup = default_seconds / ours_seconds
    speedup_cpu = default_cpu / ours_cpu
    print()
    print(
        f"[{vendor}] historical participations import: {summary.rows:,} rows, "
        f"{generated.persons:,} distinct persons in {generated.sessions} sessions "
        f"(file {len(generated.data) / 1024 / 1024:.1f} MiB, generated in {generation:.1f} s)"
        + (" — PROFILED: times inflated by cProfile" if PROFILE else "")
    )
    print(
        f"  end to end: {seconds:.1f} s ({cpu:.1f} s CPU of this process), {rate:,.0f} rows/s, "
        f"{queries.count:,} SQL statements ({queries.kinds()}; "
        f"{queries.in_database():.1f} s in the database)"
    )
    print(
        f"  persons created {summary.created:,}, expected {generated.expected_persons:,} "
        f"({generated.persons:,} distinct + {generated.unmatchable} rows no rule can match: a "
        f"second e-mail without CNP or birth date); repeat rows made to match by "
        + ", ".join(f"{rule} {n:,}" for rule, n in generated.by_rule.items())
    )
    print(
        f"  written: {persons:,} persons, {sessions} sessions (created "
        f"{summary.sessions_created}), {enrolments:,} enrolments, {marks:,} attendance marks, "
        f"{identifiers:,} identifiers, {candidates:,} probable duplicates for review "
        f"({summary.review_candidates:,} reported), {summary.eil_memberships} EIL memberships; "
        f"{len(summary.errors)} row errors"
    )
    print(
        f"  (a) openpyxl alone (read-only, every row's values, best of {RAW_RUNS * 2}): "
        f"{raw_seconds:.2f} s ({raw_cpu:.2f} s CPU) for {raw_rows:,} rows → the import takes "
        f"×{ratio_raw:.1f} the raw read, ×{ratio_raw_cpu:.1f} in CPU time (goal ≤ "
        f"×{GOAL_RAW_RATIO}: {'met' if ratio_raw_cpu <= GOAL_RAW_RATIO else 'NOT met'} in CPU "
        f"time, {'met' if ratio_raw <= GOAL_RAW_RATIO else 'NOT met'} on the wall clock)"
    )
    print(
        f"  absolute: {seconds:.1f} s for {summary.rows:,} rows (goal < {GOAL_SECONDS} s: "
        f"{'met' if seconds < GOAL_SECONDS else 'NOT met'}; {cpu:.1f} s of CPU: "
        f"{'met' if cpu < GOAL_SECONDS else 'NOT met'} on a machine of its own)"
    )
    print(
        f"[{vendor}] registry import, {REGISTRY_ROWS:,} new people, on a registry of "
        f"{persons:,}; each import rolled back"
    )
    print(
        f"  django-import-export, default ModelResource (row by row): {default_seconds:.1f} s "
        f"({default_cpu:.1f} s CPU), "
        f"{default_per_row * 1000:.2f} ms/row, {default_queries:,} SQL statements "
        f"({default_queries / REGISTRY_ROWS:.1f}/row) → 17,000 rows ≈ "
        f"{default_per_row * 17_000:.0f} s"
    )
    print(
        f"  Formativ's registry import: {ours_seconds:.2f} s ({ours_cpu:.2f} s CPU), "
        f"{ours_per_row * 1000:.2f} ms/row, {ours_queries:,} SQL statements, "
        f"{ours_summary.review_candidates} probable duplicates → ×{speedup:.1f} faster, "
        f"×{speedup_cpu:.1f} in CPU time (goal ≥ ×{GOAL_DEFAULT_RATIO}: "
        f"{'met' if speedup_cpu >= GOAL_DEFAULT_RATIO else 'NOT met'} in CPU time, "
        f"{'met' if speedup >= GOAL_DEFAULT_RATIO else 'NOT met'} on the wall clock); "
        f"the participations import "
        f"above: {seconds / summary.rows * 1000:.2f} ms/row, ×{default_per_row * rate:.1f} "
        f"the default configuration's per-row cost"
    )
    if profile:
        print("  PROFILE of the participations import")
        _profile_report(profile, queries)
        print("  PROFILE of the registry import")
        _profile_report(registry_profile, None)
    print(
        json.dumps(
            {
                "vendor": vendor,
                "rows": summary.rows,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "rows_per_s": round(rate),
                "queries": queries.count,
                "created": summary.created,
                "expected_persons": generated.expected_persons,
                "raw_seconds": round(raw_seconds, 2),
                "ratio_raw": round(ratio_raw, 2),
                "ratio_raw_cpu": round(ratio_raw_cpu, 2),
                "default_ms_per_row": round(default_per_row * 1000, 2),
                "registry_ms_per_row": round(ours_per_row * 1000, 2),
                "ratio_default": round(speedup, 1),
                "ratio_default_cpu": round(speedup_cpu, 1),
            }
        )
    )
