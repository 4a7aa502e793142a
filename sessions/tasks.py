"""Background work for registrations: e-mails, the end of seat offers, reminders. Tasks take
primary keys and call services."""

import datetime
import uuid

from django_tasks import task

from sessions import emails, services
from sessions.models import Enrolment, SessionDay


def _removed_day(data: dict) -> SessionDay:
    """A deleted session day back from its task argument (notifications.removed_day_data): an
    unsaved copy with the UID and SEQUENCE its cancellation carries."""
    return SessionDay(
        uid=uuid.UUID(data["uid"]),
        sequence=data["sequence"],
        starts_at=datetime.datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.datetime.fromisoformat(data["ends_at"]),
    )


@task()
def send_enrolment_email(enrolment_id: int, kind: str, removed_days: list | None = None) -> bool:
    """`removed_days`: session days deleted since (see notifications.removed_day_data), whose
    events the mail cancels."""
    enrolment = (
        Enrolment.objects.select_related(
            "professional",
            "training_session__course",
            "training_session__project",
            "training_session__venue",
        )
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return False
    return emails.send_enrolment_email(
        enrolment=enrolment,
        kind=kind,
        removed_days=[_removed_day(data) for data in removed_days or ()],
    )


@task()
def expire_offer(enrolment_id: int) -> bool:
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    return bool(enrolment) and services.enrolment_offer_expire(enrolment=enrolment)


@task()
def process_due() -> dict[str, int]:
    """The periodic sweep: lapsed offers expired, due reminders sent."""
    return {
        "offers_expired": services.expire_lapsed_offers(),
        "reminders_sent": emails.send_due_reminders(),
    }
