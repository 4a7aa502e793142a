"""The calendar subscriptions, read back with `icalendar`: the public feed (with the calendar
page's filters), a person's own feed and a county's organiser feed behind the secret calendar
key. Who sees what, what never leaks, the conditional requests (ETag and Last-Modified, 304 when
nothing changed) and a query count that does not grow with the rows."""

import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from sessions.models import Enrolment, TrainingSession
from sessions.services import (
    calendar_token_regenerate,
    calendar_token_revoke,
    enrolment_cancel,
    enrolment_create,
)
from tests.factories.sessions import at, make_session
from tests.factories.training import (
    CourseFactory,
    FocalPointFactory,
    InstitutionFactory,
    PersonFactory,
    ProjectFactory,
    TrainerFactory,
    UserFactory,
    county,
)
from tests.sessions.test_ical import (
    MEETING,
    days_of,
    edit,
    events,
    parse,
    physical_lines,
    published,
    uid,
    url,
)
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db

Status = TrainingSession.Status
Mode = TrainingSession.DeliveryMode
Approval = TrainingSession.ApprovalMode
E = Enrolment.Status


def fetch(client, path: str, *, expect: int = 200, **headers):
    response = client.get(path, **headers)
    assert response.status_code == expect, (response.status_code, response.content[:300])
    if expect == 200:
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        physical_lines(response.content)  # CRLF throughout
    return response


def uids_of(*sessions) -> set[str]:
    return {uid(day) for session in sessions for day in days_of(session)}


def unfolded(content: bytes) -> str:
    """The text as a client reads it: folded lines joined, escapes undone enough to search."""
    return content.replace(b"\r\n ", b"").decode().replace("\\,", ",").replace("\\;", ";")


def next_second() -> None:
    """HTTP dates count whole seconds: what changes now is later than what was served."""
    time.sleep(1.02 - time.time() % 1)


def feed_url(lang: str = "ro", **filters) -> str:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return url("training_sessions:feed", lang=lang) + (f"?{query}" if query else "")


def personal_url(token: str, lang: str = "ro") -> str:
    return url("training_sessions:personal_feed", token, lang=lang)


def county_url(code: str, token: str, lang: str = "ro") -> str:
    return url("training_sessions:county_feed", code, token, lang=lang)


def token_of(user) -> str:
    return calendar_token_regenerate(user=user).token


def enrol(session, person, staff_user) -> Enrolment:
    """Organisers register the person: confirmed, or waitlisted when the session is full."""
    return enrolment_create(training_session=session, professional=person, acting_user=staff_user)


def organiser():
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_trainingsession", content_type__app_label="training_sessions"
        )
    )
    return user


# --- the public feed -------------------------------------------------------------------------


class TestPublicFeed:
    def test_only_public_sessions_never_drafts(self, client, staff_user):
        live = published(staff_user, title="Publicată")
        done = published(staff_user, status=Status.COMPLETED, days=[(at(-3, 9), at(-3, 17))])
        called_off = edit(published(staff_user), staff_user, status=Status.CANCELLED)
        draft = published(staff_user, status=Status.DRAFT, title="Ciornă secretă")
        unpublished = edit(published(staff_user), staff_user, status=Status.DRAFT)

        response = fetch(client, feed_url())
        found = events(response.content)
        assert set(found) == uids_of(live, done, called_off)
        assert not uids_of(draft, unpublished) & set(found)
        assert "Ciornă secretă" not in unfolded(response.content)
        for key in uids_of(called_off):
            assert str(found[key]["STATUS"]) == "CANCELLED"
        for key in uids_of(live, done):
            assert str(found[key]["STATUS"]) == "CONFIRMED"
        assert response["Cache-Control"] == "public, no-cache"

    def test_a_session_ended_long_ago_leaves_the_feed(self, client, staff_user):
        recent = published(staff_user, status=Status.COMPLETED, days=[(at(-5, 9), at(-5, 17))])
        old = published(staff_user, status=Status.COMPLETED, days=[(at(-60, 9), at(-60, 17))])
        found = events(fetch(client, feed_url()).content)
        assert uids_of(recent) <= set(found)
        assert not uids_of(old) & set(found)

    def test_filters_give_exactly_their_sessions(self, client, staff_user):
        project = ProjectFactory(acronym="PROTECT")
        category = ProfessionalCategory.objects.get(name="asistent social")
        for_social_workers = CourseFactory(code="ASIST")
        for_social_workers.target_categories.add(category)
        for_social_workers.save()
        cluj = published(staff_user, county=county("CJ"))
        bucharest = published(staff_user, county=county("B"))
        in_project = published(staff_user, county=county("B"), project=project)
        of_course = published(staff_user, county=county("IS"), course=for_social_workers)

        def feed(**filters):
            return set(events(fetch(client, feed_url(**filters)).content))

        assert feed() == uids_of(cluj, bucharest, in_project, of_course)
        assert feed(county="CJ") == uids_of(cluj)
        assert feed(county="B") == uids_of(bucharest, in_project)
        assert feed(project="PROTECT") == uids_of(in_project)
        assert feed(course="ASIST") == uids_of(of_course)
        assert feed(category=category.pk) == uids_of(of_course)
        assert feed(county="B", project="PROTECT") == uids_of(in_project)
        assert feed(county="CJ", project="PROTECT") == set()

    @pytest.mark.parametrize(
        ("query", "label"),
        [
            ({"county": "ZZ"}, "County"),
            ({"project": "NU-EXISTA"}, "Project"),
            ({"course": "NU-EXISTA"}, "Course"),
            ({"category": "abc"}, "For professionals"),
            ({"category": "999999"}, "For professionals"),
        ],
    )
    def test_a_filter_not_understood_is_a_400_that_says_which(self, client, query, label):
        response = fetch(client, feed_url(lang="en", **query), expect=400)
        assert response["Content-Type"].startswith("text/plain")
        message = response.content.decode()
        assert "not understood" in message
        assert label in message

    def test_no_personal_data_and_no_meeting_link(self, client, staff_user):
        online = published(staff_user, delivery_mode=Mode.ONLINE, online_url=MEETING)
        hybrid = published(staff_user, delivery_mode=Mode.HYBRID, online_url=MEETING + "-h")
        people = [PersonFactory(first_name="Ioana", last_name=f"Țăranu{i}") for i in range(3)]
        for person in people:
            enrol(online, person, staff_user)
            enrol(hybrid, person, staff_user)
        for path in (feed_url(), feed_url(county="CJ"), feed_url(lang="en")):
            text = unfolded(fetch(client, path).content)
            assert "meet.example.org" not in text
            for person in people:
                assert person.last_name not in text
                assert person.email not in text
            assert uids_of(online, hybrid) <= set(events(fetch(client, path).content))

    def test_conditional_requests_answer_304_until_something_changes(self, client, staff_user):
        session = published(staff_user, title="Titlul întâi")
        first = fetch(client, feed_url())
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag and modified

        same = fetch(client, feed_url(), expect=304, HTTP_IF_NONE_MATCH=etag)
        assert same.content == b""
        assert same["ETag"] == etag
        assert fetch(client, feed_url(), expect=304, HTTP_IF_MODIFIED_SINCE=modified).content == b""

        next_second()
        edit(session, staff_user, title="Titlul al doilea")
        renamed = fetch(client, feed_url(), HTTP_IF_NONE_MATCH=etag)
        assert renamed["ETag"] != etag
        assert "Titlul al doilea" in unfolded(renamed.content)
        fetch(client, feed_url(), expect=200, HTTP_IF_MODIFIED_SINCE=modified)

        added = published(staff_user)
        grown = fetch(client, feed_url(), HTTP_IF_NONE_MATCH=renamed["ETag"])
        assert grown["ETag"] not in (etag, renamed["ETag"])
        assert uids_of(added) <= set(events(grown.content))

    def test_a_session_leaving_the_feed_is_a_change_for_if_modified_since(self, client, staff_user):
        stays = published(staff_user)
        leaves = published(staff_user)
        first = fetch(client, feed_url())
        next_second()
        edit(leaves, staff_user, status=Status.DRAFT)
        # A client that only remembers the date must not keep the unpublished session.
        response = fetch(client, feed_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert set(events(response.content)) == uids_of(stays)

    def test_each_filtered_feed_has_its_own_etag(self, client, staff_user):
        published(staff_user, county=county("CJ"))
        published(staff_user, county=county("B"))
        everything = fetch(client, feed_url())
        cluj = fetch(client, feed_url(county="CJ"), HTTP_IF_NONE_MATCH=everything["ETag"])
        assert cluj["ETag"] != everything["ETag"]

    def test_edits_of_linked_records_reach_a_cached_feed(self, client, staff_user):
        """The cheap version check must see every record the events show: the course, the
        project, a trainer and the venue, each edited after the feed was cached."""
        session = published(staff_user)
        session.trainers = [TrainerFactory(full_name="Ana Formatoare")]
        session.save()
        etag = fetch(client, feed_url())["ETag"]
        course, trainer, venue = session.course, session.trainers.first(), session.venue
        for record, field, value in (
            (course, "title", "Curs redenumit"),
            (trainer, "full_name", "Ana Redenumită"),
            (venue, "name", "Sala redenumită"),
            (session.project, "name", "Proiect redenumit"),
        ):
            if record is None:
                continue
            setattr(record, field, value)
            record.save()
            response = fetch(client, feed_url(), HTTP_IF_NONE_MATCH=etag)
            assert value in unfolded(response.content), field
            etag = response["ETag"]

    def test_an_unchanged_poll_does_not_load_the_events(self, client, staff_user):
        for _ in range(3):
            published(staff_user)
        first = fetch(client, feed_url())
        with CaptureQueriesContext(connection) as captured:
            fetch(client, feed_url(), expect=304, HTTP_IF_NONE_MATCH=first["ETag"])
        tables = " ".join(q["sql"] for q in captured.captured_queries)
        # Aggregates only: no session rows, no prefetch of days or trainers.
        assert all("COUNT(" in q["sql"].upper() for q in captured.captured_queries), tables
        again = fetch(client, feed_url())
        assert again.content == first.content

    def test_queries_do_not_grow_with_the_sessions(self, client, staff_user):
        project = ProjectFactory()

        def add(count):
            for _ in range(count):
                session = make_session(project=project, day_count=3)
                session.trainers = [TrainerFactory(), TrainerFactory()]
                session.save()

        def queries(path):
            with CaptureQueriesContext(connection) as captured:
                response = fetch(client, path)
            return len(captured), len(events(response.content))

        add(5)
        few = queries(feed_url()), queries(feed_url(county="CJ", project=project.acronym))
        add(55)
        many = queries(feed_url()), queries(feed_url(county="CJ", project=project.acronym))
        assert [n for _, n in few] == [15, 15]
        assert [n for _, n in many] == [180, 180]
        assert [count for count, _ in many] == [count for count, _ in few]


# --- the personal feed -----------------------------------------------------------------------


class TestPersonalFeed:
    @pytest.fixture
    def person(self):
        return PersonFactory(first_name="Ioana", last_name="Țăranu")

    def test_confirmed_waitlisted_and_pending_places(self, client, staff_user, person):
        confirmed = published(staff_user, title="Locul meu")
        full = published(staff_user, capacity=1, title="Plină")
        enrol(full, PersonFactory(), staff_user)
        approval = published(staff_user, approval_mode=Approval.MANUAL, title="Cu aprobare")
        not_mine = published(staff_user, title="Altcuiva")
        enrol(not_mine, PersonFactory(), staff_user)
        assert enrol(confirmed, person, staff_user).status == E.CONFIRMED
        assert enrol(full, person, staff_user).status == E.WAITLISTED
        pending = enrolment_create(
            training_session=approval,
            professional=person,
            acting_user=person.user,
            source=Enrolment.Source.SELF,
        )
        assert pending.status == E.PENDING

        response = fetch(client, personal_url(token_of(person.user)))
        found = events(response.content)
        assert set(found) == uids_of(confirmed, full, approval)
        statuses = {key: str(event["STATUS"]) for key, event in found.items()}
        assert {statuses[key] for key in uids_of(confirmed)} == {"CONFIRMED"}
        assert {statuses[key] for key in uids_of(full, approval)} == {"TENTATIVE"}
        assert "Altcuiva" not in unfolded(response.content)
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]

    def test_own_cancellations_leave_organiser_cancellations_show(self, client, staff_user, person):
        left = published(staff_user, title="Renunțată")
        called_off = published(staff_user, title="Anulată de organizatori")
        draft_again = published(staff_user, title="Retrasă")
        enrolment_cancel(enrolment=enrol(left, person, staff_user), acting_user=person.user)
        enrol(called_off, person, staff_user)
        enrol(draft_again, person, staff_user)
        edit(called_off, staff_user, status=Status.CANCELLED)
        edit(draft_again, staff_user, status=Status.DRAFT)

        found = events(fetch(client, personal_url(token_of(person.user))).content)
        assert set(found) == uids_of(called_off)
        assert {str(found[key]["STATUS"]) for key in uids_of(called_off)} == {"CANCELLED"}

    def test_a_place_given_up_stays_out_when_the_session_is_cancelled_later(
        self, client, staff_user, person
    ):
        session = published(staff_user)
        enrolment_cancel(enrolment=enrol(session, person, staff_user), acting_user=person.user)
        edit(session, staff_user, status=Status.CANCELLED)
        assert events(fetch(client, personal_url(token_of(person.user))).content) == {}

    def test_the_meeting_link_only_with_a_confirmed_seat(self, client, staff_user, person):
        confirmed = published(staff_user, delivery_mode=Mode.ONLINE, online_url=MEETING)
        full = published(
            staff_user, delivery_mode=Mode.ONLINE, online_url=MEETING + "-plin", capacity=1
        )
        enrol(full, PersonFactory(), staff_user)
        enrol(confirmed, person, staff_user)
        enrol(full, person, staff_user)
        found = events(fetch(client, personal_url(token_of(person.user))).content)
        for key in uids_of(confirmed):
            assert str(found[key]["LOCATION"]) == f"Online: {MEETING}"
        for key in uids_of(full):
            assert str(found[key]["LOCATION"]) == "Online"
            assert "-plin" not in str(found[key]["DESCRIPTION"])

    def test_sequence_is_the_days_plus_the_registrations(self, client, staff_user, person):
        session = published(staff_user, capacity=1)
        first_person = PersonFactory()
        taken = enrol(session, first_person, staff_user)
        waiting = enrol(session, person, staff_user)
        token = token_of(person.user)

        def seen():
            found = events(fetch(client, personal_url(token)).content)
            enrolment = Enrolment.objects.get(pk=waiting.pk)
            for day in days_of(session):
                event = found[uid(day)]
                assert int(event["SEQUENCE"]) == day.sequence + enrolment.calendar_sequence
            return {key: (int(e["SEQUENCE"]), str(e["STATUS"])) for key, e in found.items()}

        before = seen()
        assert {status for _, status in before.values()} == {"TENTATIVE"}
        enrolment_cancel(enrolment=taken, acting_user=staff_user)  # the seat goes to the person
        promoted = seen()
        assert {status for _, status in promoted.values()} == {"CONFIRMED"}
        edit(session, staff_user, move={0: (days_of(session)[0].starts_at, at(10, 12))})
        moved = seen()
        for key in before:
            assert before[key][0] < promoted[key][0]
        first_uid = uid(days_of(session)[0])
        assert moved[first_uid][0] == promoted[first_uid][0] + 1

    def test_never_another_persons_feed(self, client, staff_user, person):
        other = PersonFactory()
        mine, theirs = published(staff_user), published(staff_user)
        enrol(mine, person, staff_user)
        enrol(theirs, other, staff_user)
        my_token, their_token = token_of(person.user), token_of(other.user)
        assert my_token != their_token
        assert set(events(fetch(client, personal_url(my_token)).content)) == uids_of(mine)
        assert set(events(fetch(client, personal_url(their_token)).content)) == uids_of(theirs)
        # Signed in as someone else changes nothing: the key decides.
        client.force_login(other.user)
        assert set(events(fetch(client, personal_url(my_token)).content)) == uids_of(mine)

    def test_wrong_revoked_regenerated_and_inactive_keys_are_not_found(
        self, client, staff_user, person
    ):
        enrol(published(staff_user), person, staff_user)
        old = token_of(person.user)
        fetch(client, personal_url(old))
        for wrong in ("x", old[:-1], old + "x", old.upper(), "a" * 64, "a" * 65):
            if wrong != old:
                fetch(client, personal_url(wrong), expect=404)

        new = token_of(person.user)  # regenerated
        assert new != old
        fetch(client, personal_url(old), expect=404)
        fetch(client, personal_url(new))

        assert calendar_token_revoke(user=person.user)
        fetch(client, personal_url(new), expect=404)

        again = token_of(person.user)
        fetch(client, personal_url(again))
        person.user.is_active = False
        person.user.save()
        fetch(client, personal_url(again), expect=404)

    def test_a_place_given_up_is_a_change_for_if_modified_since(self, client, staff_user, person):
        keep, leave = published(staff_user), published(staff_user)
        enrol(keep, person, staff_user)
        leaving = enrol(leave, person, staff_user)
        token = token_of(person.user)
        first = fetch(client, personal_url(token))
        fetch(client, personal_url(token), expect=304, HTTP_IF_NONE_MATCH=first["ETag"])
        next_second()
        enrolment_cancel(enrolment=leaving, acting_user=person.user)
        for headers in (
            {"HTTP_IF_NONE_MATCH": first["ETag"]},
            {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
        ):
            response = fetch(client, personal_url(token), **headers)
            assert set(events(response.content)) == uids_of(keep)

    def test_english_under_en(self, client, staff_user, person):
        full = published(staff_user, capacity=1, title="Atelier", days=[(at(10, 9), at(10, 17))])
        enrol(full, PersonFactory(), staff_user)
        enrol(full, person, staff_user)
        content = fetch(client, personal_url(token_of(person.user), lang="en")).content
        (event,) = events(content).values()
        assert str(event["SUMMARY"]) == "Tentative: Atelier"
        assert "Your registration: on the waiting list." in str(event["DESCRIPTION"])
        assert str(parse(content)["X-WR-CALNAME"]) == "Formativ: my trainings"

    def test_queries_do_not_grow_with_the_registrations(self, client, staff_user, person):
        token = token_of(person.user)

        def add(count):
            for _ in range(count):
                session = make_session(day_count=2)
                session.trainers = [TrainerFactory()]
                session.save()
                enrol(session, person, staff_user)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = fetch(client, personal_url(token))
            return len(captured), len(events(response.content))

        add(3)
        few, few_events = queries()
        add(12)
        many, many_events = queries()
        assert (few_events, many_events) == (6, 30)
        assert many == few


# --- the county feed -------------------------------------------------------------------------


class TestCountyFeed:
    @pytest.fixture
    def cluj(self, staff_user):
        """Cluj's sessions: one published and full with a waiting list, a draft, a cancelled
        one; and one in Bucharest."""
        full = published(
            staff_user,
            county=county("CJ"),
            capacity=2,
            title="Plină",
            delivery_mode=Mode.HYBRID,
            online_url=MEETING,
        )
        people = [PersonFactory(first_name="Ioana", last_name=f"Țăranu{i}") for i in range(3)]
        for person in people:
            enrol(full, person, staff_user)
        draft = published(staff_user, county=county("CJ"), status=Status.DRAFT, title="Ciornă")
        called_off = edit(
            published(staff_user, county=county("CJ")), staff_user, status=Status.CANCELLED
        )
        elsewhere = published(staff_user, county=county("B"), title="În București")
        return {
            "full": full,
            "draft": draft,
            "called_off": called_off,
            "elsewhere": elsewhere,
            "people": people,
        }

    def test_an_organiser_sees_drafts_tentative_and_seat_counts_no_names(self, client, cluj):
        response = fetch(client, county_url("CJ", token_of(organiser())))
        found = events(response.content)
        assert set(found) == uids_of(cluj["full"], cluj["draft"], cluj["called_off"])
        status = {key: str(event["STATUS"]) for key, event in found.items()}
        assert {status[key] for key in uids_of(cluj["draft"])} == {"TENTATIVE"}
        assert {status[key] for key in uids_of(cluj["called_off"])} == {"CANCELLED"}
        assert {status[key] for key in uids_of(cluj["full"])} == {"CONFIRMED"}
        with translation.override("ro"):
            seats = gettext("Seats taken: %(taken)d of %(capacity)d; waiting list: %(waiting)d.")
            seats %= {"taken": 2, "capacity": 2, "waiting": 1}
        for key in uids_of(cluj["full"]):
            assert seats in str(found[key]["DESCRIPTION"])
        text = unfolded(response.content)
        for person in cluj["people"]:
            assert person.last_name not in text
            assert person.email not in text
        assert "meet.example.org" not in text
        assert "private" in response["Cache-Control"]

    def test_a_new_registration_changes_the_counts_for_conditional_requests(
        self, client, staff_user, cluj
    ):
        path = county_url("CJ", token_of(organiser()), lang="en")
        first = fetch(client, path)
        fetch(client, path, expect=304, HTTP_IF_NONE_MATCH=first["ETag"])
        fetch(client, path, expect=304, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        next_second()
        enrol(cluj["full"], PersonFactory(), staff_user)  # a second person waiting
        for headers in (
            {"HTTP_IF_NONE_MATCH": first["ETag"]},
            {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
        ):
            found = events(fetch(client, path, **headers).content)
            for key in uids_of(cluj["full"]):
                assert "Seats taken: 2 of 2; waiting list: 2." in str(found[key]["DESCRIPTION"])

    def test_english_under_en(self, client, cluj):
        response = fetch(client, county_url("CJ", token_of(organiser()), lang="en"))
        found = events(response.content)
        for key in uids_of(cluj["full"]):
            assert "Seats taken: 2 of 2; waiting list: 1." in str(found[key]["DESCRIPTION"])
        for key in uids_of(cluj["draft"]):
            assert str(found[key]["SUMMARY"]).startswith("Tentative: Ciornă")
            assert "Draft: not published yet." in str(found[key]["DESCRIPTION"])

    def test_the_countys_coordinator_may_follow_it(self, client, cluj):
        coordinator = FocalPointFactory(county=county("CJ")).user
        found = events(fetch(client, county_url("cj", token_of(coordinator))).content)
        assert set(found) == uids_of(cluj["full"], cluj["draft"], cluj["called_off"])

    @pytest.mark.parametrize(
        "who",
        [
            pytest.param(lambda: FocalPointFactory(county=county("B")).user, id="other-county"),
            pytest.param(
                lambda: FocalPointFactory(institution=InstitutionFactory(county=county("CJ"))).user,
                id="institution",
            ),
            pytest.param(lambda: PersonFactory().user, id="participant"),
        ],
    )
    def test_others_are_not_found(self, client, cluj, who):
        fetch(client, county_url("CJ", token_of(who())), expect=404)

    def test_bad_keys_and_counties_are_not_found(self, client, cluj):
        user = organiser()
        token = token_of(user)
        fetch(client, county_url("ZZ", token), expect=404)
        fetch(client, county_url("CJ", token + "x"), expect=404)
        calendar_token_revoke(user=user)
        fetch(client, county_url("CJ", token), expect=404)

    def test_queries_do_not_grow_with_the_sessions(self, client, staff_user):
        token = token_of(organiser())

        def add(count):
            for _ in range(count):
                session = make_session(status=Status.DRAFT)
                session.trainers = [TrainerFactory()]
                session.save()
                enrol(session, PersonFactory(), staff_user)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = fetch(client, county_url("CJ", token))
            return len(captured), len(events(response.content))

        add(3)
        few, few_events = queries()
        add(12)
        many, many_events = queries()
        assert (few_events, many_events) == (6, 30)
        assert many == few
