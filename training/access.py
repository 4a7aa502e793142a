"""Who on the staff sees which records: the object-level scope of a user, decided here once and
applied by every selector that lists or fetches people, sessions, enrolments or certificates.

- ANES administrators (`training.see_all_records`, or a superuser): everything.
- ANES organisers: the sessions of the projects they organise (`Project.organisers`), with
  their rosters, and the people enrolled in them.
- County coordinators (a county nomination right): the people of their county, the sessions
  held in their county with their full rosters (whoever sits in the room), and the enrolments
  of their county's people anywhere.
- Institution focal points: the people of their institution and their enrolments.
- Local team coordinators: the current members of their team and their enrolments.
- Trainers (`Trainer.user`): the sessions they train, with their rosters.

Model permissions still decide what a user may *do*; the scope decides *to which records*.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

ALL_RECORDS_PERMISSION = "training.see_all_records"


@dataclass(frozen=True)
class StaffScope:
    all: bool = False
    project_ids: frozenset[int] = field(default_factory=frozenset)
    county_ids: frozenset[int] = field(default_factory=frozenset)
    institution_ids: frozenset[int] = field(default_factory=frozenset)
    local_team_ids: frozenset[int] = field(default_factory=frozenset)
    trainer_id: int | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.all
            or self.project_ids
            or self.county_ids
            or self.institution_ids
            or self.local_team_ids
            or self.trainer_id
        )

    def sessions_q(self, prefix: str = "") -> Q:
        """The sessions this user manages (not the public offer: that is for everyone)."""
        if self.all:
            return Q()
        q = Q(pk__in=[])
        if self.project_ids:
            q |= Q(**{f"{prefix}project_id__in": self.project_ids})
        if self.county_ids:
            q |= Q(**{f"{prefix}county_id__in": self.county_ids})
        if self.trainer_id:
            from sessions.models import TrainingSession

            q |= Q(
                **{
                    f"{prefix}pk__in": TrainingSession.trainers.through.objects.filter(
                        trainer_id=self.trainer_id
                    ).values("trainingsession_id")
                }
            )
        return q

    def people_q(self, prefix: str = "") -> Q:
        """The people whose registry record this user may see: those of their county,
        institution or team (never those of other counties through them)."""
        if self.all:
            return Q()
        q = Q(pk__in=[])
        if self.county_ids:
            q |= Q(**{f"{prefix}county_id__in": self.county_ids})
        if self.institution_ids:
            q |= Q(**{f"{prefix}institution_id__in": self.institution_ids})
        if self.local_team_ids:
            from training.models import LocalTeamMembership

            today = timezone.localdate()
            members = (
                LocalTeamMembership.objects.filter(
                    team_id__in=self.local_team_ids, since__lte=today
                )
                .filter(Q(until__isnull=True) | Q(until__gte=today))
                .values("professional_id")
            )
            q |= Q(**{f"{prefix}pk__in": members})
        return q

    def professionals_q(self) -> Q:
        """On Professional: the people above, and those enrolled in the sessions this user
        manages (an organiser's or a trainer's participants)."""
        if self.all:
            return Q()
        q = self.people_q()
        if self.project_ids or self.county_ids or self.trainer_id:
            from sessions.models import Enrolment, TrainingSession

            sessions = TrainingSession.objects.filter(self.sessions_q()).values("pk")
            q |= Q(
                pk__in=Enrolment.objects.filter(training_session_id__in=sessions).values(
                    "professional_id"
                )
            )
        return q

    def enrolments_q(self, prefix: str = "") -> Q:
        """On Enrolment: the enrolments in the sessions this user manages, and those of the
        people of their county, institution or team."""
        if self.all:
            return Q()
        return self.sessions_q(f"{prefix}training_session__") | self.people_q(
            f"{prefix}professional__"
        )


def staff_scope(user) -> StaffScope:
    """The user's scope, computed once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return StaffScope()
    cached = getattr(user, "_formativ_staff_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser or user.has_perm(ALL_RECORDS_PERMISSION):
        scope = StaffScope(all=True)
    else:
        from training.models import FocalPoint, Trainer

        rights = list(
            FocalPoint.objects.filter(user=user).values_list(
                "county_id", "institution_id", "local_team_id"
            )
        )
        scope = StaffScope(
            project_ids=frozenset(user.organised_projects.values_list("pk", flat=True)),
            county_ids=frozenset(c for c, _i, _t in rights if c),
            institution_ids=frozenset(i for _c, i, _t in rights if i),
            local_team_ids=frozenset(t for _c, _i, t in rights if t),
            trainer_id=Trainer.objects.filter(user=user).values_list("pk", flat=True).first(),
        )
    user._formativ_staff_scope = scope
    return scope
