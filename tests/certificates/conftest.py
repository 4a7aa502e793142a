"""Sessions whose participants have earned certificates (or not), and certificates issued
through the real pipeline (credential, PDF, seal)."""

from dataclasses import dataclass

import pytest

from sessions.models import Attendance, Enrolment, TrainingSession
from sessions.services import Mark, attendance_mark_many, training_session_complete
from tests.factories.sessions import make_session
from tests.factories.training import (
    CourseFactory,
    InstitutionFactory,
    ProfessionalFactory,
    UserFactory,
)
from tests.sessions.conftest import commit, smtp_inbox  # noqa: F401 (fixtures)
from training.models import CertificateType, CompletionBasis

A = Attendance.Status

# A name with every Romanian letter, comma-below: what the PDF and the page must show.
DIACRITIC_FIRST = "Ștefania-Ioana"
DIACRITIC_LAST = "Țîrlea-Mănăilă"


@dataclass
class Held:
    session: TrainingSession
    completed: list[Enrolment]  # earned the certificate
    absent: Enrolment  # confirmed, attended nothing
    cancelled: Enrolment  # cancelled before the session


def person(session, *, status=Enrolment.Status.CONFIRMED, user=None, **names) -> Enrolment:
    professional = ProfessionalFactory(user=user, institution=InstitutionFactory(), **names)
    return Enrolment.objects.create(
        training_session=session, professional=professional, status=status, source="staff"
    )


def held_session(
    acting_user,
    *,
    participants: int = 2,
    certificate_type=CertificateType.PARTICIPATION,
    holder_user=None,
) -> Held:
    """A two-day session, over and completed: `participants` people attended both days (the
    first with the diacritics name, linked to `holder_user`), one was absent, one cancelled."""
    course = CourseFactory(
        certificate_type=certificate_type,
        completion_basis=CompletionBasis.DAYS,
        min_days=2,
        hours=16,
    )
    session = make_session(start_in=-4, day_count=2, course=course)
    completed = [
        person(session, user=holder_user, first_name=DIACRITIC_FIRST, last_name=DIACRITIC_LAST)
    ]
    completed += [person(session) for _ in range(participants - 1)]
    absent = person(session)
    cancelled = person(session, status=Enrolment.Status.CANCELLED)
    marks = [
        Mark(enrolment.pk, day.pk, A.PRESENT)
        for day in session.days.all()
        for enrolment in completed
    ]
    marks += [Mark(absent.pk, day.pk, A.ABSENT) for day in session.days.all()]
    attendance_mark_many(training_session=session, marks=marks, acting_user=acting_user)
    training_session_complete(training_session=session, acting_user=acting_user)
    session.refresh_from_db()
    return Held(session=session, completed=completed, absent=absent, cancelled=cancelled)


@pytest.fixture
def held(staff_user) -> Held:
    return held_session(staff_user)


@pytest.fixture
def holder(db):
    """The signed-in participant who holds the first certificate of `held_with_holder`."""
    return UserFactory(email="stefania@example.org")


@pytest.fixture
def held_with_holder(staff_user, holder) -> Held:
    return held_session(staff_user, holder_user=holder)


@pytest.fixture
def issued(held_with_holder, staff_user):
    """The certificates of `held_with_holder`, issued (holder's first)."""
    from certificates.services import certificate_issue_all

    certificate_issue_all(training_session=held_with_holder.session, acting_user=staff_user)
    return [e.certificates.get() for e in held_with_holder.completed]
