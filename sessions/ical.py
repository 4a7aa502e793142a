"""Sessions as iCalendar (RFC 5545): the .ics download of a session, the subscription feeds and
the invitations (RFC 5546 REQUEST / CANCEL) that e-mails carry.

Every session day is one VEVENT whose UID (`<day uuid>@<site domain>`) never changes, whose
SEQUENCE grows with each change of time, place or status, and whose times are local times in
Europe/Bucharest with a VTIMEZONE that carries the EU summer-time rule, so clients place a
session right on either side of the March and October switches. A person's own events (their
feed, their invitations) add the enrolment's `calendar_sequence` to the day's SEQUENCE: a
cancellation of their place, then a new confirmation, each supersede the one before.

Everything here is pure: it reads what it is given and writes nothing."""

import datetime
import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
)

from sessions.models import Enrolment, SessionDay, TrainingSession

TZID = "Europe/Bucharest"
# Bump when what the events say changes in code (not data): the feeds' cached versions end.
FORMAT = 1
PRODID = "-//ANES//Formativ//RO"
Status = TrainingSession.Status
Mode = TrainingSession.DeliveryMode


@functools.cache
def vtimezone() -> Timezone:
    """Europe/Bucharest as a VTIMEZONE: EET (UTC+2), and EEST (UTC+3) from the last Sunday of
    March at 03:00 to the last Sunday of October at 04:00 local time (the EU rule since 1997)."""
    tz = Timezone()
    tz.add("TZID", TZID)
    # The onsets are wall-clock times of the zone itself, hence naive.
    for part, start, month, offset_from, offset_to, name in (
        (TimezoneDaylight, datetime.datetime(1997, 3, 30, 3), 3, 2, 3, "EEST"),  # noqa: DTZ001
        (TimezoneStandard, datetime.datetime(1997, 10, 26, 4), 10, 3, 2, "EET"),  # noqa: DTZ001
    ):
        rule = part()
        rule.add("DTSTART", start)
        rule.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        rule.add("TZOFFSETFROM", datetime.timedelta(hours=offset_from))
        rule.add("TZOFFSETTO", datetime.timedelta(hours=offset_to))
        rule.add("TZNAME", name)
        tz.add_component(rule)
    return tz


@functools.cache
def _zone():
    import zoneinfo

    return zoneinfo.ZoneInfo(TZID)


def local(value: datetime.datetime) -> datetime.datetime:
    """The time as Bucharest's wall clock shows it, except in the hour the October switch
    repeats: a local time names its first occurrence (RFC 5545 3.3.5), so the second one is
    given in UTC."""
    value = value.astimezone(_zone())
    if value.fold and value.replace(fold=0).utcoffset() != value.utcoffset():
        return value.astimezone(datetime.UTC)
    return value


def site_domain() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "formativ.local"


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def webcal_url(url: str) -> str:
    """The same address for calendar apps: `webcal://` makes them offer to subscribe."""
    return "webcal://" + url.split("://", 1)[1]


def day_uid(day: SessionDay) -> str:
    return f"{day.uid}@{site_domain()}"


def place_text(session: TrainingSession, *, with_link: bool) -> str:
    """LOCATION: the venue's name and address; "Online" for online sessions, with the meeting
    link only when the reader holds a confirmed seat."""
    parts = []
    if session.delivery_mode != Mode.ONLINE and session.venue_id:
        venue = session.venue
        parts.append(", ".join(p for p in (venue.name, venue.address, venue.city) if p))
    if session.delivery_mode != Mode.IN_PERSON:
        online = "Online"
        if with_link and session.online_url:
            online = f"Online: {session.online_url}"
        parts.append(online)
    return " / ".join(parts)


def calendar_signature(*, session: TrainingSession, day: SessionDay) -> str:
    """What a change of which makes calendars update the day: its times, the place (venue,
    mode, meeting link) and whether the session takes place."""
    venue = session.venue if session.venue_id else None
    data = "|".join(
        str(v)
        for v in (
            day.starts_at.astimezone(datetime.UTC).isoformat(),
            day.ends_at.astimezone(datetime.UTC).isoformat(),
            session.delivery_mode,
            venue and venue.name,
            venue and venue.address,
            venue and venue.city,
            session.online_url,
            session.status == Status.CANCELLED,
        )
    )
    return hashlib.sha256(data.encode()).hexdigest()


def session_url(session: TrainingSession) -> str:
    return absolute_url(reverse("training_sessions:detail", kwargs={"code": session.code}))


def ics_url(session: TrainingSession) -> str:
    return absolute_url(reverse("training_sessions:ics", kwargs={"code": session.code}))


def google_calendar_url(*, session: TrainingSession, day: SessionDay) -> str:
    """A "Google Calendar" link that opens the day as a new event, prefilled (public details
    only: no meeting link)."""
    fmt = "%Y%m%dT%H%M%SZ"
    query = {
        "action": "TEMPLATE",
        "text": summary_text(session=session, day_index=None, day_count=1),
        "dates": (
            f"{day.starts_at.astimezone(datetime.UTC):{fmt}}/"
            f"{day.ends_at.astimezone(datetime.UTC):{fmt}}"
        ),
        "details": session_url(session),
        "location": place_text(session, with_link=False),
        "ctz": TZID,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def summary_text(*, session: TrainingSession, day_index: int | None, day_count: int) -> str:
    title = session.display_title
    if day_count > 1 and day_index is not None:
        title = _("%(title)s (day %(day)d of %(days)d)") % {
            "title": title,
            "day": day_index,
            "days": day_count,
        }
    return title


def _session_parts(session: TrainingSession, *, with_link: bool) -> tuple[str, str, str]:
    """(URL, LOCATION, DESCRIPTION without notes) of a session: the same for all its days, so
    worked out once per session, language and link (kept on the instance, which lives for one
    request or one mail)."""
    memo = session.__dict__.setdefault("_ical_parts", {})
    key = (get_language(), with_link)
    if key not in memo:
        url = session_url(session)
        lines = [_("Course: %(course)s") % {"course": session.course.title}]
        if session.project_id:
            lines.append(_("Project: %(project)s") % {"project": session.project.name})
        trainers = [t.full_name for t in session.trainers.all()]
        if trainers:
            lines.append(_("Trainers: %(names)s") % {"names": ", ".join(trainers)})
        if with_link and session.online_url and session.delivery_mode != Mode.IN_PERSON:
            lines.append(_("Join online: %(url)s") % {"url": session.online_url})
        lines.append(_("Details and registration: %(url)s") % {"url": url})
        memo[key] = (url, place_text(session, with_link=with_link), "\n".join(lines))
    return memo[key]


@dataclass
class EventSpec:
    """One day of one session as one reader sees it."""

    session: TrainingSession
    day: SessionDay
    day_index: int  # 1-based
    day_count: int
    sequence: int
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    with_link: bool = False
    notes: Sequence[str] = field(default_factory=tuple)
    attendee: tuple[str, str] | None = None  # (e-mail, name) in invitations

    @property
    def last_modified(self) -> datetime.datetime:
        changed = self.day.calendar_changed_at
        return max(self.session.updated_at, changed) if changed else self.session.updated_at


def organizer() -> vCalAddress:
    return _organizer(
        settings.CALENDAR_ORGANIZER_NAME,
        settings.CALENDAR_ORGANIZER_EMAIL or settings.DEFAULT_FROM_EMAIL,
    )


@functools.lru_cache(maxsize=4)
def _organizer(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{parseaddr(email)[1]}")
    address.params["CN"] = name
    return address


def event_properties(
    spec: EventSpec, *, stamp: datetime.datetime | None = None
) -> list[tuple[str, object, dict]]:
    """The properties of a day's VEVENT as plain values: cheap to compute, so a feed's ETag is
    a digest of exactly what the feed would say, without building it."""
    session, day = spec.session, spec.day
    summary = summary_text(session=session, day_index=spec.day_index, day_count=spec.day_count)
    if spec.status == "CANCELLED":
        summary = _("Cancelled: %(title)s") % {"title": summary}
    elif spec.status == "TENTATIVE":
        summary = _("Tentative: %(title)s") % {"title": summary}
    # Without a METHOD, DTSTAMP is when the information last changed (RFC 5545 3.8.7.2): so a
    # feed that has not changed is byte for byte the same, and its ETag holds.
    props = [
        ("UID", day_uid(day), {}),
        ("DTSTAMP", (stamp or spec.last_modified).astimezone(datetime.UTC), {}),
        ("LAST-MODIFIED", spec.last_modified.astimezone(datetime.UTC), {}),
        ("SEQUENCE", spec.sequence, {}),
        ("SUMMARY", summary, {}),
        ("DTSTART", local(day.starts_at), {}),
        ("DTEND", local(day.ends_at), {}),
        ("STATUS", spec.status, {}),
    ]
    url, location, description = _session_parts(session, with_link=spec.with_link)
    if location:
        props.append(("LOCATION", location, {}))
    if spec.notes:
        description = "\n".join([*spec.notes, description])
    organiser = organizer()
    props += [
        ("DESCRIPTION", description, {}),
        ("URL", url, {}),
        ("ORGANIZER", organiser, {"CN": organiser.params["CN"]}),
        ("TRANSP", "TRANSPARENT" if spec.status == "CANCELLED" else "OPAQUE", {}),
    ]
    if spec.attendee:
        email, name = spec.attendee
        props.append(
            (
                "ATTENDEE",
                f"mailto:{email}",
                {
                    "CN": name,
                    "ROLE": "REQ-PARTICIPANT",
                    "PARTSTAT": "ACCEPTED" if spec.status == "CONFIRMED" else "NEEDS-ACTION",
                    "RSVP": "FALSE",
                },
            )
        )
    return props


def build_event(spec: EventSpec, *, stamp: datetime.datetime | None = None) -> Event:
    return _event(event_properties(spec, stamp=stamp))


def _event(props: list[tuple[str, object, dict]]) -> Event:
    event = Event()
    for name, value, params in props:
        if name in ("ATTENDEE", "ORGANIZER"):
            value = vCalAddress(value)
            value.params.update(params)
            params = {}
        event.add(name, value, parameters=params or None)
    return event


def _calendar_properties(*, method: str, name: str, refresh: bool) -> list[tuple[str, object]]:
    props = [
        ("PRODID", PRODID),
        ("VERSION", "2.0"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", method),
    ]
    if name:
        # TEXT (RFC 7986), which icalendar does not know as such: escaped here, or a title
        # with a comma, a semicolon or a line break would break the file.
        props += [("X-WR-CALNAME", vText(name)), ("NAME", vText(name))]
    props.append(("X-WR-TIMEZONE", TZID))
    if refresh:
        props += [("REFRESH-INTERVAL", datetime.timedelta(hours=1)), ("X-PUBLISHED-TTL", "PT1H")]
    return props


def build_calendar(
    specs: Iterable[EventSpec],
    *,
    method: str = "PUBLISH",
    name: str = "",
    stamp: datetime.datetime | None = None,
    refresh: bool = False,
) -> bytes:
    """A VCALENDAR of the given events. `refresh` marks a subscription feed (clients are asked
    to poll hourly)."""
    cal = Calendar()
    for prop, value in _calendar_properties(method=method, name=name, refresh=refresh):
        params = {"VALUE": "DURATION"} if prop == "REFRESH-INTERVAL" else None
        cal.add(prop, value, parameters=params)
    cal.add_component(vtimezone())
    for spec in specs:
        cal.add_component(build_event(spec, stamp=stamp))
    return cal.to_ical()


class Feed:
    """A feed about to be served: its events' properties worked out once, for the digest (the
    ETag and cache key) and, when the body is needed, for the body."""

    def __init__(self, specs: Sequence[EventSpec], *, name: str = "", refresh: bool = False):
        self.name, self.refresh = name, refresh
        self.last_modified = last_modified(specs)
        self.events = [event_properties(spec) for spec in specs]
        header = _calendar_properties(method="PUBLISH", name=name, refresh=refresh)
        digest = hashlib.sha256(repr(header).encode())
        for props in self.events:
            digest.update(repr(props).encode())
        self.digest = digest.hexdigest()

    def body(self) -> bytes:
        shell = _calendar_shell(self.name, self.refresh)
        end = b"END:VCALENDAR\r\n"
        events = b"".join(_event(props).to_ical() for props in self.events)
        return shell[: -len(end)] + events + end


@functools.lru_cache(maxsize=64)
def _calendar_shell(name: str, refresh: bool) -> bytes:
    """The VCALENDAR of a feed with its VTIMEZONE and no events yet (the events go in before
    its END line)."""
    return build_calendar([], name=name, refresh=refresh)


def last_modified(specs: Sequence[EventSpec]) -> datetime.datetime | None:
    return max((spec.last_modified for spec in specs), default=None)


# --- what each reader sees -------------------------------------------------------------------


def session_specs(
    session: TrainingSession,
    *,
    with_link: bool = False,
    status: str | None = None,
    extra_sequence: int = 0,
    notes: Sequence[str] = (),
    attendee: tuple[str, str] | None = None,
    days: Sequence[SessionDay] | None = None,
) -> list[EventSpec]:
    """The events of every day of a session (its `days` prefetched or given)."""
    all_days = list(session.days.all())
    status = status or session_event_status(session)
    return [
        EventSpec(
            session=session,
            day=day,
            day_index=all_days.index(day) + 1 if day in all_days else 1,
            day_count=len(all_days),
            sequence=day.sequence + extra_sequence,
            status=status,
            with_link=with_link,
            notes=notes,
            attendee=attendee,
        )
        for day in (all_days if days is None else days)
    ]


def session_event_status(session: TrainingSession) -> str:
    if session.status == Status.CANCELLED:
        return "CANCELLED"
    if session.status == Status.DRAFT:
        return "TENTATIVE"
    return "CONFIRMED"


def county_specs(sessions: Iterable[TrainingSession]) -> list[EventSpec]:
    """An organiser's view: drafts tentative, and the seats (counts only). No meeting link:
    that is for the people holding a seat, and county coordinators need not hold one."""
    specs = []
    for session in sessions:
        notes = [
            _("Seats taken: %(taken)d of %(capacity)d; waiting list: %(waiting)d.")
            % {
                "taken": session.seats_taken,
                "capacity": session.capacity,
                "waiting": session.waitlist_length,
            }
        ]
        if session.status == Status.DRAFT:
            notes.insert(0, _("Draft: not published yet."))
        specs += session_specs(session, notes=notes)
    return specs


E = Enrolment.Status


def enrolment_event_status(enrolment: Enrolment) -> str:
    """How a person's registration shows in their own calendar: a confirmed seat is
    CONFIRMED, a place still uncertain (waiting list, approval, an offer) TENTATIVE, and a
    cancelled session CANCELLED."""
    if enrolment.training_session.status == Status.CANCELLED or enrolment.status in (
        E.CANCELLED,
        E.REJECTED,
    ):
        return "CANCELLED"
    if enrolment.status == E.CONFIRMED:
        return "CONFIRMED"
    return "TENTATIVE"


def enrolment_notes(enrolment: Enrolment) -> list[str]:
    status = enrolment_event_status(enrolment)
    if status == "TENTATIVE":
        return [_("Your registration: %(status)s.") % {"status": enrolment.get_status_display()}]
    if status == "CANCELLED" and enrolment.training_session.status == Status.CANCELLED:
        return [_(Enrolment.SESSION_CANCELLED)]
    return []


def enrolment_specs(enrolment: Enrolment, *, with_attendee: bool = False) -> list[EventSpec]:
    """A person's own events for their registration: the meeting link only with a confirmed
    seat."""
    person = enrolment.professional
    status = enrolment_event_status(enrolment)
    return session_specs(
        enrolment.training_session,
        with_link=enrolment.status == E.CONFIRMED,
        status=status,
        extra_sequence=enrolment.calendar_sequence,
        notes=enrolment_notes(enrolment),
        attendee=(person.email, f"{person.first_name} {person.last_name}")
        if with_attendee and person.email
        else None,
    )


@dataclass
class Invitation:
    filename: str
    content: bytes
    method: str  # REQUEST or CANCEL


def invitations(
    enrolment: Enrolment,
    *,
    method: str,
    removed_days: Sequence[SessionDay] = (),
    stamp: datetime.datetime | None = None,
) -> list[Invitation]:
    """The iTIP messages for a person, one per session day (an iTIP message carries a single
    UID): REQUEST puts (or updates) the days in their calendar, CANCEL takes them out.
    `removed_days` (days since deleted from the session) are cancelled in either case."""
    stamp = stamp or timezone.now()
    specs = enrolment_specs(enrolment, with_attendee=True)
    if method == "CANCEL":
        for spec in specs:
            spec.status = "CANCELLED"
    removed = [
        EventSpec(
            session=enrolment.training_session,
            day=day,
            day_index=1,
            day_count=1,
            sequence=day.sequence + enrolment.calendar_sequence,
            status="CANCELLED",
            attendee=specs[0].attendee if specs else None,
        )
        for day in removed_days
    ]
    result = []
    for n, spec in enumerate(specs, start=1):
        suffix = f"-{n}" if len(specs) > 1 else ""
        result.append(
            Invitation(
                filename=f"{enrolment.training_session.code}{suffix}.ics",
                content=build_calendar([spec], method=method, stamp=stamp),
                method=method,
            )
        )
    for n, spec in enumerate(removed, start=1):
        result.append(
            Invitation(
                filename=f"{enrolment.training_session.code}-removed-{n}.ics",
                content=build_calendar([spec], method="CANCEL", stamp=stamp),
                method="CANCEL",
            )
        )
    return result
