"""The person registry and the designed training offer: geography, institutions, local teams,
professionals, projects and their indicators, curricula, courses and trainers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel

from training import cnp as cnp_utils
from training.querysets import ProfessionalQuerySet


class County(models.Model):
    """The 41 counties and Municipiul București (reference data, loaded by a migration)."""

    class Kind(models.TextChoices):
        COUNTY = "judet", _("county")
        MUNICIPALITY = "municipiu", _("municipality")

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    name_ascii = models.CharField(_("name without diacritics"), max_length=64)
    siruta = models.PositiveIntegerField(_("SIRUTA code"), unique=True)
    cnp_code = models.CharField(_("CNP county number"), max_length=2, unique=True)
    development_region = models.CharField(_("development region"), max_length=32)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["name_ascii"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class Sector(models.Model):
    """București's six sectors."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    siruta = models.PositiveIntegerField(_("SIRUTA code"), unique=True)
    cnp_code = models.CharField(_("CNP county number"), max_length=2, unique=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="sectors", verbose_name=_("county")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name


class InstitutionType(models.Model):
    name = models.CharField(_("name"), max_length=128, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution type")
        verbose_name_plural = _("institution types")

    def __str__(self):
        return self.name


class ProfessionalCategory(models.Model):
    name = models.CharField(_("name"), max_length=128, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    requires_detail = models.BooleanField(
        _("requires a description"),
        default=False,
        help_text=_("For “other category”: the person must say which."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("professional category")
        verbose_name_plural = _("professional categories")

    def __str__(self):
        return self.name


class Institution(models.Model):
    class Ownership(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private")

    name = models.CharField(_("name"), max_length=255)
    institution_type = models.ForeignKey(
        InstitutionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    country = models.CharField(
        _("country"), max_length=2, default="RO", help_text=_("ISO 3166 code, e.g. RO, NO.")
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("county"),
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                Coalesce("county", Value(0)),  # foreign institutions (no county) clash too
                name="institution_unique_name_per_county",
                violation_error_message=_("An institution with this name already exists here."),
            ),
            models.CheckConstraint(
                condition=~Q(country="RO") | Q(county__isnull=False),
                name="institution_romanian_has_county",
                violation_error_message=_("A Romanian institution needs a county."),
            ),
        ]

    def __str__(self):
        return self.name


class Professional(models.Model):
    """One person in the registry, whatever number of trainings they attend."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        UNSPECIFIED = "", _("not stated")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    match_key = models.CharField(_("matching key"), max_length=255, db_index=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="professionals", verbose_name=_("county")
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="professionals",
        verbose_name=_("institution"),
    )
    position = models.CharField(_("job title"), max_length=150, blank=True)
    category = models.ForeignKey(
        ProfessionalCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("professional category"),
    )
    category_detail = models.CharField(_("other category"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="ro",
        help_text=_("The language of the e-mails Formativ sends this person."),
    )
    contact_consent = models.BooleanField(
        _("agrees to be contacted about future trainings"), default=False
    )
    cnp_encrypted = models.TextField(_("CNP (encrypted)"), blank=True, editable=False)
    cnp_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="professional",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when the person's data was erased (on request or at the end of retention): the
    # record stays, pseudonymised, so that counts of trained persons do not change.
    erased_at = models.DateTimeField(_("data erased"), null=True, blank=True, editable=False)

    objects = ProfessionalQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="professional_unique_email",
                violation_error_message=_("Another person already uses this email address."),
            ),
            models.UniqueConstraint(
                "cnp_hash",
                condition=Q(cnp_hash__isnull=False),
                name="professional_unique_cnp",
                violation_error_message=_("Another person already has this CNP."),
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def cnp_masked(self) -> str:
        return cnp_utils.mask_cnp(cnp_utils.decrypt_cnp(self.cnp_encrypted))


class LocalTeam(ClusterableModel):
    """An intersectoral local team (EIL, HG 49/2011) of a county or a București sector."""

    name = models.CharField(_("name"), max_length=255)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="local_teams", verbose_name=_("county")
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    coordinator = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinating institution"),
    )
    institutions = ParentalManyToManyField(
        Institution, blank=True, related_name="local_teams", verbose_name=_("member institutions")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["county__name_ascii", "name"]
        verbose_name = _("intersectoral local team")
        verbose_name_plural = _("intersectoral local teams")
        constraints = [
            models.UniqueConstraint(Lower("name"), "county", name="local_team_unique_name"),
        ]

    def __str__(self):
        return self.name


class LocalTeamMembership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        SECRETARY = "secretary", _("technical secretary")
        MEMBER = "member", _("member")
        ALTERNATE = "alternate", _("alternate member")

    team = models.ForeignKey(
        LocalTeam, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    professional = models.ForeignKey(
        Professional,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        verbose_name=_("professional"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["team", "professional__last_name"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="membership_until_after_since",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            models.UniqueConstraint(
                "team",
                "professional",
                condition=Q(until__isnull=True),
                name="membership_one_open_per_team",
                violation_error_message=_("This person is already a current member of the team."),
            ),
        ]

    def __str__(self):
        return f"{self.professional} – {self.team}"


class FocalPoint(models.Model):
    """A user who may nominate people for trainings: the focal point of an institution, the
    coordinator of a county (its DGASPC) or of an intersectoral local team. Each right covers one
    scope: the people of that institution, county or team."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="focal_points",
        verbose_name=_("user"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("institution"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("county"),
    )
    local_team = models.ForeignKey(
        LocalTeam,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("intersectoral local team"),
    )

    class Meta:
        verbose_name = _("nomination right")
        verbose_name_plural = _("nomination rights")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(institution__isnull=False, county__isnull=True, local_team__isnull=True)
                    | Q(institution__isnull=True, county__isnull=False, local_team__isnull=True)
                    | Q(institution__isnull=True, county__isnull=True, local_team__isnull=False)
                ),
                name="focal_point_one_scope",
                violation_error_message=_(
                    "Choose exactly one of: an institution, a county or a local team."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.scope}"

    @property
    def scope(self):
        return self.institution or self.county or self.local_team


class RecordAccess(models.Model):
    """Holds no rows: carries the permission that lifts the object-level scoping of staff (ANES
    administrators see every county's and project's records)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("record access")
        permissions = [
            ("see_all_records", _("Can see the records of every county, project and session")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class Project(ClusterableModel):
    """A funded project (VENUS, the Istanbul Convention project) that trainings report to."""

    class Funder(models.TextChoices):
        ESF = "esf", _("European Social Fund")
        NORWAY_GRANTS = "norway", _("Norway Grants")
        STATE_BUDGET = "state", _("state budget")
        OTHER = "other", _("other")

    acronym = models.CharField(_("short name"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    funder = models.CharField(_("funder"), max_length=10, choices=Funder.choices)
    programme = models.CharField(
        _("programme"), max_length=255, blank=True, help_text=_("E.g. POCU 2014–2020.")
    )
    contract_number = models.CharField(_("contract number"), max_length=64, blank=True)
    smis_code = models.CharField(_("SMIS code"), max_length=16, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    partners = ParentalManyToManyField(
        Institution, blank=True, related_name="projects", verbose_name=_("partners")
    )
    lead = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead organisation"),
    )
    organisers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_projects",
        verbose_name=_("organisers"),
        help_text=_(
            "ANES staff who run this project's sessions: they see and manage its sessions, "
            "rosters and certificates."
        ),
    )
    requires_cnp = models.BooleanField(
        _("requires the CNP"),
        default=False,
        help_text=_(
            "Only when the funder's reporting requires it: participants of this project's "
            "sessions are then asked for their CNP."
        ),
    )
    retention_ends_on = models.DateField(
        _("keep personal data until"),
        null=True,
        blank=True,
        help_text=_(
            "The end of the audit period. After it, people whose every participation is in "
            "projects past this date are anonymised (after a dry-run report)."
        ),
    )

    # Calendar feeds show it: their cheap version check reads when it last changed.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
                violation_error_message=_("A project cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.acronym


class Indicator(models.Model):
    """A funder indicator with its target (e.g. persons trained)."""

    class Kind(models.TextChoices):
        OUTPUT = "output", _("output")
        RESULT = "result", _("result")

    class Unit(models.TextChoices):
        # Counted by the report service (reports.selectors.project_indicators).
        PERSONS = "persons", _("unique persons trained")
        PERSONS_COMPLETED = "completed", _("unique persons who completed")
        CERTIFICATES = "certificates", _("unique persons certified")
        EIL_MEMBERS = "eil_members", _("EIL members trained")
        PARTICIPATIONS = "participations", _("participations")
        SESSIONS = "sessions", _("sessions held")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("project")
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OUTPUT)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.PERSONS)
    target = models.PositiveIntegerField(_("target"))

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint("project", "code", name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(target__gt=0),
                name="indicator_target_positive",
                violation_error_message=_("An indicator target must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"


class DeliveryType(models.TextChoices):
    INFORMATION_SEMINAR = "seminar", _("information seminar")
    PROFESSIONAL_TRAINING = "training", _("professional training")
    WORKING_MEETING = "meeting", _("working meeting")
    SUPERVISION = "supervision", _("support-group supervision")
    CONFERENCE = "conference", _("conference")


class CertificateType(models.TextChoices):
    PARTICIPATION = "participation", _("certificate of attendance")
    COMPLETION = "completion", _("certificate of completion")
    NONE = "none", _("no certificate")


class CompletionBasis(models.TextChoices):
    HOURS = "hours", _("a share of the scheduled hours")
    DAYS = "days", _("a minimum number of days")


class Curriculum(ClusterableModel):
    """A designed training programme; courses (modules) belong to it."""

    code = models.CharField(_("code"), max_length=32)
    version = models.CharField(_("version"), max_length=16, default="1.0")
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    learning_outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One outcome per line.")
    )
    target_categories = ParentalManyToManyField(
        ProfessionalCategory, blank=True, related_name="+", verbose_name=_("target categories")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="curricula",
        verbose_name=_("developed in project"),
    )

    class Meta:
        ordering = ["title", "version"]
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        constraints = [
            models.UniqueConstraint("code", "version", name="curriculum_unique_code_version"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"


class Course(ClusterableModel):
    """A course or module: what a training session delivers."""

    curriculum = models.ForeignKey(
        Curriculum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("curriculum"),
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    learning_outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One outcome per line.")
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    delivery_type = models.CharField(
        _("delivery type"), max_length=16, choices=DeliveryType.choices
    )
    certificate_type = models.CharField(
        _("certificate type"),
        max_length=16,
        choices=CertificateType.choices,
        default=CertificateType.PARTICIPATION,
    )
    completion_basis = models.CharField(
        _("completion rule"),
        max_length=8,
        choices=CompletionBasis.choices,
        default=CompletionBasis.HOURS,
        help_text=_(
            "What a participant must attend to complete a session of this course (and so to "
            "receive its certificate)."
        ),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (% of hours)"),
        default=80,
        help_text=_(
            "For the rule by hours: the share of the session's scheduled hours a participant "
            "must attend."
        ),
    )
    min_days = models.PositiveSmallIntegerField(
        _("minimum days attended"),
        null=True,
        blank=True,
        help_text=_(
            "For the rule by days (information seminars): the days a participant must attend, "
            "late or partial attendance included."
        ),
    )
    target_categories = ParentalManyToManyField(
        ProfessionalCategory, blank=True, related_name="+", verbose_name=_("target categories")
    )

    # Calendar feeds show it: their cheap version check reads when it last changed.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="course_hours_positive",
                violation_error_message=_("A course must last more than zero hours."),
            ),
            models.CheckConstraint(
                condition=Q(completion_basis="hours") | Q(min_days__gte=1),
                name="course_days_rule_has_minimum",
                violation_error_message=_("The rule by days needs a minimum of at least one day."),
            ),
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100),
                name="course_min_attendance_percent",
                violation_error_message=_("The minimum attendance is a percentage (0–100)."),
            ),
        ]

    def __str__(self):
        return self.title


class Trainer(models.Model):
    class Kind(models.TextChoices):
        INTERNAL = "internal", _("internal (ANES or partner staff)")
        PARTNER_EXPERT = "partner", _("partner organisation expert")
        EXTERNAL = "external", _("external trainer")

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INTERNAL)
    organisation = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainers",
        verbose_name=_("organisation"),
    )
    expertise = models.TextField(_("expertise"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A trainer with an account takes attendance for the sessions they train.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainer",
        verbose_name=_("user account"),
        help_text=_("Lets the trainer take attendance for their sessions."),
    )

    # Calendar feeds show it: their cheap version check reads when it last changed.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="trainer_unique_email",
                violation_error_message=_("Another trainer already uses this email address."),
            ),
        ]

    def __str__(self):
        return self.full_name


class PersonIdentifier(models.Model):
    """Every e-mail address, phone number and spelling of the name seen for a person, besides
    the ones on the record itself (people use a work and a personal address; lists spell names
    differently). Matching considers all of them, and a later list adds to them instead of
    overwriting what an earlier one established."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail address")
        PHONE = "phone", _("phone number")
        NAME = "name", _("spelling of the name")
        # The identity columns of an imported row, folded: the same row seen again (a re-import,
        # or the same person on another row of a list without e-mail, CNP or birth date).
        ROW = "row", _("imported row")

    professional = models.ForeignKey(
        Professional,
        on_delete=models.CASCADE,
        related_name="identifiers",
        verbose_name=_("professional"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # E-mail lower-cased, phone digits only, a name as written (NFC, comma-below), a row key.
    value = models.CharField(_("value"), max_length=255)
    # The folded form matching uses: the e-mail, the phone's digits, a name's matching key.
    key = models.CharField(max_length=255, editable=False)
    source = models.CharField(_("seen in"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at", "pk"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                "professional", "kind", "key", name="person_identifier_unique_per_person"
            ),
        ]
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class DuplicateCandidate(models.Model):
    """Two registry entries that may be the same person, waiting for an organiser to merge them
    or to mark them as different people. The pair is stored lower id first."""

    class Reason(models.TextChoices):
        NAME_INSTITUTION = "name_institution", _("same name, same institution")
        NEAR_NAME = "near_name", _("name one letter apart, same county")
        CNP_CONFLICT = "cnp_conflict", _("same e-mail address, different CNP")
        SIGNUP = "signup", _("signed up with the name and birth date of a registry entry")

    class Status(models.TextChoices):
        OPEN = "open", _("to review")
        MERGED = "merged", _("merged")
        DISTINCT = "distinct", _("different people")

    first = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="+", verbose_name=_("first person")
    )
    second = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="+", verbose_name=_("second person")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    source = models.CharField(_("found by"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint("first", "second", name="duplicate_candidate_unique_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="duplicate_candidate_ordered_pair"
            ),
        ]

    def __str__(self):
        return f"#{self.first_id} ~ #{self.second_id}"
