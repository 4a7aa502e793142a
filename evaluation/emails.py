"""Inviting participants to answer: the periodic sweep that sets up the forms of sessions about
to run, makes the invitations of new participants and mails the personal links that are due.

A mail carries the person's first name, the session's title and dates and their personal
link(s), nothing else personal; it goes in the person's language, in plain text
(`templates/evaluation/emails/invitation.txt` and `invitation_subject.txt`). The session's
organisers are not copied.

When a form is mailed (`Invitation.invited_at`, claimed by an atomic update so two sweeps
running at once cannot both send; released when the mail fails, for the next sweep):
- pre-test: from PRE_TEST_INVITE_DAYS days before the first day, while it is open;
- post-test and feedback: once the last day has ended, while they are open: one mail per
  registration carrying every form due to it at once;
- follow-up survey: when it opens."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db.models import Exists, Max, Min, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from evaluation import selectors, services
from evaluation.forms import purpose_name
from evaluation.models import Invitation, QuestionnaireVersion, SessionForm
from sessions.emails import _tidy, absolute_url
from sessions.models import Enrolment, SessionDay, TrainingSession

logger = logging.getLogger(__name__)

P = SessionForm.Purpose
# Sessions whose forms run: published, or completed by staff after the last day.
LIVE = (TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED)
# The longest a form of a session stays open after its last day (a follow-up survey, at most
# 36 months after, for 30 days): older sessions are not looked at.
LONGEST = datetime.timedelta(days=37 * 31)


@dataclass(frozen=True)
class SweepResult:
    sessions_set_up: int
    invitations_made: int
    mails_sent: int


def _times(session_ids) -> dict[int, selectors.SessionTimes]:
    return {
        row["training_session"]: selectors.SessionTimes(
            row["first"], row["last_start"], row["last_end"]
        )
        for row in SessionDay.objects.filter(training_session_id__in=session_ids)
        .values("training_session")
        .annotate(first=Min("starts_at"), last_start=Max("starts_at"), last_end=Max("ends_at"))
    }


def setup_due_sessions(now: datetime.datetime) -> int:
    """Set up the forms (the course's defaults) of published sessions nobody set up yet (a
    session staff set up to no forms stays so), whose course has questionnaires, and whose
    first day is at most PRE_TEST_INVITE_DAYS days away (or already past, while the post-test
    is still open)."""
    due = (
        TrainingSession.objects.filter(selectors.never_set_up_q())
        .filter(status=TrainingSession.Status.PUBLISHED)
        .annotate(
            first=Min("days__starts_at"),
            last_end=Max("days__ends_at"),
            has_forms=Exists(SessionForm.objects.filter(training_session=OuterRef("pk"))),
            has_questionnaires=Exists(
                QuestionnaireVersion.objects.filter(questionnaire__course=OuterRef("course"))
            ),
        )
        .filter(
            has_forms=False,
            has_questionnaires=True,
            first__lte=now + datetime.timedelta(days=selectors.PRE_TEST_INVITE_DAYS),
            last_end__gte=now - selectors.AFTER_SESSION,
        )
        .order_by("pk")
    )
    done = 0
    for session in due:
        try:
            services.session_forms_setup(training_session=session, acting_user=None)
        except ValidationError:
            logger.warning("Evaluation forms of session %s not set up", session.pk, exc_info=True)
            continue
        done += 1
    return done


def _live_forms(now: datetime.datetime):
    """The forms of live sessions not long over, with their windows."""
    forms = list(
        SessionForm.objects.filter(training_session__status__in=LIVE)
        .annotate(last_end=Max("training_session__days__ends_at"))
        .filter(last_end__gte=now - LONGEST)
        .select_related("version__questionnaire", "training_session")
    )
    times = _times({f.training_session_id for f in forms})
    empty = selectors.SessionTimes(None, None, None)
    return [(f, times.get(f.training_session_id, empty)) for f in forms]


def _mail_due(form: SessionForm, times: selectors.SessionTimes, now) -> bool:
    window = selectors.window_of(form, times)
    if not window.is_open(now):
        return False
    if form.purpose == P.PRE_TEST:
        return now >= times.first_start - datetime.timedelta(days=selectors.PRE_TEST_INVITE_DAYS)
    if form.purpose in (P.POST_TEST, P.FEEDBACK):
        return now >= times.last_end
    return True  # follow-up: open means due


def answer_url(invitation: Invitation) -> str:
    """The personal link, in the active language."""
    return absolute_url(reverse("evaluation:answer", kwargs={"token": invitation.token}))


def render_invitation_email(
    *,
    enrolment: Enrolment,
    invitations: list[Invitation],
    days: list[SessionDay] | None = None,
    times: selectors.SessionTimes | None = None,
) -> EmailMessage:
    """One mail asking the person to answer these forms of one session, in their language.
    `days` and `times` (the session's, read once for many mails) are read here when not
    given."""
    person = enrolment.professional
    session = enrolment.training_session
    if days is None:
        days = list(session.days.order_by("starts_at"))
    if times is None:
        times = selectors.SessionTimes.of(session)
    language = person.preferred_language or settings.LANGUAGE_CODE
    order = selectors.PURPOSE_ORDER
    invitations = sorted(invitations, key=lambda i: order.index(i.session_form.purpose))
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {
            "first_name": person.first_name,
            "session": session,
            "days": days,
            "forms": [
                {
                    "purpose": i.session_form.purpose,
                    "name": purpose_name(i.session_form.purpose),
                    "url": answer_url(i),
                    "closes_at": selectors.window_of(i.session_form, times).closes_at,
                    "anonymous": i.session_form.version.anonymous,
                }
                for i in invitations
            ],
        }
        subject = render_to_string("evaluation/emails/invitation_subject.txt", context)
        body = render_to_string("evaluation/emails/invitation.txt", context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "[Formativ] ")
    return EmailMessage(
        subject=prefix + " ".join(subject.split()),
        body=_tidy(body),
        to=[person.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )


def due_invitations(forms_due: list[SessionForm]) -> dict[int, list[Invitation]]:
    """The invitations of these forms not mailed nor answered yet, of confirmed participants
    with an e-mail address, by enrolment."""
    candidates = (
        Invitation.objects.filter(
            session_form__in=forms_due,
            invited_at__isnull=True,
            submitted=False,
            enrolment__status=Enrolment.Status.CONFIRMED,
        )
        .exclude(enrolment__professional__email="")
        .select_related(
            "session_form__version__questionnaire",
            "session_form__training_session__course",
            "enrolment__professional",
        )
        .order_by("enrolment_id", "pk")
    )
    by_enrolment: dict[int, list[Invitation]] = {}
    for invitation in candidates:
        by_enrolment.setdefault(invitation.enrolment_id, []).append(invitation)
    return by_enrolment


def _days_and_times(session_ids) -> dict[int, tuple[list[SessionDay], selectors.SessionTimes]]:
    """The days of these sessions and their times, by session id: one query for all."""
    days: dict[int, list[SessionDay]] = {}
    for day in SessionDay.objects.filter(training_session_id__in=session_ids).order_by(
        "starts_at", "pk"
    ):
        days.setdefault(day.training_session_id, []).append(day)
    return {
        session_id: (
            session_days,
            selectors.SessionTimes(
                min(d.starts_at for d in session_days),
                max(d.starts_at for d in session_days),
                max(d.ends_at for d in session_days),
            ),
        )
        for session_id, session_days in days.items()
    }


def mail_invitations(by_enrolment: dict[int, list[Invitation]], now) -> int:
    """One mail per enrolment with the invitations this run claims (an atomic update on
    `invited_at`: those another run claimed meanwhile are left to it); a mail that fails is
    released for the next run. Returns the number of mails sent. Beside the claims, the
    queries do not grow with the number of mails: the sessions' days are read once here and
    the invitations come with their forms, sessions and people (due_invitations)."""
    sessions = {
        i.session_form.training_session_id
        for invitations in by_enrolment.values()
        for i in invitations
    }
    schedule = _days_and_times(sessions) if sessions else {}
    no_days = ([], selectors.SessionTimes(None, None, None))
    sent = 0
    for enrolment_id, invitations in by_enrolment.items():
        claimed = [
            i
            for i in invitations
            if Invitation.objects.filter(pk=i.pk, invited_at__isnull=True, submitted=False).update(
                invited_at=now
            )
        ]
        if not claimed:
            continue  # another run got there first
        enrolment = claimed[0].enrolment
        session = claimed[0].session_form.training_session
        enrolment.training_session = session
        days, times = schedule.get(session.pk, no_days)
        try:
            render_invitation_email(
                enrolment=enrolment, invitations=claimed, days=days, times=times
            ).send()
        except Exception:
            logger.exception(
                "Evaluation invitation for enrolment %s not sent; will retry", enrolment_id
            )
            Invitation.objects.filter(pk__in=[i.pk for i in claimed], invited_at=now).update(
                invited_at=None
            )
            continue
        sent += 1
    return sent


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    """The whole periodic sweep: set-up, invitations, mails. Safe to run at any time and as
    often as wanted: nothing is done twice."""
    now = now or timezone.now()
    set_up = setup_due_sessions(now)
    made = 0
    due = []
    for form, times in _live_forms(now):
        window = selectors.window_of(form, times)
        if window.closes_at is None or now >= window.closes_at:
            continue
        made += services.invitations_ensure(session_form=form)
        if _mail_due(form, times, now):
            due.append(form)
    sent = mail_invitations(due_invitations(due), now) if due else 0
    return SweepResult(set_up, made, sent)


def send_due_invitations(now: datetime.datetime | None = None) -> int:
    """Run the sweep; returns the number of mails sent."""
    return sweep(now).mails_sent
