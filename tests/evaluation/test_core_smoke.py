from decimal import Decimal

import pytest

from evaluation import services
from evaluation.models import Invitation, Response, SessionForm
from sessions.models import Enrolment
from tests.factories.evaluation import option_ids, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_pre_test_answered_and_scored():
    session = make_session(start_in=1, day_count=1)
    test = questionnaire(session.course)
    person = ProfessionalFactory()
    Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="self"
    )
    forms = services.session_forms_setup(training_session=session)
    assert [f.purpose for f in forms] == ["pre_test", "post_test"]
    pre = forms[0]
    assert pre.version == test.versions.get()
    invitation = Invitation.objects.get(session_form=pre)
    q1, q2 = option_ids(pre.version, 0), option_ids(pre.version, 1)
    qid = [q["id"] for q in pre.version.questions]
    response = services.response_submit(
        invitation=invitation, data={f"q-{qid[0]}": [q1[0]], f"q-{qid[1]}": [q2[1]]}
    )
    assert response.score == Decimal("2.00")
    assert response.max_score == Decimal("3.00")
    assert response.score_percent == Decimal("66.67")
    assert Response.objects.count() == 1
    assert SessionForm.objects.count() == 2
