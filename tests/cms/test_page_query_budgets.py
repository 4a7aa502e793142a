"""Public pages that list sessions: the number of queries does not grow with the sessions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import SessionDay, TrainingSession
from tests.factories.cms import page_tree
from tests.factories.sessions import TrainingSessionFactory, VenueFactory, at
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    ProjectFactory,
    TrainerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    curriculum = CurriculumFactory()
    return page_tree(
        course=CourseFactory(curriculum=curriculum), curriculum=curriculum, project=ProjectFactory()
    )


def _sessions(n, course):
    """`n` published two-day sessions of `course` with a trainer, inserted in bulk."""
    trainer = TrainerFactory()
    venue = VenueFactory()
    start = TrainingSession.objects.count()
    sessions = TrainingSession.objects.bulk_create(
        TrainingSessionFactory.build(course=course, venue=venue, code=f"Q-{start + i:05d}")
        for i in range(n)
    )
    SessionDay.objects.bulk_create(
        SessionDay(
            training_session=s, starts_at=at(2 + i % 25 + d, 9), ends_at=at(2 + i % 25 + d, 17)
        )
        for i, s in enumerate(sessions)
        for d in range(2)
    )
    TrainingSession.trainers.through.objects.bulk_create(
        TrainingSession.trainers.through(trainingsession_id=s.pk, trainer_id=trainer.pk)
        for s in sessions
    )


def _queries(client, url, params=None) -> int:
    client.get(url, params or {})  # warm caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("calendar", None),
        ("calendar", {"view": "month"}),
        ("seminar", None),
        ("curriculum", None),
        ("home", None),
    ],
)
def test_page_query_count_does_not_grow_with_sessions(client, tree, page, params):
    course = tree["seminar"].course
    _sessions(5, course)
    few = _queries(client, tree[page].url, params)
    _sessions(195, course)
    many = _queries(client, tree[page].url, params)
    assert many <= few, f"{page}: {few} queries with 5 sessions, {many} with 200"
