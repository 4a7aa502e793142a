"""The evaluation report: response rates, the knowledge test's learning gain and the answers to
the feedback and follow-up forms. The one report service the dashboard, the XLSX export and the
API read.

Definitions (the dashboard's help text says the same):

- Sessions counted: not cancelled, with at least one evaluation form (SessionForm), and at
  least one confirmed participant within the reader's scope and the filters.
- Response rate, per group and per form: expected = the confirmed enrolments of the sessions
  that run that form; answered = those of their invitations that were answered; rate =
  answered / expected, in %.
- Knowledge test: paired = the confirmed enrolments with a named pre-test and a named post-test
  response (both scored). Over the paired: mean pre-test and mean post-test score (% of the
  maximum, 1 decimal); gain = mean post − mean pre (percentage points); normalised gain
  g = (mean post − mean pre) / (100 − mean pre) (Hake's class-average gain, 2 decimals; none
  when the mean pre-test score is 100); improved = the share of the paired whose post-test
  score is higher than their pre-test score (%, the "improved knowledge" measure of the Norway
  Grants). n_pre and n_post count all scored named responses, for information.
- Small groups: a figure derived from answers (means, gain, g, improved share, distributions,
  option counts, free text) of a group with fewer than SMALL_COUNT (5) responses (paired ones,
  for the test; answers to that question, for a question) is not shown: None, with
  `suppressed` true and `reason` "small". Counts of answers and response rates are shown.
- Complementary suppression: the total is shown, so the hidden groups could be worked out as
  the total minus the groups shown. In every group table (the knowledge test's groups, by
  paired; a question's groups, by answers), when the groups hidden as small hold fewer than 5
  together, the smallest group(s) shown are hidden as well (ties: the last in display order)
  until the hidden ones hold 5 or more together, or all are hidden: `reason` "complementary".
  So the total minus the groups shown always covers 0 or 5 and more persons. (It protects
  one report's table; the knowledge test is named, and two reports with different person
  filters are not made consistent with each other.)
- Session floor (answers to questions, which may be anonymous): a session whose form has fewer
  than 5 responses contributes nothing to that form's answer statistics, and a session with 1
  to 4 answers to a question contributes nothing to that question's — not to the total, to any
  group, nor to the free text. It still counts in the response rates; `sessions_left_out`
  counts such sessions (per questionnaire: fewer than 5 responses; per question: also fewer
  than 5 answers to it). As answers are filtered by whole sessions only (project, course,
  session, period, session county, the reader's counties), every answer figure sums whole
  sessions of 5 or more answers each: no difference of two reports isolates fewer than 5
  people.
- Questions (feedback and follow-up forms) are grouped by course, questionnaire and question
  id (stable across versions; the text is the newest version's that has it). Ratings: n,
  mean (2 decimals), the counts and % of each point 1–5 with the scale's labels; choices: the
  count of each option (% of those who answered the question); free text: the answers sorted
  alphabetically, only from 5 answers on (and under a split, only for the groups shown);
  n counts the answers in the statistics (after the session floor). They can be split by
  session, course (the questionnaire is the course's already) or session county only:
  anonymous answers carry no person, so the person's fields neither split nor filter them.
- Scope: a county coordinator counts responses and test results of the people of their county
  (the person's county), and the answers to questions of the sessions held in their county
  (the session's county).
- The period is the session's first day.

Nothing here carries an enrolment, person or response id, nor a response time: the enrolment
id is read to pair a person's two tests and dropped at once; the session form's id, to apply
the session floor, likewise.

Five queries whatever the number of sessions and responses."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from evaluation.blocks import SCALE_POINTS, SCALES
from evaluation.models import (
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SessionForm,
)
from reports.selectors import ALL, SMALL_COUNT, ReportScope
from sessions.models import Enrolment, TrainingSession

PURPOSES = tuple(SessionForm.Purpose.values)
TEST_PURPOSES = (SessionForm.Purpose.PRE_TEST, SessionForm.Purpose.POST_TEST)
QUESTION_PURPOSES = (SessionForm.Purpose.FEEDBACK, SessionForm.Purpose.FOLLOW_UP)

ONE = Decimal("0.1")
TWO = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class EvaluationGroup:
    """A field the report groups by: its key column and label columns (paths from the
    session form's session, or from the enrolment), and whether it is the session's."""

    name: str
    verbose_name: str
    key: str
    labels: tuple[str, ...] = ()
    of_session: bool = True


GROUPS: dict[str, EvaluationGroup] = {
    g.name: g
    for g in (
        EvaluationGroup("session", gettext_lazy("session"), "training_session__code"),
        EvaluationGroup(
            "course",
            gettext_lazy("course"),
            "training_session__course__code",
            ("training_session__course__title",),
        ),
        EvaluationGroup(
            "professional_category",
            gettext_lazy("professional category"),
            "professional__category_id",
            ("professional__category__name", "professional__category__name_en"),
            of_session=False,
        ),
        EvaluationGroup(
            "person_county",
            gettext_lazy("person's county"),
            "professional__county__code",
            ("professional__county__name",),
            of_session=False,
        ),
        EvaluationGroup(
            "session_county",
            gettext_lazy("session county"),
            "training_session__county__code",
            ("training_session__county__name",),
        ),
    )
}
DEFAULT_GROUP = "course"


@dataclass(frozen=True)
class EvaluationFilters:
    """Model instances (the form looks them up from codes); None for no filter."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    project: object = None
    course: object = None
    session: object = None
    session_county: object = None
    person_county: object = None
    professional_category: object = None

    @property
    def by_person(self) -> bool:
        return self.person_county is not None or self.professional_category is not None

    def as_dict(self) -> dict:
        out = {}
        for name, value in (
            ("from", self.date_from.isoformat() if self.date_from else None),
            ("to", self.date_to.isoformat() if self.date_to else None),
            ("project", getattr(self.project, "acronym", None)),
            ("course", getattr(self.course, "code", None)),
            ("session", getattr(self.session, "code", None)),
            ("session_county", getattr(self.session_county, "code", None)),
            ("person_county", getattr(self.person_county, "code", None)),
            ("professional_category", getattr(self.professional_category, "pk", None)),
        ):
            if value is not None:
                out[name] = value
        return out

    def described(self) -> list[tuple[str, str]]:
        rows = []
        if self.date_from or self.date_to:
            start = (
                formats.date_format(self.date_from, "SHORT_DATE_FORMAT") if self.date_from else "…"
            )
            end = formats.date_format(self.date_to, "SHORT_DATE_FORMAT") if self.date_to else "…"
            rows.append((_("period (first day of the session)"), f"{start} – {end}"))
        for label, value in (
            (_("project"), self.project),
            (_("course"), _course_label(self.course) if self.course else None),
            (_("session"), getattr(self.session, "code", None)),
            (_("session county"), self.session_county),
            (_("person's county"), self.person_county),
            (_("professional category"), self.professional_category),
        ):
            if value:
                rows.append((label, str(value)))
        return rows


def _course_label(course) -> str:
    title = course.title or ""
    return title if title.startswith(course.code) else f"{course.code} – {title}"


# --- figures ---


def _round(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return _round(Decimal(part) * HUNDRED / Decimal(whole), ONE)


def _hidden(n: int) -> bool:
    """Whether figures drawn from `n` answers are withheld (1 to SMALL_COUNT - 1)."""
    return 0 < n < SMALL_COUNT


SMALL = "small"
COMPLEMENTARY = "complementary"


def withheld_text(reason: str) -> str:
    """What a reader is told in place of a withheld figure."""
    if reason == COMPLEMENTARY:
        return _("Hidden so that a small group cannot be worked out from the total.")
    return _("fewer than %(n)s responses") % {"n": SMALL_COUNT}


def _complementary(items: list, count) -> None:
    """Complementary suppression over `items` (in display order; each with `.figures`, whose
    `count(item)` answers or paired they are drawn from): when the groups hidden as small hold
    1 to SMALL_COUNT - 1 together, hide the smallest shown groups (ties: the last in display
    order) until the hidden ones hold SMALL_COUNT or more together, or all are hidden."""
    hidden = sum(count(i) for i in items if i.figures.suppressed)
    shown = sorted(
        (
            (count(item), -position, item)
            for position, item in enumerate(items)
            if not item.figures.suppressed and count(item) > 0
        ),
        key=lambda t: (t[0], t[1]),
    )
    for n, _position, item in shown:
        if not 0 < hidden < SMALL_COUNT:
            break
        item.figures.withhold(COMPLEMENTARY)
        hidden += n


@dataclass
class FormRate:
    purpose: str
    expected: int = 0
    answered: int = 0

    @property
    def label(self) -> str:
        return str(SessionForm.Purpose(self.purpose).label)

    @property
    def rate(self) -> Decimal | None:
        return _percent(self.answered, self.expected)

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "answered": self.answered,
            "rate": _float(self.rate),
        }


@dataclass
class TestFigures:
    n_pre: int = 0
    n_post: int = 0
    n_paired: int = 0
    mean_pre: Decimal | None = None
    mean_post: Decimal | None = None
    gain: Decimal | None = None
    normalised_gain: Decimal | None = None
    improved: Decimal | None = None  # % of the paired
    suppressed: bool = False
    reason: str = ""  # why withheld: SMALL or COMPLEMENTARY

    @property
    def withheld_text(self) -> str:
        return withheld_text(self.reason)

    def withhold(self, reason: str) -> None:
        self.mean_pre = self.mean_post = self.gain = self.normalised_gain = None
        self.improved = None
        self.suppressed, self.reason = True, reason

    @classmethod
    def of(cls, *, n_pre: int, n_post: int, pairs: list[tuple[Decimal, Decimal]]) -> TestFigures:
        n = len(pairs)
        out = cls(n_pre=n_pre, n_post=n_post, n_paired=n)
        if _hidden(n):
            out.withhold(SMALL)
        if n < SMALL_COUNT:
            return out
        # From the sums, so that each figure is rounded once, from its exact value.
        total_pre = sum((p for p, _q in pairs), Decimal(0))
        total_post = sum((q for _p, q in pairs), Decimal(0))
        out.mean_pre, out.mean_post = _round(total_pre / n, ONE), _round(total_post / n, ONE)
        out.gain = _round((total_post - total_pre) / n, ONE)
        if total_pre != HUNDRED * n:
            out.normalised_gain = _round((total_post - total_pre) / (HUNDRED * n - total_pre), TWO)
        out.improved = _percent(sum(1 for p, q in pairs if q > p), n)
        return out

    def as_dict(self) -> dict:
        return {
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "n_paired": self.n_paired,
            "mean_pre": _float(self.mean_pre),
            "mean_post": _float(self.mean_post),
            "gain": _float(self.gain),
            "normalised_gain": _float(self.normalised_gain),
            "improved_percent": _float(self.improved),
            "suppressed": self.suppressed,
            "reason": self.reason or None,
        }


@dataclass
class GroupRow:
    key: object
    label: str
    sessions: int = 0
    forms: dict[str, FormRate] = field(default_factory=dict)
    test: TestFigures = field(default_factory=TestFigures)

    @property
    def figures(self) -> TestFigures:
        return self.test

    def form_list(self) -> list[FormRate]:
        return [self.forms.get(p) or FormRate(p) for p in PURPOSES]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "sessions": self.sessions,
            "forms": {p: (self.forms.get(p) or FormRate(p)).as_dict() for p in PURPOSES},
            "test": self.test.as_dict(),
        }


@dataclass
class Share:
    """One point of a scale, or one option: its answers and their share of the question's."""

    value: object
    label: str
    count: int
    percent: Decimal | None

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "label": self.label,
            "count": self.count,
            "percent": _float(self.percent),
        }


@dataclass
class QuestionFigures:
    n: int = 0
    suppressed: bool = False
    mean: Decimal | None = None  # ratings
    distribution: list[Share] | None = None  # ratings: points 1..5; choices: options
    texts: list[str] | None = None  # free text
    reason: str = ""  # why withheld: SMALL or COMPLEMENTARY

    @property
    def withheld_text(self) -> str:
        return withheld_text(self.reason)

    def withhold(self, reason: str) -> None:
        self.mean = self.distribution = self.texts = None
        self.suppressed, self.reason = True, reason

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "suppressed": self.suppressed,
            "reason": self.reason or None,
            "mean": _float(self.mean),
            "distribution": None
            if self.distribution is None
            else [s.as_dict() for s in self.distribution],
            "texts": self.texts,
        }


@dataclass
class QuestionGroup:
    key: object
    label: str
    figures: QuestionFigures

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.figures.as_dict()}


@dataclass
class QuestionStats:
    question_id: str
    type: str  # likert | single | multiple | text
    text: str
    scale: str = ""
    overall: QuestionFigures = field(default_factory=QuestionFigures)
    groups: list[QuestionGroup] = field(default_factory=list)
    # Sessions whose answers to this question are left out (session floor).
    sessions_left_out: int = 0

    @property
    def left_out_note(self) -> str | None:
        return _left_out_note(self.sessions_left_out)

    @property
    def distribution_rows(self) -> list[tuple[Share, list[tuple[QuestionGroup, Share | None]]]]:
        """Each point or option: its share overall and in each group (None where the group's
        figures are withheld or it has no answer)."""
        if self.overall.distribution is None:
            return []
        return [
            (
                share,
                [
                    (g, None if g.figures.distribution is None else g.figures.distribution[i])
                    for g in self.groups
                ],
            )
            for i, share in enumerate(self.overall.distribution)
        ]

    def as_dict(self) -> dict:
        return {
            "question_id": self.question_id,
            "type": self.type,
            "text": self.text,
            "scale": self.scale or None,
            **self.overall.as_dict(),
            "sessions_left_out": self.sessions_left_out,
            "groups": [g.as_dict() for g in self.groups],
        }


@dataclass
class QuestionnaireStats:
    course_code: str
    course_label: str
    kind: str
    title: str
    responses: int
    questions: list[QuestionStats]
    # Sessions with fewer than SMALL_COUNT responses to the form: out of all its statistics.
    sessions_left_out: int = 0

    @property
    def left_out_note(self) -> str | None:
        return _left_out_note(self.sessions_left_out)

    @property
    def kind_label(self) -> str:
        return str(Questionnaire.Kind(self.kind).label)

    def as_dict(self) -> dict:
        return {
            "course": self.course_code,
            "course_label": self.course_label,
            "kind": self.kind,
            "title": self.title,
            "responses": self.responses,
            "sessions_left_out": self.sessions_left_out,
            "left_out_note": self.left_out_note,
            "questions": [q.as_dict() for q in self.questions],
        }


@dataclass
class EvaluationReport:
    filters: EvaluationFilters
    scope: ReportScope
    group_by: str
    totals: GroupRow
    groups: list[GroupRow]
    questionnaires: list[QuestionnaireStats]
    # The field the questions are split by (session or session_county), or "" for none.
    question_split: str = ""

    @property
    def group(self) -> EvaluationGroup:
        return GROUPS[self.group_by]

    @property
    def questions_by_person_note(self) -> bool:
        """Whether the reader asked for a person's field the answers to questions lack."""
        return not self.group.of_session or self.filters.by_person

    def as_dict(self) -> dict:
        return {
            "filters": self.filters.as_dict(),
            "group_by": self.group_by,
            "small_count": SMALL_COUNT,
            "totals": self.totals.as_dict(),
            "groups": [g.as_dict() for g in self.groups],
            "questions_split_by": self.question_split or None,
            "questions_note": _questions_note(self) if self.questions_by_person_note else None,
            "questionnaires": [q.as_dict() for q in self.questionnaires],
        }


def _questions_note(report: EvaluationReport) -> str:
    return _(
        "Answers to the feedback and follow-up questions may be anonymous and carry no person: "
        "they are shown for all participants of the sessions selected, whatever the person's "
        "county or professional category."
    )


def _left_out_note(n: int) -> str | None:
    if not n:
        return None
    return ngettext(
        "%(n)s session with fewer than %(small)s answers is left out of the answer statistics.",
        "%(n)s sessions with fewer than %(small)s answers are left out of the answer statistics.",
        n,
    ) % {"n": n, "small": SMALL_COUNT}


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- the queries ---


def _session_q(filters: EvaluationFilters, prefix: str) -> Q:
    """The session filters (and not cancelled) on the session reached by `prefix`."""
    s = f"{prefix}training_session__"
    q = ~Q(**{f"{s}status": TrainingSession.Status.CANCELLED})
    f = filters
    if f.date_from:
        q &= Q(**{f"{s}starts_on__gte": f.date_from})
    if f.date_to:
        q &= Q(**{f"{s}starts_on__lte": f.date_to})
    for path, value in (
        ("project", f.project),
        ("course", f.course),
        ("county", f.session_county),
    ):
        if value is not None:
            q &= Q(**{f"{s}{path}": value})
    if f.session is not None:
        q &= Q(**{f"{prefix}training_session": f.session})
    return q


def _enrolment_q(filters: EvaluationFilters, scope: ReportScope, prefix: str = "") -> Q:
    """Confirmed enrolments (reached by `prefix`) the filters and the person's scope select."""
    q = Q(**{f"{prefix}status": Enrolment.Status.CONFIRMED}) & _session_q(filters, prefix)
    if filters.person_county is not None:
        q &= Q(**{f"{prefix}professional__county": filters.person_county})
    if filters.professional_category is not None:
        q &= Q(**{f"{prefix}professional__category": filters.professional_category})
    if not scope.is_all:
        q &= Q(**{f"{prefix}professional__county_id__in": scope.counties})
    return q


def _columns(group: EvaluationGroup, prefix: str) -> dict:
    out = {"g": F(prefix + group.key)}
    for i, path in enumerate(group.labels):
        out[f"g_{i}"] = F(prefix + path)
    return out


def _label(group: EvaluationGroup, row: dict) -> str:
    key = row["g"]
    if key is None:
        return _("not stated")
    labels = [row.get(f"g_{i}") or "" for i in range(len(group.labels))]
    if group.name == "professional_category":
        english = (get_language() or "ro").startswith("en")
        return (labels[1] if english and labels[1] else labels[0]) or str(key)
    if group.name == "course" and labels[0] and not labels[0].startswith(str(key)):
        return f"{key} – {labels[0]}"
    return (labels[0] if labels else "") or str(key)


def _sort(rows: list, label=lambda r: r.label, key=lambda r: r.key) -> list:
    return sorted(rows, key=lambda r: (key(r) is None, label(r).casefold()))


def evaluation_report(
    *,
    filters: EvaluationFilters = EvaluationFilters(),
    scope: ReportScope = ALL,
    group_by: str = DEFAULT_GROUP,
    with_questions: bool = True,
) -> EvaluationReport:
    """The report (module docstring); five queries (three without the questions)."""
    group = GROUPS[group_by]
    totals = GroupRow(key=None, label=_("Total"))
    rows: dict = {}

    def row(values: dict) -> GroupRow:
        key = values["g"]
        if key not in rows:
            rows[key] = GroupRow(key=key, label=_label(group, values))
        return rows[key]

    # 1. Expected: each confirmed enrolment once per form its session runs.
    expected = (
        Enrolment.objects.order_by()
        .filter(_enrolment_q(filters, scope))
        .values(
            "training_session_id",
            purpose=F("training_session__evaluation_forms__purpose"),
            **_columns(group, ""),
        )
        .annotate(n=Count("pk"))
    )
    sessions, total_sessions = defaultdict(set), set()
    for values in expected:
        if values["purpose"] is None:  # a session without forms is not counted
            continue
        r = row(values)
        sessions[r.key].add(values["training_session_id"])
        total_sessions.add(values["training_session_id"])
        for target in (r, totals):
            target.forms.setdefault(
                values["purpose"], FormRate(values["purpose"])
            ).expected += values["n"]

    # 2. Answered.
    answered = (
        Invitation.objects.order_by()
        .filter(_enrolment_q(filters, scope, "enrolment__"), submitted=True)
        .values(purpose=F("session_form__purpose"), **_columns(group, "enrolment__"))
        .annotate(n=Count("pk"))
    )
    for values in answered:
        r = row(values)
        for target in (r, totals):
            target.forms.setdefault(
                values["purpose"], FormRate(values["purpose"])
            ).answered += values["n"]

    # 3. The knowledge test: named, scored responses of confirmed enrolments.
    scored = (
        Response.objects.order_by()
        .filter(
            _enrolment_q(filters, scope, "enrolment__"),
            enrolment__isnull=False,
            session_form__purpose__in=TEST_PURPOSES,
            score_percent__isnull=False,
        )
        .values(
            "enrolment_id",
            "score_percent",
            purpose=F("session_form__purpose"),
            **_columns(group, "enrolment__"),
        )
    )
    tests: dict = defaultdict(lambda: defaultdict(dict))  # group key -> enrolment -> purpose
    for values in scored:
        r = row(values)
        tests[r.key][values["enrolment_id"]][values["purpose"]] = values["score_percent"]
    everyone = []
    for key, by_enrolment in tests.items():
        pairs, n_pre, n_post = _pairs(by_enrolment)
        rows[key].test = TestFigures.of(n_pre=n_pre, n_post=n_post, pairs=pairs)
        everyone.append((pairs, n_pre, n_post))
    totals.test = TestFigures.of(
        n_pre=sum(n for _p, n, _q in everyone),
        n_post=sum(n for _p, _n, n in everyone),
        pairs=[pair for pairs, _n, _q in everyone for pair in pairs],
    )
    del tests  # the enrolment ids go no further

    for key, r in rows.items():
        r.sessions = len(sessions.get(key, ()))
    totals.sessions = len(total_sessions)

    split = group_by if group.of_session and group_by != "course" else ""
    questionnaires = (
        _questionnaires(filters=filters, scope=scope, split=split) if with_questions else []
    )
    groups = _sort(list(rows.values()))
    _complementary(groups, lambda r: r.test.n_paired)
    return EvaluationReport(
        filters=filters,
        scope=scope,
        group_by=group_by,
        totals=totals,
        groups=groups,
        questionnaires=questionnaires,
        question_split=split,
    )


def _pairs(by_enrolment: dict) -> tuple[list[tuple[Decimal, Decimal]], int, int]:
    pairs, n_pre, n_post = [], 0, 0
    for scores in by_enrolment.values():
        pre, post = scores.get(TEST_PURPOSES[0]), scores.get(TEST_PURPOSES[1])
        n_pre += pre is not None
        n_post += post is not None
        if pre is not None and post is not None:
            pairs.append((Decimal(pre), Decimal(post)))
    return pairs, n_pre, n_post


# --- questions ---


def _questionnaires(
    *, filters: EvaluationFilters, scope: ReportScope, split: str
) -> list[QuestionnaireStats]:
    """Two queries: the answers (never their ids nor times; the session form's id only to apply
    the session floor), then the questionnaires' versions."""
    group = GROUPS[split] if split else None
    q = _session_q(filters, "session_form__") & Q(session_form__purpose__in=QUESTION_PURPOSES)
    if not scope.is_all:
        q &= Q(session_form__training_session__county_id__in=scope.counties)
    answers = list(
        Response.objects.order_by()
        .filter(q)
        .values(
            "answers",
            "version_id",
            "session_form_id",
            questionnaire=F("version__questionnaire_id"),
            **(_columns(group, "session_form__") if group else {}),
        )
    )
    if not answers:
        return []
    used_versions = {a["version_id"] for a in answers}
    versions = (
        QuestionnaireVersion.objects.order_by("questionnaire_id", "-number")
        .filter(questionnaire_id__in={a["questionnaire"] for a in answers})
        .values(
            "pk",
            "questionnaire_id",
            "questions",
            "questionnaire__title",
            "questionnaire__kind",
            "questionnaire__course__code",
            "questionnaire__course__title",
        )
    )
    by_questionnaire: dict = defaultdict(list)
    for v in versions:
        by_questionnaire[v["questionnaire_id"]].append(v)
    # questionnaire -> session form -> its responses (a session form is one session's form)
    responses: dict = defaultdict(lambda: defaultdict(list))
    for a in answers:
        responses[a["questionnaire"]][a["session_form_id"]].append(a)
    del answers

    out = []
    for qn, its_versions in by_questionnaire.items():
        first = its_versions[0]  # the newest
        code, title = first["questionnaire__course__code"], first["questionnaire__course__title"]
        questions = _questions(its_versions, used_versions)
        forms = list(responses[qn].values())
        # The session floor: a form with fewer than 5 responses gives nothing.
        kept = [rows for rows in forms if len(rows) >= SMALL_COUNT]
        form_left_out = len(forms) - len(kept)
        stats = []
        for question in questions:
            left_out = form_left_out
            split_given: dict = defaultdict(list)
            names = {}
            given = []
            for rows in kept:
                its = _given(question, [r["answers"] for r in rows])
                if _hidden(len(its)):  # 1 to 4 answers to this question: left out of it
                    left_out += 1
                    continue
                given += its
                if group and its:
                    key = rows[0]["g"]  # a session's, the same on all its rows
                    split_given[key] += its
                    names[key] = _label(group, rows[0])
            stat = QuestionStats(
                question_id=question["id"],
                type=question["type"],
                text=question["text"],
                scale=question.get("scale", ""),
                overall=_figures(question, given),
                sessions_left_out=left_out,
            )
            if group:
                stat.groups = _sort(
                    [
                        QuestionGroup(key, names[key], _figures(question, values))
                        for key, values in split_given.items()
                    ]
                )
                _complementary(stat.groups, lambda g: g.figures.n)
            stats.append(stat)
        out.append(
            QuestionnaireStats(
                course_code=code,
                course_label=title if title.startswith(code) else f"{code} – {title}",
                kind=first["questionnaire__kind"],
                title=first["questionnaire__title"],
                responses=sum(len(rows) for rows in forms),
                questions=stats,
                sessions_left_out=form_left_out,
            )
        )
    return sorted(out, key=lambda s: (s.course_code.casefold(), s.kind))


def _questions(versions: list[dict], used: set) -> list[dict]:
    """The questions of the versions answered, by id: the newest version's text and options
    (the options of older versions after them), in the newest version's order."""
    newest: dict[str, dict] = {}
    order: list[str] = []
    wanted = set()
    for v in versions:  # newest first
        for question in v["questions"]:
            qid = question["id"]
            if v["pk"] in used:
                wanted.add(qid)
            if qid not in newest:
                newest[qid] = {**question, "options": list(question.get("options", []))}
                order.append(qid)
            else:
                known = {o["id"] for o in newest[qid]["options"]}
                newest[qid]["options"] += [
                    o for o in question.get("options", []) if o["id"] not in known
                ]
    return [newest[qid] for qid in order if qid in wanted]


def _given(question: dict, all_answers: list[dict]) -> list:
    """The well-formed answers to `question` among the responses' answers."""
    qid, kind = question["id"], question["type"]
    given = [a.get(qid) for a in all_answers]
    if kind == "likert":
        return [v for v in given if isinstance(v, int) and 1 <= v <= SCALE_POINTS]
    if kind == "text":
        return [v.strip() for v in given if isinstance(v, str) and v.strip()]
    if kind == "single":
        return [v for v in given if isinstance(v, str) and v]
    return [v for v in given if isinstance(v, list) and v]


def _figures(question: dict, given: list) -> QuestionFigures:
    """The figures of a question's answers (from _given)."""
    kind = question["type"]
    n = len(given)
    out = QuestionFigures(n=n)
    if _hidden(n):
        out.withhold(SMALL)
    if n < SMALL_COUNT:
        return out
    if kind == "likert":
        labels = SCALES.get(question.get("scale"), SCALES["agreement"])
        out.mean = _round(Decimal(sum(given)) / n, TWO)
        counts = [given.count(point) for point in range(1, SCALE_POINTS + 1)]
        out.distribution = [
            Share(point, str(labels[point - 1]), count, _percent(count, n))
            for point, count in enumerate(counts, start=1)
        ]
    elif kind == "text":
        out.texts = sorted(given, key=lambda t: (t.casefold(), t))
    else:
        counts: dict = defaultdict(int)
        for value in given:
            for option in [value] if kind == "single" else set(value):
                counts[option] += 1
        out.distribution = [
            Share(o["id"], o["label"], counts.get(o["id"], 0), _percent(counts.get(o["id"], 0), n))
            for o in question.get("options", [])
        ]
    return out
