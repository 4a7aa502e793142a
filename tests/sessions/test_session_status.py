"""A session's status follows its life: drafted, published, held (completed) or cancelled.
Each change is audited; cancelling frees every place."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from sessions.models import Enrolment, TrainingSession
from sessions.services import enrolment_create, training_session_save
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db
Status = TrainingSession.Status


def change(session, status, user):
    session.status = status
    return training_session_save(training_session=session, acting_user=user)


def test_cancelling_frees_every_place_and_is_audited(staff_user):
    session = make_session(capacity=1)
    confirmed = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    waiting = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    change(session, Status.CANCELLED, staff_user)
    for enrolment in (confirmed, waiting):
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.CANCELLED
        assert enrolment.history.last().changed_by == staff_user
    entry = ModelLogEntry.objects.get(object_id=str(session.pk), action="formativ.session.status")
    assert entry.user == staff_user
    assert entry.data == {"from": "published", "to": "cancelled"}


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.COMPLETED, Status.CANCELLED),
        (Status.CANCELLED, Status.PUBLISHED),
        (Status.CANCELLED, Status.COMPLETED),
        (Status.DRAFT, Status.COMPLETED),
    ],
)
def test_forbidden_status_changes_are_refused(staff_user, start, target):
    session = make_session(start_in=-10, status=start)
    with pytest.raises(ValidationError) as excinfo:
        change(session, target, staff_user)
    assert "status" in excinfo.value.message_dict
    session.refresh_from_db()
    assert session.status == start


def test_a_session_is_completed_only_after_its_last_day(staff_user):
    upcoming = make_session(start_in=5)
    with pytest.raises(ValidationError):
        change(upcoming, Status.COMPLETED, staff_user)
    held = make_session(start_in=-10)
    change(held, Status.COMPLETED, staff_user)
    held.refresh_from_db()
    assert held.status == Status.COMPLETED


def test_a_day_with_attendance_cannot_be_removed(staff_user):
    from sessions.services import attendance_mark

    session = make_session(start_in=-3, day_count=2)
    enrolment = enrolment_create(
        training_session=session,
        professional=ProfessionalFactory(),
        acting_user=staff_user,
        source="import",
    )
    first, second = session.days.order_by("starts_at")
    attendance_mark(enrolment=enrolment, day=first, status="present", acting_user=staff_user)
    session.days = [second]
    with pytest.raises(ValidationError) as excinfo:
        training_session_save(training_session=session, acting_user=staff_user)
    assert "days" in excinfo.value.message_dict
    assert session.__class__.objects.get(pk=session.pk).days.count() == 2
