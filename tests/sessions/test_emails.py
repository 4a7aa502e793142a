"""The registration e-mails as people receive them: changes made through the services, sent
after commit by the task through Django's SMTP backend to a real SMTP server on the loopback
interface, and read back with the `email` package."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from sessions import emails
from sessions.models import Enrolment, TrainingSession
from sessions.services import (
    enrolment_cancel,
    enrolment_create,
    enrolment_set_status,
)
from tests.factories.sessions import VenueFactory, make_session
from tests.factories.training import InstitutionFactory, PersonFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Source = Enrolment.Source
Approval = TrainingSession.ApprovalMode
Mode = TrainingSession.DeliveryMode

MONTHS_RO = [
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
CEDILLAS = set("şţŞŢ")
MEETING = "https://meet.example.org/formativ-123"
TITLE = "Protecția copilului & școala"


def day_ro(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_RO[local.month - 1]} {local.year}"


def day_en(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}"


def hybrid_session(**kwargs) -> TrainingSession:
    kwargs.setdefault("title", TITLE)
    return make_session(
        delivery_mode=Mode.HYBRID,
        online_url=MEETING,
        venue=VenueFactory(name="Sala Mare", address="Str. Memorandumului 21"),
        **kwargs,
    )


def online_session(**kwargs) -> TrainingSession:
    kwargs.setdefault("title", TITLE)
    return make_session(delivery_mode=Mode.ONLINE, online_url=MEETING, venue=None, **kwargs)


def person(language="en", **kwargs):
    kwargs.setdefault("first_name", "Ioana")
    kwargs.setdefault("last_name", "Țăranu")
    return ProfessionalFactory(preferred_language=language, **kwargs)


def assert_well_formed(mail, session, language="en"):
    """What every mail carries: the session page and My trainings as absolute links in the
    person's language, the signature, and Romanian letters with the comma below only."""
    prefix = "/en" if language == "en" else ""
    text = mail.subject + mail.body
    assert mail.subject.startswith("[Formativ] ")
    assert session.display_title in mail.subject
    assert f"http://testserver{prefix}/sesiuni/{session.code}/" in mail.body
    assert f"http://testserver{prefix}/contul-meu/formari/" in mail.body
    assert "Formativ — ANES" in mail.body
    assert not CEDILLAS & set(text), "cedilla letters in the mail"
    assert "&amp;" not in text and "{" not in text
    assert mail.message["Content-Language"] == language


class TestConfirmed:
    def test_english_mail_has_the_session_dates_place_link_and_meeting(
        self, commit, smtp_inbox, staff_user
    ):
        session = hybrid_session()
        ioana = person("en", email="ioana@example.org")
        commit(
            enrolment_create, training_session=session, professional=ioana, acting_user=staff_user
        )

        mail = smtp_inbox.only("ioana@example.org")
        assert_well_formed(mail, session, "en")
        assert mail.subject == f"[Formativ] Registration confirmed: {TITLE}"
        assert mail.body.startswith("Dear Ioana Țăranu,\n")
        assert "is confirmed" in mail.body
        for day in session.days.all():
            assert day_en(day.starts_at) in mail.body
        assert "09:00–17:00" in mail.body
        assert "Sala Mare, Str. Memorandumului 21, Cluj-Napoca" in mail.body
        assert MEETING in mail.body  # a confirmed seat gets the meeting link
        assert "the organisers registered you" in mail.body  # why they get it

    def test_romanian_mail_has_romanian_dates_and_no_language_prefix(
        self, commit, smtp_inbox, staff_user
    ):
        session = hybrid_session()
        english = person("en", email="en@example.org")
        romanian = person("ro", email="ro@example.org")
        for someone in (english, romanian):
            commit(
                enrolment_create,
                training_session=session,
                professional=someone,
                acting_user=staff_user,
            )

        ro = smtp_inbox.only("ro@example.org")
        en = smtp_inbox.only("en@example.org")
        assert_well_formed(ro, session, "ro")
        assert ro.body != en.body
        assert TITLE in ro.subject and TITLE in ro.body
        assert "Ioana Țăranu" in ro.body
        for day in session.days.all():
            assert day_ro(day.starts_at) in ro.body
            assert day_en(day.starts_at) not in ro.body
        assert "/en/" not in ro.body
        assert MEETING in ro.body

    def test_romanian_wording_once_translated(self, commit, smtp_inbox, staff_user):
        session = hybrid_session()
        romanian = person("ro", email="ro@example.org")
        commit(
            enrolment_create,
            training_session=session,
            professional=romanian,
            acting_user=staff_user,
        )
        mail = smtp_inbox.only("ro@example.org")
        for english in ("Dear", "Registration confirmed", "is confirmed", "Session page", "When:"):
            assert english not in mail.subject + mail.body


class TestWaitingList:
    def test_waitlist_mail_gives_the_position_and_no_meeting_link(
        self, commit, smtp_inbox, staff_user
    ):
        session = online_session(capacity=1)
        first, second, third = (person(email=f"p{i}@example.org") for i in range(3))
        for someone in (first, second, third):
            commit(
                enrolment_create,
                training_session=session,
                professional=someone,
                acting_user=staff_user,
            )

        assert MEETING in smtp_inbox.only("p0@example.org").body
        mail = smtp_inbox.only("p2@example.org")
        assert_well_formed(mail, session)
        assert mail.subject == f"[Formativ] On the waiting list: {TITLE}"
        assert "Your position on the waiting list: 2." in mail.body
        assert "Where: online" in mail.body
        assert MEETING not in mail.body
        assert "Your position on the waiting list: 1." in smtp_inbox.only("p1@example.org").body

    def test_a_freed_seat_is_given_and_the_mail_says_so_with_the_meeting_link(
        self, commit, smtp_inbox, staff_user
    ):
        session = online_session(capacity=1)
        first, second = person(email="first@example.org"), person(email="second@example.org")
        seated = commit(
            enrolment_create, training_session=session, professional=first, acting_user=staff_user
        )
        commit(
            enrolment_create, training_session=session, professional=second, acting_user=staff_user
        )
        smtp_inbox.clear()

        commit(enrolment_cancel, enrolment=seated, acting_user=staff_user, reason="")

        mail = smtp_inbox.only("second@example.org")
        assert_well_formed(mail, session)
        assert mail.subject == f"[Formativ] You have a seat: {TITLE}"
        assert "it is yours" in mail.body
        assert MEETING in mail.body
        cancelled = smtp_inbox.only("first@example.org")
        assert cancelled.subject == f"[Formativ] Registration cancelled: {TITLE}"
        assert "Reason: Cancelled by the organisers." in cancelled.body
        assert MEETING not in cancelled.body

    def test_a_freed_seat_in_an_approval_session_awaits_approval(
        self, commit, smtp_inbox, staff_user
    ):
        session = online_session(capacity=1, approval_mode=Approval.MANUAL)
        first, second = (
            PersonFactory(preferred_language="en"),
            PersonFactory(preferred_language="en"),
        )
        seated = commit(
            enrolment_create,
            training_session=session,
            professional=first,
            acting_user=first.user,
            source=Source.SELF,
        )
        commit(
            enrolment_create,
            training_session=session,
            professional=second,
            acting_user=second.user,
            source=Source.SELF,
        )
        smtp_inbox.clear()

        commit(enrolment_cancel, enrolment=seated, acting_user=first.user)

        mail = smtp_inbox.only(second.email)
        assert mail.subject == f"[Formativ] A seat became free, awaiting approval: {TITLE}"
        assert "awaits their decision" in mail.body
        assert MEETING not in mail.body
        assert "Reason: Cancelled by the participant." in smtp_inbox.only(first.email).body

    def test_an_offered_seat_gives_the_deadline(self, commit, smtp_inbox, staff_user):
        session = online_session(capacity=1, offer_hours=48)
        first, second = person(email="first@example.org"), person(email="second@example.org")
        seated = commit(
            enrolment_create, training_session=session, professional=first, acting_user=staff_user
        )
        waiting = commit(
            enrolment_create, training_session=session, professional=second, acting_user=staff_user
        )
        assert "48 hours to accept it" in smtp_inbox.only("second@example.org").body
        smtp_inbox.clear()

        commit(enrolment_cancel, enrolment=seated, acting_user=staff_user)

        waiting.refresh_from_db()
        assert waiting.status == E.OFFERED
        mail = smtp_inbox.only("second@example.org")
        assert_well_formed(mail, session)
        assert mail.subject == f"[Formativ] A seat is free for you: {TITLE}"
        with translation.override("en"):
            deadline = date_format(timezone.localtime(waiting.offer_expires_at), "j F Y, H:i")
        assert f"in My trainings before {deadline}." in mail.body
        assert "goes to the next person" in mail.body
        assert MEETING not in mail.body  # not before the seat is accepted


class TestApproval:
    def test_pending_approved_and_rejected_mails(self, commit, smtp_inbox, staff_user):
        session = online_session(capacity=5, approval_mode=Approval.MANUAL)
        accepted, refused = (
            PersonFactory(preferred_language="en"),
            PersonFactory(preferred_language="en"),
        )
        enrolments = [
            commit(
                enrolment_create,
                training_session=session,
                professional=someone,
                acting_user=someone.user,
                source=Source.SELF,
            )
            for someone in (accepted, refused)
        ]
        pending = smtp_inbox.only(accepted.email)
        assert_well_formed(pending, session)
        assert pending.subject == f"[Formativ] Registration received, awaiting approval: {TITLE}"
        assert "An organiser will decide" in pending.body
        assert "because you registered" in pending.body
        assert MEETING not in pending.body
        smtp_inbox.clear()

        commit(
            enrolment_set_status,
            enrolment=enrolments[0],
            status=E.CONFIRMED,
            acting_user=staff_user,
        )
        commit(
            enrolment_set_status,
            enrolment=enrolments[1],
            status=E.REJECTED,
            acting_user=staff_user,
            reason="Sesiunea este pentru asistenții sociali din Cluj.",
        )

        approved = smtp_inbox.only(accepted.email)
        assert approved.subject == f"[Formativ] Registration approved: {TITLE}"
        assert MEETING in approved.body
        rejected = smtp_inbox.only(refused.email)
        assert_well_formed(rejected, session)
        assert rejected.subject == f"[Formativ] Registration not accepted: {TITLE}"
        assert "Reason: Sesiunea este pentru asistenții sociali din Cluj." in rejected.body
        assert MEETING not in rejected.body


def test_nomination_mail_names_the_institution_and_asks_for_an_answer(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(approval_mode=Approval.NOMINATION)
    institution = InstitutionFactory(name="DGASPC Cluj")
    nominee = person(email="nominee@example.org", institution=institution)
    commit(
        enrolment_create,
        training_session=session,
        professional=nominee,
        acting_user=staff_user,
        source=Source.NOMINATION,
        nominated_by=institution,
    )
    mail = smtp_inbox.only("nominee@example.org")
    assert_well_formed(mail, session)
    assert mail.subject == f"[Formativ] You have been nominated: {TITLE}"
    assert "DGASPC Cluj has nominated you" in mail.body
    assert "Please accept or decline the nomination in My trainings." in mail.body
    assert "because your institution nominated you" in mail.body
    # they did not give their data themselves: the mail says where the privacy notice is
    (line,) = [x for x in mail.body.splitlines() if x.startswith("How we process")]
    assert line.startswith("How we process your personal data: http")
    assert line.endswith("/en/privacy/")
    assert MEETING not in mail.body


def test_cancellation_mail_gives_the_organisers_reason(commit, smtp_inbox, staff_user):
    session = hybrid_session()
    ioana = person(email="ioana@example.org")
    enrolment = commit(
        enrolment_create, training_session=session, professional=ioana, acting_user=staff_user
    )
    smtp_inbox.clear()
    commit(
        enrolment_cancel,
        enrolment=enrolment,
        acting_user=staff_user,
        reason="Mutată la sesiunea din martie, la cererea instituției.",
    )
    mail = smtp_inbox.only("ioana@example.org")
    assert_well_formed(mail, session)
    assert "has been cancelled" in mail.body
    assert "Reason: Mutată la sesiunea din martie, la cererea instituției." in mail.body
    assert MEETING not in mail.body


def test_a_person_without_email_is_not_mailed(commit, smtp_inbox, staff_user):
    session = hybrid_session(capacity=1)
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email=""),
        acting_user=staff_user,
    )
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="waiting@example.org"),
        acting_user=staff_user,
    )
    assert [mail.to for mail in smtp_inbox.received] == [["waiting@example.org"]]


def test_a_mail_overtaken_by_a_later_change_is_not_sent(smtp_inbox, staff_user):
    """The worker may run late: a "waitlisted" mail for someone already given a seat would
    mislead them, and the seat's own mail is on its way."""
    session = hybrid_session()
    enrolment = enrolment_create(
        training_session=session, professional=person(), acting_user=staff_user
    )
    assert enrolment.status == E.CONFIRMED
    assert emails.send_enrolment_email(enrolment=enrolment, kind="waitlisted") is False
    assert smtp_inbox.received == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_rolled_back_change_sends_no_mail(smtp_inbox):
    staff = get_user_model().objects.create_superuser("org", "org@anes.example", "parola-123")
    session = hybrid_session()
    ioana = person(email="ioana@example.org")

    with pytest.raises(RuntimeError), transaction.atomic():
        enrolment_create(training_session=session, professional=ioana, acting_user=staff)
        raise RuntimeError("the request failed after the enrolment")

    assert not Enrolment.objects.exists()
    assert smtp_inbox.received == []

    enrolment_create(training_session=session, professional=ioana, acting_user=staff)
    assert len(smtp_inbox.to("ioana@example.org")) == 1


# --- every kind, both languages -------------------------------------------------------------

STATUS_FOR_KIND = {
    "confirmed": E.CONFIRMED,
    "pending": E.PENDING,
    "approved": E.CONFIRMED,
    "rejected": E.REJECTED,
    "waitlisted": E.WAITLISTED,
    "promoted": E.CONFIRMED,
    "offered": E.OFFERED,
    "nominated": E.OFFERED,
    "cancelled": E.CANCELLED,
    "reminder": E.CONFIRMED,
    "changed": E.CONFIRMED,
}


@pytest.mark.parametrize("language", ["ro", "en"])
@pytest.mark.parametrize("kind", emails.KINDS)
def test_every_kind_renders_completely(kind, language):
    session = online_session()
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=person(language),
        status=STATUS_FOR_KIND[kind],
        source=Source.NOMINATION if kind == "nominated" else Source.STAFF,
        status_reason="Motivul organizatorilor",
        waitlisted_at=timezone.now() if kind == "waitlisted" else None,
        offer_expires_at=timezone.now() if kind in ("offered", "nominated") else None,
    )
    message = emails.render_enrolment_email(enrolment=enrolment, kind=kind)
    prefix = "/en" if language == "en" else ""
    text = message.subject + message.body
    assert message.to == [enrolment.professional.email]
    assert TITLE in message.subject
    assert "Ioana Țăranu" in message.body
    assert f"http://testserver{prefix}/sesiuni/{session.code}/" in message.body
    assert f"http://testserver{prefix}/contul-meu/formari/" in message.body
    assert "Formativ — ANES" in message.body
    assert not CEDILLAS & set(text)
    assert "\n\n\n" not in message.body
    assert (MEETING in message.body) == (STATUS_FOR_KIND[kind] == E.CONFIRMED)
    if kind in ("rejected", "cancelled"):
        assert "Motivul organizatorilor" in message.body
    if kind == "waitlisted":
        assert "1." in message.body


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="surprise"):
        emails.render_enrolment_email(enrolment=Enrolment(), kind="surprise")
