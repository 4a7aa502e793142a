"""Calendar invitations in the registration e-mails, as people's calendar clients receive them:
the changes made through the services (registering, editing the session or its venue,
cancelling), the mails sent after commit through Django's SMTP backend to a real SMTP server,
and their `text/calendar` attachments read back with `icalendar`.

One iTIP message per session day: a REQUEST puts a confirmed seat in the calendar or moves it;
a CANCEL takes it out with the same UID and a higher SEQUENCE, so clients update the event
instead of adding a second one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions import emails
from sessions.models import Enrolment, SessionDay, TrainingSession
from sessions.services import (
    enrolment_cancel,
    enrolment_create,
    enrolment_set_status,
    training_session_save,
    venue_save,
)
from tests.factories.sessions import VenueFactory, make_session
from tests.factories.training import PersonFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status
Source = Enrolment.Source
Status = TrainingSession.Status
Mode = TrainingSession.DeliveryMode
MEETING = "https://meet.example.org/formativ-123"
TITLE = "Protecția copilului & școala"
CEDILLAS = set("şţŞŢ")
MONTHS = {
    "ro": [
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
    ],
    "en": [
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
    ],
}


def day_words(moment, language: str) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS[language][local.month - 1]} {local.year}"


def person(language="en", **kwargs):
    kwargs.setdefault("first_name", "Ioana")
    kwargs.setdefault("last_name", "Țăranu")
    kwargs.setdefault("email", "ioana@example.org")
    return ProfessionalFactory(preferred_language=language, **kwargs)


def hybrid_session(**kwargs) -> TrainingSession:
    kwargs.setdefault("title", TITLE)
    return make_session(
        delivery_mode=Mode.HYBRID,
        online_url=MEETING,
        venue=VenueFactory(name="Sala Mare", address="Str. Memorandumului 21"),
        **kwargs,
    )


def invitations(mail) -> list[tuple[str, object]]:
    """The mail's calendar attachments as (method, VEVENT). Each must say its method in its
    Content-Type too (Outlook offers the invitation only then), and hold a single event."""
    found = []
    for part in mail.message.iter_attachments():
        assert part.get_content_type() == "text/calendar"
        assert part.get_content_charset() == "utf-8"
        assert part.get_filename().endswith(".ics")
        method = part.get_param("method")
        calendar = Calendar.from_ical(part.get_content())
        assert str(calendar["METHOD"]) == method
        (event,) = calendar.walk("VEVENT")
        found.append((method, event))
    return found


def uid(event) -> str:
    return str(event["UID"])


def sequence(event) -> int:
    return int(event["SEQUENCE"])


def by_uid(mail, method: str) -> dict:
    return {uid(event): event for m, event in invitations(mail) if m == method}


def local_start(event) -> datetime.datetime:
    return event.decoded("DTSTART")


def attachments_text(mail) -> str:
    return "".join(part.get_content() for part in mail.message.iter_attachments())


def public_ics(client, session) -> dict:
    """The session's .ics download, as anyone gets it: its events by UID."""
    response = client.get(reverse("training_sessions:ics", kwargs={"code": session.code}))
    assert response.status_code == 200
    return {uid(e): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def edit(session: TrainingSession, **changes) -> TrainingSession:
    """The session as the admin form hands it to the service: read afresh, its days on the
    instance (to be changed in memory), `changes` applied."""
    session = TrainingSession.objects.get(pk=session.pk)
    session.days = list(session.days.all())
    for name, value in changes.items():
        setattr(session, name, value)
    return session


def moved(day: SessionDay, hours: int) -> SessionDay:
    day.starts_at += datetime.timedelta(hours=hours)
    day.ends_at += datetime.timedelta(hours=hours)
    return day


# --- confirmation ---------------------------------------------------------------------------


def test_the_confirmation_carries_a_request_per_day_with_the_sessions_uids(
    commit, smtp_inbox, staff_user, client
):
    session = hybrid_session(day_count=2)
    ioana = person()
    commit(enrolment_create, training_session=session, professional=ioana, acting_user=staff_user)

    mail = smtp_inbox.only("ioana@example.org")
    assert "is confirmed" in mail.body  # the text stays the mail's body
    requests = invitations(mail)
    assert [method for method, _event in requests] == ["REQUEST", "REQUEST"]
    downloaded = public_ics(client, session)
    assert {uid(event) for _m, event in requests} == set(downloaded)
    days = list(session.days.all())
    for day, (_method, event) in zip(days, requests, strict=True):
        assert uid(event) == f"{day.uid}@testserver"
        assert str(event["ATTENDEE"]) == "mailto:ioana@example.org"
        assert event["ATTENDEE"].params["CN"] == "Ioana Țăranu"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event["DTSTART"].params["TZID"] == "Europe/Bucharest"
        start = local_start(event)
        assert (start.hour, start.minute) == (9, 0)  # local time, as on the session page
        assert start == day.starts_at
        assert local_start(event).date() == timezone.localdate(day.starts_at)
        assert sequence(event) == sequence(downloaded[uid(event)])
        assert "Sala Mare, Str. Memorandumului 21" in str(event["LOCATION"])
        assert TITLE in str(event["SUMMARY"])


def test_an_approved_registration_and_a_seat_from_the_waiting_list_carry_requests(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(capacity=1, approval_mode=TrainingSession.ApprovalMode.MANUAL)
    first, second = PersonFactory(preferred_language="en"), PersonFactory(preferred_language="en")
    enrolments = [
        commit(
            enrolment_create,
            training_session=session,
            professional=someone,
            acting_user=someone.user,
            source=Source.SELF,
        )
        for someone in (first, second)
    ]
    # Awaiting approval, and waiting: nothing for the calendar yet.
    assert "awaiting approval" in smtp_inbox.only(first.email).subject
    assert "waiting list" in smtp_inbox.only(second.email).subject
    assert all(invitations(mail) == [] for mail in smtp_inbox.received)
    smtp_inbox.clear()

    commit(
        enrolment_set_status, enrolment=enrolments[0], status=E.CONFIRMED, acting_user=staff_user
    )
    approved = smtp_inbox.only(first.email)
    assert "approved" in approved.subject
    assert {m for m, _e in invitations(approved)} == {"REQUEST"}
    assert len(invitations(approved)) == 2
    smtp_inbox.clear()

    # The approved person leaves: the seat goes to the next one, who still needs approval
    # (no invitation), then is approved (invitation).
    commit(enrolment_cancel, enrolment=enrolments[0], acting_user=first.user)
    promoted = smtp_inbox.only(second.email)
    assert "awaiting approval" in promoted.subject
    assert invitations(promoted) == []
    smtp_inbox.clear()
    commit(
        enrolment_set_status, enrolment=enrolments[1], status=E.CONFIRMED, acting_user=staff_user
    )
    assert {m for m, _e in invitations(smtp_inbox.only(second.email))} == {"REQUEST"}


def test_a_seat_given_from_the_waiting_list_carries_a_request(commit, smtp_inbox, staff_user):
    session = hybrid_session(capacity=1)
    seated = commit(
        enrolment_create,
        training_session=session,
        professional=person(email="first@example.org"),
        acting_user=staff_user,
    )
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="second@example.org"),
        acting_user=staff_user,
    )
    assert invitations(smtp_inbox.only("second@example.org")) == []
    smtp_inbox.clear()

    commit(enrolment_cancel, enrolment=seated, acting_user=staff_user)

    promoted = smtp_inbox.only("second@example.org")
    assert promoted.subject == f"[Formativ] You have a seat: {TITLE}"
    assert {m for m, _e in invitations(promoted)} == {"REQUEST"}
    cancelled = smtp_inbox.only("first@example.org")
    assert {m for m, _e in invitations(cancelled)} == {"CANCEL"}


def test_an_offered_seat_carries_no_invitation_until_accepted(commit, smtp_inbox, staff_user):
    session = hybrid_session(capacity=1, offer_hours=48)
    seated = commit(
        enrolment_create,
        training_session=session,
        professional=person(email="first@example.org"),
        acting_user=staff_user,
    )
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="second@example.org"),
        acting_user=staff_user,
    )
    smtp_inbox.clear()
    commit(enrolment_cancel, enrolment=seated, acting_user=staff_user)
    offered = smtp_inbox.only("second@example.org")
    assert "A seat is free for you" in offered.subject
    assert invitations(offered) == []


# --- changes to the session -----------------------------------------------------------------


def test_a_moved_day_is_updated_in_the_calendar_with_a_higher_sequence(
    commit, smtp_inbox, staff_user, client
):
    session = hybrid_session(day_count=2, capacity=1)
    commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="waiting@example.org"),
        acting_user=staff_user,
    )
    confirmation = by_uid(smtp_inbox.only("ioana@example.org"), "REQUEST")
    smtp_inbox.clear()
    first_day = session.days.all()[0]
    moved_uid = f"{first_day.uid}@testserver"

    changed = edit(session)
    days = list(changed.days.all())
    moved(days[0], hours=1)
    changed.days = days
    commit(training_session_save, training_session=changed, acting_user=staff_user)

    mail = smtp_inbox.only("ioana@example.org")  # the person waiting has nothing to update
    assert mail.subject == f"[Formativ] Time or place changed: {TITLE}"
    assert "The time or place of the training session below has changed." in mail.body
    assert "10:00–18:00" in mail.body  # the new time, in Bucharest time
    assert "09:00–17:00" in mail.body  # the day that did not move
    assert "(one per day) update the session in your calendar" in mail.body
    assert "no longer take" not in mail.body
    update = by_uid(mail, "REQUEST")
    assert set(update) == set(confirmation)  # the same events, no new ones
    assert sequence(update[moved_uid]) > sequence(confirmation[moved_uid])
    assert (local_start(update[moved_uid]).hour, local_start(update[moved_uid]).minute) == (10, 0)
    assert update[moved_uid]["DTSTART"].params["TZID"] == "Europe/Bucharest"
    assert str(update[moved_uid]["STATUS"]) == "CONFIRMED"
    assert by_uid(mail, "CANCEL") == {}
    downloaded = sequence(public_ics(client, session)[moved_uid])
    smtp_inbox.clear()

    # Saved again without a change of time or place: nobody is mailed, nothing moves.
    commit(
        training_session_save,
        training_session=edit(session, description="Alt program."),
        acting_user=staff_user,
    )
    assert smtp_inbox.received == []
    assert sequence(public_ics(client, session)[moved_uid]) == downloaded


def test_saving_a_session_unchanged_sends_nothing(commit, smtp_inbox, staff_user, client):
    session = hybrid_session()
    commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    before = {u: sequence(e) for u, e in public_ics(client, session).items()}
    smtp_inbox.clear()

    commit(training_session_save, training_session=edit(session), acting_user=staff_user)

    assert smtp_inbox.received == []
    assert {u: sequence(e) for u, e in public_ics(client, session).items()} == before


def test_a_removed_day_is_cancelled_in_the_calendar(commit, smtp_inbox, staff_user):
    session = hybrid_session(day_count=2)
    commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    confirmation = by_uid(smtp_inbox.only("ioana@example.org"), "REQUEST")
    kept_day, removed_day = session.days.all()
    kept_uid, removed_uid = (f"{d.uid}@testserver" for d in (kept_day, removed_day))
    smtp_inbox.clear()

    changed = edit(session)
    changed.days = [day for day in changed.days.all() if day.pk == kept_day.pk]
    commit(training_session_save, training_session=changed, acting_user=staff_user)

    mail = smtp_inbox.only("ioana@example.org")
    assert "This day no longer takes place:" in mail.body
    assert f"{day_words(removed_day.starts_at, 'en')}, 09:00–17:00" in mail.body
    assert "take out the days that no longer take place" in mail.body
    cancels = by_uid(mail, "CANCEL")
    assert set(cancels) == {removed_uid}
    cancel = cancels[removed_uid]
    assert sequence(cancel) > sequence(confirmation[removed_uid])
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert local_start(cancel) == removed_day.starts_at
    assert str(cancel["ATTENDEE"]) == "mailto:ioana@example.org"
    assert set(by_uid(mail, "REQUEST")) == {kept_uid}


def test_a_cancelled_session_is_cancelled_in_the_calendars_of_those_confirmed(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(day_count=2, capacity=1)
    commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="waiting@example.org"),
        acting_user=staff_user,
    )
    confirmation = by_uid(smtp_inbox.only("ioana@example.org"), "REQUEST")
    smtp_inbox.clear()

    commit(
        training_session_save,
        training_session=edit(session, status=Status.CANCELLED),
        acting_user=staff_user,
    )

    mail = smtp_inbox.only("ioana@example.org")
    assert mail.subject == f"[Formativ] Registration cancelled: {TITLE}"
    cancels = by_uid(mail, "CANCEL")
    assert set(cancels) == set(confirmation)
    assert by_uid(mail, "REQUEST") == {}
    for event_uid, event in cancels.items():
        assert sequence(event) > sequence(confirmation[event_uid])
        assert str(event["STATUS"]) == "CANCELLED"
        assert local_start(event) == local_start(confirmation[event_uid])
    # Never given a seat: the session is not in their calendar, nothing to take out.
    waiting = smtp_inbox.only("waiting@example.org")
    assert "has been cancelled" in waiting.body
    assert invitations(waiting) == []


# --- the person's own place -----------------------------------------------------------------


def test_giving_up_a_place_cancels_it_and_a_new_confirmation_supersedes_the_cancel(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(day_count=2)
    ioana = PersonFactory(preferred_language="en", first_name="Ioana", last_name="Țăranu")
    enrolment = commit(
        enrolment_create,
        training_session=session,
        professional=ioana,
        acting_user=ioana.user,
        source=Source.SELF,
    )
    confirmation = by_uid(smtp_inbox.only(ioana.email), "REQUEST")
    assert len(confirmation) == 2
    smtp_inbox.clear()

    commit(enrolment_cancel, enrolment=enrolment, acting_user=ioana.user)

    cancelled = smtp_inbox.only(ioana.email)
    assert "Reason: Cancelled by the participant." in cancelled.body
    cancels = by_uid(cancelled, "CANCEL")
    assert set(cancels) == set(confirmation)
    for event_uid, event in cancels.items():
        assert sequence(event) > sequence(confirmation[event_uid])
        assert str(event["STATUS"]) == "CANCELLED"
    smtp_inbox.clear()

    # The organisers give the place back: the days return to the calendar, superseding the
    # cancellation.
    commit(enrolment_set_status, enrolment=enrolment, status=E.CONFIRMED, acting_user=staff_user)

    again = by_uid(smtp_inbox.only(ioana.email), "REQUEST")
    assert set(again) == set(confirmation)
    for event_uid, event in again.items():
        assert sequence(event) > sequence(cancels[event_uid])
        assert str(event["STATUS"]) == "CONFIRMED"


def test_a_waiting_person_who_is_cancelled_gets_no_cancellation_to_import(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(capacity=1)
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="seated@example.org"),
        acting_user=staff_user,
    )
    waiting = commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    waitlisted = smtp_inbox.only("ioana@example.org")
    assert "On the waiting list" in waitlisted.subject
    assert invitations(waitlisted) == []
    smtp_inbox.clear()

    commit(enrolment_cancel, enrolment=waiting, acting_user=staff_user)

    mail = smtp_inbox.only("ioana@example.org")
    assert "has been cancelled" in mail.body
    assert invitations(mail) == []
    assert not mail.message.is_multipart()  # a plain-text mail, as before


# --- the meeting link -----------------------------------------------------------------------


def test_the_meeting_link_is_only_in_the_invitations_of_a_confirmed_seat(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(day_count=2, capacity=1)
    first = commit(
        enrolment_create,
        training_session=session,
        professional=person(email="first@example.org"),
        acting_user=staff_user,
    )
    commit(
        enrolment_create,
        training_session=session,
        professional=person(email="second@example.org"),
        acting_user=staff_user,
    )
    commit(enrolment_cancel, enrolment=first, acting_user=staff_user)  # the second is seated
    changed = edit(session)
    changed.days = list(changed.days.all())[:1]
    commit(training_session_save, training_session=changed, acting_user=staff_user)

    sent = [
        (mail, method, event) for mail in smtp_inbox.received for method, event in invitations(mail)
    ]
    kinds = {(mail.to[0], method) for mail, method, _event in sent}
    assert kinds == {
        ("first@example.org", "REQUEST"),
        ("first@example.org", "CANCEL"),
        ("second@example.org", "REQUEST"),
        ("second@example.org", "CANCEL"),  # the removed day
    }
    for _mail, method, event in sent:
        text = event.to_ical().decode()
        if method == "REQUEST":
            assert MEETING in str(event["LOCATION"])
            assert MEETING in str(event["DESCRIPTION"])
        else:
            assert MEETING not in text.replace("\r\n ", "")
    # Only the confirmed person's own mails carry it at all.
    for mail in smtp_inbox.to("first@example.org"):
        if "cancelled" in mail.subject:
            assert MEETING not in mail.body + attachments_text(mail).replace("\r\n ", "")


def test_an_online_session_invitation_gives_the_meeting_as_the_location(
    commit, smtp_inbox, staff_user
):
    session = make_session(
        title=TITLE, delivery_mode=Mode.ONLINE, online_url=MEETING, venue=None, day_count=1
    )
    commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    ((method, event),) = invitations(smtp_inbox.only("ioana@example.org"))
    assert method == "REQUEST"
    assert str(event["LOCATION"]) == f"Online: {MEETING}"


# --- the venue ------------------------------------------------------------------------------


def test_a_new_venue_address_updates_the_calendars_of_those_confirmed(
    commit, smtp_inbox, staff_user
):
    session = hybrid_session(day_count=2)
    commit(
        enrolment_create, training_session=session, professional=person(), acting_user=staff_user
    )
    confirmation = by_uid(smtp_inbox.only("ioana@example.org"), "REQUEST")
    smtp_inbox.clear()
    venue = session.venue

    commit(venue_save, venue=venue, acting_user=staff_user)  # saved as it was: nothing to say
    assert smtp_inbox.received == []

    venue.address = "Bd. Eroilor 5"
    commit(venue_save, venue=venue, acting_user=staff_user)

    mail = smtp_inbox.only("ioana@example.org")
    assert mail.subject == f"[Formativ] Time or place changed: {TITLE}"
    assert "Where: Sala Mare, Bd. Eroilor 5, Cluj-Napoca (or online)" in mail.body
    update = by_uid(mail, "REQUEST")
    assert set(update) == set(confirmation)
    for event_uid, event in update.items():
        assert str(event["LOCATION"]).startswith("Sala Mare, Bd. Eroilor 5, Cluj-Napoca")
        assert "Memorandumului" not in str(event["LOCATION"])
        assert sequence(event) > sequence(confirmation[event_uid])


# --- the "changed" mail in both languages ---------------------------------------------------


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_changed_mail_renders_completely(language):
    session = make_session(
        title=TITLE, delivery_mode=Mode.ONLINE, online_url=MEETING, venue=None, day_count=1
    )
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=person(language),
        status=E.CONFIRMED,
        source=Source.STAFF,
    )
    gone = SessionDay(
        starts_at=session.days.get().starts_at + datetime.timedelta(days=7),
        ends_at=session.days.get().ends_at + datetime.timedelta(days=7),
        sequence=3,
    )
    message = emails.render_enrolment_email(
        enrolment=enrolment, kind="changed", removed_days=[gone]
    )
    prefix = "/en" if language == "en" else ""
    text = message.subject + message.body
    assert TITLE in message.subject
    assert "Ioana Țăranu" in message.body
    assert f"http://testserver{prefix}/sesiuni/{session.code}/" in message.body
    assert f"http://testserver{prefix}/contul-meu/formari/" in message.body
    assert "Formativ — ANES" in message.body
    assert MEETING in message.body
    assert not CEDILLAS & set(text)
    assert "\n\n\n" not in message.body
    assert "{" not in text and "&amp;" not in text
    when = f"{day_words(gone.starts_at, language)}, 09:00–17:00"
    assert when in message.body  # the day taken out, in the person's language
    parts = [
        part for part in message.message().walk() if part.get_content_type() == "text/calendar"
    ]
    methods = [part.get_param("method") for part in parts]
    assert methods == ["REQUEST", "CANCEL"]
    request = Calendar.from_ical(parts[0].get_payload(decode=True)).walk("VEVENT")[0]
    cancel = Calendar.from_ical(parts[1].get_payload(decode=True)).walk("VEVENT")[0]
    assert uid(cancel) == f"{gone.uid}@testserver"
    assert sequence(cancel) == 3
    # The events speak the person's language too.
    assert ("Course:" in str(request["DESCRIPTION"])) == (language == "en")
