"""Linking a trainer to a user account: the account gets into the admin (the trainers' group),
and from there only to its own sessions' attendance."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sessions.models import TrainingSession
from tests.factories.sessions import make_session
from tests.factories.training import TrainerFactory
from training.services import TRAINERS_GROUP, trainer_save

pytestmark = pytest.mark.django_db


def attendance_url(session) -> str:
    return reverse("training_sessions_admin:attendance", args=[session.pk])


def test_a_linked_trainer_reaches_their_sessions_attendance_and_no_other(client, staff_user):
    user = get_user_model().objects.create_user("formatoare", "f@example.org", "x")
    trainer = TrainerFactory()
    own, other = make_session(start_in=-2), make_session(start_in=-2)
    TrainingSession.trainers.through.objects.create(trainingsession=own, trainer=trainer)
    client.force_login(user)
    assert client.get(attendance_url(own)).status_code == 302  # no admin access yet

    trainer.user = user
    trainer_save(trainer=trainer, acting_user=staff_user)

    assert list(user.groups.values_list("name", flat=True)) == [TRAINERS_GROUP]
    assert client.get(attendance_url(own)).status_code == 200
    assert client.get(attendance_url(other)).status_code == 403
    # The session list holds their own sessions only; another's page is not found.
    index = client.get(reverse("trainingsession:index")).content.decode()
    assert own.code in index and other.code not in index
    assert client.get(reverse("trainingsession:inspect", args=[own.pk])).status_code == 200
    assert client.get(reverse("trainingsession:inspect", args=[other.pk])).status_code == 404


def test_unlinking_a_trainer_takes_the_admin_access_away(client, staff_user):
    user = get_user_model().objects.create_user("formatoare", "f@example.org", "x")
    trainer = trainer_save(trainer=TrainerFactory.build(user=user), acting_user=staff_user)
    session = make_session(start_in=-2)
    TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=trainer)
    trainer.user = None
    trainer_save(trainer=trainer, acting_user=staff_user)
    assert not user.groups.exists()
    client.force_login(user)
    assert client.get(attendance_url(session)).status_code == 302
