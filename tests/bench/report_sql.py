"""Hand-written SQL for the report benchmark (tests/bench/bench_reports.py): one aggregate per
report table, written for each database (SQLite and PostgreSQL) the way one would by hand,
from the definitions in reports/selectors.py's docstring rather than from its code:

- a participation is an enrolment with an attended day (EXISTS a present or partial mark) in a
  session that is not cancelled;
- completed: completion = 'completed'; certified: a valid certificate (EXISTS) or a non-empty
  certificate_reference; both worked out once per enrolment in a derived table;
- age band: the classic age in whole years on the session's first day (starts_on);
- month: starts_on's YYYY-MM; EIL member: EXISTS a local team membership of the person.

Each function returns {key: figures} with the service's keys (a tuple of the group fields'
values, () for the totals) and the figures in reports.selectors.FIGURES's order, so that the
benchmark can compare them with the service's numbers one by one."""

# ruff: noqa: S608 (the SQL is built from the constants below, never from input)
from django.db import connection

FIGURES = (
    "unique_persons",
    "participations",
    "unique_persons_completed",
    "participations_completed",
    "unique_persons_certified",
    "participations_certified",
    "sessions",
)

# Joins beyond enrolment e, session s and person p, in the order they may be needed.
JOINS = {
    "pr": "LEFT JOIN training_project pr ON pr.id = s.project_id",
    "co": "JOIN training_course co ON co.id = s.course_id",
    "cu": "LEFT JOIN training_curriculum cu ON cu.id = co.curriculum_id",
    "sc": "JOIN training_county sc ON sc.id = s.county_id",
    "pc": "JOIN training_county pc ON pc.id = p.county_id",
    "i": "LEFT JOIN training_institution i ON i.id = p.institution_id",
    "it": "LEFT JOIN training_institutiontype it ON it.id = i.institution_type_id",
    "cat": "LEFT JOIN training_professionalcategory cat ON cat.id = p.category_id",
}

# The group fields that need the person's row.
PERSON_FIELDS = {
    "person_county",
    "institution",
    "institution_type",
    "professional_category",
    "sex",
    "age_band",
    "eil_member",
}


def _age(vendor: str) -> str:
    """The person's age in whole years on the session's first day."""
    if vendor == "postgresql":
        return "date_part('year', age(s.starts_on, p.birth_date))"
    # Years between the dates, less one when the birthday has not come yet that year.
    return (
        "(CAST(substr(s.starts_on, 1, 4) AS integer) - CAST(substr(p.birth_date, 1, 4) AS integer)"
        " - (substr(s.starts_on, 6, 5) < substr(p.birth_date, 6, 5)))"
    )


def _fields(vendor: str) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Group field: (key expression, label expressions, joins it needs)."""
    age = _age(vendor)
    month = (
        "to_char(s.starts_on, 'YYYY-MM')" if vendor == "postgresql" else "substr(s.starts_on, 1, 7)"
    )
    eil = "EXISTS (SELECT 1 FROM training_localteammembership m WHERE m.professional_id = p.id)"
    return {
        "project": ("pr.acronym", ("pr.name",), ("pr",)),
        "course": ("co.code", ("co.title",), ("co",)),
        "curriculum": ("cu.code", ("cu.title",), ("co", "cu")),
        "delivery_type": ("co.delivery_type", (), ("co",)),
        "session_county": ("sc.code", ("sc.name",), ("sc",)),
        "person_county": ("pc.code", ("pc.name",), ("pc",)),
        "institution": ("p.institution_id", ("i.name",), ("i",)),
        "institution_type": ("i.institution_type_id", ("it.name", "it.name_en"), ("i", "it")),
        "professional_category": ("p.category_id", ("cat.name", "cat.name_en"), ("cat",)),
        "sex": ("p.sex", (), ()),
        "age_band": (
            f"CASE WHEN p.birth_date IS NULL OR s.starts_on IS NULL THEN 'unknown' "
            f"WHEN {age} < 25 THEN 'under_25' WHEN {age} <= 54 THEN '25_54' "
            f"ELSE 'over_54' END",
            (),
            (),
        ),
        "eil_member": (eil, (), ()),
        "month": (month, (), ()),
    }


def _participations(vendor: str, fields: tuple[str, ...]) -> str:
    """The derived table of participations: one row per attended enrolment with its flags and
    the group fields' keys (k0, k1) and labels (l0_0…)."""
    spec = _fields(vendor)
    columns = [
        "e.professional_id AS person",
        "e.training_session_id AS session",
        "e.completion = 'completed' AS done",
        "(e.certificate_reference <> '' OR EXISTS (SELECT 1 FROM certificates_certificate c "
        "WHERE c.enrolment_id = e.id AND c.status = 'valid')) AS cert",
    ]
    joins: list[str] = []
    for n, name in enumerate(fields):
        key, labels, needs = spec[name]
        columns.append(f"{key} AS k{n}")
        columns += [f"{label} AS l{n}_{i}" for i, label in enumerate(labels)]
        joins += [j for j in needs if j not in joins]
    person = any(name in PERSON_FIELDS for name in fields)
    sql = [
        f"SELECT {', '.join(columns)}",
        "FROM training_sessions_enrolment e",
        "JOIN training_sessions_trainingsession s ON s.id = e.training_session_id",
    ]
    if person:
        sql.append("JOIN training_professional p ON p.id = e.professional_id")
    sql += [JOINS[j] for j in JOINS if j in joins]
    sql += [
        "WHERE s.status <> 'cancelled'",
        "  AND EXISTS (SELECT 1 FROM training_sessions_attendance a",
        "              WHERE a.enrolment_id = e.id AND a.status IN ('present', 'partial'))",
    ]
    return "\n".join(sql)


# The figures, in FIGURES's order, over the derived table.
FIGURES_SQL = (
    "COUNT(DISTINCT person), COUNT(*), "
    "COUNT(DISTINCT CASE WHEN done THEN person END), COUNT(CASE WHEN done THEN 1 END), "
    "COUNT(DISTINCT CASE WHEN cert THEN person END), COUNT(CASE WHEN cert THEN 1 END), "
    "COUNT(DISTINCT session)"
)


def _label_columns(vendor: str, fields: tuple[str, ...]) -> list[str]:
    spec = _fields(vendor)
    out = []
    for n, name in enumerate(fields):
        out.append(f"k{n}")
        out += [f"l{n}_{i}" for i in range(len(spec[name][1]))]
    return out


def table_sql(*, fields: tuple[str, ...]) -> str:
    """One aggregate: the figures per group of `fields` (none: the totals)."""
    vendor = connection.vendor
    group = _label_columns(vendor, fields)
    select = ", ".join([*group, FIGURES_SQL])
    sql = f"SELECT {select}\nFROM (\n{_participations(vendor, fields)}\n) x"
    if group:
        sql += f"\nGROUP BY {', '.join(group)}"
    return sql


def report_sql(*, fields: tuple[str, ...]) -> str:
    """One statement for a whole report: the totals, and the table of `fields` (one or two)
    with, for two, each field's own margin. PostgreSQL: GROUPING SETS; SQLite (which has none):
    the participations materialized once, aggregated once per part. The first column tells the
    parts apart: 1 for the first field's groups, 2 for the second's, 3 for the cells, 0 for
    the totals."""
    vendor = connection.vendor
    spec = _fields(vendor)
    keys = [
        [f"k{n}", *[f"l{n}_{i}" for i in range(len(spec[name][1]))]]
        for n, name in enumerate(fields)
    ]
    every = [c for k in keys for c in k]
    base = _participations(vendor, fields)
    if vendor == "postgresql":
        part = " + ".join(f"{1 << n} * (1 - GROUPING(k{n}))" for n in range(len(fields)))
        sets = [every, *(keys if len(fields) == 2 else []), []]
        grouping = ", ".join(f"({', '.join(s)})" for s in sets)
        return (
            f"SELECT {part}, {', '.join(every)}, {FIGURES_SQL}\nFROM (\n{base}\n) x\n"
            f"GROUP BY GROUPING SETS ({grouping})"
        )
    # (part, the columns grouped by) for each part.
    parts = [
        ((1 << len(fields)) - 1, set(every)),
        *([(1, set(keys[0])), (2, set(keys[1]))] if len(fields) == 2 else []),
        (0, set()),
    ]
    selects = []
    for code, grouped in parts:
        columns = ", ".join(c if c in grouped else "NULL" for c in every)
        sql = f"SELECT {code}, {columns}, {FIGURES_SQL} FROM x"
        if grouped:
            sql += f" GROUP BY {', '.join(c for c in every if c in grouped)}"
        selects.append(sql)
    return f"WITH x AS MATERIALIZED (\n{base}\n)\n" + "\nUNION ALL\n".join(selects)


def _normal(name: str, value):
    """The service's key for a value read from the database."""
    if name == "eil_member":
        return bool(value)
    if name == "sex":
        return value or None
    return value


def run_table(*, fields: tuple[str, ...]) -> dict[tuple, tuple[int, ...]]:
    """{(key, …): figures} of table_sql."""
    vendor = connection.vendor
    spec = _fields(vendor)
    widths = [1 + len(spec[name][1]) for name in fields]
    with connection.cursor() as cursor:
        cursor.execute(table_sql(fields=fields))
        rows = cursor.fetchall()
    out = {}
    for row in rows:
        key, at = [], 0
        for name, width in zip(fields, widths, strict=True):
            key.append(_normal(name, row[at]))
            at += width
        out[tuple(key)] = tuple(int(n) for n in row[at:])
    return out


def run_report(*, fields: tuple[str, ...]) -> dict[int, dict[tuple, tuple[int, ...]]]:
    """{part: {(key, …): figures}} of report_sql: part 0 the totals (key ()), 1 and 2 the
    first and second field's groups (key (value,)), 3 the cells (key (first, second))."""
    vendor = connection.vendor
    spec = _fields(vendor)
    widths = [1 + len(spec[name][1]) for name in fields]
    starts = [1 + sum(widths[:n]) for n in range(len(fields))]
    with connection.cursor() as cursor:
        cursor.execute(report_sql(fields=fields))
        rows = cursor.fetchall()
    out: dict[int, dict] = {}
    for row in rows:
        part = int(row[0])
        key = tuple(
            _normal(name, row[at])
            for n, (name, at) in enumerate(zip(fields, starts, strict=True))
            if part & (1 << n)
        )
        out.setdefault(part, {})[key] = tuple(int(v) for v in row[1 + sum(widths) :])
    return out
