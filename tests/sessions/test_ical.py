"""A session's .ics download, read back with `icalendar` as a calendar client reads it: one event
per day under a UID that never changes, local times with a Europe/Bucharest VTIMEZONE that is
right across the March and October switches, a SEQUENCE that grows when the time, the place or
the status changes (and only then), the meeting link only for a confirmed seat, and text escaped
and folded as RFC 5545 asks."""

import datetime
import itertools
import zoneinfo
from email.utils import parseaddr

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar
from icalendar.parser import unescape_backslash

from sessions.models import Enrolment, SessionDay, TrainingSession, Venue
from sessions.services import enrolment_create, training_session_save, venue_save
from tests.factories.sessions import VenueFactory, at, make_session
from tests.factories.training import CourseFactory, PersonFactory, TrainerFactory, county

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")
Status = TrainingSession.Status
Mode = TrainingSession.DeliveryMode
E = Enrolment.Status
MEETING = "https://meet.example.org/formativ-secret-42"
_codes = itertools.count(1)


# --- helpers (the feed tests use them too) ---------------------------------------------------


def url(name: str, *args, lang: str = "ro") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def parse(content: bytes) -> Calendar:
    """What a client does: the bytes are UTF-8, then iCalendar."""
    content.decode("utf-8")  # strict: raises on a broken character
    return Calendar.from_ical(content)


def events(content: bytes) -> dict[str, object]:
    """The VEVENTs of a file by UID; a UID twice would be a duplicate event in the calendar."""
    found = parse(content).walk("VEVENT")
    uids = [str(event["UID"]) for event in found]
    assert len(uids) == len(set(uids)), uids
    return {str(event["UID"]): event for event in found}


def uid(day: SessionDay, host: str = "testserver") -> str:
    return f"{day.uid}@{host}"


def start_utc(event, name: str = "DTSTART") -> datetime.datetime:
    return event.decoded(name).astimezone(UTC)


def days_of(session: TrainingSession) -> list[SessionDay]:
    return list(SessionDay.objects.filter(training_session_id=session.pk).order_by("starts_at"))


def published(user, *, days=None, trainers=(), **fields) -> TrainingSession:
    """A session created as the admin creates one: its days on the instance, saved by
    `training_session_save`."""
    fields.setdefault("course", CourseFactory())
    fields.setdefault("county", county())
    fields.setdefault("capacity", 20)
    fields.setdefault("status", Status.PUBLISHED)
    if "venue" not in fields and fields.get("delivery_mode", Mode.IN_PERSON) != Mode.ONLINE:
        fields["venue"] = Venue.objects.get_or_create(
            name="Sala Mare",
            city="Cluj-Napoca",
            defaults={"address": "Str. Memorandumului 21", "county": county("CJ")},
        )[0]
    if days is None:
        days = [(at(10, 9), at(10, 17)), (at(11, 9), at(11, 13))]
    session = TrainingSession(code=f"CAL-{next(_codes):04d}", **fields)
    session.days = [SessionDay(starts_at=start, ends_at=end) for start, end in days]
    session.trainers = list(trainers)
    return training_session_save(training_session=session, acting_user=user).training_session


def edit(session, user, *, move=None, add=(), remove=(), **changes) -> TrainingSession:
    """Change a session as the admin form does: a fresh copy, its days on it, the service.
    `move` maps a day's index to its new (start, end); `add` gives new days' (start, end),
    `remove` the indexes of days to delete."""
    fresh = TrainingSession.objects.get(pk=session.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    if move or add or remove:
        days = days_of(fresh)
        for index, (start, end) in (move or {}).items():
            days[index].starts_at, days[index].ends_at = start, end
        days = [day for index, day in enumerate(days) if index not in remove]
        fresh.days = days + [SessionDay(starts_at=start, ends_at=end) for start, end in add]
    return training_session_save(training_session=fresh, acting_user=user).training_session


def download(client, session, *, lang: str = "ro", **headers):
    response = client.get(url("training_sessions:ics", session.code, lang=lang), **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def sequences(client, session) -> dict[str, int]:
    return {key: int(e["SEQUENCE"]) for key, e in events(download(client, session).content).items()}


def confirmed(session, person, staff_user) -> Enrolment:
    return enrolment_create(training_session=session, professional=person, acting_user=staff_user)


# --- the download -----------------------------------------------------------------------------


class TestDownload:
    def test_one_event_per_day_with_what_a_calendar_shows(self, client, staff_user, settings):
        settings.WAGTAILADMIN_BASE_URL = "https://formari.anes.example:8443/"
        settings.CALENDAR_ORGANIZER_EMAIL = "Formări ANES <formari@anes.example>"
        settings.CALENDAR_ORGANIZER_NAME = "ANES – Formări"
        course = CourseFactory(title="Protecția copilului")
        trainer = TrainerFactory(full_name="Maria Ionescu")
        session = published(
            staff_user,
            course=course,
            title="Atelier de vară",
            days=[(at(10, 9), at(10, 17)), (at(11, 9), at(11, 13)), (at(12, 10), at(12, 12))],
            trainers=[trainer],
        )
        days = days_of(session)

        response = download(client, session)
        assert response["Content-Disposition"] == f'attachment; filename="{session.code}.ics"'
        found = events(response.content)
        assert set(found) == {uid(day, "formari.anes.example") for day in days}
        page = f"https://formari.anes.example:8443/sesiuni/{session.code}/"
        for index, day in enumerate(days, start=1):
            event = found[uid(day, "formari.anes.example")]
            with translation.override("ro"):
                summary = gettext("%(title)s (day %(day)d of %(days)d)") % {
                    "title": "Atelier de vară",
                    "day": index,
                    "days": 3,
                }
            assert str(event["SUMMARY"]) == summary
            description = str(event["DESCRIPTION"])
            assert "Protecția copilului" in description
            assert "Maria Ionescu" in description
            assert page in description
            assert str(event["URL"]) == page
            assert str(event["LOCATION"]) == "Sala Mare, Str. Memorandumului 21, Cluj-Napoca"
            assert str(event["ORGANIZER"]) == "mailto:formari@anes.example"
            assert event["ORGANIZER"].params["CN"] == "ANES – Formări"
            assert start_utc(event) == day.starts_at
            assert start_utc(event, "DTEND") == day.ends_at
            assert int(event["SEQUENCE"]) == 0
            assert str(event["STATUS"]) == "CONFIRMED"
            for stamp in ("DTSTAMP", "LAST-MODIFIED"):
                value = event.decoded(stamp)
                assert value.utcoffset() == datetime.timedelta(0)
                assert abs(value - session.updated_at) < datetime.timedelta(seconds=1)

    def test_the_organizer_defaults_to_the_sender_address(self, client, staff_user, settings):
        settings.CALENDAR_ORGANIZER_EMAIL = ""
        settings.DEFAULT_FROM_EMAIL = "Formativ <formativ@anes.example>"
        session = published(staff_user, days=[(at(10, 9), at(10, 17))])
        (event,) = events(download(client, session).content).values()
        assert str(event["ORGANIZER"]) == "mailto:" + parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    def test_a_cancelled_session_is_marked_cancelled(self, client, staff_user):
        session = published(staff_user, title="Curs anulat")
        session = edit(session, staff_user, status=Status.CANCELLED)
        found = events(download(client, session).content)
        assert set(found) == {uid(day) for day in days_of(session)}
        for event in found.values():
            assert str(event["STATUS"]) == "CANCELLED"
            assert "Curs anulat" in str(event["SUMMARY"])

    def test_a_completed_session_can_still_be_downloaded(self, client, staff_user):
        session = published(staff_user, status=Status.COMPLETED, days=[(at(-3, 9), at(-3, 17))])
        (event,) = events(download(client, session).content).values()
        assert str(event["STATUS"]) == "CONFIRMED"

    def test_a_draft_is_not_found(self, client, staff_user):
        draft = published(staff_user, status=Status.DRAFT)
        assert client.get(url("training_sessions:ics", draft.code)).status_code == 404
        # Not even for an organiser: the download is the public one.
        client.force_login(staff_user)
        assert client.get(url("training_sessions:ics", draft.code)).status_code == 404

    def test_a_session_taken_back_to_draft_is_not_found_any_more(self, client, staff_user):
        session = published(staff_user)
        download(client, session)
        edit(session, staff_user, status=Status.DRAFT)
        assert client.get(url("training_sessions:ics", session.code)).status_code == 404

    def test_an_unknown_code_is_not_found(self, client):
        assert client.get(url("training_sessions:ics", "NU-EXISTA")).status_code == 404

    def test_the_file_answers_conditional_requests(self, client, staff_user):
        session = published(staff_user)
        first = download(client, session)
        assert first["ETag"] and first["Last-Modified"]
        again = client.get(
            url("training_sessions:ics", session.code), HTTP_IF_NONE_MATCH=first["ETag"]
        )
        assert again.status_code == 304
        assert again.content == b""


class TestMeetingLink:
    """The meeting link is for the people holding a confirmed seat, and only for them."""

    @pytest.fixture
    def online(self, staff_user):
        return published(staff_user, delivery_mode=Mode.ONLINE, online_url=MEETING, capacity=1)

    def test_anonymous_visitors_see_online_without_the_link(self, client, online):
        response = download(client, online)
        assert MEETING.encode() not in response.content
        for event in events(response.content).values():
            assert str(event["LOCATION"]) == "Online"
        assert response["Cache-Control"] == "public, no-cache"
        assert "Cookie" in response["Vary"]

    def test_a_confirmed_seat_gets_the_link_in_a_private_file(self, client, online, staff_user):
        person = PersonFactory()
        assert confirmed(online, person, staff_user).status == E.CONFIRMED
        client.force_login(person.user)
        response = download(client, online)
        for event in events(response.content).values():
            assert str(event["LOCATION"]) == f"Online: {MEETING}"
            assert MEETING in str(event["DESCRIPTION"])
            assert str(event["STATUS"]) == "CONFIRMED"
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "Cookie" in response["Vary"]

    def test_the_link_never_reaches_others_through_the_cache(self, client, online, staff_user):
        person = PersonFactory()
        confirmed(online, person, staff_user)
        client.force_login(person.user)
        assert MEETING.encode() in download(client, online).content
        client.logout()
        assert MEETING.encode() not in download(client, online).content
        client.force_login(PersonFactory().user)  # signed in, but holding no seat
        assert MEETING.encode() not in download(client, online).content

    def test_the_waiting_list_gets_no_link_and_a_tentative_event(self, client, online, staff_user):
        confirmed(online, PersonFactory(), staff_user)  # takes the only seat
        waiting = PersonFactory()
        assert confirmed(online, waiting, staff_user).status == E.WAITLISTED
        client.force_login(waiting.user)
        response = download(client, online)
        assert MEETING.encode() not in response.content
        for event in events(response.content).values():
            assert str(event["STATUS"]) == "TENTATIVE"
            assert str(event["LOCATION"]) == "Online"

    def test_a_hybrid_session_gives_the_venue_and_online(self, client, staff_user):
        session = published(staff_user, delivery_mode=Mode.HYBRID, online_url=MEETING)
        for event in events(download(client, session).content).values():
            location = str(event["LOCATION"])
            assert location.startswith("Sala Mare, Str. Memorandumului 21, Cluj-Napoca")
            assert location.endswith("Online")
            assert MEETING not in location


# --- time zone --------------------------------------------------------------------------------


def vtimezone_of(content: bytes):
    (component,) = parse(content).walk("VTIMEZONE")
    return component


def last_sunday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def local_day(date, start_hour, end_hour):
    start = datetime.datetime.combine(date, datetime.time(start_hour), tzinfo=BUCHAREST)
    end = datetime.datetime.combine(date, datetime.time(end_hour), tzinfo=BUCHAREST)
    return start, end


SPRING, AUTUMN = datetime.date(2027, 3, 28), datetime.date(2027, 10, 31)
ONE_DAY = datetime.timedelta(days=1)


class TestTimeZone:
    def test_the_dst_dates_are_the_last_sundays(self):
        assert (last_sunday(2027, 3), last_sunday(2027, 10)) == (SPRING, AUTUMN)

    def test_times_are_local_with_a_bucharest_vtimezone(self, client, staff_user):
        session = published(staff_user, days=[local_day(datetime.date(2027, 7, 14), 9, 17)])
        content = download(client, session).content
        assert str(vtimezone_of(content)["TZID"]) == "Europe/Bucharest"
        (event,) = events(content).values()
        for name, hour in (("DTSTART", 9), ("DTEND", 17)):
            assert event[name].params["TZID"] == "Europe/Bucharest"
            wall = event.decoded(name)
            assert (wall.date(), wall.time()) == (datetime.date(2027, 7, 14), datetime.time(hour))
        assert b"DTSTART;TZID=Europe/Bucharest:20270714T090000\r\n" in content

    @pytest.mark.parametrize(
        ("date", "start_hour", "end_hour"),
        [
            (SPRING - ONE_DAY, 9, 17),
            (SPRING, 9, 17),
            (SPRING, 1, 6),  # across the switch itself: 01:00 EET to 06:00 EEST
            (SPRING + ONE_DAY, 9, 17),
            (AUTUMN - ONE_DAY, 9, 17),
            (AUTUMN, 9, 17),
            (AUTUMN, 1, 6),  # 01:00 EEST to 06:00 EET
            (AUTUMN + ONE_DAY, 9, 17),
        ],
    )
    def test_sessions_around_the_switches_keep_their_instant(
        self, client, staff_user, date, start_hour, end_hour
    ):
        start, end = local_day(date, start_hour, end_hour)
        session = published(staff_user, days=[(start, end)])
        (day,) = days_of(session)
        content = download(client, session).content
        own_zone = vtimezone_of(content).to_tz(lookup_tzid=False)  # the file's rules, not tzdata
        (event,) = events(content).values()
        for name, stored in (("DTSTART", day.starts_at), ("DTEND", day.ends_at)):
            parsed = event.decoded(name)
            assert parsed.astimezone(UTC) == stored
            wall = parsed.replace(tzinfo=None)
            assert wall == stored.astimezone(BUCHAREST).replace(tzinfo=None)
            assert wall.replace(tzinfo=own_zone).astimezone(UTC) == stored

    def test_a_time_in_the_repeated_october_hour_keeps_its_instant(self, client, staff_user):
        # 03:30 happens twice on 31 October 2027; the second time is 01:30 UTC. A local time
        # with TZID names the first one, an hour early.
        start = datetime.datetime(2027, 10, 31, 0, 30, tzinfo=BUCHAREST)
        end = datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
        assert end.astimezone(BUCHAREST).fold == 1
        session = published(staff_user, days=[(start, end)])
        (event,) = events(download(client, session).content).values()
        assert start_utc(event) == start
        assert start_utc(event, "DTEND") == end

    def test_the_vtimezone_rules_match_tzdata_from_2000_to_2060(self, client, staff_user):
        session = published(staff_user, days=[(at(10, 9), at(10, 17))])
        own_zone = vtimezone_of(download(client, session).content).to_tz(lookup_tzid=False)
        checked = 0
        for year in range(2000, 2061):
            for month in (3, 10):
                switch = datetime.datetime.combine(
                    last_sunday(year, month), datetime.time(1), tzinfo=UTC
                )
                for minutes in range(-180, 181, 15):
                    instant = switch + datetime.timedelta(minutes=minutes)
                    assert (
                        instant.astimezone(own_zone).utcoffset()
                        == instant.astimezone(BUCHAREST).utcoffset()
                    ), instant
                    # And back: wall-clock times that exist name the same instant (the
                    # repeated October hour by its fold).
                    wall = instant.astimezone(BUCHAREST)
                    naive = wall.replace(tzinfo=None)
                    assert (
                        naive.replace(tzinfo=own_zone, fold=wall.fold).astimezone(UTC) == instant
                    ), instant
                    checked += 1
        assert checked == 61 * 2 * 25


# --- UIDs and SEQUENCE ------------------------------------------------------------------------


class TestUidsAndSequence:
    def test_regenerating_the_file_gives_the_same_uids_and_bytes(self, client, staff_user):
        session = published(staff_user)
        first = download(client, session).content
        cache.clear()  # built again, not served from the cache
        second = download(client, session).content
        assert set(events(first)) == set(events(second)) == {uid(d) for d in days_of(session)}
        assert first == second

    def test_uids_survive_a_new_title_and_a_moved_day(self, client, staff_user):
        session = published(staff_user, title="Titlul vechi")
        before = events(download(client, session).content)
        first, second = days_of(session)
        edit(session, staff_user, title="Titlul nou", move={1: (at(14, 9), at(14, 17))})
        after = events(download(client, session).content)
        assert set(after) == set(before) == {uid(first), uid(second)}
        assert start_utc(after[uid(second)]) == at(14, 9)
        assert start_utc(after[uid(first)]) == first.starts_at
        assert all("Titlul nou" in str(event["SUMMARY"]) for event in after.values())

    def test_a_moved_day_gets_the_next_sequence_the_others_keep_theirs(self, client, staff_user):
        session = published(staff_user)
        first, second = days_of(session)
        assert sequences(client, session) == {uid(first): 0, uid(second): 0}
        edit(session, staff_user, move={1: (at(11, 10), at(11, 14))})
        assert sequences(client, session) == {uid(first): 0, uid(second): 1}
        edit(session, staff_user, move={1: (at(11, 10), at(11, 15))})  # only the end
        assert sequences(client, session) == {uid(first): 0, uid(second): 2}

    def test_added_and_removed_days_leave_the_others_alone(self, client, staff_user):
        session = published(staff_user)
        first, second = days_of(session)
        edit(session, staff_user, add=[(at(15, 9), at(15, 17))], remove=[0])
        _second, added = days_of(session)
        found = events(download(client, session).content)
        assert set(found) == {uid(second), uid(added)}
        assert {key: int(e["SEQUENCE"]) for key, e in found.items()} == {
            uid(second): 0,
            uid(added): 0,
        }
        assert start_utc(found[uid(added)]) == at(15, 9)

    def test_days_older_than_the_calendar_get_the_next_sequence_when_moved(
        self, client, staff_user
    ):
        # Days written without the service (rows from before calendars, bulk loads) carry no
        # calendar signature yet; their first change must still reach calendars.
        session = make_session(day_count=2)
        first, second = days_of(session)
        edit(session, staff_user, move={1: (at(12, 9), at(12, 17))})
        assert sequences(client, session) == {uid(first): 0, uid(second): 1}
        venue = TrainingSession.objects.get(pk=session.pk).venue
        venue.name = "Sala Nouă"
        venue_save(venue=venue, acting_user=staff_user)
        assert sequences(client, session) == {uid(first): 1, uid(second): 2}

    def test_a_moved_day_is_newer_for_clients(self, client, staff_user):
        session = published(staff_user)
        _first, second = days_of(session)
        before = events(download(client, session).content)[uid(second)]
        edit(session, staff_user, move={1: (at(11, 10), at(11, 14))})
        after = events(download(client, session).content)[uid(second)]
        assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")
        assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")

    @pytest.mark.parametrize(
        "change",
        [
            pytest.param(lambda: {"venue": VenueFactory(name="Alta sală")}, id="venue"),
            pytest.param(lambda: {"delivery_mode": Mode.HYBRID, "online_url": MEETING}, id="mode"),
            pytest.param(lambda: {"status": Status.CANCELLED}, id="cancelled"),
        ],
    )
    def test_a_change_of_place_or_status_raises_every_days_sequence(
        self, client, staff_user, change
    ):
        session = published(staff_user)
        edit(session, staff_user, **change())
        assert set(sequences(client, session).values()) == {1}

    def test_a_new_meeting_link_raises_the_sequence(self, client, staff_user):
        session = published(staff_user, delivery_mode=Mode.ONLINE, online_url=MEETING)
        edit(session, staff_user, online_url="https://meet.example.org/alta-sala")
        assert set(sequences(client, session).values()) == {1}

    def test_a_renamed_or_moved_venue_raises_the_sequence(self, client, staff_user):
        session = published(staff_user)
        venue = session.venue
        venue.address = "Bd. Eroilor 10"
        venue_save(venue=venue, acting_user=staff_user)
        found = events(download(client, session).content)
        assert {int(e["SEQUENCE"]) for e in found.values()} == {1}
        assert all("Bd. Eroilor 10" in str(e["LOCATION"]) for e in found.values())

    def test_venue_notes_that_calendars_do_not_show_change_nothing(self, client, staff_user):
        session = published(staff_user)
        venue = session.venue
        venue.accessibility = "Rampă la intrarea din spate."
        venue_save(venue=venue, acting_user=staff_user)
        assert set(sequences(client, session).values()) == {0}

    @pytest.mark.parametrize(
        "change",
        [
            {"description": "Un alt text de prezentare."},
            {"title": "Un titlu nou"},
            {"capacity": 30},
            {},  # saved as it is
        ],
        ids=["description", "title", "capacity", "nothing"],
    )
    def test_a_save_that_moves_nothing_keeps_the_sequence(self, client, staff_user, change):
        session = published(staff_user)
        edit(session, staff_user, **change)
        edit(session, staff_user, **change)
        assert set(sequences(client, session).values()) == {0}

    def test_unpublishing_and_publishing_again_moves_nothing(self, client, staff_user):
        session = published(staff_user)
        edit(session, staff_user, status=Status.DRAFT)
        edit(session, staff_user, status=Status.PUBLISHED)
        assert set(sequences(client, session).values()) == {0}

    def test_cancelling_then_reopening_raises_the_sequence_each_time(self, client, staff_user):
        session = published(staff_user)
        edit(session, staff_user, status=Status.CANCELLED)
        edit(session, staff_user, status=Status.DRAFT)
        edit(session, staff_user, status=Status.PUBLISHED)
        found = events(download(client, session).content)
        assert {int(e["SEQUENCE"]) for e in found.values()} == {2}
        assert {str(e["STATUS"]) for e in found.values()} == {"CONFIRMED"}


# --- text: escaping, folding, language ---------------------------------------------------------

DIACRITICS = "ă â î ș ț Ă Â Î Ș Ț"
TRICKY_TITLE = f"Atelier: „Copii”, părinți; școală\\rețea\nZiua întâi — {DIACRITICS}"
TRICKY_VENUE = {
    "name": "Sala „Ștefan cel Mare”, etaj 2; aripa B\\C",
    "address": "Str. Țebei 3, ap. 4",
    "city": "Târgu Mureș",
}


def physical_lines(content: bytes) -> list[bytes]:
    assert content.endswith(b"\r\n")
    lines = content[:-2].split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines), "a bare LF or CR"
    return lines


class TestText:
    @pytest.fixture
    def tricky(self, staff_user):
        return published(
            staff_user,
            title=TRICKY_TITLE,
            venue=VenueFactory(**TRICKY_VENUE),
            course=CourseFactory(title="Curs: „Îngrijire”; modulul 1, partea a II-a"),
            days=[(at(10, 9), at(10, 17))],
        )

    def test_commas_semicolons_backslashes_newlines_and_diacritics_round_trip(self, client, tricky):
        content = download(client, tricky).content
        (event,) = events(content).values()
        assert str(event["SUMMARY"]) == TRICKY_TITLE
        assert str(event["LOCATION"]) == (
            "Sala „Ștefan cel Mare”, etaj 2; aripa B\\C, Str. Țebei 3, ap. 4, Târgu Mureș"
        )
        assert "Curs: „Îngrijire”; modulul 1, partea a II-a" in str(event["DESCRIPTION"])
        calendar = parse(content)
        for name in ("NAME", "X-WR-CALNAME"):  # TEXT, which icalendar leaves raw: unescape
            assert unescape_backslash(str(calendar[name])) == TRICKY_TITLE
        unfolded = content.replace(b"\r\n ", b"").decode()
        for escaped in ("\\,", "\\;", "\\n", "\\\\"):
            assert escaped in unfolded
        assert DIACRITICS in unfolded
        assert not set("şţŞŢ") & set(unfolded)

    def test_lines_are_crlf_and_at_most_75_octets_never_splitting_a_letter(
        self, client, staff_user
    ):
        title = "Școală și îngrijire: " + "ăâîșțĂÂÎȘȚ" * 20
        session = published(
            staff_user,
            title=title,
            venue=VenueFactory(name="Țară " * 40, address="Ș" * 200, city="Iași"),
            course=CourseFactory(title="ț" * 250),
            days=[(at(10, 9), at(10, 17))],
        )
        content = download(client, session).content
        lines = physical_lines(content)
        assert max(len(line) for line in lines) <= 75
        assert any(len(line) > 70 for line in lines)  # the long values were folded
        for line in lines:
            line.decode("utf-8")  # a fold between the bytes of one letter fails here
        (event,) = events(content).values()
        assert str(event["SUMMARY"]) == title
        assert str(event["LOCATION"]).startswith("Țară Țară")
        assert "ț" * 250 in str(event["DESCRIPTION"])

    def test_english_under_en_romanian_without_prefix(self, client, staff_user):
        session = published(staff_user, title="Atelier", course=CourseFactory(title="Curs X"))
        edit(session, staff_user, status=Status.CANCELLED)
        english = events(download(client, session, lang="en").content)
        romanian = events(download(client, session, lang="ro").content)
        en_page = f"http://testserver/en/sesiuni/{session.code}/"
        ro_page = f"http://testserver/sesiuni/{session.code}/"
        for index, day in enumerate(days_of(session), start=1):
            en, ro = english[uid(day)], romanian[uid(day)]
            assert str(en["SUMMARY"]) == f"Cancelled: Atelier (day {index} of 2)"
            assert "Course: Curs X" in str(en["DESCRIPTION"])
            assert f"Details and registration: {en_page}" in str(en["DESCRIPTION"])
            assert str(en["URL"]) == en_page
            with translation.override("ro"):
                title = gettext("%(title)s (day %(day)d of %(days)d)") % {
                    "title": "Atelier",
                    "day": index,
                    "days": 2,
                }
                assert str(ro["SUMMARY"]) == gettext("Cancelled: %(title)s") % {"title": title}
                course = gettext("Course: %(course)s") % {"course": "Curs X"}
            assert course in str(ro["DESCRIPTION"])
            assert ro_page in str(ro["DESCRIPTION"])
            assert str(ro["URL"]) == ro_page
            assert "/en/" not in str(ro["DESCRIPTION"])
