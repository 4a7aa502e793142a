"""The e-mails about registrations, in the person's language, each linking to its session.

One template pair per kind in `templates/training_sessions/emails/`: `<kind>_subject.txt` and
`<kind>.txt` (plain text, both extending `base.txt`). The mails carry the person's own name and
nothing else personal; the online meeting link goes only to people holding a confirmed seat.

Mails that put a confirmed seat in the person's calendar, or move it, carry iTIP invitations
(RFC 5546, one `.ics` attachment per session day): METHOD:REQUEST adds or updates the days,
METHOD:CANCEL takes them out, with the same UIDs and a higher SEQUENCE, so calendar clients
update the events instead of adding new ones. The reminder brings the personal check-in code,
as text and as a QR code (`checkin-code.png`)."""

import datetime
import logging
import re
from collections.abc import Sequence
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import SafeMIMEText
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from sessions import ical, qr
from sessions.models import Enrolment, SessionDay, TrainingSession
from sessions.selectors import waitlist_position

logger = logging.getLogger(__name__)

E = Enrolment.Status

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
    "changed",
)

# The statuses an enrolment must still have for a mail of each kind to make sense when the
# task runs: a mail queued for a change that has since been overtaken (waitlisted, then
# promoted before the worker got to it) is not sent; the later change has its own mail.
KIND_STATUSES = {
    "confirmed": {E.CONFIRMED},
    "pending": {E.PENDING},
    "approved": {E.CONFIRMED},
    "rejected": {E.REJECTED},
    "waitlisted": {E.WAITLISTED},
    "promoted": {E.CONFIRMED, E.PENDING},
    "offered": {E.OFFERED},
    "nominated": {E.OFFERED},
    "cancelled": {E.CANCELLED},
    "reminder": {E.CONFIRMED},
    "changed": {E.CONFIRMED},
}

# The kinds whose mail puts the person's confirmed seat in their calendar (or updates it).
INVITING_KINDS = {"confirmed", "approved", "promoted", "changed"}

# The services store the reasons they write as msgids; mails translate them for the reader.
OFFER_EXPIRED = gettext_noop("The offer expired without an answer.")


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def session_url(training_session: TrainingSession) -> str:
    """The public page of a session, in the active language."""
    return absolute_url(reverse("training_sessions:detail", kwargs={"code": training_session.code}))


def _tidy(text: str) -> str:
    """Plain-text templates leave stray blanks: no trailing spaces, at most one empty line."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _privacy_notice_path() -> str:
    from privacy.links import notice_url  # privacy's URL names, in the e-mail's language

    return notice_url()


def _context(enrolment: Enrolment, kind: str, removed_days: Sequence[SessionDay] = ()) -> dict:
    person = enrolment.professional
    session = enrolment.training_session
    days = list(session.days.all())
    first = days[0].starts_at if days else None
    today = timezone.localdate()
    return {
        "kind": kind,
        "enrolment": enrolment,
        "person": person,
        "session": session,
        "days": days,
        "first_start": first,
        "days_until": (timezone.localdate(first) - today).days if first else None,
        "cancel_until": (
            first - datetime.timedelta(hours=session.cancellation_cutoff_hours) if first else None
        ),
        "now": timezone.now(),
        "session_url": session_url(session),
        "my_trainings_url": absolute_url(reverse("training_sessions:my_trainings")),
        # Every registration e-mail says where the privacy notice is (a nominee did not
        # give their data themselves: GDPR art. 14).
        "privacy_url": absolute_url(_privacy_notice_path()),
        "position": waitlist_position(enrolment=enrolment),
        "reason": gettext(enrolment.status_reason) if enrolment.status_reason else "",
        "offer_expired": enrolment.status_reason == OFFER_EXPIRED,
        "offer_expires_at": enrolment.offer_expires_at,
        # The meeting link is for the people who hold a confirmed seat, nobody else.
        "online_url": session.online_url if enrolment.status == E.CONFIRMED else "",
        "is_online": session.delivery_mode == TrainingSession.DeliveryMode.ONLINE,
        "is_hybrid": session.delivery_mode == TrainingSession.DeliveryMode.HYBRID,
        "removed_days": removed_days,
        "checkin_code": enrolment.checkin_token if _sends_checkin_code(enrolment, kind) else "",
    }


CHECKIN_CODE_FILENAME = "checkin-code.png"


def _sends_checkin_code(enrolment: Enrolment, kind: str) -> bool:
    """The reminder brings a confirmed participant their personal check-in code (the QR staff
    scan at the entrance), unless the session is online only."""
    return (
        kind == "reminder"
        and enrolment.status == E.CONFIRMED
        and enrolment.training_session.delivery_mode != TrainingSession.DeliveryMode.ONLINE
    )


def _checkin_attachment(enrolment: Enrolment) -> MIMEImage:
    """The personal QR as a PNG attachment (the mails are plain text: nothing to show it
    inline in), with a Content-ID should an HTML part come to refer to it."""
    part = MIMEImage(qr.qr_png(enrolment.checkin_token), "png")
    part.add_header("Content-ID", "<checkin-code>")
    part.add_header("Content-Disposition", "attachment", filename=CHECKIN_CODE_FILENAME)
    return part


def _invitation_method(enrolment: Enrolment, kind: str) -> str | None:
    """REQUEST when the mail gives or updates a confirmed seat; CANCEL when it cancels a place
    that was once confirmed (only then can it be in the person's calendar); else nothing."""
    if kind in INVITING_KINDS and enrolment.status == E.CONFIRMED:
        return "REQUEST"
    if (
        kind == "cancelled"
        and enrolment.status == E.CANCELLED
        and enrolment.history.filter(to_status=E.CONFIRMED).exists()
    ):
        return "CANCEL"
    return None


def _attachment(invitation: ical.Invitation) -> SafeMIMEText:
    """An iTIP object as a mail part: `method` in the Content-Type, which Outlook needs to
    offer the invitation, and a file name for the other clients."""
    part = SafeMIMEText(invitation.content.decode(), "calendar", "utf-8")
    part.set_param("method", invitation.method, requote=False)  # method=REQUEST, as others send
    part.add_header("Content-Disposition", "attachment", filename=invitation.filename)
    return part


def render_enrolment_email(
    *, enrolment: Enrolment, kind: str, removed_days: Sequence[SessionDay] = ()
) -> EmailMessage:
    """The mail of `kind` about an enrolment, in the person's language, with dates and times in
    Romanian local time, and the calendar invitations it calls for. `removed_days` (unsaved
    copies of days deleted from the session, with the SEQUENCE their cancellation carries)
    are cancelled in the person's calendar by a "changed" mail."""
    if kind not in KINDS:
        raise ValueError(kind)
    person = enrolment.professional
    language = person.preferred_language or settings.LANGUAGE_CODE
    removed_days = removed_days if kind == "changed" else ()
    method = _invitation_method(enrolment, kind)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = _context(enrolment, kind, removed_days)
        subject = render_to_string(f"training_sessions/emails/{kind}_subject.txt", context)
        body = render_to_string(f"training_sessions/emails/{kind}.txt", context)
        # The events' summaries and descriptions in the person's language too.
        invitations = (
            ical.invitations(enrolment, method=method, removed_days=removed_days) if method else []
        )
    attachments = [_attachment(invitation) for invitation in invitations]
    if context["checkin_code"]:
        attachments.append(_checkin_attachment(enrolment))
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "[Formativ] ")
    return EmailMessage(
        subject=prefix + " ".join(subject.split()),
        body=_tidy(body),
        to=[person.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
        attachments=attachments,
    )


def send_enrolment_email(
    *, enrolment: Enrolment, kind: str, removed_days: Sequence[SessionDay] = ()
) -> bool:
    """Send the mail of `kind` unless the person has no e-mail address or the enrolment has
    moved on since the mail was queued. True when a mail went out."""
    if not enrolment.professional.email:
        return False
    if enrolment.status not in KIND_STATUSES[kind]:
        return False
    render_enrolment_email(enrolment=enrolment, kind=kind, removed_days=removed_days).send()
    return True


def send_due_reminders() -> int:
    """Remind confirmed participants of published sessions that start within the session's
    reminder period (`reminder_days` before the first day). Each person is reminded once: the
    claim on `reminder_sent_at` is an atomic update, so two runs at the same time cannot both
    send; a reminder that fails to go out is released for the next run. Returns the number
    sent."""
    now = timezone.now()
    longest = TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED).aggregate(
        days=Max("reminder_days")
    )["days"]
    if not longest:
        return 0
    candidates = (
        Enrolment.objects.filter(
            status=E.CONFIRMED,
            reminder_sent_at__isnull=True,
            training_session__status=TrainingSession.Status.PUBLISHED,
            training_session__reminder_days__gt=0,
        )
        .exclude(professional__email="")
        .annotate(first_day=Min("training_session__days__starts_at"))
        .filter(first_day__gt=now, first_day__lte=now + datetime.timedelta(days=longest))
        .select_related("training_session", "professional")
        .order_by("first_day", "pk")
    )
    sent = 0
    for enrolment in candidates:
        due = enrolment.first_day - datetime.timedelta(
            days=enrolment.training_session.reminder_days
        )
        if due > now:
            continue
        claimed = Enrolment.objects.filter(
            pk=enrolment.pk, status=E.CONFIRMED, reminder_sent_at__isnull=True
        ).update(reminder_sent_at=now)
        if not claimed:
            continue  # another run got there first, or the person cancelled meanwhile
        try:
            send_enrolment_email(enrolment=enrolment, kind="reminder")
        except Exception:
            logger.exception("Reminder for enrolment %s not sent; will retry", enrolment.pk)
            Enrolment.objects.filter(pk=enrolment.pk, reminder_sent_at=now).update(
                reminder_sent_at=None
            )
            continue
        sent += 1
    return sent
