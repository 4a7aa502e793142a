"""Evaluation report benchmark (issue 11). Run with `make bench` (SQLite) and
`make bench-postgres`; it prints figures and ratios to hand-written SQL measured in the same
run, and never fails on time. It does fail when the report takes more than QUERY_BUDGET
queries, or when the report's numbers differ from the hand-written SQL's (a cross-check written
from the definitions in reports/evaluation.py's docstring, not from its code).

Data: `seed_demo --size large` (17,000 persons, 2,000 sessions, 60,000 enrolments), then every
course gets the demo's knowledge test and anonymous feedback form (through the services), and
every completed benchmark session runs a pre-test, a post-test and the feedback form: about
150,000 invitations and 120,000 responses (four in five answer each form; named, scored tests;
anonymous feedback with five ratings). Rows are bulk-inserted the way the services write them
(the scores worked out by evaluation.questions, as response_submit does).

For each grouping (session, course, professional category, person's county, session county):

- `rates+test`: evaluation_report(with_questions=False) — response rates and the paired
  pre/post test figures, its queries counted (≤ 3) — against ONE hand-written statement
  computing the same per group (expected and answered per form, sessions, n_pre, n_post,
  paired, the paired sums and the improved count);
- `whole`: the dashboard's report, with the feedback questions' distributions (≤
  QUERY_BUDGET queries), against the same statement (not like for like: the statement does
  not compute the questions).

Medians of RUNS calls, the report and the SQL interleaved (the machine is shared); the goal is a
ratio ≤ GOAL_RATIO for `rates+test`. PostgreSQL's statistics are refreshed (ANALYZE) after the
bulk inserts, as autovacuum would.
"""

# ruff: noqa: S608 (the SQL is built from the constants below, never from input)
import datetime
import io
import json
import random
import statistics
import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demo.evaluation import FEEDBACK, KNOWLEDGE_TEST
from evaluation import questions as q
from evaluation import services
from evaluation.models import (
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SessionForm,
    SessionSetup,
)
from reports.evaluation import GROUPS, PURPOSES, evaluation_report
from reports.selectors import SMALL_COUNT
from sessions.models import Enrolment, TrainingSession
from training.models import Course

pytestmark = [
    pytest.mark.bench,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

RUNS = 5
QUERY_BUDGET = 5
RATES_AND_TEST_BUDGET = 3
GOAL_RATIO = 1.5
ANSWER_RATE = 0.8
P = SessionForm.Purpose

# The grouping's key column, as the report keys its rows (see reports.evaluation.GROUPS).
KEYS = {
    "session": "s.code",
    "course": "co.code",
    "professional_category": "p.category_id",
    "person_county": "pc.code",
    "session_county": "sc.code",
}


def _cents(column: str) -> str:
    """A score in % as whole hundredths, exact on both databases."""
    return f"CAST(ROUND({column} * 100) AS INTEGER)"


def hand_sql(group: str) -> str:
    """Per group: for each form, the expected (confirmed enrolments × the forms their session
    runs) and the answered (submitted invitations); the sessions with forms; and over the named
    scored tests, n_pre, n_post, the paired count, the paired pre and post sums (hundredths)
    and how many of the paired improved. Nine columns: what, group key, form, six numbers."""
    key = KEYS[group]
    pre, post = P.PRE_TEST.value, P.POST_TEST.value
    return f"""
WITH e AS (
  SELECT e.id, e.training_session_id AS sid, {key} AS g
  FROM training_sessions_enrolment e
  JOIN training_sessions_trainingsession s ON s.id = e.training_session_id
  JOIN training_course co ON co.id = s.course_id
  LEFT JOIN training_county sc ON sc.id = s.county_id
  JOIN training_professional p ON p.id = e.professional_id
  LEFT JOIN training_county pc ON pc.id = p.county_id
  WHERE e.status = 'confirmed' AND s.status <> 'cancelled'
),
tests AS (
  SELECT e.g,
         MAX(CASE WHEN f.purpose = '{pre}' THEN {_cents("r.score_percent")} END) AS pre,
         MAX(CASE WHEN f.purpose = '{post}' THEN {_cents("r.score_percent")} END) AS post
  FROM e
  JOIN evaluation_response r ON r.enrolment_id = e.id
  JOIN evaluation_sessionform f ON f.id = r.session_form_id
  WHERE f.purpose IN ('{pre}', '{post}') AND r.score_percent IS NOT NULL
  GROUP BY e.g, e.id
)
SELECT 'expected', e.g, f.purpose, COUNT(*), 0, 0, 0, 0, 0
FROM e JOIN evaluation_sessionform f ON f.training_session_id = e.sid
GROUP BY e.g, f.purpose
UNION ALL
SELECT 'answered', e.g, f.purpose, COUNT(*), 0, 0, 0, 0, 0
FROM e
JOIN evaluation_invitation i ON i.enrolment_id = e.id AND i.submitted
JOIN evaluation_sessionform f ON f.id = i.session_form_id
GROUP BY e.g, f.purpose
UNION ALL
SELECT 'sessions', e.g, '', COUNT(DISTINCT e.sid), 0, 0, 0, 0, 0
FROM e
WHERE EXISTS (SELECT 1 FROM evaluation_sessionform f WHERE f.training_session_id = e.sid)
GROUP BY e.g
UNION ALL
SELECT 'test', g, '', COUNT(pre), COUNT(post),
       SUM(CASE WHEN pre IS NOT NULL AND post IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN pre IS NOT NULL AND post IS NOT NULL THEN pre ELSE 0 END),
       SUM(CASE WHEN pre IS NOT NULL AND post IS NOT NULL THEN post ELSE 0 END),
       SUM(CASE WHEN post > pre THEN 1 ELSE 0 END)
FROM tests GROUP BY g
"""


def _sessions_sql() -> str:
    """The number of sessions counted in all (with forms and a confirmed participant)."""
    return """
SELECT COUNT(DISTINCT s.id)
FROM training_sessions_trainingsession s
JOIN training_sessions_enrolment e ON e.training_session_id = s.id AND e.status = 'confirmed'
WHERE s.status <> 'cancelled'
  AND EXISTS (SELECT 1 FROM evaluation_sessionform f WHERE f.training_session_id = s.id)
"""


def run_hand_sql(group: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(hand_sql(group))
        return cursor.fetchall()


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def expected_figures(rows: list[tuple]) -> dict:
    """{group key: figures} from the hand SQL's rows, in the report's terms."""
    out: dict = {}

    def of(key):
        return out.setdefault(
            key,
            {"sessions": 0, "forms": dict.fromkeys(PURPOSES, (0, 0)), "test": (0, 0, 0, None)},
        )

    for kind, key, purpose, a, b, paired, pre_sum, post_sum, improved in rows:
        figures = of(key)
        if kind == "expected":
            figures["forms"][purpose] = (a, figures["forms"][purpose][1])
        elif kind == "answered":
            figures["forms"][purpose] = (figures["forms"][purpose][0], a)
        elif kind == "sessions":
            figures["sessions"] = a
        else:
            n_pre, n_post = a, b
            means = None
            if paired >= SMALL_COUNT:
                hundred = Decimal(100)
                pre_sum, post_sum = Decimal(int(pre_sum)), Decimal(int(post_sum))
                means = (
                    _round(pre_sum / hundred / paired, "0.1"),
                    _round(post_sum / hundred / paired, "0.1"),
                    _round((post_sum - pre_sum) / hundred / paired, "0.1"),
                    _round(Decimal(int(improved)) * hundred / paired, "0.1"),
                )
            figures["test"] = (n_pre, n_post, paired, means)
    return out


def report_figures(row, *, with_means: bool) -> dict:
    test = row.test
    means = None
    if with_means and not test.suppressed and test.n_paired >= SMALL_COUNT:
        means = (test.mean_pre, test.mean_post, test.gain, test.improved)
    return {
        "sessions": row.sessions,
        "forms": {
            p: ((row.forms[p].expected, row.forms[p].answered) if p in row.forms else (0, 0))
            for p in PURPOSES
        },
        "test": (test.n_pre, test.n_post, test.n_paired, means),
    }


def _compare(group: str, report, hand: dict) -> None:
    """The report's rows equal the hand SQL's: counts always, means where the report shows
    them (small and complementary groups are withheld by design)."""
    differences = []
    shown = {row.key: row for row in report.groups}
    for key in sorted(set(shown) | set(hand), key=repr):
        if key not in shown or key not in hand:
            differences.append(f"  {key!r}: only in {'the SQL' if key in hand else 'the report'}")
            continue
        row = shown[key]
        mine = report_figures(row, with_means=True)
        theirs = dict(hand[key])
        if mine["test"][3] is None:
            # Withheld in the report: compare the counts only.
            theirs["test"] = (*theirs["test"][:3], None)
        if mine != theirs:
            differences.append(f"  {key!r}: report {mine}, SQL {theirs}")
    if differences:
        pytest.fail(
            f"{group}: the report and the hand-written SQL disagree on {len(differences)} "
            "groups:\n" + "\n".join(differences[:20])
        )


def _totals(hand: dict) -> dict:
    """The totals from the groups (a person and an enrolment sit in one group each)."""
    forms = dict.fromkeys(PURPOSES, (0, 0))
    n_pre = n_post = 0
    for figures in hand.values():
        for p, (e, a) in figures["forms"].items():
            forms[p] = (forms[p][0] + e, forms[p][1] + a)
        n_pre += figures["test"][0]
        n_post += figures["test"][1]
    return {"forms": forms, "n_pre": n_pre, "n_post": n_post}


def _timed(report, sql) -> tuple[float, float]:
    """Median ms of RUNS calls of each, interleaved, after a first call of each."""
    report(), sql()
    report_times, sql_times = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        report()
        report_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        sql()
        sql_times.append(time.perf_counter() - started)
    return statistics.median(report_times) * 1000, statistics.median(sql_times) * 1000


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


# --- the data ---


def _questionnaires() -> dict[int, dict[str, QuestionnaireVersion]]:
    """Every course's knowledge test and feedback form (the demo's), through the services."""
    have = set(Questionnaire.objects.values_list("course_id", "kind"))
    for course in Course.objects.order_by("code"):
        for kind, spec, anonymous in (
            (Questionnaire.Kind.TEST, KNOWLEDGE_TEST, False),
            (Questionnaire.Kind.FEEDBACK, FEEDBACK, True),
        ):
            if (course.pk, kind) in have:
                continue
            item = Questionnaire(
                course=course,
                kind=kind,
                title=spec["title"],
                intro=spec["intro"],
                anonymous=anonymous,
            )
            item.questions = spec["questions"]
            services.questionnaire_save(questionnaire=item, acting_user=None)
    versions: dict[int, dict[str, QuestionnaireVersion]] = {}
    for version in QuestionnaireVersion.objects.select_related("questionnaire").order_by("number"):
        course = versions.setdefault(version.questionnaire.course_id, {})
        course[version.questionnaire.kind] = version  # the newest wins
    return versions


def _test_answers(rng: random.Random, questions: list[dict], ability: float) -> dict:
    answers = {}
    for question in questions:
        if question["type"] not in ("single", "multiple"):
            continue
        right = [o["id"] for o in question["options"] if o["correct"]]
        wrong = [o["id"] for o in question["options"] if not o["correct"]]
        if question["type"] == "single":
            answers[question["id"]] = right[0] if rng.random() < ability else rng.choice(wrong)
        else:
            chosen = [o for o in right if rng.random() < ability]
            chosen += [o for o in wrong if rng.random() < (1 - ability) * 0.4]
            answers[question["id"]] = chosen or [rng.choice(right + wrong)]
    return answers


def _ratings(rng: random.Random, questions: list[dict]) -> dict:
    mood = rng.gauss(4.1, 0.6)
    return {
        question["id"]: max(1, min(5, round(mood + rng.gauss(0, 0.6))))
        for question in questions
        if question["type"] == "likert"
    }


def _evaluation_data() -> dict[str, int]:
    """Forms, invitations and responses for every completed benchmark session."""
    rng = random.Random(20191001)
    versions = _questionnaires()
    sessions = list(
        TrainingSession.objects.filter(
            code__startswith="BENCH-", status=TrainingSession.Status.COMPLETED
        )
        .order_by("code")
        .values_list("pk", "course_id")
    )
    purposes = (
        (P.PRE_TEST, Questionnaire.Kind.TEST),
        (P.POST_TEST, Questionnaire.Kind.TEST),
        (P.FEEDBACK, Questionnaire.Kind.FEEDBACK),
    )
    with transaction.atomic():
        SessionSetup.objects.bulk_create(
            [SessionSetup(training_session_id=pk) for pk, _c in sessions], batch_size=2000
        )
        SessionForm.objects.bulk_create(
            [
                SessionForm(
                    training_session_id=pk,
                    purpose=purpose,
                    version=versions[course_id][kind],
                    code=f"B{n:06d}{purpose[:3]}",
                )
                for n, (pk, course_id) in enumerate(sessions)
                for purpose, kind in purposes
            ],
            batch_size=2000,
        )
        forms = {
            (f.training_session_id, f.purpose): f
            for f in SessionForm.objects.filter(training_session_id__in=[s[0] for s in sessions])
            .select_related("version")
            .only("pk", "training_session_id", "purpose", "version")
        }
        enrolments = Enrolment.objects.filter(
            training_session_id__in=[s[0] for s in sessions], status=Enrolment.Status.CONFIRMED
        ).order_by("pk")
        invitations, responses = [], []
        invited_at = timezone.now() - datetime.timedelta(days=30)
        for enrolment_id, session_id in enrolments.values_list("pk", "training_session_id"):
            before = min(0.95, max(0.1, rng.gauss(0.5, 0.12)))
            after = min(0.98, before + max(0.0, rng.gauss(0.18, 0.1)))
            for purpose, _kind in purposes:
                form = forms[(session_id, purpose)]
                answered = rng.random() < ANSWER_RATE
                invitations.append(
                    Invitation(
                        session_form_id=form.pk,
                        enrolment_id=enrolment_id,
                        token=f"bench-{enrolment_id}-{purpose}",
                        invited_at=invited_at,
                        submitted=answered,
                    )
                )
                if not answered:
                    continue
                version = form.version
                if purpose == P.FEEDBACK:
                    responses.append(
                        Response(
                            session_form_id=form.pk,
                            version_id=version.pk,
                            answers=_ratings(rng, version.questions),
                        )
                    )
                    continue
                ability = before if purpose == P.PRE_TEST else after
                answers = _test_answers(rng, version.questions, ability)
                score, maximum = q.score(version.questions, answers)
                responses.append(
                    Response(
                        session_form_id=form.pk,
                        version_id=version.pk,
                        enrolment_id=enrolment_id,
                        submitted_at=invited_at,
                        answers=answers,
                        score=score,
                        max_score=maximum,
                        score_percent=q.percent(score, maximum),
                    )
                )
        rng.shuffle(responses)  # no order to read anything from
        Invitation.objects.bulk_create(invitations, batch_size=5000)
        Response.objects.bulk_create(responses, batch_size=5000)
    return {
        "sessions": len(sessions),
        "invitations": len(invitations),
        "responses": len(responses),
    }


def test_evaluation_report_queries_time_and_numbers():
    vendor = connection.vendor
    started = time.perf_counter()
    call_command("seed_demo", "--size", "large", "--no-admin", stdout=io.StringIO())
    data = _evaluation_data()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started

    results = []  # (case, queries, report ms, sql ms)
    checked_totals = None
    for group in GROUPS:
        report = evaluation_report(group_by=group, with_questions=False)
        hand = expected_figures(run_hand_sql(group))
        _compare(group, report, hand)
        totals = _totals(hand)
        assert report_figures(report.totals, with_means=False)["forms"] == totals["forms"]
        assert (report.totals.test.n_pre, report.totals.test.n_post) == (
            totals["n_pre"],
            totals["n_post"],
        )
        with connection.cursor() as cursor:
            cursor.execute(_sessions_sql())
            assert report.totals.sessions == cursor.fetchone()[0]
        checked_totals = report.totals

        def rates_and_test(group=group):
            return evaluation_report(group_by=group, with_questions=False)

        def whole(group=group):
            return evaluation_report(group_by=group)

        def sql(group=group):
            return run_hand_sql(group)

        queries = _queries(rates_and_test)
        assert queries <= RATES_AND_TEST_BUDGET, f"{group}: {queries} queries"
        report_ms, sql_ms = _timed(rates_and_test, sql)
        results.append((f"{group}: rates+test", queries, report_ms, sql_ms))
        queries = _queries(whole)
        whole_ms, sql_ms = _timed(whole, sql)
        results.append((f"{group}: whole (with questions)", queries, whole_ms, sql_ms))

    feedback = [s for s in evaluation_report().questionnaires if s.kind == "feedback"]
    rated = sum(question.overall.n for stats in feedback for question in stats.questions)

    print()
    print(
        f"[{vendor}] seed_demo --size large + evaluation data in {seeded:.0f} s: "
        f"{data['sessions']:,} sessions with 3 forms, {data['invitations']:,} invitations, "
        f"{data['responses']:,} responses; {rated:,} feedback ratings in the report"
    )
    t = checked_totals.test
    print(
        f"[{vendor}] totals: {checked_totals.sessions:,} sessions, paired {t.n_paired:,}, "
        f"pre {t.mean_pre} %, post {t.mean_post} %, gain {t.gain} pp, g {t.normalised_gain}, "
        f"improved {t.improved} %; the report and the hand SQL agree on every group"
    )
    width = max(len(case) for case, *_ in results)
    print(f"[{vendor}] {'case':<{width}}  queries  report ms  SQL ms  ratio")
    over = []
    for case, queries, report_ms, sql_ms in results:
        ratio = report_ms / sql_ms
        like = "rates+test" in case
        flag = "  > goal" if like and ratio > GOAL_RATIO else ""
        if flag:
            over.append(case)
        print(
            f"[{vendor}] {case:<{width}}  {queries:>7}  {report_ms:9.1f}  {sql_ms:6.1f}  "
            f"{ratio:5.2f}{flag}"
        )
    like = [r / s for case, _q, r, s in results if "rates+test" in case]
    print(
        f"[{vendor}] like for like (median of {RUNS} runs, interleaved): ratio median "
        f"{statistics.median(like):.2f}, worst {max(like):.2f}; {len(over)} cases above "
        f"{GOAL_RATIO}" + (f": {', '.join(over)}" if over else "")
    )
    print(
        json.dumps(
            {
                "vendor": vendor,
                "max_queries": max(queries for _c, queries, *_ in results),
                "ratio_median": round(statistics.median(like), 2),
                "ratio_worst": round(max(like), 2),
                "cases_over_goal": len(over),
            }
        )
    )
    budget = [(case, n) for case, n, *_ in results if n > QUERY_BUDGET]
    assert not budget, f"more than {QUERY_BUDGET} queries: {budget}"
