"""Moving a session's forms to a newer version while a participant's answer is being written,
each through its own database connection: the move waits for the answer, sees it, and leaves
the answered test where it is (the pre- and post-test must keep one version, or the learning
gain would compare two different tests)."""

import threading
import time

import pytest
from django.db import connections, transaction

from evaluation import services
from evaluation.models import Invitation, Response, SessionForm
from tests.evaluation.test_versioning import set_up_three_forms, versions_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_moving_versions_waits_for_a_pre_test_answer_being_written():
    session, people, v1, _test_v2, _feedback_v2 = set_up_three_forms()
    pre = SessionForm.objects.get(training_session=session, purpose="pre_test")
    invitation = Invitation.objects.get(session_form=pre, enrolment=people[0])
    q1, q2 = v1["pre_test"].questions
    data = {f"q-{q1['id']}": [q1["options"][0]["id"]], f"q-{q2['id']}": [q2["options"][1]["id"]]}
    starts = session.days.get().starts_at
    locked, moved = threading.Event(), {}

    def answer():
        try:
            with transaction.atomic():
                # The participant's answer holds the form's row (as response_submit does first)
                # while the organiser asks for the move.
                SessionForm.objects.select_for_update().get(pk=pre.pk)
                locked.set()
                time.sleep(0.5)
                services.response_submit(invitation=invitation, data=data, now=starts)
        finally:
            connections.close_all()

    def move():
        try:
            assert locked.wait(timeout=30)
            moved["n"] = services.session_forms_update_versions(
                training_session=session, acting_user=None
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer), threading.Thread(target=move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert Response.objects.filter(session_form=pre).count() == 1
    assert moved["n"] == 1  # only the feedback form
    assert versions_of(session) == {"pre_test": 1, "post_test": 1, "feedback": 2}
