"""Reading certificates: who may have one, what a session's issuing stands at, a holder's own
certificates, and the public verification lookup."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from certificates.models import Certificate, IssueRun
from evaluation.models import Questionnaire, SessionForm
from evaluation.selectors import post_test_condition, post_test_passed_q
from sessions.models import Enrolment, TrainingSession
from sessions.selectors import certificate_eligible
from training.models import CertificateType

V = Certificate.Status

ISSUE_PERMISSION = "certificates.add_certificate"
REVOKE_PERMISSION = "certificates.revoke_certificate"
VIEW_PERMISSION = "certificates.view_certificate"


def _valid_certificate():
    return Certificate.objects.filter(enrolment=OuterRef("pk"), status=V.VALID)


_POST_TEST_FORM = "_certificate_post_test_form"
_POST_TEST_RULE = "_certificate_post_test_rule"


def post_test_form(training_session: TrainingSession) -> SessionForm | None:
    """The session's post-test (with its version), if it runs one; read once per session
    object."""
    if _POST_TEST_FORM not in training_session.__dict__:
        training_session.__dict__[_POST_TEST_FORM] = (
            SessionForm.objects.filter(
                training_session=training_session, purpose=SessionForm.Purpose.POST_TEST
            )
            .select_related("version")
            .first()
        )
    return training_session.__dict__[_POST_TEST_FORM]


def post_test_rule(training_session: TrainingSession) -> Questionnaire | None:
    """The course's knowledge test when the certificate of this session depends on its
    post-test (see evaluation.selectors.post_test_condition); read once per session object.

    The condition applies only to a session that runs a post-test: a session held before the
    course set it, or set up without forms, had no post-test to pass, so the completion rule
    alone decides there (as it did when it was held)."""
    if _POST_TEST_RULE not in training_session.__dict__:
        rule = None
        if post_test_form(training_session) is not None:
            rule = post_test_condition(training_session.course)
        training_session.__dict__[_POST_TEST_RULE] = rule
    return training_session.__dict__[_POST_TEST_RULE]


def eligible_enrolments(*, training_session: TrainingSession) -> QuerySet[Enrolment]:
    """The session's enrolments whose result earns the course's certificate (the queryset
    form of `certificate_earned`): confirmed, completed, and meeting the course's post-test
    condition when it sets one and the session runs a post-test (post_test_rule)."""
    qs = training_session.enrolments.filter(
        status=Enrolment.Status.CONFIRMED, completion=Enrolment.Completion.COMPLETED
    )
    if training_session.course.certificate_type == CertificateType.NONE:
        return qs.none()
    return qs.filter(post_test_passed_q(post_test_rule(training_session)))


def certificate_earned(*, enrolment: Enrolment) -> bool:
    """Whether one enrolment earns the course's certificate: the completion rule
    (sessions.selectors.certificate_eligible) and the course's post-test condition where it
    applies to the session (post_test_rule)."""
    if not certificate_eligible(enrolment=enrolment):
        return False
    rule = post_test_rule(enrolment.training_session)
    if rule is None:
        return True
    return Enrolment.objects.filter(pk=enrolment.pk).filter(post_test_passed_q(rule)).exists()


def certificate_candidates(*, training_session: TrainingSession) -> QuerySet[Enrolment]:
    """Eligible enrolments that never had a certificate, in a stable order. A revoked
    certificate is not issued again by a later run: revocation is a decision about the
    person's certificate, which re-running the session's issue must not undo."""
    return (
        eligible_enrolments(training_session=training_session)
        .filter(~Exists(Certificate.objects.filter(enrolment=OuterRef("pk"))))
        .select_related("professional__institution", "training_session__course")
        .order_by("professional__last_name", "professional__first_name", "pk")
    )


@dataclass(frozen=True)
class IssueSummary:
    confirmed: int
    eligible: int
    certified: int  # with a valid certificate
    revoked: int = 0  # whose certificate was revoked: not issued again

    @property
    def to_issue(self) -> int:
        return self.eligible - self.certified - self.revoked

    @property
    def not_eligible(self) -> int:
        return self.confirmed - self.eligible


def issue_summary(*, training_session: TrainingSession) -> IssueSummary:
    confirmed = training_session.enrolments.filter(status=Enrolment.Status.CONFIRMED)
    eligible = eligible_enrolments(training_session=training_session)
    return IssueSummary(
        confirmed=confirmed.count(),
        eligible=eligible.count(),
        certified=eligible.filter(Exists(_valid_certificate())).count(),
        revoked=eligible.filter(
            ~Exists(_valid_certificate()),
            Exists(Certificate.objects.filter(enrolment=OuterRef("pk"), status=V.REVOKED)),
        ).count(),
    )


def active_issue_run(*, training_session: TrainingSession) -> IssueRun | None:
    return (
        IssueRun.objects.filter(
            training_session=training_session,
            status__in=(IssueRun.Status.QUEUED, IssueRun.Status.RUNNING),
        )
        .order_by("-pk")
        .first()
    )


def certificates_of_user(*, user) -> QuerySet[Certificate]:
    """A signed-in person's own certificates (all statuses, newest first)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(enrolment__professional__user=user).select_related(
        "enrolment__training_session__course", "superseded_by"
    )


def certificate_of_user(*, user, serial: str) -> Certificate | None:
    return certificates_of_user(user=user).filter(serial=serial).first()


def certificate_by_code(code: str) -> Certificate | None:
    """The public lookup: the printed code, with or without its dashes, any case."""
    from certificates.public import normalize_code

    normalized = normalize_code(code)
    if not normalized or len(normalized) > 32:
        return None
    return Certificate.objects.select_related("superseded_by").filter(code=normalized).first()


def certificates_for_staff(*, user) -> QuerySet[Certificate]:
    """What staff who may view certificates list: those of the enrolments in their scope
    (training.access: every one for administrators)."""
    from training.access import staff_scope

    if not user.has_perm(VIEW_PERMISSION):
        return Certificate.objects.none()
    return Certificate.objects.filter(staff_scope(user).enrolments_q("enrolment__")).select_related(
        "enrolment__professional", "enrolment__training_session__course", "superseded_by"
    )


def status_list_positions(*, list_number: int) -> list[int]:
    """The set bits of a status list: certificates revoked or replaced."""
    from certificates.credentials import STATUS_LIST_SIZE

    start = (list_number - 1) * STATUS_LIST_SIZE
    indexes = (
        Certificate.objects.filter(
            status_index__gte=start,
            status_index__lt=start + STATUS_LIST_SIZE,
        )
        .exclude(status=V.VALID)
        .values_list("status_index", flat=True)
    )
    return [i - start for i in indexes]
