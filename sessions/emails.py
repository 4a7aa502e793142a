"""The e-mails about registrations, in the person's language, each linking to its session."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from sessions.models import Enrolment, TrainingSession
from sessions.selectors import waitlist_position

KINDS = (
    "confirmed",
    "pending",
    "approved",
    "rejected",
    "waitlisted",
    "promoted",
    "offered",
    "nominated",
    "cancelled",
    "reminder",
)


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def session_url(training_session: TrainingSession) -> str:
    """The public page of a session, in the active language."""
    return absolute_url(reverse("training_sessions:detail", kwargs={"code": training_session.code}))


def render_enrolment_email(*, enrolment: Enrolment, kind: str) -> EmailMultiAlternatives:
    if kind not in KINDS:
        raise ValueError(kind)
    person = enrolment.professional
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        session = enrolment.training_session
        context = {
            "enrolment": enrolment,
            "person": person,
            "session": session,
            "days": list(session.days.all()),
            "session_url": session_url(session),
            "my_trainings_url": absolute_url(reverse("training_sessions:my_trainings")),
            "position": waitlist_position(enrolment=enrolment),
            "reason": enrolment.status_reason,
            "offer_expires_at": enrolment.offer_expires_at,
        }
        subject = render_to_string(f"training_sessions/emails/{kind}_subject.txt", context)
        body = render_to_string(f"training_sessions/emails/{kind}.txt", context)
    return EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[person.email])


def send_enrolment_email(*, enrolment: Enrolment, kind: str) -> bool:
    if not enrolment.professional.email:
        return False
    render_enrolment_email(enrolment=enrolment, kind=kind).send()
    return True


def send_due_reminders() -> int:
    """Remind confirmed participants of sessions starting within each session's reminder
    period. Each person is reminded once (the claim on `reminder_sent_at` is atomic)."""
    from django.db.models import Min

    now = timezone.now()
    candidates = (
        Enrolment.objects.filter(
            status=Enrolment.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            training_session__status=TrainingSession.Status.PUBLISHED,
            training_session__reminder_days__gt=0,
        )
        .annotate(first_day=Min("training_session__days__starts_at"))
        .filter(first_day__gt=now)
        .select_related("training_session", "professional")
    )
    sent = 0
    for enrolment in candidates:
        due = enrolment.first_day - datetime.timedelta(
            days=enrolment.training_session.reminder_days
        )
        if due > now:
            continue
        claimed = Enrolment.objects.filter(pk=enrolment.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if claimed and send_enrolment_email(enrolment=enrolment, kind="reminder"):
            sent += 1
    return sent
