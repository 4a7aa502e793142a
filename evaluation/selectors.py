"""Reading evaluation: which forms a session runs and when each is open, the forms waiting for
a participant, the invitation behind a personal link, a session's response counts."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from evaluation.models import Invitation, Questionnaire, QuestionnaireVersion, Response, SessionForm
from sessions.models import Enrolment, SessionDay, TrainingSession

P = SessionForm.Purpose
Kind = Questionnaire.Kind

# When each form is open, from the session's days (see form_window).
PRE_TEST_GRACE = datetime.timedelta(hours=2)  # after the first day starts: answered in the room
AFTER_SESSION = datetime.timedelta(days=14)  # post-test and feedback, after the last day ends
FOLLOW_UP_OPEN = datetime.timedelta(days=30)  # a follow-up survey stays open this long
PRE_TEST_INVITE_DAYS = 3  # the pre-test is mailed this many days before the first day

PURPOSE_KIND = {
    P.PRE_TEST: Kind.TEST,
    P.POST_TEST: Kind.TEST,
    P.FEEDBACK: Kind.FEEDBACK,
    P.FOLLOW_UP: Kind.FOLLOW_UP,
}
PURPOSE_ORDER = [P.PRE_TEST, P.POST_TEST, P.FEEDBACK, P.FOLLOW_UP]

MANAGE_PERMISSION = "evaluation.change_questionnaire"


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


@dataclass(frozen=True)
class SessionTimes:
    first_start: datetime.datetime | None
    last_start: datetime.datetime | None
    last_end: datetime.datetime | None

    @classmethod
    def of(cls, training_session: TrainingSession) -> "SessionTimes":
        values = training_session.days.aggregate(
            first=Min("starts_at"), last_start=Max("starts_at"), last_end=Max("ends_at")
        )
        return cls(values["first"], values["last_start"], values["last_end"])


@dataclass(frozen=True)
class Window:
    opens_at: datetime.datetime | None  # None: open from set-up
    closes_at: datetime.datetime | None  # None: the session has no days yet

    def is_open(self, now: datetime.datetime) -> bool:
        if self.closes_at is None:
            return False
        return (self.opens_at is None or self.opens_at <= now) and now < self.closes_at

    def is_upcoming(self, now: datetime.datetime) -> bool:
        return self.opens_at is not None and now < self.opens_at


def form_window(purpose: str, times: SessionTimes, follow_up_months: int = 3) -> Window:
    """When a form is open. Pre-test: from set-up until 2 hours into the first day (it can be
    taken in the room, before the training starts). Post-test and feedback: from the start of
    the last day (answered in the room at the end) until 14 days after it ends, but never
    while the pre-test is still open (a one-day session's post-test opens as its pre-test
    closes). Follow-up: `follow_up_months` after the last day, for 30 days."""
    if times.first_start is None:
        return Window(None, None)
    if purpose == P.PRE_TEST:
        return Window(None, times.first_start + PRE_TEST_GRACE)
    if purpose in (P.POST_TEST, P.FEEDBACK):
        opens = max(times.last_start, times.first_start + PRE_TEST_GRACE)
        return Window(opens, times.last_end + AFTER_SESSION)
    opens = add_months(times.last_end, follow_up_months)
    return Window(opens, opens + FOLLOW_UP_OPEN)


def window_of(session_form: SessionForm, times: SessionTimes | None = None) -> Window:
    times = times or SessionTimes.of(session_form.training_session)
    months = session_form.version.follow_up_months  # frozen with the version
    return form_window(session_form.purpose, times, months)


def course_questionnaires(*, course) -> dict[str, Questionnaire]:
    """The course's questionnaires that have a version, by kind."""
    return {
        q.kind: q
        for q in Questionnaire.objects.filter(course=course, versions__isnull=False).distinct()
    }


def latest_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return questionnaire.versions.order_by("-number").first()


def default_purposes(*, course) -> list[str]:
    """The forms a session of the course runs unless staff choose otherwise: pre- and post-test
    when the course has a knowledge test, feedback and follow-up when it has those forms."""
    kinds = set(course_questionnaires(course=course))
    return [purpose for purpose in PURPOSE_ORDER if PURPOSE_KIND[purpose] in kinds]


def session_forms(*, training_session: TrainingSession) -> list[SessionForm]:
    forms = list(
        SessionForm.objects.filter(training_session=training_session).select_related(
            "version__questionnaire"
        )
    )
    return sorted(forms, key=lambda f: PURPOSE_ORDER.index(f.purpose))


def session_form_by_code(code: str) -> SessionForm | None:
    """The form a room QR code opens, or None (also for what cannot be a code)."""
    if not code or len(code) > 16 or "\x00" in code:
        return None
    return SessionForm.objects.select_related("training_session").filter(code=code).first()


def never_set_up_q() -> Q:
    """Sessions whose evaluation nobody set up (a filter on TrainingSession)."""
    return Q(evaluation_setup__isnull=True)


def eligible_enrolments(*, session_form: SessionForm) -> QuerySet[Enrolment]:
    """Who is asked to answer a form: the session's confirmed participants."""
    return Enrolment.objects.filter(
        training_session_id=session_form.training_session_id, status=Enrolment.Status.CONFIRMED
    )


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return (
        Invitation.objects.select_related(
            "session_form__version__questionnaire",
            "session_form__training_session__course",
            "enrolment",
        )
        .filter(token=token)
        .first()
    )


@dataclass(frozen=True)
class FormStatus:
    session_form: SessionForm
    window: Window
    eligible: int
    submitted: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.submitted / self.eligible, 1) if self.eligible else None


def session_form_statuses(*, training_session: TrainingSession) -> list[FormStatus]:
    """Each form of the session with its window and how many of the confirmed participants
    answered. Three queries whatever the number of forms."""
    forms = session_forms(training_session=training_session)
    times = SessionTimes.of(training_session)
    eligible = training_session.enrolments.filter(status=Enrolment.Status.CONFIRMED).count()
    submitted = dict(
        Invitation.objects.filter(
            session_form__training_session=training_session,
            submitted=True,
            enrolment__status=Enrolment.Status.CONFIRMED,
        )
        .values_list("session_form")
        .annotate(n=Count("pk"))
    )
    return [FormStatus(f, window_of(f, times), eligible, submitted.get(f.pk, 0)) for f in forms]


@dataclass(frozen=True)
class PendingForm:
    """A form of a participant's session that is open now or that they answered, for "my
    trainings". `invitation` is None until one is made (services.invitations_ensure, when the
    form is set up or falls due); the room address (`session_form.code`) makes it on use."""

    session_form: SessionForm
    window: Window
    invitation: Invitation | None
    score_percent: object = None  # their own score, for a named test they answered

    @property
    def answered(self) -> bool:
        return bool(self.invitation and self.invitation.submitted)


def forms_for_enrolments(
    *, enrolments: list[Enrolment], now: datetime.datetime | None = None
) -> dict[int, list[PendingForm]]:
    """The forms of these enrolments' sessions open now or answered, by enrolment id, for
    confirmed enrolments in sessions not cancelled. Four queries whatever their number."""
    now = now or timezone.now()
    confirmed = [
        e
        for e in enrolments
        if e.status == Enrolment.Status.CONFIRMED
        and e.training_session.status != TrainingSession.Status.CANCELLED
    ]
    if not confirmed:
        return {}
    session_ids = {e.training_session_id for e in confirmed}
    forms_by_session: dict[int, list[SessionForm]] = {}
    for form in SessionForm.objects.filter(training_session_id__in=session_ids).select_related(
        "version__questionnaire"
    ):
        forms_by_session.setdefault(form.training_session_id, []).append(form)
    if not forms_by_session:
        return {}
    times = {
        row["training_session"]: SessionTimes(row["first"], row["last_start"], row["last_end"])
        for row in SessionDay.objects.filter(training_session_id__in=forms_by_session)
        .values("training_session")
        .annotate(first=Min("starts_at"), last_start=Max("starts_at"), last_end=Max("ends_at"))
    }
    ids = [e.pk for e in confirmed]
    invitations = {
        (i.session_form_id, i.enrolment_id): i
        for i in Invitation.objects.filter(enrolment_id__in=ids)
    }
    scores = {
        (session_form_id, enrolment_id): value
        for session_form_id, enrolment_id, value in Response.objects.filter(
            enrolment_id__in=ids, score_percent__isnull=False
        ).values_list("session_form_id", "enrolment_id", "score_percent")
    }
    empty = SessionTimes(None, None, None)
    result: dict[int, list[PendingForm]] = {}
    for enrolment in confirmed:
        forms = forms_by_session.get(enrolment.training_session_id, [])
        for form in sorted(forms, key=lambda f: PURPOSE_ORDER.index(f.purpose)):
            window = window_of(form, times.get(form.training_session_id, empty))
            invitation = invitations.get((form.pk, enrolment.pk))
            answered = bool(invitation and invitation.submitted)
            if not (answered or window.is_open(now)):
                continue
            result.setdefault(enrolment.pk, []).append(
                PendingForm(form, window, invitation, scores.get((form.pk, enrolment.pk)))
            )
    return result


def post_test_condition(course) -> Questionnaire | None:
    """The course's knowledge test when it sets a condition on the certificate."""
    return (
        Questionnaire.objects.filter(course=course, kind=Kind.TEST)
        .exclude(certificate_rule="")
        .first()
    )


def post_test_passed_q(questionnaire: Questionnaire | None, prefix: str = "") -> Q:
    """A filter on enrolments (or, with `prefix`, on rows reaching one) meeting the course's
    post-test condition; everything when there is none."""
    if questionnaire is None:
        return Q()
    responses = Response.objects.filter(session_form__purpose=P.POST_TEST, enrolment__isnull=False)
    if questionnaire.certificate_rule == Questionnaire.CertificateRule.MIN_SCORE:
        responses = responses.filter(score_percent__gte=questionnaire.certificate_min_score or 0)
    return Q(**{f"{prefix}pk__in": responses.values("enrolment_id")})


def post_test_result(enrolment: Enrolment) -> Response | None:
    return Response.objects.filter(enrolment=enrolment, session_form__purpose=P.POST_TEST).first()
