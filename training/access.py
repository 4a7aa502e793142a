"""Who on the staff sees which records: the object-level scope of a user, decided here once and
applied by every selector that lists or fetches people, sessions, enrolments or certificates.

- ANES administrators (`training.see_all_records`, or a superuser): everything.
- ANES organisers: the sessions of the projects they organise (`Project.organisers`), with
  their rosters, and the people enrolled in them.
- County coordinators (a county nomination right): the people of their county, the sessions
  held in their county with their full rosters (whoever sits in the room: a roster line, not
  the person's registry record), the enrolments of their county's people anywhere, and their
  county's local teams with their memberships; of the institutions (reference data everyone
  with the permission reads), they edit only their county's.
- Institution focal points: the people of their institution and their enrolments.
- Local team coordinators: the current members of their team and their enrolments, and
  their team with its memberships.
- Trainers (`Trainer.user`): the sessions they train, with their rosters.

Model permissions still decide what a user may *do*; the scope decides *to which records*.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
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
        """On Professional: the people above and, for organisers and trainers, those enrolled
        in the sessions they manage (their participants). A county coordinator's reach stays
        their county's people: someone of another county sitting in a session held in their
        county is a line of that session's roster (`enrolments_q`), not a registry record
        they open."""
        if self.all:
            return Q()
        q = self.people_q()
        if self.project_ids or self.trainer_id:
            from sessions.models import Enrolment, TrainingSession

            managed = StaffScope(project_ids=self.project_ids, trainer_id=self.trainer_id)
            sessions = TrainingSession.objects.filter(managed.sessions_q()).values("pk")
            q |= Q(
                pk__in=Enrolment.objects.filter(training_session_id__in=sessions).values(
                    "professional_id"
                )
            )
        return q

    def local_teams_q(self, prefix: str = "") -> Q:
        """On LocalTeam: the teams of the user's counties, and their own team (a local team
        coordinator's)."""
        if self.all:
            return Q()
        q = Q(pk__in=[])
        if self.county_ids:
            q |= Q(**{f"{prefix}county_id__in": self.county_ids})
        if self.local_team_ids:
            q |= Q(**{f"{prefix}pk__in": self.local_team_ids})
        return q

    def local_team_memberships_q(self) -> Q:
        """On LocalTeamMembership: the memberships of the teams above."""
        if self.all:
            return Q()
        return self.local_teams_q("team__")

    def editable_institutions_q(self) -> Q:
        """On Institution: those the user may change (with the model permission). Institutions
        are reference data: everyone with the view permission reads them all; organisers keep
        them up to date for every county, a county coordinator only their county's."""
        if self.all or self.project_ids:
            return Q()
        return Q(county_id__in=self.county_ids)

    @property
    def looks_after_people(self) -> bool:
        """A county coordinator, institution focal point or local team coordinator."""
        return bool(self.county_ids or self.institution_ids or self.local_team_ids)

    def roster_sessions_q(self, prefix: str = "") -> Q:
        """The sessions whose roster the user may open: those they manage (the whole roster)
        and, for those who look after people, any session not a draft (the offer is public),
        where they see only their own people's enrolments (`enrolments_q`)."""
        if self.all:
            return Q()
        q = self.sessions_q(prefix)
        if self.looks_after_people:
            q |= ~Q(**{f"{prefix}status": "draft"})
        return q

    def manages_new_session(self, training_session) -> bool:
        """For a session being created or edited (in memory): whether it stays among the
        sessions this user manages (their project's, or held in their county)."""
        return (
            self.all
            or training_session.project_id in self.project_ids
            or training_session.county_id in self.county_ids
        )

    def enrolments_q(self, prefix: str = "") -> Q:
        """On Enrolment: the enrolments in the sessions this user manages, and those of the
        people of their county, institution or team."""
        if self.all:
            return Q()
        return self.sessions_q(f"{prefix}training_session__") | self.people_q(
            f"{prefix}professional__"
        )


def in_scope(user, instance, scope_q) -> bool:
    """Whether `instance` is among the records `scope_q(scope)` lets this user reach (no
    query for those who see everything)."""
    scope = staff_scope(user)
    if scope.all:
        return True
    return type(instance)._default_manager.filter(scope_q(scope), pk=instance.pk).exists()


def require_in_scope(user, instance, scope_q) -> None:
    """404, as if it did not exist, for a record outside the user's scope."""
    if not in_scope(user, instance, scope_q):
        raise Http404


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
        scope = _scope_of(user)
    user._formativ_staff_scope = scope
    return scope


def _scope_of(user) -> StaffScope:
    """The user's projects, nomination rights and trainer record, in one query (a union)."""
    from django.db.models import IntegerField, Value

    from training.models import FocalPoint, Project, Trainer

    def tagged(kind: int, qs, *fields):
        nulls = [Value(None, output_field=IntegerField())] * (3 - len(fields))
        return qs.order_by().values_list(Value(kind, output_field=IntegerField()), *fields, *nulls)

    rows = list(
        tagged(
            0, FocalPoint.objects.filter(user=user), "county_id", "institution_id", "local_team_id"
        ).union(
            tagged(1, Project.organisers.through.objects.filter(user_id=user.pk), "project_id"),
            tagged(2, Trainer.objects.filter(user=user), "pk"),
            all=True,
        )
    )
    rights = [(c, i, t) for kind, c, i, t in rows if kind == 0]
    trainers = sorted(pk for kind, pk, _i, _t in rows if kind == 2)
    return StaffScope(
        project_ids=frozenset(pk for kind, pk, _i, _t in rows if kind == 1),
        county_ids=frozenset(c for c, _i, _t in rights if c),
        institution_ids=frozenset(i for _c, i, _t in rights if i),
        local_team_ids=frozenset(t for _c, _i, t in rights if t),
        trainer_id=trainers[0] if trainers else None,
    )
