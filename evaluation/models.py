"""Evaluation: a course's questionnaires (knowledge test, feedback, follow-up survey), their
frozen versions, the forms a session runs (pinned to a version), who is asked to answer, and
the answers.

Anonymity by design: an anonymous form's `Response` has no enrolment, no person, no account,
no time and a random key; answers live inside the row (no per-answer rows whose sequence could
be lined up with anything). Who answered is kept apart, on the `Invitation` (one per enrolment
and form), as a flag without a time, so each enrolment answers once and is counted once."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from evaluation.blocks import QuestionsBlock


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_code() -> str:
    return secrets.token_urlsafe(9)


class Questionnaire(models.Model):
    """One questionnaire of a course, edited in the admin. Every save that changes what a
    respondent sees makes a new `QuestionnaireVersion`; sessions keep the version they use."""

    class Kind(models.TextChoices):
        TEST = "test", _("knowledge test (pre-test and post-test)")
        FEEDBACK = "feedback", _("feedback form")
        FOLLOW_UP = "follow_up", _("follow-up survey")

    class CertificateRule(models.TextChoices):
        NONE = "", _("no condition")
        SUBMITTED = "submitted", _("the post-test is submitted")
        MIN_SCORE = "min_score", _("the post-test reaches a minimum score")

    course = models.ForeignKey(
        "training.Course",
        on_delete=models.PROTECT,
        related_name="questionnaires",
        verbose_name=_("course"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    intro = models.TextField(_("introduction"), blank=True)
    questions = StreamField(QuestionsBlock(), verbose_name=_("questions"))
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Answers are stored without any link to the person (feedback and follow-up only). "
            "Each participant still answers once."
        ),
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("months after the session"),
        default=3,
        help_text=_("For a follow-up survey: when it is sent, counted from the last day."),
    )
    certificate_rule = models.CharField(
        _("certificate condition"),
        max_length=10,
        choices=CertificateRule.choices,
        blank=True,
        default="",
        help_text=_("For a knowledge test: what the certificate of completion requires."),
    )
    certificate_min_score = models.PositiveSmallIntegerField(
        _("minimum post-test score (%)"),
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["course__code", "kind"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind"], name="evaluation_one_questionnaire_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(kind="test", anonymous=True), name="evaluation_test_not_anonymous"
            ),
            models.CheckConstraint(
                condition=Q(certificate_min_score__isnull=True) | Q(certificate_min_score__lte=100),
                name="evaluation_min_score_percent",
            ),
        ]

    def __str__(self):
        return f"{self.course.code} – {self.title}"


class QuestionnaireVersion(models.Model):
    """A frozen questionnaire: what respondents of the sessions pinned to it see and answer.
    `questions` is the normalised list of `evaluation.questions.snapshot`; never edited."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    intro = models.TextField(_("introduction"), blank=True)
    questions = models.JSONField(_("questions"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    follow_up_months = models.PositiveSmallIntegerField(_("months after the session"), default=3)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="evaluation_version_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.title} (v{self.number})"


class SessionSetup(models.Model):
    """That a session's evaluation forms were set up (by staff or by the due sweep), even to
    none: the sweep sets up only sessions nobody set up, so turning every form off sticks."""

    training_session = models.OneToOneField(
        "training_sessions.TrainingSession",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="evaluation_setup",
        verbose_name=_("session"),
    )
    set_up_at = models.DateTimeField(_("set up"), auto_now=True)
    set_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation set-up")
        verbose_name_plural = _("evaluation set-ups")

    def __str__(self):
        return str(self.training_session)


class SessionForm(models.Model):
    """A form a session runs, pinned to the questionnaire version it uses. The pre-test and the
    post-test of a session use the same version of the course's knowledge test. `code` is the
    opaque part of the room QR's address."""

    class Purpose(models.TextChoices):
        PRE_TEST = "pre_test", _("pre-test")
        POST_TEST = "post_test", _("post-test")
        FEEDBACK = "feedback", _("feedback")
        FOLLOW_UP = "follow_up", _("follow-up survey")

    training_session = models.ForeignKey(
        "training_sessions.TrainingSession",
        on_delete=models.CASCADE,
        related_name="evaluation_forms",
        verbose_name=_("session"),
    )
    purpose = models.CharField(_("form"), max_length=10, choices=Purpose.choices)
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="session_forms",
        verbose_name=_("questionnaire version"),
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    created_at = models.DateTimeField(_("set up"), auto_now_add=True)

    class Meta:
        ordering = ["training_session", "purpose"]
        verbose_name = _("session form")
        verbose_name_plural = _("session forms")
        constraints = [
            models.UniqueConstraint(
                fields=["training_session", "purpose"], name="evaluation_one_form_per_purpose"
            )
        ]

    def __str__(self):
        return f"{self.training_session.code} – {self.get_purpose_display()}"

    @property
    def is_test(self) -> bool:
        return self.purpose in (self.Purpose.PRE_TEST, self.Purpose.POST_TEST)


class Invitation(models.Model):
    """One enrolment asked to answer one form: the personal link's token, when it was mailed,
    and whether it was answered. `submitted` has no time on purpose: for an anonymous form it
    is the only trace of who answered, and a time could be lined up with the answers."""

    session_form = models.ForeignKey(
        SessionForm, on_delete=models.CASCADE, related_name="invitations"
    )
    enrolment = models.ForeignKey(
        "training_sessions.Enrolment",
        on_delete=models.CASCADE,
        related_name="evaluation_invitations",
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    submitted = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("evaluation invitation")
        verbose_name_plural = _("evaluation invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["session_form", "enrolment"], name="evaluation_one_invitation"
            )
        ]

    def __str__(self):
        return str(self.session_form)


class Response(models.Model):
    """A submitted form. Named (`enrolment` and `submitted_at` set) or anonymous (both empty):
    an anonymous response carries nothing that leads back to a person. `answers` maps question
    id to the answer: 1–5 (rating), text, an option id (single choice) or a list of them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session_form = models.ForeignKey(
        SessionForm, on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    enrolment = models.ForeignKey(
        "training_sessions.Enrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_responses",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(
        _("maximum score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score_percent = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")
        constraints = [
            models.UniqueConstraint(
                fields=["session_form", "enrolment"],
                condition=Q(enrolment__isnull=False),
                name="evaluation_one_named_response",
            ),
            models.CheckConstraint(
                condition=Q(enrolment__isnull=True, submitted_at__isnull=True)
                | Q(enrolment__isnull=False, submitted_at__isnull=False),
                name="evaluation_anonymous_has_no_trace",
            ),
        ]

    def __str__(self):
        return str(self.session_form)

    @property
    def anonymous(self) -> bool:
        return self.enrolment_id is None
