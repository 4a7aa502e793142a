"""The evaluation report service (reports.evaluation.evaluation_report), against a world
counted by hand (`EvalWorld`, shared with the dashboard, export and API tests).

Courses A ("EV-A") and B ("EV-B"). Sessions:

| session | course | county | forms                        | enrolments (confirmed)                |
|---------|--------|--------|------------------------------|---------------------------------------|
| S1      | A      | CJ     | pre, post, feedback (v2)     | 6 social workers of Cluj (P1–P5, P6)  |
| S2      | B      | BV     | pre, post, follow-up (v1)    | 4 psychologists of Brașov (R1–R4)     |
| S4      | A      | BV     | feedback (v3)                | 5 persons of Brașov, no category      |
| SX      | A      | CJ     | pre, post — cancelled        | 1 person with both tests              |
| S3      | A      | CJ     | none                         | 2 persons (not counted: no forms)     |

S1 also has a cancelled registration with a pre-test 0 and post-test 100 (not counted).

Tests (score %): P1–P5 pre 40, 50, 60, 70, 80 and post 60, 70, 80, 90, 100; P6 answered
nothing. R1–R4 pre 50 each, post 75, 50, 100, 25.

- Course A: 2 sessions; pre 5/6 (83.3 %), post 5/6 (83.3 %), feedback 10/11 (90.9 %);
  paired 5: mean pre 60.0, mean post 80.0, gain 20.0, g = 20/40 = 0.50, improved 5/5 = 100.0
  — shown alone (filtered by course A); next to course B it is hidden as well
  (complementary: the total minus A would give B's 4).
- Course B: 1 session; pre 4/4, post 4/4, follow-up 4/4 (100.0 %); paired 4: suppressed.
- Total: 3 sessions; pre 9/10 (90.0), post 9/10 (90.0), feedback 10/11 (90.9), follow-up 4/4;
  paired 9: pre 500/9 = 55.6, post 650/9 = 72.2, gain 150/9 = 16.7, g = 150/(900−500) = 0.375
  → 0.38, improved 7/9 = 77.8 (R1 and R3 improved, R2 equal, R4 worse).

Feedback questionnaire of course A: three questions with ids "useful" (rating, agreement),
"pace" (single choice: slow / right / fast) and "comments" (free text). v2 (S1) asks "Useful?",
v3 (S4, the newest) "Was it useful?". Anonymous answers:

- S1: useful 5, 4, 4, 3, 5; pace right, right, right, fast, slow; comments "Very good",
  "apples", "Better coffee", "more practice", "Clear".
- S4: useful 1, 2, 2, 5, 5; pace right, right, fast, fast, fast; comments "zebra", "Alpha"
  (three left it empty).

All: useful n 10, mean 36/10 = 3.60, points 1..5: 1 (10.0), 2 (20.0), 1 (10.0), 2 (20.0),
4 (40.0); pace n 10: slow 1 (10.0), right 5 (50.0), fast 4 (40.0); comments n 7, sorted:
Alpha, apples, Better coffee, Clear, more practice, Very good, zebra.
By session county: CJ (S1) useful mean 21/5 = 4.20; BV (S4) 15/5 = 3.00.

Session floor: S4 has only 2 comments, so its comments are left out everywhere (1 session
left out of "comments"): comments n 5, sorted: apples, Better coffee, Clear, more practice,
Very good (S1's), and no BV group for them.

Follow-up questionnaire of course B (S2): "satisfied" (rating, satisfaction) 5, 5, 4, 1 and
"notes" ("ok" ×4): 4 responses to the form, so S2 is left out of it: n 0, 1 session left out.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from evaluation.models import Invitation, Questionnaire, QuestionnaireVersion, Response, SessionForm
from reports.evaluation import EvaluationFilters, evaluation_report
from reports.selectors import ReportScope
from sessions.models import Enrolment, TrainingSession
from tests.factories.evaluation import questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProfessionalFactory, county
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


P = SessionForm.Purpose


def _likert(qid, text, scale="agreement"):
    return {"id": qid, "type": "likert", "text": text, "required": True, "scale": scale}


def _single(qid, text, options):
    return {
        "id": qid,
        "type": "single",
        "text": text,
        "required": True,
        "options": [{"id": oid, "label": label, "correct": False} for oid, label in options],
        "points": "1.00",
    }


def _text(qid, text):
    return {"id": qid, "type": "text", "text": text, "required": False}


PACE = [("slow", "Too slow"), ("right", "Just right"), ("fast", "Too fast")]


class EvalWorld:
    def __init__(self):
        self.cj, self.bv = county("CJ"), county("BV")
        self.social = ProfessionalCategory.objects.get(name="asistent social")
        self.psych = ProfessionalCategory.objects.get(name="psiholog")
        self.course_a = CourseFactory(code="EV-A", title="Evaluare A")
        self.course_b = CourseFactory(code="EV-B", title="Evaluare B")
        test_a = questionnaire(self.course_a).versions.get()
        test_b = questionnaire(self.course_b).versions.get()
        feedback = questionnaire(
            self.course_a, kind=Questionnaire.Kind.FEEDBACK, anonymous=True, title="Feedback A"
        )
        self.feedback = feedback
        v2 = self._version(
            feedback,
            2,
            [
                _likert("useful", "Useful?"),
                _single("pace", "The pace", PACE),
                _text("comments", "Comments"),
            ],
        )
        v3 = self._version(
            feedback,
            3,
            [
                _likert("useful", "Was it useful?"),
                _single("pace", "The pace", PACE),
                _text("comments", "Comments"),
            ],
        )
        follow = questionnaire(
            self.course_b, kind=Questionnaire.Kind.FOLLOW_UP, anonymous=True, title="Follow-up B"
        )
        fv = self._version(
            follow,
            2,
            [_likert("satisfied", "Satisfied?", "satisfaction"), _text("notes", "Notes")],
        )

        self.s1 = make_session(
            start_in=-40, day_count=1, code="S1", course=self.course_a, county=self.cj
        )
        self.s2 = make_session(
            start_in=-30, day_count=1, code="S2", course=self.course_b, county=self.bv
        )
        self.s4 = make_session(
            start_in=-20, day_count=1, code="S4", course=self.course_a, county=self.bv
        )
        self.sx = make_session(
            start_in=-35,
            day_count=1,
            code="SX",
            course=self.course_a,
            county=self.cj,
            status=TrainingSession.Status.CANCELLED,
        )
        self.s3 = make_session(
            start_in=-25, day_count=1, code="S3", course=self.course_a, county=self.cj
        )

        s1 = {
            p: self._form(self.s1, p, v) for p, v in ((P.PRE_TEST, test_a), (P.POST_TEST, test_a))
        }
        s1[P.FEEDBACK] = self._form(self.s1, P.FEEDBACK, v2)
        s2 = {p: self._form(self.s2, p, test_b) for p in (P.PRE_TEST, P.POST_TEST)}
        s2[P.FOLLOW_UP] = self._form(self.s2, P.FOLLOW_UP, fv)
        s4_feedback = self._form(self.s4, P.FEEDBACK, v3)
        sx = {p: self._form(self.sx, p, test_a) for p in (P.PRE_TEST, P.POST_TEST)}

        # S1: P1–P5 with both tests, P6 nothing; all answered the feedback but P6.
        s1_people = [self._person(self.cj, self.social) for _ in range(6)]
        s1_enrolments = [self._enrol(self.s1, p) for p in s1_people]
        for e, pre, post in zip(
            s1_enrolments, (40, 50, 60, 70, 80), (60, 70, 80, 90, 100), strict=False
        ):
            self._tests(s1, e, pre, post)
            self._invited(s1[P.FEEDBACK], e, True)
        self._invited(s1[P.PRE_TEST], s1_enrolments[5], False)
        self._invited(s1[P.FEEDBACK], s1_enrolments[5], False)
        gone = self._enrol(self.s1, self._person(self.cj, self.social), Enrolment.Status.CANCELLED)
        self._tests(s1, gone, 0, 100)
        self._anonymous(
            s1[P.FEEDBACK],
            [
                {"useful": 5, "pace": "right", "comments": "Very good"},
                {"useful": 4, "pace": "right", "comments": "apples"},
                {"useful": 4, "pace": "right", "comments": "Better coffee"},
                {"useful": 3, "pace": "fast", "comments": "more practice"},
                {"useful": 5, "pace": "slow", "comments": "Clear"},
            ],
        )

        # S2: 4 psychologists of Brașov.
        for pre, post in ((50, 75), (50, 50), (50, 100), (50, 25)):
            e = self._enrol(self.s2, self._person(self.bv, self.psych))
            self._tests(s2, e, pre, post)
            self._invited(s2[P.FOLLOW_UP], e, True)
        self._anonymous(
            s2[P.FOLLOW_UP],
            [{"satisfied": v, "notes": "ok"} for v in (5, 5, 4, 1)],
        )

        # S4: 5 persons of Brașov without a category, feedback only.
        for _ in range(5):
            e = self._enrol(self.s4, self._person(self.bv, None))
            self._invited(s4_feedback, e, True)
        self._anonymous(
            s4_feedback,
            [
                {"useful": 1, "pace": "right", "comments": "zebra"},
                {"useful": 2, "pace": "right"},
                {"useful": 2, "pace": "fast", "comments": "Alpha"},
                {"useful": 5, "pace": "fast"},
                {"useful": 5, "pace": "fast"},
            ],
        )

        # SX (cancelled) and S3 (no forms): not counted.
        e = self._enrol(self.sx, self._person(self.cj, self.social))
        self._tests(sx, e, 10, 90)
        for _ in range(2):
            self._enrol(self.s3, self._person(self.cj, self.social))

    # --- helpers ---

    @staticmethod
    def _version(questionnaire_, number, questions):
        return QuestionnaireVersion.objects.create(
            questionnaire=questionnaire_,
            number=number,
            title=questionnaire_.title,
            questions=questions,
            anonymous=questionnaire_.anonymous,
            max_score=Decimal("0"),
        )

    @staticmethod
    def _form(session, purpose, version):
        return SessionForm.objects.create(
            training_session=session, purpose=purpose, version=version
        )

    @staticmethod
    def _person(county_, category):
        return ProfessionalFactory(county=county_, category=category)

    @staticmethod
    def _enrol(session, person, status=Enrolment.Status.CONFIRMED):
        return Enrolment.objects.create(
            training_session=session, professional=person, status=status, source="staff"
        )

    @staticmethod
    def _invited(form, enrolment, submitted):
        Invitation.objects.update_or_create(
            session_form=form, enrolment=enrolment, defaults={"submitted": submitted}
        )

    def _tests(self, forms, enrolment, pre, post):
        for purpose, score in ((P.PRE_TEST, pre), (P.POST_TEST, post)):
            form = forms[purpose]
            self._invited(form, enrolment, True)
            Response.objects.create(
                session_form=form,
                version=form.version,
                enrolment=enrolment,
                submitted_at=timezone.now(),
                answers={},
                score=Decimal(score),
                max_score=Decimal(100),
                score_percent=Decimal(score),
            )

    @staticmethod
    def _anonymous(form, answers):
        for a in answers:
            Response.objects.create(session_form=form, version=form.version, answers=a)


@pytest.fixture
def eval_world(db) -> EvalWorld:
    return EvalWorld()


def D(text):
    return Decimal(text)


def rates(row) -> dict:
    return {p: (f.answered, f.expected, f.rate) for p, f in row.forms.items()}


def test_by_course(eval_world):
    report = evaluation_report(group_by="course")
    assert [g.key for g in report.groups] == ["EV-A", "EV-B"]
    a, b = report.groups
    assert a.label == "EV-A – Evaluare A"
    assert a.sessions == 2
    assert rates(a) == {
        "pre_test": (5, 6, D("83.3")),
        "post_test": (5, 6, D("83.3")),
        "feedback": (10, 11, D("90.9")),
    }
    t = a.test
    assert (t.n_pre, t.n_post, t.n_paired) == (5, 5, 5)
    # Shown next to the total, A's scores would give B's 4 (total − A): hidden as well.
    assert (t.suppressed, t.reason) == (True, "complementary")
    assert (t.mean_pre, t.mean_post, t.gain, t.normalised_gain, t.improved) == (None,) * 5
    # Course A alone: its scores are shown.
    [alone] = evaluation_report(
        filters=EvaluationFilters(course=eval_world.course_a), group_by="course"
    ).groups
    t = alone.test
    assert (t.mean_pre, t.mean_post, t.gain) == (D("60.0"), D("80.0"), D("20.0"))
    assert t.normalised_gain == D("0.50")
    assert t.improved == D("100.0")
    assert (t.suppressed, t.reason) == (False, "")

    assert b.sessions == 1
    assert rates(b) == {
        "pre_test": (4, 4, D("100.0")),
        "post_test": (4, 4, D("100.0")),
        "follow_up": (4, 4, D("100.0")),
    }
    assert b.test.n_paired == 4
    assert (b.test.suppressed, b.test.reason) == (True, "small")
    assert (b.test.mean_pre, b.test.mean_post, b.test.gain) == (None, None, None)
    assert (b.test.normalised_gain, b.test.improved) == (None, None)


def test_totals(eval_world):
    totals = evaluation_report().totals
    assert totals.sessions == 3
    assert rates(totals) == {
        "pre_test": (9, 10, D("90.0")),
        "post_test": (9, 10, D("90.0")),
        "feedback": (10, 11, D("90.9")),
        "follow_up": (4, 4, D("100.0")),
    }
    t = totals.test
    assert (t.n_pre, t.n_post, t.n_paired) == (9, 9, 9)
    assert (t.mean_pre, t.mean_post, t.gain) == (D("55.6"), D("72.2"), D("16.7"))
    assert t.normalised_gain == D("0.38")
    assert t.improved == D("77.8")


def test_by_professional_category(eval_world):
    w = eval_world
    report = evaluation_report(group_by="professional_category")
    by_key = {g.key: g for g in report.groups}
    assert set(by_key) == {w.social.pk, w.psych.pk, None}
    assert report.groups[-1].key is None  # "not stated" last
    social = by_key[w.social.pk]
    # 5 social workers next to 4 psychologists: hidden too, or the total gives the 4's.
    assert (social.test.suppressed, social.test.reason) == (True, "complementary")
    assert (social.test.mean_pre, social.test.mean_post) == (None, None)
    assert by_key[w.psych.pk].test.reason == "small"
    assert rates(by_key[None]) == {"feedback": (5, 5, D("100.0"))}
    assert by_key[None].test.n_paired == 0
    assert by_key[None].test.suppressed is False
    # Questions are not split by a person's field.
    assert report.question_split == ""
    assert report.questions_by_person_note is True
    assert all(q.groups == [] for qn in report.questionnaires for q in qn.questions)


def test_by_person_county(eval_world):
    report = evaluation_report(group_by="person_county")
    by_key = {g.key: g for g in report.groups}
    assert set(by_key) == {"BV", "CJ"}
    assert by_key["BV"].sessions == 2
    assert rates(by_key["BV"]) == {
        "pre_test": (4, 4, D("100.0")),
        "post_test": (4, 4, D("100.0")),
        "follow_up": (4, 4, D("100.0")),
        "feedback": (5, 5, D("100.0")),
    }
    assert by_key["BV"].test.suppressed is True
    assert by_key["CJ"].test.reason == "complementary"  # else total − CJ = Brașov's 4
    assert by_key["CJ"].test.mean_post is None


def test_coordinator_counts_their_county(eval_world):
    w = eval_world
    report = evaluation_report(scope=ReportScope(frozenset({w.cj.pk})))
    assert [g.key for g in report.groups] == ["EV-A"]
    totals = report.totals
    assert totals.sessions == 1
    assert rates(totals) == {
        "pre_test": (5, 6, D("83.3")),
        "post_test": (5, 6, D("83.3")),
        "feedback": (5, 6, D("83.3")),
    }
    assert totals.test.mean_pre == D("60.0")
    # Questions: the sessions held in Cluj only (S1's answers).
    [qn] = report.questionnaires
    assert qn.responses == 5
    useful = qn.questions[0]
    assert (useful.overall.n, useful.overall.mean) == (5, D("4.20"))


def test_filters(eval_world):
    w = eval_world
    report = evaluation_report(filters=EvaluationFilters(session=w.s2))
    assert [g.key for g in report.groups] == ["EV-B"]
    report = evaluation_report(filters=EvaluationFilters(person_county=w.cj))
    assert report.totals.test.n_paired == 5
    # The person's filters do not reach the (anonymous) answers to questions.
    assert report.questionnaires[0].responses == 10
    assert report.questions_by_person_note is True
    day = timezone.localdate() - datetime.timedelta(days=32)
    report = evaluation_report(filters=EvaluationFilters(date_from=day))
    assert [g.key for g in report.groups] == ["EV-A", "EV-B"]
    assert report.groups[0].sessions == 1  # S4 only; S1 began 40 days ago
    assert report.groups[0].test.n_paired == 0


def test_rating_question_across_versions(eval_world):
    report = evaluation_report()
    [a, b] = report.questionnaires
    assert (a.course_code, a.kind, a.title, a.responses) == ("EV-A", "feedback", "Feedback A", 10)
    assert [q.question_id for q in a.questions] == ["useful", "pace", "comments"]
    useful = a.questions[0]
    assert useful.text == "Was it useful?"  # the newest version's
    assert (useful.overall.n, useful.overall.mean) == (10, D("3.60"))
    assert [(s.value, s.count, s.percent) for s in useful.overall.distribution] == [
        (1, 1, D("10.0")),
        (2, 2, D("20.0")),
        (3, 1, D("10.0")),
        (4, 2, D("20.0")),
        (5, 4, D("40.0")),
    ]
    assert [s.label for s in useful.overall.distribution] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]


def test_choice_and_free_text(eval_world):
    a = evaluation_report().questionnaires[0]
    pace, comments = a.questions[1], a.questions[2]
    assert [(s.label, s.count, s.percent) for s in pace.overall.distribution] == [
        ("Too slow", 1, D("10.0")),
        ("Just right", 5, D("50.0")),
        ("Too fast", 4, D("40.0")),
    ]
    # S4's 2 comments are left out (session floor): S1's 5 only.
    assert (comments.overall.n, comments.sessions_left_out) == (5, 1)
    assert comments.overall.texts == [
        "apples",
        "Better coffee",
        "Clear",
        "more practice",
        "Very good",
    ]
    assert (pace.sessions_left_out, a.sessions_left_out) == (0, 0)


def test_small_question_groups_are_withheld(eval_world):
    b = evaluation_report().questionnaires[1]
    assert (b.course_code, b.kind, b.responses) == ("EV-B", "follow_up", 4)
    # S2 has 4 responses: left out of the form's statistics (session floor).
    assert b.sessions_left_out == 1
    assert (
        b.left_out_note
        == "1 session with fewer than 5 answers is left out of the answer statistics."
    )
    satisfied, notes = b.questions
    assert (satisfied.overall.n, satisfied.sessions_left_out) == (0, 1)
    assert (satisfied.overall.mean, satisfied.overall.distribution) == (None, None)
    assert (notes.overall.n, notes.overall.texts) == (0, None)


def test_questions_split_by_session_county(eval_world):
    report = evaluation_report(group_by="session_county")
    assert report.question_split == "session_county"
    assert report.questions_by_person_note is False
    useful, _pace, comments = report.questionnaires[0].questions
    assert [(g.key, g.figures.n, g.figures.mean) for g in useful.groups] == [
        ("BV", 5, D("3.00")),
        ("CJ", 5, D("4.20")),
    ]
    assert [s.count for s in useful.groups[0].figures.distribution] == [1, 2, 0, 0, 2]
    # S4 (BV) has 2 comments: left out, so no BV group (and not in the total either).
    [cj] = comments.groups
    assert cj.key == "CJ"
    assert cj.figures.texts == ["apples", "Better coffee", "Clear", "more practice", "Very good"]
    assert comments.overall.texts == cj.figures.texts


def test_normalised_gain_is_none_when_everyone_starts_at_100(db):
    from reports.evaluation import TestFigures

    figures = TestFigures.of(n_pre=5, n_post=5, pairs=[(D("100"), D("100"))] * 5)
    assert (figures.mean_pre, figures.gain, figures.normalised_gain) == (
        D("100.0"),
        D("0.0"),
        None,
    )
    assert figures.improved == D("0.0")


def test_no_ids_or_times_in_the_report(eval_world):
    data = evaluation_report(group_by="session").as_dict()
    text = repr(data)
    for response in Response.objects.all():
        assert str(response.pk) not in text
    for key in ("enrolment", "submitted_at", "response_id", "person"):
        assert key not in text


def test_fixed_number_of_queries(eval_world):
    w = eval_world
    with CaptureQueriesContext(connection) as before:
        evaluation_report(group_by="session")
    more = make_session(start_in=-10, day_count=1, course=w.course_a, county=w.cj)
    form = SessionForm.objects.create(
        training_session=more, purpose=P.FEEDBACK, version=w.feedback.versions.get(number=3)
    )
    for _ in range(6):
        e = Enrolment.objects.create(
            training_session=more,
            professional=ProfessionalFactory(county=w.cj),
            status="confirmed",
            source="staff",
        )
        Invitation.objects.create(session_form=form, enrolment=e, submitted=True)
        Response.objects.create(session_form=form, version=form.version, answers={"useful": 4})
    with CaptureQueriesContext(connection) as after:
        report = evaluation_report(group_by="session")
    assert len(before.captured_queries) == len(after.captured_queries) == 5
    assert report.totals.sessions == 4
