"""API fuzzing: schemathesis reads /api/v1/openapi.json from the running test app and sends
every operation generated requests (valid ones, and ones that break the schema), anonymously and
as a staff member with an API token. No request may get a server error (5xx).

The number of examples is bounded so that the whole file runs in about a minute on SQLite:
FUZZ_EXAMPLES per operation, per caller and per kind of request (set FORMATIV_FUZZ_EXAMPLES to
dig deeper locally)."""

import datetime
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from wagtail.models import APIToken

from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, build_cnp
from training.cnp import encrypt_cnp, hash_cnp

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FORMATIV_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def app():
    """Django's WSGI application, in the test's own database transaction: like Django's test
    client, requests must not close the test's connection when they finish."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def data(staff_user):
    """A few rows for the generated ids and filters to find."""
    session = make_session(start_in=10, day_count=2)
    cnp = build_cnp("2", datetime.date(1985, 4, 23))
    ProfessionalFactory(cnp_encrypted=encrypt_cnp(cnp), cnp_hash=hash_cnp(cnp))
    return session


def probe(operation, mode, headers: dict[str, str], found: list[str], answered: set):
    """A hypothesis test sending FUZZ_EXAMPLES generated requests to one operation."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        if response.status_code < 300:
            answered.add(operation.label)
        if response.status_code >= 500:
            found.append(
                f"{operation.label} ({mode.value}): {response.status_code} for "
                f"{case.path_parameters} {case.query} {case.body!r}"[:500]
            )

    return run


def fuzz(schema, headers: dict[str, str]) -> tuple[list[str], set[str]]:
    """The server errors found, and the operations that answered at least once with success."""
    found: list[str] = []
    answered: set[str] = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10  # the whole API, not an empty schema
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                probe(operation, mode, headers, found, answered)()
            except Unsatisfiable:
                # An operation without parameters or body has no invalid request to make.
                if mode is GenerationMode.POSITIVE:
                    raise
    return found, answered


def test_no_operation_answers_with_a_server_error_to_anonymous_callers(app, data):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    errors, answered = fuzz(schema, {})
    assert errors == []
    assert "GET /api/v1/sessions" in answered  # the public part answered
    assert "GET /api/v1/professionals" not in answered  # the rest needs a token


def test_no_operation_answers_with_a_server_error_to_a_staff_token(app, data, staff_user):
    _, token = APIToken.create_token(user=staff_user, name="fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    errors, answered = fuzz(schema, {"Authorization": f"Bearer {token}"})
    assert errors == []
    assert {"GET /api/v1/sessions", "GET /api/v1/professionals"} <= answered
