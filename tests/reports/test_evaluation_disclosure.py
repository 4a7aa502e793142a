"""Disclosure by subtraction in the evaluation report: a small group is withheld, but the total
and the other groups are shown, so "total − groups shown" must never isolate fewer than 5
people (reports.evaluation: the session floor and complementary suppression).

Worlds built here, counted by hand:

- `feedback_world` — course "DIS-C", anonymous feedback ("rating", agreement; "comment", free
  text). Session A: 5 enrolled, 5 answered, all rated 4, no comment. Session B: 3 enrolled,
  1 answered: rated 1 and wrote "Secret complaint". Grouped by session, before the fix the
  total showed {1: 1, 4: 5} and A {4: 5}: B's rating and comment were recovered. Now B (fewer
  than 5 answers) is left out of every answer figure: total = A = {4: 5}, mean 4.00, no text;
  the feedback response rate still counts B: 6 / 8 = 75.0 %.
- `test_world` — course "DIS-T", one session, 6 persons with both tests: 5 social workers
  (pre 40, 50, 60, 70, 80; post 60, 70, 80, 90, 100) and 1 psychologist (pre 10, post 100).
  Total: pre 310/6 = 51.7, post 500/6 = 83.3. By professional category the psychologist (1) is
  small, so the social workers (5) are hidden too (complementary): 6 × 51.7 − 5 × 60.0 would
  give the psychologist's 10 otherwise.
- `mixed_world` — mixed group sizes for the invariant over every group_by (see there).
"""

import io
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from evaluation.models import Invitation, Questionnaire, QuestionnaireVersion, Response, SessionForm
from reports.evaluation import (
    GROUPS,
    SMALL_COUNT,
    EvaluationFilters,
    _complementary,
    evaluation_report,
)
from reports.evaluation import (
    TestFigures as Figures,
)
from sessions.models import Enrolment
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProfessionalFactory, county
from tests.reports.test_dashboard import reader
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose
ANES = ("view_reports", "view_all_counties")
SECRET = "Secret complaint"
HIDDEN = "Hidden so that a small group cannot be worked out from the total."
LEFT_OUT_1 = "1 session with fewer than 5 answers is left out of the answer statistics."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- building blocks ---


def _enrol(session, person):
    return Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="staff"
    )


def _feedback_version(course):
    q = questionnaire(course, kind=Questionnaire.Kind.FEEDBACK, anonymous=True, title="Feedback")
    return QuestionnaireVersion.objects.create(
        questionnaire=q,
        number=2,
        title=q.title,
        questions=[
            {
                "id": "rating",
                "type": "likert",
                "text": "Rating",
                "required": True,
                "scale": "agreement",
            },
            {"id": "comment", "type": "text", "text": "Comment", "required": False},
        ],
        anonymous=True,
        max_score=Decimal(0),
    )


def _feedback(session, version, enrolled: int, answers: list[dict], category=None):
    form = SessionForm.objects.create(training_session=session, purpose=P.FEEDBACK, version=version)
    for i in range(enrolled):
        e = _enrol(session, ProfessionalFactory(county=session.county, category=category))
        Invitation.objects.create(session_form=form, enrolment=e, submitted=i < len(answers))
    for a in answers:
        Response.objects.create(session_form=form, version=version, answers=a)
    return form


def _tests(session, version, people: list[tuple]):
    """people: (person, pre %, post %)."""
    forms = {
        p: SessionForm.objects.create(training_session=session, purpose=p, version=version)
        for p in (P.PRE_TEST, P.POST_TEST)
    }
    for person, pre, post in people:
        e = _enrol(session, person)
        for purpose, score in ((P.PRE_TEST, pre), (P.POST_TEST, post)):
            Invitation.objects.create(session_form=forms[purpose], enrolment=e, submitted=True)
            Response.objects.create(
                session_form=forms[purpose],
                version=version,
                enrolment=e,
                submitted_at=timezone.now(),
                answers={},
                score=Decimal(score),
                max_score=Decimal(100),
                score_percent=Decimal(score),
            )


def _category(name):
    return ProfessionalCategory.objects.get_or_create(name=name)[0]


# --- the scenario of the review: anonymous feedback, group_by=session ---


@pytest.fixture
def feedback_world(db):
    course = CourseFactory(code="DIS-C", title="Dezvăluire C")
    version = _feedback_version(course)
    cj = county("CJ")
    a = make_session(start_in=-20, day_count=1, code="DIS-A", course=course, county=cj)
    b = make_session(start_in=-10, day_count=1, code="DIS-B", course=course, county=cj)
    _feedback(a, version, 5, [{"rating": 4}] * 5)
    _feedback(b, version, 3, [{"rating": 1, "comment": SECRET}])
    return SimpleNamespace(course=course, a=a, b=b)


def test_one_respondent_session_is_left_out_of_the_answers(feedback_world):
    report = evaluation_report(group_by="session")
    [qn] = report.questionnaires
    assert (qn.responses, qn.sessions_left_out) == (6, 1)
    assert qn.left_out_note == LEFT_OUT_1
    rating, comment = qn.questions
    # The total holds session A's answers only: no trace of B's "1".
    assert rating.overall.n == 5
    assert rating.overall.mean == Decimal("4.00")
    assert [s.count for s in rating.overall.distribution] == [0, 0, 0, 5, 0]
    assert [(g.key, [s.count for s in g.figures.distribution]) for g in rating.groups] == [
        ("DIS-A", [0, 0, 0, 5, 0])
    ]
    assert rating.groups[0].figures.suppressed is False
    # Total minus the groups shown: nothing left to recover.
    assert rating.overall.n - sum(g.figures.n for g in rating.groups) == 0
    # B's comment appears nowhere.
    assert (comment.overall.n, comment.overall.texts, comment.groups) == (0, None, [])
    assert comment.sessions_left_out == 1
    assert SECRET not in repr(report.as_dict())
    # B still counts in the response rate.
    feedback = report.totals.forms["feedback"]
    assert (feedback.answered, feedback.expected, feedback.rate) == (6, 8, Decimal("75.0"))
    by_session = {g.key: g.forms["feedback"] for g in report.groups}
    assert (by_session["DIS-B"].answered, by_session["DIS-B"].expected) == (1, 3)


@pytest.mark.parametrize("group_by", ["course", "session", "session_county"])
def test_left_out_whatever_the_grouping_and_filter(feedback_world, group_by):
    for filters in (
        EvaluationFilters(),
        EvaluationFilters(course=feedback_world.course),
        EvaluationFilters(session=feedback_world.b),
    ):
        data = evaluation_report(filters=filters, group_by=group_by).as_dict()
        assert SECRET not in repr(data)
        for qn in data["questionnaires"]:
            rating = qn["questions"][0]
            points = [s["count"] for s in rating["distribution"] or []]
            assert not points or points[0] == 0  # B's "1" counted nowhere


def test_the_dashboard_api_and_xlsx_leave_it_out_and_say_so(client, feedback_world):
    client.force_login(reader(*ANES))
    page = client.get(
        "/admin/reports/evaluation/?group_by=session", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert SECRET not in page
    assert LEFT_OUT_1 in page
    data = client.get(
        "/api/v1/reports/evaluation", {"group_by": "session"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    [qn] = data["questionnaires"]
    assert (qn["sessions_left_out"], qn["left_out_note"]) == (1, LEFT_OUT_1)
    rating = qn["questions"][0]
    assert [s["count"] for s in rating["distribution"]] == [0, 0, 0, 5, 0]
    assert SECRET not in repr(data)
    response = client.get(
        "/admin/reports/evaluation/export/?group_by=session", HTTP_ACCEPT_LANGUAGE="en"
    )
    book = load_workbook(io.BytesIO(response.content))
    cells = [list(r) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    assert SECRET not in repr(cells)
    questions = [list(r) for r in book.worksheets[2].iter_rows(values_only=True)]
    all_rows = [r for r in questions if r[2] == "Rating" and r[4] == "All"]
    assert [(r[5], r[7], r[9], r[11]) for r in all_rows] == [
        (5, 1, 0, 1),
        (5, 2, 0, 1),
        (5, 3, 0, 1),
        (5, 4, 5, 1),
        (5, 5, 0, 1),
    ]


# --- the named knowledge test by professional category ---


@pytest.fixture
def test_world(db):
    course = CourseFactory(code="DIS-T", title="Dezvăluire T")
    version = questionnaire(course).versions.get()
    session = make_session(start_in=-15, day_count=1, code="DIS-T1", course=course)
    social, psych = _category("asistent social"), _category("psiholog")
    people = [(ProfessionalFactory(category=social), pre, pre + 20) for pre in (40, 50, 60, 70, 80)]
    people.append((ProfessionalFactory(category=psych), 10, 100))
    _tests(session, version, people)
    return SimpleNamespace(social=social, psych=psych)


def test_one_person_category_hides_another_group(test_world):
    w = test_world
    report = evaluation_report(group_by="professional_category")
    t = report.totals.test
    assert (t.n_paired, t.mean_pre, t.mean_post) == (6, Decimal("51.7"), Decimal("83.3"))
    by_key = {g.key: g.test for g in report.groups}
    assert (by_key[w.psych.pk].suppressed, by_key[w.psych.pk].reason) == (True, "small")
    assert (by_key[w.social.pk].suppressed, by_key[w.social.pk].reason) == (
        True,
        "complementary",
    )
    assert by_key[w.social.pk].n_paired == 5  # counts are still shown
    shown = [g.test for g in report.groups if not g.test.suppressed]
    # For every combination of the figures shown, total − shown never is one person's.
    for size in range(len(shown) + 1):
        for combo in itertools.combinations(shown, size):
            rest = t.n_paired - sum(g.n_paired for g in combo)
            assert rest == 0 or rest >= SMALL_COUNT
            if rest:
                for total, field, single in (
                    (t.mean_pre, "mean_pre", 10),
                    (t.mean_post, "mean_post", 100),
                ):
                    worked_out = (
                        total * t.n_paired - sum(getattr(g, field) * g.n_paired for g in combo)
                    ) / rest
                    assert abs(worked_out - single) > 1


def test_with_three_categories_the_next_smallest_goes(db):
    """Social workers 6, psychologists 5, one educator: the educator is small and the
    psychologists (the smallest shown) go with them; the social workers stay."""
    course = CourseFactory(code="DIS-3", title="Trei")
    version = questionnaire(course).versions.get()
    session = make_session(start_in=-15, day_count=1, course=course)
    social, psych, educator = (
        _category("asistent social"),
        _category("psiholog"),
        _category("educator (test)"),
    )
    people = [(ProfessionalFactory(category=social), 60, 80) for _ in range(6)]
    people += [(ProfessionalFactory(category=psych), 50, 70) for _ in range(5)]
    people += [(ProfessionalFactory(category=educator), 10, 100)]
    _tests(session, version, people)
    report = evaluation_report(group_by="professional_category")
    reasons = {g.key: (g.test.reason, g.test.mean_pre) for g in report.groups}
    assert reasons == {
        social.pk: ("", Decimal("60.0")),
        psych.pk: ("complementary", None),
        educator.pk: ("small", None),
    }
    # Total (620 / 12 = 51.7) minus the social workers: 6 persons (43.3), not the educator's 10.
    t = report.totals.test
    assert (t.n_paired, t.mean_pre) == (12, Decimal("51.7"))
    rest = (t.mean_pre * 12 - Decimal(60) * 6) / 6
    assert abs(rest - 10) > 30


def test_ties_hide_the_last_in_display_order():
    rows = [
        SimpleNamespace(label=label, figures=Figures.of(n_pre=n, n_post=n, pairs=pairs))
        for label, n, pairs in (
            ("a", 2, [(Decimal(1), Decimal(2))] * 2),
            ("b", 5, [(Decimal(1), Decimal(2))] * 5),
            ("c", 5, [(Decimal(1), Decimal(2))] * 5),
            ("d", 7, [(Decimal(1), Decimal(2))] * 7),
        )
    ]
    _complementary(rows, lambda r: r.figures.n_paired)
    assert [(r.label, r.figures.reason) for r in rows] == [
        ("a", "small"),
        ("b", ""),
        ("c", "complementary"),
        ("d", ""),
    ]
    assert rows[2].figures.mean_pre is None and rows[1].figures.mean_pre == Decimal("1.0")


def test_api_and_xlsx_carry_the_same_suppression(client, test_world):
    w = test_world
    client.force_login(reader(*ANES))
    data = client.get(
        "/api/v1/reports/evaluation",
        {"group_by": "professional_category"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    tests = {g["key"]: g["test"] for g in data["groups"]}
    for key, reason in ((w.social.pk, "complementary"), (w.psych.pk, "small")):
        t = tests[key]
        assert (t["suppressed"], t["reason"]) == (True, reason)
        assert [t[f] for f in ("mean_pre", "mean_post", "gain", "normalised_gain")] == [None] * 4
        assert t["improved_percent"] is None
    assert data["totals"]["test"]["reason"] is None
    response = client.get(
        "/admin/reports/evaluation/export/?group_by=professional_category",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    groups = [list(r) for r in load_workbook(io.BytesIO(response.content)).worksheets[1].rows]
    groups = [[c.value for c in r] for r in groups]
    header = groups[0]
    by_label = {r[0]: dict(zip(header, r, strict=True)) for r in groups[1:]}
    social = by_label[w.social.name_en or w.social.name]
    psych = by_label[w.psych.name_en or w.psych.name]
    assert social["Mean pre-test score (%)"] == HIDDEN
    assert psych["Mean pre-test score (%)"] == "fewer than 5 responses"
    for row in (social, psych):
        assert (row["Mean post-test score (%)"], row["Gain (percentage points)"]) == (None, None)
        assert row["Paired"] in (1, 5)
    assert by_label["Total"]["Mean pre-test score (%)"] == 51.7


def test_the_dashboard_says_why(client, test_world):
    client.force_login(reader(*ANES))
    page = client.get(
        "/admin/reports/evaluation/?group_by=professional_category", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert page.count('data-reason="complementary"') >= 1
    assert HIDDEN in page
    assert "51.7 → 83.3" in page  # the total is shown
    assert "60.0 → 80.0" not in page  # the social workers' would give the psychologist's


# --- the invariant, for every group_by ---


@pytest.fixture
def mixed_world(db):
    """Course M: M1 (CJ) 4 social workers of CJ + 2 psychologists of BV; M2 (BV) 3 social
    workers of BV, 1 psychologist of CJ, 1 without a category (BV); M3 (CJ) 2 psychologists of
    CJ. Course N: N1 (IS) 3 social workers of IS. Everyone has both tests, all different.
    Feedback (course M): M1 6 answers, M2 5, M3 2 (ratings 1–5, a few comments)."""
    cj, bv, is_ = county("CJ"), county("BV"), county("IS")
    social, psych = _category("asistent social"), _category("psiholog")
    m = CourseFactory(code="MIX-M", title="Mix M")
    n = CourseFactory(code="MIX-N", title="Mix N")
    test_m, test_n = questionnaire(m).versions.get(), questionnaire(n).versions.get()
    feedback = _feedback_version(m)
    m1 = make_session(start_in=-30, day_count=1, code="M1", course=m, county=cj)
    m2 = make_session(start_in=-25, day_count=1, code="M2", course=m, county=bv)
    m3 = make_session(start_in=-20, day_count=1, code="M3", course=m, county=cj)
    n1 = make_session(start_in=-15, day_count=1, code="N1", course=n, county=is_)
    scores = iter(range(5, 100, 3))

    def people(count, county_, category):
        return [
            (ProfessionalFactory(county=county_, category=category), next(scores), 100)
            for _ in range(count)
        ]

    _tests(m1, test_m, people(4, cj, social) + people(2, bv, psych))
    _tests(m2, test_m, people(3, bv, social) + people(1, cj, psych) + people(1, bv, None))
    _tests(m3, test_m, people(2, cj, psych))
    _tests(n1, test_n, people(3, is_, social))
    _feedback(m1, feedback, 6, [{"rating": r, "comment": f"m1-{r}"} for r in (1, 2, 3, 4, 5, 5)])
    _feedback(m2, feedback, 5, [{"rating": r} for r in (2, 2, 3, 4, 4)])
    _feedback(m3, feedback, 2, [{"rating": 5, "comment": "m3"}, {"rating": 1}])


@pytest.mark.parametrize("group_by", list(GROUPS))
def test_hidden_groups_hold_zero_or_five_and_more(mixed_world, group_by):
    report = evaluation_report(group_by=group_by)
    groups = report.groups
    hidden = sum(g.test.n_paired for g in groups if g.test.suppressed)
    assert hidden == 0 or hidden >= SMALL_COUNT, [
        (g.key, g.test.n_paired, g.test.reason) for g in groups
    ]
    assert hidden == report.totals.test.n_paired - sum(
        g.test.n_paired for g in groups if not g.test.suppressed
    )
    assert all(g.test.reason in ("small", "complementary") for g in groups if g.test.suppressed)
    assert all((g.test.reason == "small") == (0 < g.test.n_paired < SMALL_COUNT) for g in groups)
    for qn in report.questionnaires:
        for q in qn.questions:
            # Every figure sums whole sessions of 5 and more answers each.
            assert q.overall.n == 0 or q.overall.n >= SMALL_COUNT
            hidden_q = sum(g.figures.n for g in q.groups if g.figures.suppressed)
            assert hidden_q == 0 or hidden_q >= SMALL_COUNT
            if q.groups:
                assert q.overall.n == sum(g.figures.n for g in q.groups)
            assert "m3" not in repr(q.as_dict())  # M3 (2 answers) is left out


def test_mixed_world_by_session_and_category(mixed_world):
    by_session = evaluation_report(group_by="session")
    assert [(g.key, g.test.n_paired, g.test.reason) for g in by_session.groups] == [
        ("M1", 6, ""),
        ("M2", 5, ""),
        ("M3", 2, "small"),
        ("N1", 3, "small"),
    ]
    by_course = evaluation_report(group_by="course")
    assert [(g.key, g.test.n_paired, g.test.reason) for g in by_course.groups] == [
        ("MIX-M", 13, "complementary"),
        ("MIX-N", 3, "small"),
    ]
    by_category = evaluation_report(group_by="professional_category")
    assert sorted((g.test.n_paired, g.test.reason) for g in by_category.groups) == [
        (1, "small"),
        (5, "complementary"),  # psychologists (2 + 1 + 2): the smallest shown
        (10, ""),
    ]
    # Feedback: M3's 2 answers are left out; M1 and M2 give 11.
    [qn] = by_session.questionnaires
    rating = qn.questions[0]
    assert (rating.overall.n, qn.sessions_left_out) == (11, 1)
    assert [(g.key, g.figures.n) for g in rating.groups] == [("M1", 6), ("M2", 5)]
