"""Report benchmarks (issue 9). Run with `make bench` (SQLite) and `make bench-postgres`; they
print figures and ratios to hand-written SQL measured in the same run, and never fail on time.
They do fail when a report takes more than QUERY_BUDGET queries, or when the service's numbers
differ from the hand-written SQL's (a correctness cross-check: see tests/bench/report_sql.py,
written from the definitions, not from the service's code).

Data: `seed_demo --size large` (17,000 persons, 60,000 enrolments, 200,000 attendance marks,
with the demo's own certificates, one revoked), plus what the large set lacks and the
definitions turn on: one person in nine a member of their county's local team (EIL), one
completed participation in seven with the reference of a certificate issued outside Formativ,
and 17 held sessions cancelled afterwards (their marks must not count).

For each case: totals only; the table by each of the 13 group fields; two cross-tables
(person_county × professional_category, month × project):

- `report`: participation_report(...) (its queries: counted, ≤ QUERY_BUDGET) against ONE
  hand-written statement computing the same numbers (the totals and the table, and for a
  cross-table each field's margin too: GROUPING SETS on PostgreSQL, a materialized CTE
  aggregated once per part on SQLite, which has no GROUPING SETS);
- `table`: report_table(fields=...) against the hand-written aggregate of that table alone
  (for a cross-table: the cells);
- for the cross-tables, also participation_report against the cells-only statement (what the
  report computes on top of the cells: the totals and the two margins).

Medians of RUNS calls, the ORM and the SQL interleaved (the machine is shared); the goal is a
ratio ≤ GOAL_RATIO. PostgreSQL's statistics are refreshed (ANALYZE) after the bulk inserts, as
autovacuum would; SQLite is left as the application leaves it (no ANALYZE).
FORMATIV_BENCH_EXPLAIN=1 prints each table's ORM SQL and both query plans.
"""

import datetime
import io
import json
import os
import statistics
import time
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.selectors import (
    FIGURES,
    GROUP_FIELDS,
    participation_report,
    report_table,
    report_totals,
)
from sessions.models import Enrolment, TrainingSession
from tests.bench import report_sql
from training.models import LocalTeam, LocalTeamMembership, Professional

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

RUNS = 5
QUERY_BUDGET = 10
GOAL_RATIO = 1.5
CROSS_TABLES = (("person_county", "professional_category"), ("month", "project"))
EXPLAIN = os.environ.get("FORMATIV_BENCH_EXPLAIN") == "1"


class QueryCount:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counted_queries():
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        yield counter


def _figures(figures) -> tuple[int, ...]:
    return tuple(getattr(figures, name) for name in FIGURES)


def _rows(table) -> dict[tuple, tuple[int, ...]]:
    rows = {tuple(row.key[f] for f in table.fields): _figures(row.figures) for row in table.rows}
    assert len(rows) == len(table.rows), f"{table.fields}: two rows with the same key"
    return rows


def _same(what: str, service: dict, sql: dict) -> None:
    """The service's rows equal the hand SQL's, or a failure that lists the differences."""
    if service == sql:
        return
    diff = []
    for key in sorted(set(service) | set(sql), key=repr):
        if service.get(key) != sql.get(key):
            diff.append(f"  {key!r}: service {service.get(key)}, SQL {sql.get(key)}")
    pytest.fail(
        f"{what}: the service and the hand-written SQL disagree on {len(diff)} rows "
        f"(figures {', '.join(FIGURES)}):\n" + "\n".join(diff[:20])
    )


def _timed(orm, sql) -> tuple[float, float]:
    """Median ms of RUNS calls of each, interleaved, after a first call of each."""
    orm(), sql()
    orm_times, sql_times = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        orm()
        orm_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        sql()
        sql_times.append(time.perf_counter() - started)
    return statistics.median(orm_times) * 1000, statistics.median(sql_times) * 1000


def _queries(call) -> int:
    with counted_queries() as queries:
        call()
    return queries.count


def _extra_data() -> dict[str, int]:
    """What the large set lacks and the definitions turn on (see the module's docstring)."""
    teams = {t.county_id: t for t in LocalTeam.objects.filter(name__startswith="EIL ")}
    members = set(LocalTeamMembership.objects.values_list("professional_id", flat=True))
    people = Professional.objects.filter(email__startswith="bench").order_by("pk")
    # Half of them have left the team since: membership at any time counts.
    memberships = [
        LocalTeamMembership(
            team=teams[county_id],
            professional_id=pk,
            since=datetime.date(2020, 1, 1),
            until=datetime.date(2023, 12, 31) if n % 2 else None,
        )
        for n, (pk, county_id) in enumerate(people.values_list("pk", "county_id"))
        if n % 9 == 0 and county_id in teams and pk not in members
    ]
    LocalTeamMembership.objects.bulk_create(memberships, batch_size=2000)
    completed = Enrolment.objects.filter(
        training_session__code__startswith="BENCH-", completion=Enrolment.Completion.COMPLETED
    ).order_by("pk")
    referenced = list(completed.values_list("pk", flat=True))[::7]
    Enrolment.objects.filter(pk__in=referenced).update(certificate_reference="ANES-2019-EXT")
    held = TrainingSession.objects.filter(
        code__startswith="BENCH-",
        status__in=[TrainingSession.Status.COMPLETED, TrainingSession.Status.CANCELLED],
    ).order_by("code")
    cancelled = list(held.values_list("pk", flat=True))[::100]
    TrainingSession.objects.filter(pk__in=cancelled).update(status=TrainingSession.Status.CANCELLED)
    return {
        "eil_members_added": len(memberships),
        "certificate_references": len(referenced),
        "sessions_cancelled": len(cancelled),
    }


def _explain(fields: tuple[str, ...]) -> None:
    """The ORM's SQL for the table of `fields` (the totals for none) and both query plans."""
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with CaptureQueriesContext(connection) as captured:
        if fields:
            report_table(fields=fields)
        else:
            report_totals()
    orm = captured.captured_queries[-1]["sql"]
    hand = report_sql.table_sql(fields=fields)
    name = " × ".join(fields) or "totals"
    with connection.cursor() as cursor:
        for who, sql in (("ORM", orm), ("hand", hand)):
            cursor.execute(prefix + sql)
            plan = "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())
            print(f"--- {name}, {who} SQL:\n{sql}\n--- {who} plan:\n{plan}")


def test_report_queries_time_and_numbers():
    vendor = connection.vendor
    started = time.perf_counter()
    call_command("seed_demo", "--size", "large", "--no-admin", stdout=io.StringIO())
    extra = _extra_data()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started

    results = []  # (case, queries, orm ms, sql ms)

    # Totals: the report is the totals; one statement does it all.
    service = report_totals()
    _same("totals", {(): _figures(service)}, report_sql.run_table(fields=()))
    totals = _figures(service)
    queries = _queries(participation_report)
    orm, sql = _timed(participation_report, lambda: report_sql.run_table(fields=()))
    results.append(("totals", queries, orm, sql))

    cases = [(name,) for name in GROUP_FIELDS] + list(CROSS_TABLES)
    for fields in cases:
        name = " × ".join(fields)
        report = participation_report(group_by=fields)
        hand = report_sql.run_report(fields=fields)
        cells = (1 << len(fields)) - 1
        _same(f"{name}: totals", {(): _figures(report.totals)}, hand[0])
        _same(f"{name}: table", _rows(report.table), hand[cells])
        _same(f"{name}: table (alone)", _rows(report.table), report_sql.run_table(fields=fields))
        assert report.totals == service
        for n, margin in enumerate(report.margins):
            assert margin.fields == (fields[n],)
            _same(f"{name}: margin {fields[n]}", _rows(margin), hand[1 << n])
        if len(fields) == 1 and not GROUP_FIELDS[fields[0]].multi_valued:
            # A person's own fields: each person in one group, the groups add up to the total.
            assert sum(row.figures.unique_persons for row in report.table.rows) == totals[0]

        def whole(fields=fields):
            return participation_report(group_by=fields)

        def table(fields=fields):
            return report_table(fields=fields)

        queries = _queries(whole)
        report_ms, sql = _timed(whole, lambda fields=fields: report_sql.run_report(fields=fields))
        results.append((f"{name}: report", queries, report_ms, sql))
        queries = _queries(table)
        orm, sql = _timed(table, lambda fields=fields: report_sql.run_table(fields=fields))
        results.append((f"{name}: table", queries, orm, sql))
        if len(fields) == 2:
            # Not like for like: the whole report (totals, cells, margins) against the cells.
            results.append((f"{name}: report vs cells SQL", None, report_ms, sql))
        if EXPLAIN:
            _explain(fields)
    if EXPLAIN:
        _explain(())

    print()
    print(
        f"[{vendor}] seed_demo --size large + extra data in {seeded:.0f} s: "
        f"{Professional.objects.count():,} persons, {Enrolment.objects.count():,} enrolments; "
        f"{extra['eil_members_added']:,} EIL members added, "
        f"{extra['certificate_references']:,} outside certificate references, "
        f"{extra['sessions_cancelled']} held sessions cancelled"
    )
    print(
        f"[{vendor}] totals: "
        + ", ".join(f"{n} {v:,}" for n, v in zip(FIGURES, totals, strict=True))
        + "; the service and the hand SQL agree on every total, row and margin"
    )
    width = max(len(case) for case, *_ in results)
    print(f"[{vendor}] {'case':<{width}}  queries  ORM ms  SQL ms  ratio")
    over = []
    for case, queries, orm, sql in results:
        ratio = orm / sql
        flag = "" if ratio <= GOAL_RATIO or "cells SQL" in case else "  > goal"
        if flag:
            over.append(case)
        shown = "" if queries is None else str(queries)
        print(f"[{vendor}] {case:<{width}}  {shown:>7}  {orm:6.1f}  {sql:6.1f}  {ratio:5.2f}{flag}")
    like = [orm / sql for case, _q, orm, sql in results if "cells SQL" not in case]
    print(
        f"[{vendor}] like for like (median of {RUNS} runs, interleaved): ratio median "
        f"{statistics.median(like):.2f}, worst {max(like):.2f}; {len(over)} cases above "
        f"{GOAL_RATIO}" + (f": {', '.join(over)}" if over else "")
    )
    print(
        json.dumps(
            {
                "vendor": vendor,
                "max_queries": max(q for _c, q, *_ in results if q is not None),
                "ratio_median": round(statistics.median(like), 2),
                "ratio_worst": round(max(like), 2),
                "cases_over_goal": len(over),
            }
        )
    )
    budget = [(case, q) for case, q, *_ in results if q is not None and q > QUERY_BUDGET]
    assert not budget, f"more than {QUERY_BUDGET} queries: {budget}"
