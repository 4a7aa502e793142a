"""Scheduled deliveries of a course, their days, enrolments and calendar keys."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel

from sessions.querysets import EnrolmentQuerySet, TrainingSessionQuerySet


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("locality"), max_length=100)
    county = models.ForeignKey(
        "training.County",
        on_delete=models.PROTECT,
        related_name="venues",
        verbose_name=_("county"),
    )
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    accessibility = models.TextField(_("accessibility notes"), blank=True)

    # Calendar feeds show it: their cheap version check reads when it last changed.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint("name", "city", name="venue_unique_name_city"),
        ]

    def __str__(self):
        return f"{self.name}, {self.city}"


class TrainingSession(ClusterableModel):
    """One scheduled delivery of a course: one or more days, a place, trainers and seats."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        COMPLETED = "completed", _("completed")

    class DeliveryMode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid")

    class ApprovalMode(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic (first come, first served)")
        MANUAL = "manual", _("approved by the organiser")
        NOMINATION = "nomination", _("nominated by institutions")

    code = models.CharField(_("code"), max_length=32, unique=True)
    course = models.ForeignKey(
        "training.Course",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("course"),
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Leave empty to use the course title.")
    )
    project = models.ForeignKey(
        "training.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("project"),
    )
    county = models.ForeignKey(
        "training.County",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("county"),
    )
    sector = models.ForeignKey(
        "training.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    delivery_mode = models.CharField(
        _("delivery mode"),
        max_length=10,
        choices=DeliveryMode.choices,
        default=DeliveryMode.IN_PERSON,
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("venue"),
    )
    online_url = models.URLField(_("online meeting link"), blank=True)
    trainers = ParentalManyToManyField(
        "training.Trainer", blank=True, related_name="sessions", verbose_name=_("trainers")
    )
    capacity = models.PositiveIntegerField(_("seats"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    approval_mode = models.CharField(
        _("approval"), max_length=12, choices=ApprovalMode.choices, default=ApprovalMode.AUTOMATIC
    )
    target_categories = ParentalManyToManyField(
        "training.ProfessionalCategory",
        blank=True,
        related_name="+",
        verbose_name=_("for professional categories"),
        help_text=_("Leave empty to accept every category."),
    )
    eligible_counties = ParentalManyToManyField(
        "training.County",
        blank=True,
        related_name="+",
        verbose_name=_("for people from counties"),
        help_text=_("Leave empty to accept people from every county."),
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        _("participants may cancel until (hours before the start)"), default=24
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept a freed seat"),
        null=True,
        blank=True,
        help_text=_(
            "When a seat frees, the first person on the waiting list has this many hours to "
            "accept it before it is offered to the next. Leave empty to give the seat at once."
        ),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder (days before the start)"),
        default=2,
        help_text=_("0 sends no reminder."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    # The local dates (Europe/Bucharest) of the first and the last day, kept in step with the
    # days by sessions.services.session_dates_refresh: reports group and filter on them
    # without working out time zones row by row.
    starts_on = models.DateField(_("first day"), null=True, blank=True, editable=False)
    ends_on = models.DateField(_("last day"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="session_capacity_positive",
                violation_error_message=_("A session needs at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="session_registration_window_ordered",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(offer_hours__isnull=True) | Q(offer_hours__gt=0),
                name="session_offer_hours_positive",
                violation_error_message=_("Give at least one hour to accept a freed seat."),
            ),
            models.CheckConstraint(
                condition=Q(delivery_mode="online") | Q(venue__isnull=False),
                name="session_in_person_has_venue",
                violation_error_message=_("An in-person or hybrid session needs a venue."),
            ),
            models.CheckConstraint(
                condition=Q(delivery_mode="in_person") | ~Q(online_url=""),
                name="session_online_has_link",
                violation_error_message=_("An online or hybrid session needs a meeting link."),
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.display_title}"

    @property
    def display_title(self) -> str:
        return self.title or self.course.title


class SessionDay(models.Model):
    """One day of a (usually multi-day) session, with its start and end."""

    training_session = ParentalKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("training session"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The day as calendars know it: a UID that never changes, and a SEQUENCE that grows with
    # every change of time, place or status (what `calendar_signature` fingerprints), so that
    # calendar clients update the event instead of adding a second one.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    calendar_signature = models.CharField(max_length=64, blank=True, editable=False)
    calendar_changed_at = models.DateTimeField(
        _("calendar last changed"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session day")
        verbose_name_plural = _("session days")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_day_ends_after_start",
                violation_error_message=_("A session day must end after it starts."),
            ),
            models.UniqueConstraint(
                "training_session", "starts_at", name="session_day_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.training_session_id}: {self.starts_at:%Y-%m-%d %H:%M}"


class SessionQuota(models.Model):
    """Seats reserved for the nominations of one county, local team or institution."""

    training_session = ParentalKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("training session"),
    )
    county = models.ForeignKey(
        "training.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    local_team = models.ForeignKey(
        "training.LocalTeam",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intersectoral local team"),
    )
    institution = models.ForeignKey(
        "training.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(county__isnull=False, local_team__isnull=True, institution__isnull=True)
                    | Q(county__isnull=True, local_team__isnull=False, institution__isnull=True)
                    | Q(county__isnull=True, local_team__isnull=True, institution__isnull=False)
                ),
                name="quota_one_scope",
                violation_error_message=_(
                    "A quota is for exactly one of: a county, a local team or an institution."
                ),
            ),
            models.CheckConstraint(
                condition=Q(seats__gt=0),
                name="quota_seats_positive",
                violation_error_message=_("A quota needs at least one seat."),
            ),
            *(
                models.UniqueConstraint(
                    "training_session",
                    scope,
                    condition=Q(**{f"{scope}__isnull": False}),
                    name=f"quota_unique_{scope}",
                    violation_error_message=_("This session already has a quota for it."),
                )
                for scope in ("county", "local_team", "institution")
            ),
        ]

    def __str__(self):
        return f"{self.scope}: {self.seats}"

    @property
    def scope(self):
        return self.county or self.local_team or self.institution


def new_checkin_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


class Enrolment(models.Model):
    """A professional's place in a session: the registration and its status."""

    class Completion(models.TextChoices):
        COMPLETED = "completed", _("completed")
        NOT_COMPLETED = "not_completed", _("not completed")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        OFFERED = "offered", _("seat offered, awaiting reply")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        REJECTED = "rejected", _("rejected")

    class Source(models.TextChoices):
        SELF = "self", _("self-registration")
        NOMINATION = "nomination", _("nomination")
        STAFF = "staff", _("added by staff")
        IMPORT = "import", _("import")

    # Statuses that hold a seat against the session's capacity.
    SEAT_HOLDING = (Status.PENDING, Status.OFFERED, Status.CONFIRMED)
    # Statuses of a live registration (the person still has or awaits a place).
    OPEN = (*SEAT_HOLDING, Status.WAITLISTED)
    # The reason stored (as a msgid, translated on display) on the registrations a cancelled
    # session ends.
    SESSION_CANCELLED = gettext_noop("The session was cancelled.")

    training_session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("training session"),
    )
    professional = models.ForeignKey(
        "training.Professional",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("professional"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    nominated_by = models.ForeignKey(
        "training.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    status_reason = models.CharField(
        _("reason"),
        max_length=255,
        blank=True,
        help_text=_("Shown to the person, e.g. why the registration was rejected."),
    )
    waitlisted_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # Grows with every status change: the person's calendar events carry the day's SEQUENCE
    # plus this, so an invitation after a cancellation (or the reverse) always supersedes.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # The personal check-in code (shown as a QR code to the participant, scanned by staff): a
    # secret, never the id, so that nobody can check another person in by guessing.
    checkin_token = models.CharField(
        _("check-in code"), max_length=32, unique=True, default=new_checkin_token, editable=False
    )
    # The completion rule's result, worked out when the session is completed and again when a
    # mark changes after that; certificates read it.
    completion = models.CharField(
        _("completion"), max_length=16, choices=Completion.choices, blank=True, default=""
    )
    attended_minutes = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    attended_days = models.PositiveSmallIntegerField(_("days attended"), null=True, blank=True)
    completion_computed_at = models.DateTimeField(_("completion worked out"), null=True, blank=True)
    # A certificate issued outside Formativ (on paper, before it existed), as an imported list
    # gives its series and number; the certificates Formativ issues are in `certificates`.
    certificate_reference = models.CharField(
        _("certificate issued outside Formativ"), max_length=64, blank=True
    )
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                "training_session",
                "professional",
                name="enrolment_unique_person_per_session",
                violation_error_message=_("This person is already enrolled in this session."),
            ),
        ]
        indexes = [
            models.Index(fields=["training_session", "status"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self):
        return f"{self.professional} @ {self.training_session.code}"

    @property
    def attended_hours(self):
        """Hours attended, to the tenth, once the completion rule has been applied."""
        if self.attended_minutes is None:
            return None
        return round(self.attended_minutes / 60, 1)


class EnrolmentStatusChange(models.Model):
    """The enrolment's history: every status it went through, who changed it and when."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="history", verbose_name=_("enrolment")
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Enrolment.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Enrolment.Status.choices)
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("enrolment status change")
        verbose_name_plural = _("enrolment status changes")

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a person's calendar subscription addresses (their own sessions, and the
    county feeds they may follow). Calendar clients cannot sign in, so the address is the key:
    regenerating it gives a new address and the old one stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("user"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar subscription key")
        verbose_name_plural = _("calendar subscription keys")

    def __str__(self):
        return f"{self.user_id}"
