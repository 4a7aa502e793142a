"""Registration under load: many people registering, cancelling and being promoted at the same
moment, each through their own database connection (threads released together by a barrier).
The session row lock (PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE write lock) must
keep the seats, the waiting-list order and the one-place-per-person rule exact."""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sessions.models import Enrolment, EnrolmentStatusChange, TrainingSession
from sessions.selectors import waitlist_position
from sessions.services import enrolment_cancel, enrolment_create, waitlist_promote
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

E = Enrolment.Status
SEATS = 10


def run_in_parallel(jobs) -> list:
    """Run each job in its own thread (its own connection), all released at once. Returns
    what each job returned or the exception it raised, in the jobs' order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - reported to the test as a result
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a registration hung"
    return results


def self_register(session, person):
    return lambda: enrolment_create(
        training_session=session, professional=person, acting_user=person.user, source="self"
    )


def assert_consistent_waiting_list(session) -> list[Enrolment]:
    waiting = list(
        Enrolment.objects.filter(training_session=session, status=E.WAITLISTED).order_by(
            "waitlisted_at", "pk"
        )
    )
    assert [waitlist_position(enrolment=e) for e in waiting] == list(range(1, len(waiting) + 1))
    return waiting


@pytest.fixture
def full_house():
    """A session with 10 seats and 50 people, each with their own account."""
    session = make_session(capacity=SEATS)
    people = PersonFactory.create_batch(50)
    return session, people


def test_fifty_parallel_registrations_fill_exactly_ten_seats(full_house):
    session, people = full_house
    results = run_in_parallel([self_register(session, person) for person in people])

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    rows = Enrolment.objects.filter(training_session=session)
    assert rows.count() == 50
    assert Counter(rows.values_list("status", flat=True)) == {E.CONFIRMED: 10, E.WAITLISTED: 40}
    assert len(set(rows.values_list("professional_id", flat=True))) == 50
    waiting = assert_consistent_waiting_list(session)
    # No two people share a waiting-list moment: the order is the order they got the lock.
    assert len({e.waitlisted_at for e in waiting}) == 40
    # Every seat holder registered before everyone who waits.
    last_seat = max(rows.filter(status=E.CONFIRMED).values_list("created_at", flat=True))
    assert all(e.created_at >= last_seat for e in waiting)
    # Each registration recorded exactly once.
    assert EnrolmentStatusChange.objects.filter(enrolment__training_session=session).count() == 50


def test_the_same_person_ten_times_in_parallel_gets_one_place():
    session = make_session(capacity=SEATS)
    person = PersonFactory()
    results = run_in_parallel([self_register(session, person) for _ in range(10)])

    created = [r for r in results if isinstance(r, Enrolment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(created), len(refused)) == (1, 9), results
    assert Enrolment.objects.filter(training_session=session, professional=person).count() == 1
    assert all(r.code == "duplicate" for r in refused)  # "already registered"


def test_parallel_cancellations_promote_exactly_the_first_ten_waiting():
    session = make_session(capacity=SEATS)
    seated = [self_register(session, p)() for p in PersonFactory.create_batch(SEATS)]
    waiting = [self_register(session, p)() for p in PersonFactory.create_batch(20)]
    assert {e.status for e in seated} == {E.CONFIRMED}
    assert {e.status for e in waiting} == {E.WAITLISTED}

    def cancel(enrolment):
        return lambda: enrolment_cancel(
            enrolment=enrolment, acting_user=enrolment.professional.user
        )

    results = run_in_parallel([cancel(e) for e in seated])
    assert [r for r in results if isinstance(r, Exception)] == []

    statuses = dict(Enrolment.objects.filter(training_session=session).values_list("pk", "status"))
    assert [statuses[e.pk] for e in seated] == [E.CANCELLED] * SEATS
    assert [statuses[e.pk] for e in waiting[:10]] == [E.CONFIRMED] * 10
    assert [statuses[e.pk] for e in waiting[10:]] == [E.WAITLISTED] * 10
    assert session.enrolments.active().count() == SEATS
    # Nobody promoted twice.
    promotions = Counter(
        EnrolmentStatusChange.objects.filter(
            enrolment__training_session=session, from_status=E.WAITLISTED
        ).values_list("enrolment_id", flat=True)
    )
    assert set(promotions.values()) == {1}
    assert set(promotions) == {e.pk for e in waiting[:10]}
    remaining = assert_consistent_waiting_list(session)
    assert [e.pk for e in remaining] == [e.pk for e in waiting[10:]]


def test_parallel_registrations_and_cancellations_never_exceed_the_seats():
    session = make_session(capacity=SEATS)
    seated = [self_register(session, p)() for p in PersonFactory.create_batch(SEATS)]
    newcomers = PersonFactory.create_batch(30)

    def cancel(enrolment):
        return lambda: enrolment_cancel(
            enrolment=enrolment, acting_user=enrolment.professional.user
        )

    jobs = [cancel(e) for e in seated[:5]] + [self_register(session, p) for p in newcomers]
    results = run_in_parallel(jobs)
    assert [r for r in results if isinstance(r, Exception)] == []

    assert session.enrolments.active().count() == SEATS
    assert Enrolment.objects.filter(training_session=session, status=E.WAITLISTED).count() == 25
    assert_consistent_waiting_list(session)
    # A freed seat never sat empty while someone waited, and no one was promoted twice.
    promotions = Counter(
        EnrolmentStatusChange.objects.filter(
            enrolment__training_session=session, from_status=E.WAITLISTED
        ).values_list("enrolment_id", flat=True)
    )
    assert all(count == 1 for count in promotions.values())


def test_parallel_promotions_give_each_free_seat_once():
    session = make_session(capacity=SEATS)
    [self_register(session, p)() for p in PersonFactory.create_batch(SEATS)]
    waiting = [self_register(session, p)() for p in PersonFactory.create_batch(20)]
    # Five seats added behind the services' back; ten sweeps race to give them.
    TrainingSession.objects.filter(pk=session.pk).update(capacity=SEATS + 5)
    results = run_in_parallel(
        [lambda: waitlist_promote(training_session=session) for _ in range(10)]
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(len(r) for r in results) == [0] * 9 + [5]
    assert session.enrolments.active().count() == SEATS + 5
    statuses = [Enrolment.objects.get(pk=e.pk).status for e in waiting]
    assert statuses == [E.CONFIRMED] * 5 + [E.WAITLISTED] * 15
    assert (
        EnrolmentStatusChange.objects.filter(
            enrolment__training_session=session, from_status=E.WAITLISTED
        ).count()
        == 5
    )


def test_the_database_is_shared_between_threads():
    # Guards the set-up: on SQLite the test database must be a file (an in-memory database
    # cannot be shared by several connections with real locking).
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), connection.settings_dict["NAME"]
