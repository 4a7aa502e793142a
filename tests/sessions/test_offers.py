"""Seat offers: with `offer_hours` set, a freed seat is offered to the first person waiting,
who has that many hours to accept it; a lapsed offer passes to the next. Time is moved by
moving the offer's expiry in the database, not by freezing the clock."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions.models import Enrolment
from sessions.services import (
    enrolment_cancel,
    enrolment_create,
    enrolment_offer_expire,
    enrolment_respond,
    expire_lapsed_offers,
)
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory

pytestmark = pytest.mark.django_db

E = Enrolment.Status


def register(session) -> Enrolment:
    person = PersonFactory()
    return enrolment_create(
        training_session=session, professional=person, acting_user=person.user, source="self"
    )


def fresh(enrolment) -> Enrolment:
    return Enrolment.objects.get(pk=enrolment.pk)


def lapse(enrolment) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


@pytest.fixture
def offered():
    """A one-seat session with 48 hours to accept: the seat freed and offered to the first of
    two people waiting."""
    session = make_session(capacity=1, offer_hours=48)
    seated = register(session)
    first, second = register(session), register(session)
    before = timezone.now()
    enrolment_cancel(enrolment=seated, acting_user=seated.professional.user)
    after = timezone.now()
    first = fresh(first)
    assert first.status == E.OFFERED
    assert (
        before + datetime.timedelta(hours=48)
        <= first.offer_expires_at
        <= after + datetime.timedelta(hours=48)
    )
    return session, first, second


def test_a_new_registration_with_a_free_seat_is_confirmed_not_offered():
    assert register(make_session(capacity=2, offer_hours=48)).status == E.CONFIRMED


def test_accepting_before_expiry_confirms(offered):
    _, first, second = offered
    enrolment_respond(enrolment=first, accept=True, acting_user=first.professional.user)
    first = fresh(first)
    assert (first.status, first.offer_expires_at) == (E.CONFIRMED, None)
    assert fresh(second).status == E.WAITLISTED


def test_the_offer_holds_the_seat(offered):
    session, _, second = offered
    assert register(session).status == E.WAITLISTED
    assert session.enrolments.active().count() == 1


def test_accepting_after_expiry_is_refused(offered):
    _, first, _ = offered
    lapse(first)
    with pytest.raises(ValidationError, match="expired"):
        enrolment_respond(enrolment=first, accept=True, acting_user=first.professional.user)
    assert fresh(first).status == E.OFFERED


def test_an_expired_offer_passes_to_the_next(offered):
    _, first, second = offered
    lapse(first)
    before = timezone.now()
    assert enrolment_offer_expire(enrolment=first) is True
    first, second = fresh(first), fresh(second)
    assert first.status == E.CANCELLED
    assert first.status_reason == "The offer expired without an answer."
    assert second.status == E.OFFERED
    assert second.offer_expires_at >= before + datetime.timedelta(hours=48)
    change = first.history.order_by("pk").last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        E.OFFERED,
        E.CANCELLED,
        None,
    )


def test_expiring_early_does_nothing(offered):
    _, first, second = offered
    changes = first.history.count()
    assert enrolment_offer_expire(enrolment=first) is False
    assert expire_lapsed_offers() == 0
    assert (fresh(first).status, fresh(second).status) == (E.OFFERED, E.WAITLISTED)
    assert first.history.count() == changes


def test_expiring_an_answered_offer_does_nothing(offered):
    _, first, second = offered
    enrolment_respond(enrolment=first, accept=True, acting_user=first.professional.user)
    lapse(first)
    assert enrolment_offer_expire(enrolment=first) is False
    assert (fresh(first).status, fresh(second).status) == (E.CONFIRMED, E.WAITLISTED)


def test_the_sweep_expires_every_lapsed_offer_once(offered):
    session, first, second = offered
    lapse(first)
    assert expire_lapsed_offers() == 1
    assert (fresh(first).status, fresh(second).status) == (E.CANCELLED, E.OFFERED)
    assert expire_lapsed_offers() == 0  # the new offer has not lapsed
    lapse(second)
    assert expire_lapsed_offers() == 1
    assert fresh(second).status == E.CANCELLED
    # Nobody left waiting: the seat stays free for the next registration.
    assert session.enrolments.active().count() == 0
    assert register(session).status == E.CONFIRMED


def test_declining_passes_the_offer_on(offered):
    _, first, second = offered
    enrolment_respond(enrolment=first, accept=False, acting_user=first.professional.user)
    assert (fresh(first).status, fresh(second).status) == (E.CANCELLED, E.OFFERED)
