"""The report service's numbers against the hand-counted world of tests/reports/conftest.py
(its docstring lists every session, person and mark; the counts below are derived from it).

Each expected row is (unique persons, participations, unique persons completed, unique persons
certified, sessions)."""

import dataclasses
import datetime

import pytest

from reports.selectors import (
    GROUP_FIELDS,
    Figures,
    ReportFilters,
    participation_report,
    report_totals,
)
from tests.factories.training import ProfessionalFactory
from tests.reports.conftest import A, CountedWorld, attend, held_session
from training.models import Institution, InstitutionType, ProfessionalCategory

d = datetime.date

TOTALS = (6, 9, 4, 3, 3)

# Rows by each grouping, keyed by readable keys (names for the reference rows that have only an
# id; None for "not stated").
EXPECTED_ROWS = {
    # VENUS: S1 (P1 Ana, P2 Bogdan, P4 Ioana); ISTANBUL: S2, S3 (P3, P5–P9).
    "project": {
        "VENUS": (3, 3, 3, 1, 1),
        "ISTANBUL": (5, 6, 2, 2, 2),
    },
    # C-TRAIN = S1; C-MEET = S3 (P3 Bogdan, P8 Mihai); C-SEM = S2 (Ioana, Carmen, Dan, Mihai).
    "course": {
        "C-TRAIN": (3, 3, 3, 1, 1),
        "C-MEET": (2, 2, 1, 1, 1),
        "C-SEM": (4, 4, 1, 1, 1),
    },
    # CUR-A = S1 + S3: Ana, Bogdan ×2, Ioana, Mihai; S2's course has no curriculum.
    "curriculum": {
        "CUR-A": (4, 5, 4, 2, 2),
        None: (4, 4, 1, 1, 1),
    },
    "delivery_type": {
        "training": (3, 3, 3, 1, 1),
        "meeting": (2, 2, 1, 1, 1),
        "seminar": (4, 4, 1, 1, 1),
    },
    # CJ = S1 + S3, IS = S2: Ioana and Mihai were trained in both counties.
    "session_county": {
        "CJ": (4, 5, 4, 2, 2),
        "IS": (4, 4, 1, 1, 1),
    },
    # CJ: Ana, Bogdan, Mihai (P1, P2, P3, P8, P9); IS: Ioana, Carmen (P4, P5, P6); BV: Dan
    # (Mihai's dropped entry was in BV: it must not count there).
    "person_county": {
        "CJ": (3, 5, 3, 2, 3),
        "IS": (2, 3, 1, 1, 2),
        "BV": (1, 1, 0, 0, 1),
    },
    "institution": {
        "DGASPC Cluj": (3, 5, 3, 2, 3),
        "DGASPC Brașov": (1, 1, 0, 0, 1),
        "ONG Iași": (1, 2, 1, 1, 2),
        "SPAS Iași": (1, 1, 0, 0, 1),
    },
    # DGASPC: Ana, Bogdan, Mihai, Dan (P1, P2, P3, P7, P8, P9).
    "institution_type": {
        "DGASPC": (4, 6, 3, 2, 3),
        "ONG (servicii pentru victime)": (1, 2, 1, 1, 2),
        "SPAS / DAS (primărie)": (1, 1, 0, 0, 1),
    },
    # social: Ana, Carmen, Mihai (P1, P6, P8, P9); psych: Bogdan, Ioana (P2–P5); none: Dan.
    "professional_category": {
        "asistent social": (3, 4, 2, 2, 3),
        "psiholog": (2, 4, 2, 1, 3),
        None: (1, 1, 0, 0, 1),
    },
    # F: Ana, Carmen; M: Bogdan, Dan, Mihai (P2, P3, P7, P8, P9); not stated: Ioana.
    "sex": {
        "F": (2, 2, 1, 1, 2),
        "M": (3, 5, 2, 1, 3),
        None: (1, 2, 1, 1, 2),
    },
    # under 25: Bogdan at S1; 25–54: Ana, Bogdan at S3, Dan, Mihai ×2; over 54: Carmen;
    # unknown: Ioana ×2. Bogdan is in two bands.
    "age_band": {
        "under_25": (1, 1, 1, 0, 1),
        "25_54": (4, 5, 2, 2, 3),
        "over_54": (1, 1, 0, 0, 1),
        "unknown": (1, 2, 1, 1, 2),
    },
    "eil_member": {
        True: (1, 1, 1, 1, 1),
        False: (5, 8, 3, 2, 3),
    },
    "month": {
        "2023-03": (3, 3, 3, 1, 1),
        "2023-04": (2, 2, 1, 1, 1),
        "2023-05": (4, 4, 1, 1, 1),
    },
}

PERSON_FIELDS = {
    "person_county",
    "institution",
    "institution_type",
    "professional_category",
    "sex",
    "eil_member",
}


def five(f: Figures) -> tuple[int, int, int, int, int]:
    return (
        f.unique_persons,
        f.participations,
        f.unique_persons_completed,
        f.unique_persons_certified,
        f.sessions,
    )


def readable(field: str, key):
    """The key as the expected rows write it: a name for the rows known by id only."""
    if key is None:
        return None
    model = {
        "institution": Institution,
        "institution_type": InstitutionType,
        "professional_category": ProfessionalCategory,
    }.get(field)
    return model.objects.get(pk=key).name if model else key


def rows_of(table) -> dict:
    return {
        tuple(readable(f, row.key[f]) for f in table.fields)
        if len(table.fields) > 1
        else readable(table.fields[0], row.key[table.fields[0]]): five(row.figures)
        for row in table.rows
    }


def test_the_expected_rows_cover_every_grouping():
    assert set(EXPECTED_ROWS) == set(GROUP_FIELDS)


def test_totals(counted_world):
    totals = participation_report().totals
    assert five(totals) == TOTALS
    # P1, P2, P4, P5, P8 completed; P1, P5, P8 certified.
    assert totals.participations_completed == 5
    assert totals.participations_certified == 3


@pytest.mark.parametrize("field", sorted(EXPECTED_ROWS))
def test_rows_of_each_grouping(counted_world, field):
    report = participation_report(group_by=[field])
    assert report.table.fields == (field,)
    assert rows_of(report.table) == EXPECTED_ROWS[field]
    assert len(report.table.rows) == len(EXPECTED_ROWS[field])  # no duplicated keys
    assert five(report.totals) == TOTALS


@pytest.mark.parametrize("field", sorted(PERSON_FIELDS))
def test_person_fields_do_not_overlap_and_add_up_to_the_total(counted_world, field):
    table = participation_report(group_by=[field]).table
    assert table.overlapping is False
    assert sum(r.figures.unique_persons for r in table.rows) == 6
    assert sum(r.figures.participations for r in table.rows) == 9


@pytest.mark.parametrize("field", sorted(set(GROUP_FIELDS) - PERSON_FIELDS))
def test_session_fields_and_age_band_are_marked_overlapping(counted_world, field):
    report = participation_report(group_by=[field])
    assert report.table.overlapping is True
    assert report.as_dict()["groups_may_overlap"] is True
    # Participations never overlap: each one has one session and one age.
    assert sum(r.figures.participations for r in report.table.rows) == 9


def test_session_county_rows_add_up_to_more_than_the_total(counted_world):
    # Ioana and Mihai were trained in Cluj and in Iași: 4 + 4 persons for 6 in all.
    rows = participation_report(group_by=["session_county"]).table.rows
    assert sum(r.figures.unique_persons for r in rows) == 8 > 6


def test_a_cross_table_of_county_and_category_with_its_margins(counted_world):
    report = participation_report(group_by=["person_county", "professional_category"])
    assert report.table.fields == ("person_county", "professional_category")
    assert report.table.overlapping is False
    assert rows_of(report.table) == {
        ("CJ", "asistent social"): (2, 3, 2, 2, 3),  # Ana (P1), Mihai (P8, P9)
        ("CJ", "psiholog"): (1, 2, 1, 0, 2),  # Bogdan (P2, P3), revoked certificate
        ("IS", "asistent social"): (1, 1, 0, 0, 1),  # Carmen
        ("IS", "psiholog"): (1, 2, 1, 1, 2),  # Ioana
        ("BV", None): (1, 1, 0, 0, 1),  # Dan
    }
    assert [t.fields for t in report.margins] == [("person_county",), ("professional_category",)]
    assert rows_of(report.margins[0]) == EXPECTED_ROWS["person_county"]
    assert rows_of(report.margins[1]) == EXPECTED_ROWS["professional_category"]
    assert five(report.totals) == TOTALS
    data = report.as_dict()
    assert data["group_by"] == ["person_county", "professional_category"]
    assert {row["key"]["person_county"] for row in data["margins"]["person_county"]} == {
        "CJ",
        "IS",
        "BV",
    }


def test_a_cross_table_over_a_session_field_overlaps_and_its_margins_are_not_cell_sums(
    counted_world,
):
    report = participation_report(group_by=["session_county", "sex"])
    assert report.table.overlapping is True
    assert rows_of(report.table) == {
        ("CJ", "F"): (1, 1, 1, 1, 1),  # Ana P1
        ("CJ", "M"): (2, 3, 2, 1, 2),  # Bogdan P2, P3; Mihai P8
        ("CJ", None): (1, 1, 1, 0, 1),  # Ioana P4
        ("IS", "F"): (1, 1, 0, 0, 1),  # Carmen P6
        ("IS", "M"): (2, 2, 0, 0, 1),  # Dan P7, Mihai P9
        ("IS", None): (1, 1, 1, 1, 1),  # Ioana P5 (imported certificate)
    }
    # Men: 2 in Cluj + 2 in Iași, but 3 men (Mihai in both).
    assert rows_of(report.margins[1])["M"] == (3, 5, 2, 1, 3)
    assert rows_of(report.margins[0]) == EXPECTED_ROWS["session_county"]


def filters_cases(w: CountedWorld):
    return [
        # The period is read on the session's first day, bounds included.
        (ReportFilters(date_from=d(2023, 4, 12), date_to=d(2023, 5, 20)), (5, 6, 2, 2, 2)),
        (ReportFilters(date_from=d(2023, 4, 13), date_to=d(2023, 5, 19)), (0, 0, 0, 0, 0)),
        # S1's second day is 11 March: the session is in the period only by its first day.
        (ReportFilters(date_from=d(2023, 3, 11)), (5, 6, 2, 2, 2)),
        (ReportFilters(date_to=d(2023, 3, 10)), (3, 3, 3, 1, 1)),
        (ReportFilters(date_to=d(2023, 3, 9)), (0, 0, 0, 0, 0)),
        # VENUS also has the cancelled SX, with Elena present: not counted.
        (ReportFilters(project=w.venus), (3, 3, 3, 1, 1)),
        (ReportFilters(project=w.istanbul), (5, 6, 2, 2, 2)),
        (ReportFilters(course=w.c_meet), (2, 2, 1, 1, 1)),
        (ReportFilters(curriculum_code="CUR-A"), (4, 5, 4, 2, 2)),
        (ReportFilters(delivery_type="seminar"), (4, 4, 1, 1, 1)),
        (ReportFilters(session_county=w.is_), (4, 4, 1, 1, 1)),
        (ReportFilters(session_county=w.bv), (0, 0, 0, 0, 0)),
        (ReportFilters(person_county=w.cj), (3, 5, 3, 2, 3)),
        (ReportFilters(person_county=w.bv), (1, 1, 0, 0, 1)),  # Dan only, not Mihai's duplicate
        (ReportFilters(institution=w.ngo_is), (1, 2, 1, 1, 2)),
        (ReportFilters(institution_type=w.dgaspc), (4, 6, 3, 2, 3)),
        (ReportFilters(professional_category=w.psych), (2, 4, 2, 1, 3)),
        (ReportFilters(sex="F"), (2, 2, 1, 1, 2)),
        (ReportFilters(sex="M"), (3, 5, 2, 1, 3)),
        (ReportFilters(sex="unknown"), (1, 2, 1, 1, 2)),
        (ReportFilters(age_band="under_25"), (1, 1, 1, 0, 1)),
        (ReportFilters(age_band="25_54"), (4, 5, 2, 2, 3)),
        (ReportFilters(age_band="over_54"), (1, 1, 0, 0, 1)),
        (ReportFilters(age_band="unknown"), (1, 2, 1, 1, 2)),
        (ReportFilters(eil_member=True), (1, 1, 1, 1, 1)),
        (ReportFilters(eil_member=False), (5, 8, 3, 2, 3)),
        # Filters combine: men trained in Cluj (Bogdan P2, P3; Mihai P8).
        (ReportFilters(session_county=w.cj, sex="M"), (2, 3, 2, 1, 2)),
    ]


def test_every_filter(counted_world):
    for filters, expected in filters_cases(counted_world):
        assert five(report_totals(filters=filters)) == expected, filters.as_dict()


def test_filters_apply_to_the_rows_too(counted_world):
    # Iași's session (S2) only, by the person's county.
    report = participation_report(
        filters=ReportFilters(session_county=counted_world.is_), group_by=["person_county"]
    )
    assert rows_of(report.table) == {
        "CJ": (1, 1, 0, 0, 1),  # Mihai P9
        "IS": (2, 2, 1, 1, 1),  # Ioana P5, Carmen P6
        "BV": (1, 1, 0, 0, 1),  # Dan P7
    }


def test_a_merged_person_counts_once_with_their_own_fields(counted_world):
    # Mihai's two entries: one person, two participations, in Cluj (not in the dropped BV).
    report = participation_report(
        filters=ReportFilters(person_county=counted_world.cj, sex="M", age_band="25_54"),
        group_by=["session_county"],
    )
    # Mihai (P8 in CJ, P9 in IS) and Bogdan at S3 (P3, 25 by then).
    assert five(report.totals) == (2, 3, 1, 1, 2)
    assert rows_of(report.table) == {"CJ": (2, 2, 1, 1, 1), "IS": (1, 1, 0, 0, 1)}


def grow(w: CountedWorld, n: int) -> None:
    """n more people attending n more sessions, in more counties, months and categories."""
    for i in range(n):
        session = held_session(
            project=w.istanbul if i % 2 else w.venus,
            course=w.c_sem,
            county=w.bv,
            days=[d(2022, 1 + i % 12, 1)],
        )
        for j in range(3):
            person = ProfessionalFactory(
                county=w.is_ if j else w.bv, sex="FM"[j % 2], birth_date=d(1970 + i, 1, 1)
            )
            attend(session, person, [A.PRESENT])


@pytest.mark.parametrize(
    ("group_by", "queries"),
    [((), 1), (("person_county",), 1), (("person_county", "professional_category"), 1)],
)
def test_a_report_takes_a_fixed_number_of_queries(
    counted_world, django_assert_num_queries, group_by, queries
):
    with django_assert_num_queries(queries):
        small = participation_report(group_by=group_by, filters=ReportFilters(sex="M"))
    grow(counted_world, 12)
    with django_assert_num_queries(queries):
        big = participation_report(group_by=group_by, filters=ReportFilters(sex="M"))
    assert big.totals.unique_persons > small.totals.unique_persons


def test_the_month_and_age_figures_read_the_sessions_stored_first_day(counted_world):
    # Moving S3 (Bogdan at 25, Mihai at 25) a day earlier, to 11 April: Mihai is 24 then.
    from sessions.models import SessionDay

    day = SessionDay.objects.get(training_session=counted_world.s3)
    day.starts_at -= datetime.timedelta(days=1)
    day.ends_at -= datetime.timedelta(days=1)
    day.save()
    rows = rows_of(participation_report(group_by=["age_band"]).table)
    # under 25: Bogdan P2 (S1) and Mihai P8 (S3, completed, certified).
    assert rows["under_25"] == (2, 2, 2, 1, 2)
    assert rows["25_54"] == (4, 4, 1, 1, 3)  # Ana P1, Bogdan P3, Dan P7, Mihai P9


def test_figures_are_a_plain_mapping_for_the_api(counted_world):
    totals = participation_report().as_dict()["totals"]
    assert totals == {
        "unique_persons": 6,
        "participations": 9,
        "unique_persons_completed": 4,
        "participations_completed": 5,
        "unique_persons_certified": 3,
        "participations_certified": 3,
        "sessions": 3,
    }
    assert dataclasses.asdict(Figures()) == dict.fromkeys(totals, 0)
