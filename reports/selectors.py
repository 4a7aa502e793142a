"""Counting trained participants: the one report service that the dashboard, the exports, the
API, the command line and the public pages all read.

Definitions (the README and the report page say the same):

- A participation is an enrolment with at least one session day attended (present or late/
  partial; imported attendance counts), in a session that was not cancelled, whatever the
  registration's later status.
- A completed participation met the course's completion rule (Enrolment.completion); a certified
  one has a valid certificate issued by Formativ, or the reference of a certificate issued outside
  Formativ (imported from the lists kept before it).
- Unique persons are the distinct persons, after duplicates were merged, with at least one
  participation in the filtered set; likewise unique persons completed and certified.
- A person counts once in a total and once in each group they belong to. The person's own
  fields (county, institution, institution type, category, sex, EIL membership) have one value
  per person, so their groups add up to the total; the session's fields (project, course,
  curriculum, delivery type, session county, month) and the age band (the age on the session's
  first day) may differ between a person's participations, and their groups may add up to more.
- The person's fields are those in the registry today; EIL membership means a member of an
  intersectoral local team at any time.
- The period is the session's first day (local date); so is the month.

A county coordinator's report holds the people of their county only (the person's county),
whatever the filters asked: the scope is applied in the selector, not in templates.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from certificates.models import Certificate
from reports.functions import MonthOf, YearsBefore
from sessions.models import Attendance, Enrolment, TrainingSession
from training.models import (
    Curriculum,
    DeliveryType,
    FocalPoint,
    LocalTeamMembership,
    Professional,
)

VIEW_PERMISSION = "reports.view_reports"
ALL_COUNTIES_PERMISSION = "reports.view_all_counties"

# Marks that count as having attended the day.
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.PARTIAL)

# Public pages show no count below this: a figure of 1 to 4 could point at a person.
SMALL_COUNT = 5

# ESF age bands, on the session's first day.
AGE_BANDS = {
    "under_25": gettext_lazy("under 25"),
    "25_54": gettext_lazy("25–54"),
    "over_54": gettext_lazy("over 54"),
    "unknown": gettext_lazy("age unknown"),
}
SEX_VALUES = {"F": "F", "M": "M", "unknown": ""}

FIGURES = (
    "unique_persons",
    "participations",
    "unique_persons_completed",
    "participations_completed",
    "unique_persons_certified",
    "participations_certified",
    "sessions",
)
FIGURE_LABELS = {
    "unique_persons": gettext_lazy("persons trained"),
    "participations": gettext_lazy("participations"),
    "unique_persons_completed": gettext_lazy("persons who completed"),
    "participations_completed": gettext_lazy("participations completed"),
    "unique_persons_certified": gettext_lazy("persons certified"),
    "participations_certified": gettext_lazy("participations certified"),
    "sessions": gettext_lazy("sessions"),
}


@dataclass(frozen=True)
class GroupField:
    """A field the report groups by: the key stored in the JSON, the columns its label is read
    from (read in the same query), and whether one person may fall in several groups."""

    name: str
    verbose_name: str
    key: str  # an annotation name or a path
    labels: tuple[str, ...] = ()
    multi_valued: bool = False


GROUP_FIELDS: dict[str, GroupField] = {
    g.name: g
    for g in (
        GroupField(
            "project",
            gettext_lazy("project"),
            "training_session__project__acronym",
            ("training_session__project__name",),
            multi_valued=True,
        ),
        GroupField(
            "course",
            gettext_lazy("course"),
            "training_session__course__code",
            ("training_session__course__title",),
            multi_valued=True,
        ),
        GroupField(
            "curriculum",
            gettext_lazy("curriculum"),
            # The code alone: a curriculum's versions share it (and count as one); the title is
            # read apart (curriculum_titles), since versions may be titled differently.
            "training_session__course__curriculum__code",
            multi_valued=True,
        ),
        GroupField(
            "delivery_type",
            gettext_lazy("delivery type"),
            "training_session__course__delivery_type",
            multi_valued=True,
        ),
        GroupField(
            "session_county",
            gettext_lazy("session county"),
            "training_session__county__code",
            ("training_session__county__name",),
            multi_valued=True,
        ),
        GroupField(
            "person_county",
            gettext_lazy("person's county"),
            "professional__county__code",
            ("professional__county__name",),
        ),
        GroupField(
            "institution",
            gettext_lazy("institution"),
            "professional__institution_id",
            ("professional__institution__name",),
        ),
        GroupField(
            "institution_type",
            gettext_lazy("institution type"),
            "professional__institution__institution_type_id",
            (
                "professional__institution__institution_type__name",
                "professional__institution__institution_type__name_en",
            ),
        ),
        GroupField(
            "professional_category",
            gettext_lazy("professional category"),
            "professional__category_id",
            ("professional__category__name", "professional__category__name_en"),
        ),
        GroupField("sex", gettext_lazy("sex"), "professional__sex"),
        GroupField("age_band", gettext_lazy("age band"), "age_band", multi_valued=True),
        GroupField("eil_member", gettext_lazy("EIL member"), "eil_member"),
        GroupField("month", gettext_lazy("month"), "month", multi_valued=True),
    )
}


@dataclass(frozen=True)
class ReportFilters:
    """What the report counts. Model instances where the filter names a row (the forms look
    them up from codes); None or "" for no filter."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    project: object = None
    course: object = None
    curriculum_code: str = ""
    delivery_type: str = ""
    session_county: object = None
    person_county: object = None
    institution: object = None
    institution_type: object = None
    professional_category: object = None
    sex: str = ""  # "F", "M" or "unknown"
    age_band: str = ""
    eil_member: bool | None = None

    def as_dict(self) -> dict:
        """The filters as the API and exports state them: codes, not database ids, except for
        the reference lists that have no code."""
        out = {}
        for name, value in (
            ("from", self.date_from.isoformat() if self.date_from else None),
            ("to", self.date_to.isoformat() if self.date_to else None),
            ("project", getattr(self.project, "acronym", None)),
            ("course", getattr(self.course, "code", None)),
            ("curriculum", self.curriculum_code or None),
            ("delivery_type", self.delivery_type or None),
            ("session_county", getattr(self.session_county, "code", None)),
            ("person_county", getattr(self.person_county, "code", None)),
            ("institution", getattr(self.institution, "pk", None)),
            ("institution_type", getattr(self.institution_type, "pk", None)),
            ("professional_category", getattr(self.professional_category, "pk", None)),
            ("sex", self.sex or None),
            ("age_band", self.age_band or None),
            ("eil_member", self.eil_member),
        ):
            if value is not None:
                out[name] = value
        return out

    def described(self) -> list[tuple[str, str]]:
        """(filter, value) in words, for the report page and the exports' first sheet."""
        rows = []
        if self.date_from or self.date_to:
            start = (
                formats.date_format(self.date_from, "SHORT_DATE_FORMAT") if self.date_from else "…"
            )
            end = formats.date_format(self.date_to, "SHORT_DATE_FORMAT") if self.date_to else "…"
            rows.append((_("period (first day of the session)"), f"{start} – {end}"))
        for label, value in (
            (_("project"), self.project),
            (_("course"), self.course),
            (_("curriculum"), self.curriculum_code),
            (
                _("delivery type"),
                DeliveryType(self.delivery_type).label if self.delivery_type else "",
            ),
            (_("session county"), self.session_county),
            (_("person's county"), self.person_county),
            (_("institution"), self.institution),
            (_("institution type"), self.institution_type),
            (_("professional category"), self.professional_category),
            (_("sex"), _sex_label(SEX_VALUES.get(self.sex)) if self.sex else ""),
            (_("age band"), str(AGE_BANDS[self.age_band]) if self.age_band else ""),
            (
                _("EIL member"),
                "" if self.eil_member is None else (_("yes") if self.eil_member else _("no")),
            ),
        ):
            if value:
                rows.append((label, str(value)))
        return rows


@dataclass(frozen=True)
class ReportScope:
    """Whose participations a reader may count: every county (counties=None) or the people of
    some counties (a county coordinator's)."""

    counties: frozenset[int] | None = None

    @property
    def is_all(self) -> bool:
        return self.counties is None

    def apply(self, qs: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        if self.counties is None:
            return qs
        return qs.filter(professional__county_id__in=self.counties)


ALL = ReportScope()


def report_scope_for(*, user) -> ReportScope:
    """The scope of this user's reports, or PermissionDenied: ANES (the all-counties right) sees
    every county; anyone else with the reports right sees the counties they coordinate (their
    county nomination rights), and nothing if they coordinate none."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    if user.has_perm(ALL_COUNTIES_PERMISSION):
        return ALL
    counties = frozenset(
        FocalPoint.objects.filter(user=user, county__isnull=False).values_list(
            "county_id", flat=True
        )
    )
    if not counties:
        raise PermissionDenied
    return ReportScope(counties)


@dataclass
class Figures:
    unique_persons: int = 0
    participations: int = 0
    unique_persons_completed: int = 0
    participations_completed: int = 0
    unique_persons_certified: int = 0
    participations_certified: int = 0
    sessions: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass
class Row:
    key: dict[str, object]
    label: dict[str, str]
    figures: Figures

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.figures.as_dict()}


@dataclass
class Table:
    """Rows grouped by one or two fields."""

    fields: tuple[str, ...]
    rows: list[Row]

    @property
    def overlapping(self) -> bool:
        """Whether a person may be counted in more than one row."""
        return any(GROUP_FIELDS[f].multi_valued for f in self.fields)

    @property
    def title(self) -> str:
        return " × ".join(str(GROUP_FIELDS[f].verbose_name) for f in self.fields)


@dataclass
class Report:
    filters: ReportFilters
    scope: ReportScope
    totals: Figures
    table: Table | None = None
    # For a cross-table, each of its two fields on its own (the row and column totals, which
    # are not the sums of the cells when a person falls in several cells).
    margins: list[Table] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return ([self.table] if self.table else []) + self.margins

    def as_dict(self) -> dict:
        out = {
            "filters": self.filters.as_dict(),
            "totals": self.totals.as_dict(),
            "group_by": list(self.table.fields) if self.table else [],
            "groups": [row.as_dict() for row in self.table.rows] if self.table else [],
            "groups_may_overlap": bool(self.table and self.table.overlapping),
        }
        if self.margins:
            out["margins"] = {t.fields[0]: [row.as_dict() for row in t.rows] for t in self.margins}
        return out


# --- the queries ---


def _certified() -> Q:
    valid = Certificate.objects.filter(enrolment_id=OuterRef("pk"), status=Certificate.Status.VALID)
    return Q(Exists(valid)) | ~Q(certificate_reference="")


def _age_band():
    birth = "professional__birth_date"
    first_day = F("training_session__starts_on")
    return Case(
        When(
            Q(professional__birth_date__isnull=True) | Q(training_session__starts_on__isnull=True),
            then=Value("unknown"),
        ),
        When(Q(**{f"{birth}__gt": YearsBefore(first_day, 25)}), then=Value("under_25")),
        When(Q(**{f"{birth}__gt": YearsBefore(first_day, 55)}), then=Value("25_54")),
        default=Value("over_54"),
        output_field=CharField(),
    )


def _eil_member():
    return Exists(LocalTeamMembership.objects.filter(professional_id=OuterRef("professional_id")))


# The computed group keys. Each is annotated only where a grouping or a filter needs it: an
# unused annotation would still leave its joins in the query.
COMPUTED_KEYS = {
    "age_band": _age_band,
    "eil_member": _eil_member,
    "month": lambda: MonthOf(F("training_session__starts_on")),
}


def participations(
    *,
    filters: ReportFilters = ReportFilters(),
    scope: ReportScope = ALL,
    keys: Iterable[str] = tuple(COMPUTED_KEYS),
) -> QuerySet[Enrolment]:
    """The participations the filters and the scope select, annotated with `certified` and
    the computed group keys among `keys` (by default all three: `age_band`, `eil_member`,
    `month`), plus those the filters use."""
    keys = set(keys) & set(COMPUTED_KEYS)
    if filters.age_band:
        keys.add("age_band")
    if filters.eil_member is not None:
        keys.add("eil_member")
    attended = Attendance.objects.filter(enrolment_id=OuterRef("pk"), status__in=ATTENDED)
    qs = (
        Enrolment.objects.order_by()
        .filter(Exists(attended))
        .exclude(training_session__status=TrainingSession.Status.CANCELLED)
        .annotate(
            certified=ExpressionWrapper(_certified(), output_field=BooleanField()),
            **{name: COMPUTED_KEYS[name]() for name in sorted(keys)},
        )
    )
    qs = scope.apply(qs)
    f = filters
    if f.date_from:
        qs = qs.filter(training_session__starts_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(training_session__starts_on__lte=f.date_to)
    for path, value in (
        ("training_session__project", f.project),
        ("training_session__course", f.course),
        ("training_session__county", f.session_county),
        ("professional__county", f.person_county),
        ("professional__institution", f.institution),
        ("professional__institution__institution_type", f.institution_type),
        ("professional__category", f.professional_category),
    ):
        if value is not None:
            qs = qs.filter(**{path: value})
    if f.curriculum_code:
        qs = qs.filter(training_session__course__curriculum__code__iexact=f.curriculum_code)
    if f.delivery_type:
        qs = qs.filter(training_session__course__delivery_type=f.delivery_type)
    if f.sex:
        qs = qs.filter(professional__sex=SEX_VALUES[f.sex])
    if f.age_band:
        qs = qs.filter(age_band=f.age_band)
    if f.eil_member is not None:
        qs = qs.filter(eil_member=f.eil_member)
    return qs


def _metrics() -> dict:
    completed = Q(completion=Enrolment.Completion.COMPLETED)
    certified = Q(certified=True)
    return {
        "unique_persons": Count("professional_id", distinct=True),
        "participations": Count("pk"),
        "unique_persons_completed": Count("professional_id", distinct=True, filter=completed),
        "participations_completed": Count("pk", filter=completed),
        "unique_persons_certified": Count("professional_id", distinct=True, filter=certified),
        "participations_certified": Count("pk", filter=certified),
        "sessions": Count("training_session_id", distinct=True),
    }


def _figures(values: dict) -> Figures:
    return Figures(**{name: values[name] or 0 for name in FIGURES})


def report_totals(*, filters: ReportFilters = ReportFilters(), scope: ReportScope = ALL) -> Figures:
    """The totals alone: one query."""
    qs = participations(filters=filters, scope=scope, keys=())
    return _figures(qs.aggregate(**_metrics()))


def _sex_label(value) -> str:
    if value in (None, ""):
        return str(Professional.Sex.UNSPECIFIED.label)
    return str(dict(Professional.Sex.choices).get(value, value))


def _label(group: GroupField, key, labels: list) -> str:
    english = (get_language() or "ro").startswith("en")
    if group.name == "delivery_type":
        return str(dict(DeliveryType.choices).get(key, key)) if key else _("not stated")
    if group.name == "sex":
        return _sex_label(key)
    if group.name == "age_band":
        return str(AGE_BANDS.get(key, AGE_BANDS["unknown"]))
    if group.name == "eil_member":
        return _("EIL member") if key else _("not an EIL member")
    if group.name == "month":
        if not key:
            return _("date not stated")
        year, month = key.split("-")
        return formats.date_format(datetime.date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")
    if key is None:
        return _("not stated")
    if len(labels) == 2 and english and labels[1]:
        return labels[1]
    if group.name in ("project", "course") and not labels[0].startswith(str(key)):
        return f"{key} – {labels[0]}"
    return labels[0] or str(key)


def _sort_key(group: GroupField, key, label: str):
    if group.name == "age_band":
        return (list(AGE_BANDS).index(key) if key in AGE_BANDS else 99, "")
    if group.name == "month":
        return (0 if key else 1, key or "")
    return (1 if key is None else 0, label.casefold())


def _group_columns(groups: list[GroupField]) -> tuple[dict, list[list[str]]]:
    """The key and label columns of each group field (aliases g<n>, g<n>_<i>)."""
    columns, names = {}, []
    for n, g in enumerate(groups):
        aliases = [f"g{n}", *(f"g{n}_{i}" for i in range(len(g.labels)))]
        names.append(aliases)
        columns[aliases[0]] = F(g.key)
        for alias, path in zip(aliases[1:], g.labels, strict=True):
            columns[alias] = F(path)
    return columns, names


def curriculum_titles(groups: list[GroupField]) -> dict[str, str]:
    """The title of each curriculum code (its latest version's), when a report groups by
    curriculum: one query."""
    if not any(g.name == "curriculum" for g in groups):
        return {}
    rows = Curriculum.objects.order_by("code", "pk").values_list("code", "title")
    return dict(rows)


def _row(
    groups: list[GroupField], names: list[list[str]], values: dict, figures, titles: dict
) -> Row:
    key, label = {}, {}
    for g, aliases in zip(groups, names, strict=True):
        k = values[aliases[0]]
        if g.name == "eil_member":
            k = bool(k)
        elif g.name == "sex":
            k = k or None
        key[g.name] = k
        if g.name == "curriculum" and k is not None:
            label[g.name] = titles.get(k) or str(k)
        else:
            label[g.name] = _label(g, k, [values[a] for a in aliases[1:]])
    return Row(key=key, label=label, figures=figures)


def _table(groups: list[GroupField], rows: list[Row]) -> Table:
    rows.sort(key=lambda r: tuple(_sort_key(g, r.key[g.name], r.label[g.name]) for g in groups))
    return Table(fields=tuple(g.name for g in groups), rows=rows)


def report_table(
    *, fields: Iterable[str], filters: ReportFilters = ReportFilters(), scope: ReportScope = ALL
) -> Table:
    """The participations grouped by one or two fields: one query, whatever the number of rows
    (labels are read in the same query)."""
    groups = [GROUP_FIELDS[name] for name in fields]
    columns, names = _group_columns(groups)
    qs = participations(filters=filters, scope=scope, keys=[g.name for g in groups])
    titles = curriculum_titles(groups)
    rows = [
        _row(groups, names, values, _figures(values), titles)
        for values in qs.values(**columns).annotate(**_metrics())
    ]
    return _table(groups, rows)


# The figures over the participations selected in `x` (person, session, done, cert).
_FIGURES_SQL = (
    "COUNT(DISTINCT person), COUNT(*), "
    "COUNT(DISTINCT CASE WHEN done THEN person END), COUNT(CASE WHEN done THEN 1 END), "
    "COUNT(DISTINCT CASE WHEN cert THEN person END), COUNT(CASE WHEN cert THEN 1 END), "
    "COUNT(DISTINCT session)"
)


def _grouped_report(*, groups: list[GroupField], filters, scope) -> tuple[Figures, Table, list]:
    """The totals, the table and (for two fields) each field on its own, in ONE statement that
    reads the participations once: GROUPING SETS on PostgreSQL, a materialised common table
    expression aggregated once per part on SQLite. The parts cannot be added up from the cells,
    since a person may fall in several cells. The participations come from the ORM queryset
    (`participations`), so the filters and the scope are those of every other report."""
    columns, names = _group_columns(groups)
    base = participations(filters=filters, scope=scope, keys=[g.name for g in groups]).values(
        person=F("professional_id"),
        session=F("training_session_id"),
        done=ExpressionWrapper(
            Q(completion=Enrolment.Completion.COMPLETED), output_field=BooleanField()
        ),
        cert=F("certified"),
        **columns,
    )
    sql, params = base.query.sql_with_params()
    every = [alias for aliases in names for alias in aliases]
    # Each part is named by a bit mask of the fields it groups by: 0 = the totals.
    whole = (1 << len(groups)) - 1
    parts = {whole: every, 0: []}
    if len(groups) == 2:
        parts[1], parts[2] = names[0], names[1]
    if connection.vendor == "postgresql":
        mask = " + ".join(f"{1 << n} * (1 - GROUPING({a[0]}))" for n, a in enumerate(names))
        sets = ", ".join(f"({', '.join(cols)})" for cols in parts.values())
        statement = (
            f"SELECT {mask}, {', '.join(every)}, {_FIGURES_SQL} "  # noqa: S608 (aliases only)
            f"FROM ({sql}) x GROUP BY GROUPING SETS ({sets})"
        )
    else:
        selects = []
        for code, grouped in parts.items():
            cols = ", ".join(c if c in grouped else "NULL" for c in every)
            select = f"SELECT {code}, {cols}, {_FIGURES_SQL} FROM x"  # noqa: S608
            if grouped:
                select += f" GROUP BY {', '.join(grouped)}"
            selects.append(select)
        # MATERIALIZED (SQLite 3.35+) reads the participations once for all the parts.
        hint = "MATERIALIZED " if connection.Database.sqlite_version_info >= (3, 35) else ""
        statement = f"WITH x AS {hint}({sql}) " + " UNION ALL ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        result = cursor.fetchall()
    titles = curriculum_titles(groups)
    totals, found = Figures(), {code: [] for code in parts}
    for record in result:
        code = int(record[0])
        figures = Figures(*(int(v or 0) for v in record[1 + len(every) :]))
        if code == 0:
            totals = figures
            continue
        values = dict(zip(every, record[1 : 1 + len(every)], strict=True))
        of = [(g, a) for n, (g, a) in enumerate(zip(groups, names, strict=True)) if code & (1 << n)]
        found[code].append(_row([g for g, _ in of], [a for _, a in of], values, figures, titles))
    table = _table(groups, found[whole])
    margins = (
        [_table([groups[0]], found[1]), _table([groups[1]], found[2])] if len(groups) == 2 else []
    )
    return totals, table, margins


def participation_report(
    *,
    filters: ReportFilters = ReportFilters(),
    group_by: Iterable[str] = (),
    scope: ReportScope = ALL,
) -> Report:
    """The totals and, when asked, the table by one field, or the cross-table by two with
    each field's own totals: one query."""
    group_by = tuple(group_by)
    if len(group_by) > 2 or any(name not in GROUP_FIELDS for name in group_by):
        raise ValueError(f"Cannot group by {group_by!r}.")
    if not group_by:
        totals = report_totals(filters=filters, scope=scope)
        return Report(filters=filters, scope=scope, totals=totals)
    totals, table, margins = _grouped_report(
        groups=[GROUP_FIELDS[name] for name in group_by], filters=filters, scope=scope
    )
    return Report(filters=filters, scope=scope, totals=totals, table=table, margins=margins)


@dataclass
class PerPerson:
    """How many persons had 1, 2, 3… participations in the filtered set: the partners' "persons
    who received at least 2 services"."""

    counts: dict[int, int]  # participations → persons

    def at_least(self, n: int) -> int:
        return sum(persons for k, persons in self.counts.items() if k >= n)

    def buckets(self, *, last: int = 5) -> list[tuple[str, int]]:
        """1, 2, … `last` or more."""
        out = [(str(k), self.counts.get(k, 0)) for k in range(1, last)]
        return [*out, (f"{last}+", self.at_least(last))]

    def as_dict(self) -> list[dict]:
        return [{"participations": k, "unique_persons": n} for k, n in sorted(self.counts.items())]


def participations_per_person(
    *, filters: ReportFilters = ReportFilters(), scope: ReportScope = ALL
) -> PerPerson:
    """The persons of the filtered set by their number of participations in it: one query."""
    per_person = (
        participations(filters=filters, scope=scope, keys=())
        .values("professional_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sql, params = per_person.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, COUNT(*) FROM ({sql}) x GROUP BY n", params)  # noqa: S608
        return PerPerson({int(n): int(persons) for n, persons in cursor.fetchall()})


# --- project indicators and public figures ---


@dataclass
class IndicatorProgress:
    indicator: object
    achieved: int | None

    @property
    def percent(self) -> int | None:
        if self.achieved is None or not self.indicator.target:
            return None
        return round(100 * self.achieved / self.indicator.target)


def project_indicators(*, project, scope: ReportScope = ALL) -> list[IndicatorProgress]:
    """Each indicator of a project with what was achieved, from the report service: two
    queries (the indicators, the totals) and one more when the project counts EIL members."""
    from training.models import Indicator

    indicators = list(project.indicators.all())
    if not indicators:
        return []
    filters = ReportFilters(project=project)
    totals = report_totals(filters=filters, scope=scope)
    achieved = {
        Indicator.Unit.PERSONS: totals.unique_persons,
        Indicator.Unit.PERSONS_COMPLETED: totals.unique_persons_completed,
        Indicator.Unit.CERTIFICATES: totals.unique_persons_certified,
        Indicator.Unit.PARTICIPATIONS: totals.participations,
        Indicator.Unit.SESSIONS: totals.sessions,
    }
    if any(i.unit == Indicator.Unit.EIL_MEMBERS for i in indicators):
        achieved[Indicator.Unit.EIL_MEMBERS] = report_totals(
            filters=dataclasses.replace(filters, eil_member=True), scope=scope
        ).unique_persons
    return [IndicatorProgress(i, achieved.get(i.unit)) for i in indicators]


def suppressed(n: int | None) -> int | None:
    """A count of persons as the public may see it: None (shown as "fewer than 5") from 1 to
    SMALL_COUNT - 1, which could point at someone; zero and larger counts as they are."""
    if n is None or 0 < n < SMALL_COUNT:
        return None
    return n


def public_figures() -> dict[str, int | None]:
    """The home page's figures: persons trained, sessions held and counties reached, counted by
    the report service, with small counts of persons suppressed (sessions and counties are
    public anyway). Two queries."""
    totals = report_totals()
    counties = participations(keys=()).values("training_session__county").distinct().count()
    return {
        "persons_trained": suppressed(totals.unique_persons),
        "participations": suppressed(totals.participations),
        "sessions_held": totals.sessions,
        "counties_reached": counties,
    }
