"""Telling people what happened to their registration: each status change is mailed to them by
a background task once the change is committed."""

from functools import partial

from django.db import transaction
from django_tasks import default_task_backend

from sessions.models import Enrolment

E = Enrolment.Status


def email_kind(*, status: str, previous: str, source: str) -> str | None:
    """Which e-mail a change calls for (None: no e-mail)."""
    if status == E.CONFIRMED:
        return {E.PENDING: "approved", E.WAITLISTED: "promoted"}.get(previous, "confirmed")
    if status == E.PENDING:
        return "promoted" if previous == E.WAITLISTED else "pending"
    if status == E.OFFERED:
        return "nominated" if source == Enrolment.Source.NOMINATION and not previous else "offered"
    if status == E.WAITLISTED:
        return "waitlisted"
    if status == E.REJECTED:
        return "rejected"
    if status == E.CANCELLED:
        return "cancelled"
    return None


def notify_enrolment(*, enrolment: Enrolment, previous: str) -> None:
    """After commit: mail the person about the change, and schedule the end of a seat offer."""
    from sessions import tasks

    kind = email_kind(status=enrolment.status, previous=previous, source=enrolment.source)
    if kind:
        # robust: a queue that cannot take the mail is logged, and does not turn the committed
        # change into an error page.
        transaction.on_commit(
            partial(tasks.send_enrolment_email.enqueue, enrolment.pk, kind), robust=True
        )
    if (
        enrolment.status == E.OFFERED
        and enrolment.offer_expires_at
        and default_task_backend.supports_defer
    ):
        transaction.on_commit(
            partial(
                tasks.expire_offer.using(run_after=enrolment.offer_expires_at).enqueue,
                enrolment.pk,
            ),
            robust=True,
        )


def removed_day_data(day) -> dict:
    """A deleted session day as a task argument: what its cancellation needs."""
    return {
        "uid": str(day.uid),
        "sequence": day.sequence,
        "starts_at": day.starts_at.isoformat(),
        "ends_at": day.ends_at.isoformat(),
    }


def notify_session_changed(*, training_session, removed_days) -> None:
    """After commit: the time or place of a published session changed (or days were added or
    removed); each person holding a confirmed seat gets the update for their calendar."""
    from sessions import tasks

    removed = [removed_day_data(day) for day in removed_days]
    for pk in training_session.enrolments.filter(status=E.CONFIRMED).values_list("pk", flat=True):
        transaction.on_commit(
            partial(tasks.send_enrolment_email.enqueue, pk, "changed", removed), robust=True
        )
