"""Background work for registrations: e-mails, the end of seat offers, reminders. Tasks take
primary keys and call services."""

from django_tasks import task

from sessions import emails, services
from sessions.models import Enrolment


@task()
def send_enrolment_email(enrolment_id: int, kind: str, removed_days: list | None = None) -> bool:
    """`removed_days`: session days deleted since (see notifications.removed_day_data), whose
    events the mail cancels."""
    enrolment = (
        Enrolment.objects.select_related("professional", "training_session")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return False
    return emails.send_enrolment_email(
        enrolment=enrolment, kind=kind, removed_days=removed_days or []
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
