"""A small world of trained people, counted by hand, that the report tests share
(`counted_world`; `CountedWorld` for test files elsewhere).

Sessions (first day, local date; days at 09:00 Bucharest time):

| session | project  | course (delivery, curriculum) | county | days                  | status    |
|---------|----------|-------------------------------|--------|-----------------------|-----------|
| S1      | VENUS    | C-TRAIN (training, CUR-A)     | CJ     | 2023-03-10, 03-11     | completed |
| S3      | ISTANBUL | C-MEET (meeting, CUR-A)       | CJ     | 2023-04-12            | completed |
| S2      | ISTANBUL | C-SEM (seminar, no curriculum)| IS     | 2023-05-20            | completed |
| SX      | VENUS    | C-TRAIN                       | CJ     | 2023-03-25            | cancelled |

People (the person's own fields):

| person | county | institution (type)   | category | sex | born       | EIL |
|--------|--------|----------------------|----------|-----|------------|-----|
| Ana    | CJ     | DGASPC Cluj (DGASPC) | social   | F   | 1990-01-01 | yes |
| Bogdan | CJ     | DGASPC Cluj (DGASPC) | psych    | M   | 1998-03-11 | no  |
| Ioana  | IS     | ONG Iași (ONG)       | psych    | –   | –          | no  |
| Carmen | IS     | SPAS Iași (SPAS)     | social   | F   | 1968-05-20 | no  |
| Dan    | BV     | DGASPC Brașov (DGASPC)| –       | M   | 1968-05-21 | no  |
| Mihai  | CJ     | DGASPC Cluj (DGASPC) | social   | M   | 1998-04-12 | no  |
| Florin | IS     | –                    | social   | M   | 1980-01-01 | no  |
| Elena  | CJ     | –                    | social   | F   | 1980-01-01 | no  |

Mihai was two registry entries: "Mihai" (kept) and "Mihai Dublură" (county BV, born 1960,
dropped), merged with imports.merge.person_merge: the dropped entry's enrolment in S2 moved to
Mihai, who counts once with Mihai's own fields.

Participations (P = present, L = late/partial, A = absent, E = excused):

| #  | who    | session | marks | age band on the first day    | completion | certificate  |
|----|--------|---------|-------|------------------------------|------------|--------------|
| P1 | Ana    | S1      | P, A  | 25–54 (33)                   | completed  | valid        |
| P2 | Bogdan | S1      | P, P  | under 25 (24; 25 next day)   | completed  | revoked      |
| P3 | Bogdan | S3      | P     | 25–54 (25)                   | not        | –            |
| P4 | Ioana  | S1      | L, P  | unknown (no birth date)      | completed  | –            |
| P5 | Ioana  | S2      | P     | unknown                      | completed  | imported ref |
| P6 | Carmen | S2      | P     | over 54 (55 that very day)   | not known  | –            |
| P7 | Dan    | S2      | P     | 25–54 (54; 55 next day)      | not        | –            |
| P8 | Mihai  | S3      | P     | 25–54 (25 that very day)     | completed  | valid        |
| P9 | Mihai  | S2      | L     | 25–54 (from dropped entry)   | not        | –            |

A revoked certificate does not certify; an imported reference (certificate_reference) does.

Not participations: Florin in S1 (absent, excused), Elena in S2 (enrolled, no mark at all),
Elena in the cancelled SX (present, completed, valid certificate).

Totals: 6 persons (Ana, Bogdan, Ioana, Carmen, Dan, Mihai), 9 participations, 4 persons
completed (Ana, Bogdan, Ioana, Mihai), 5 participations completed (P1, P2, P4, P5, P8),
3 persons certified (Ana, Ioana, Mihai), 3 participations certified (P1, P5, P8), 3 sessions.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.models import Certificate
from imports.merge import person_merge
from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from tests.factories.certificates import stored_certificate as certificate
from tests.factories.sessions import TrainingSessionFactory
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    ProjectFactory,
    county,
    team_member,
)
from training.models import InstitutionType, ProfessionalCategory

A = Attendance.Status
DONE = Enrolment.Completion.COMPLETED
NOT_DONE = Enrolment.Completion.NOT_COMPLETED


def local(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """`hour` o'clock on `day`, Bucharest time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def held_session(*, days, status=TrainingSession.Status.COMPLETED, **fields) -> TrainingSession:
    """A session with one 09:00–17:00 day per date in `days`."""
    session = TrainingSessionFactory(status=status, **fields)
    for day in days:
        SessionDay.objects.create(
            training_session=session, starts_at=local(day, 9), ends_at=local(day, 17)
        )
    return session


def attend(session, professional, marks, completion="", reference="") -> Enrolment:
    """An enrolment with one mark per day of the session, in the days' order ("" = no mark)."""
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=professional,
        status=Enrolment.Status.CONFIRMED,
        source=Enrolment.Source.STAFF,
        completion=completion,
        certificate_reference=reference,
    )
    for day, status in zip(session.days.order_by("starts_at"), marks, strict=True):
        if status:
            minutes = 240 if status == A.PARTIAL else None
            Attendance.objects.create(enrolment=enrolment, day=day, status=status, minutes=minutes)
    return enrolment


class CountedWorld:
    """The world of the module docstring. Attributes name its rows for filters and keys."""

    def __init__(self):
        self.cj, self.is_, self.bv = county("CJ"), county("IS"), county("BV")
        self.social = ProfessionalCategory.objects.get(name="asistent social")
        self.psych = ProfessionalCategory.objects.get(name="psiholog")
        self.dgaspc = InstitutionType.objects.get(name="DGASPC")
        self.ngo = InstitutionType.objects.get(name="ONG (servicii pentru victime)")
        self.spas = InstitutionType.objects.get(name="SPAS / DAS (primărie)")
        self.dgaspc_cj = InstitutionFactory(
            name="DGASPC Cluj", institution_type=self.dgaspc, county=self.cj
        )
        self.dgaspc_bv = InstitutionFactory(
            name="DGASPC Brașov", institution_type=self.dgaspc, county=self.bv
        )
        self.ngo_is = InstitutionFactory(
            name="ONG Iași", institution_type=self.ngo, county=self.is_
        )
        self.spas_is = InstitutionFactory(
            name="SPAS Iași", institution_type=self.spas, county=self.is_
        )

        self.venus = ProjectFactory(acronym="VENUS", name="Rețeaua VENUS")
        self.istanbul = ProjectFactory(acronym="ISTANBUL", name="Convenția de la Istanbul")
        self.cur_a = CurriculumFactory(code="CUR-A", title="Curriculum A")
        self.c_train = CourseFactory(
            code="C-TRAIN", title="Formare", delivery_type="training", curriculum=self.cur_a
        )
        self.c_meet = CourseFactory(
            code="C-MEET", title="Întâlnire", delivery_type="meeting", curriculum=self.cur_a
        )
        self.c_sem = CourseFactory(
            code="C-SEM", title="Seminar", delivery_type="seminar", curriculum=None
        )

        d = datetime.date
        self.s1 = held_session(
            code="S1",
            project=self.venus,
            course=self.c_train,
            county=self.cj,
            days=[d(2023, 3, 10), d(2023, 3, 11)],
        )
        self.s3 = held_session(
            code="S3",
            project=self.istanbul,
            course=self.c_meet,
            county=self.cj,
            days=[d(2023, 4, 12)],
        )
        self.s2 = held_session(
            code="S2",
            project=self.istanbul,
            course=self.c_sem,
            county=self.is_,
            days=[d(2023, 5, 20)],
        )
        self.sx = held_session(
            code="SX",
            project=self.venus,
            course=self.c_train,
            county=self.cj,
            days=[d(2023, 3, 25)],
            status=TrainingSession.Status.CANCELLED,
        )

        def person(first_name, county_, institution, category, sex, born):
            return ProfessionalFactory(
                first_name=first_name,
                county=county_,
                institution=institution,
                category=category,
                sex=sex,
                birth_date=born,
            )

        self.ana = person("Ana", self.cj, self.dgaspc_cj, self.social, "F", d(1990, 1, 1))
        self.bogdan = person("Bogdan", self.cj, self.dgaspc_cj, self.psych, "M", d(1998, 3, 11))
        self.ioana = person("Ioana", self.is_, self.ngo_is, self.psych, "", None)
        self.carmen = person("Carmen", self.is_, self.spas_is, self.social, "F", d(1968, 5, 20))
        self.dan = person("Dan", self.bv, self.dgaspc_bv, None, "M", d(1968, 5, 21))
        self.mihai = person("Mihai", self.cj, self.dgaspc_cj, self.social, "M", d(1998, 4, 12))
        mihai_again = person("Mihai Dublură", self.bv, None, self.psych, "F", d(1960, 1, 1))
        self.florin = person("Florin", self.is_, None, self.social, "M", d(1980, 1, 1))
        self.elena = person("Elena", self.cj, None, self.social, "F", d(1980, 1, 1))
        team_member(LocalTeamFactory(county=self.cj), self.ana)

        p1 = attend(self.s1, self.ana, [A.PRESENT, A.ABSENT], DONE)
        certificate(p1)
        p2 = attend(self.s1, self.bogdan, [A.PRESENT, A.PRESENT], DONE)
        certificate(p2, status=Certificate.Status.REVOKED)
        attend(self.s3, self.bogdan, [A.PRESENT], NOT_DONE)
        attend(self.s1, self.ioana, [A.PARTIAL, A.PRESENT], DONE)
        attend(self.s2, self.ioana, [A.PRESENT], DONE, reference="Seria AB nr. 0123")
        attend(self.s2, self.carmen, [A.PRESENT])
        attend(self.s2, self.dan, [A.PRESENT], NOT_DONE)
        p8 = attend(self.s3, self.mihai, [A.PRESENT], DONE)
        certificate(p8)
        attend(self.s2, mihai_again, [A.PARTIAL], NOT_DONE)
        attend(self.s1, self.florin, [A.ABSENT, A.EXCUSED], NOT_DONE)
        attend(self.s2, self.elena, [""])
        ex = attend(self.sx, self.elena, [A.PRESENT], DONE)
        certificate(ex)

        merger = get_user_model().objects.create_superuser(
            "fuziune", "fuziune@anes.example", "parola-sigura-123"
        )
        person_merge(keep=self.mihai, drop=mihai_again, acting_user=merger)
        self.mihai.refresh_from_db()


@pytest.fixture
def counted_world(db) -> CountedWorld:
    return CountedWorld()
