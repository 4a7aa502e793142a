import pytest

from tests.factories.sessions import make_session


@pytest.mark.django_db
def test_session_factory_builds_a_two_day_session():
    session = make_session(day_count=3)
    assert session.days.count() == 3
