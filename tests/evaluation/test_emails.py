"""The evaluation invitations as they leave Formativ (real SMTP on the loopback): in the
person's language, with their first name, the session and their personal links, nothing else
personal, to them alone."""

import pytest
from django.utils import translation

from evaluation import emails
from evaluation.models import Invitation, SessionForm
from sessions.models import Enrolment
from tests.evaluation.test_answer_views import set_up
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory
from tests.sessions.conftest import smtp_inbox  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose


def enrol(session, **person) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(**person),
        status="confirmed",
        source="nomination",
    )


def token(form, enrolment) -> str:
    return Invitation.objects.get(session_form=form, enrolment=enrolment).token


def test_the_mail_is_in_the_persons_language_with_only_their_first_name_and_links(smtp_inbox):  # noqa: F811
    session = make_session(start_in=-1, day_count=1, course__title="Evaluarea riscului")
    maria = enrol(
        session,
        first_name="Maria",
        last_name="Zamfirescu",
        email="maria@example.org",
        preferred_language="en",
        phone="0722 000 111",
    )
    ion = enrol(session, first_name="Ion", last_name="Bărbulescu", email="ion@example.org")
    forms = set_up(session, feedback=True)

    assert emails.send_due_invitations() == 2

    english = smtp_inbox.only("maria@example.org")
    assert english.to == ["maria@example.org"]  # nobody copied
    assert english.message["Content-Language"] == "en"
    assert english.subject == "[Formativ] Your evaluation of Evaluarea riscului"
    body = english.body
    assert body.startswith("Hello Maria,\n")
    assert "Evaluarea riscului" in body
    assert "09:00–17:00" in body
    post = token(forms[P.POST_TEST], maria)
    feedback = token(forms[P.FEEDBACK], maria)
    assert f"Post-test: http://testserver/en/evaluare/{post}/" in body
    assert f"Feedback form (anonymous): http://testserver/en/evaluare/{feedback}/" in body
    for personal in ("Zamfirescu", "maria@example.org", "0722"):
        assert personal not in body

    romanian = smtp_inbox.only("ion@example.org")
    assert romanian.to == ["ion@example.org"]
    with translation.override("ro"):
        hello = translation.gettext("Hello %(name)s,") % {"name": "Ion"}
        subject = translation.gettext("Your evaluation of %(title)s") % {
            "title": "Evaluarea riscului"
        }
    assert romanian.body.startswith(hello + "\n")
    assert romanian.subject == "[Formativ] " + subject
    assert f"http://testserver/evaluare/{token(forms[P.POST_TEST], ion)}/" in romanian.body
    assert "Bărbulescu" not in romanian.body
    assert len(smtp_inbox.received) == 2


def test_a_pre_test_mail_names_the_pre_test(smtp_inbox):  # noqa: F811
    session = make_session(start_in=2, day_count=1, course__title="Comunicare")
    ana = enrol(session, first_name="Ana", email="ana@example.org", preferred_language="en")
    forms = set_up(session)
    assert emails.send_due_invitations() == 1
    sent = smtp_inbox.only("ana@example.org")
    assert sent.subject == "[Formativ] Pre-test before Comunicare"
    assert f"Pre-test: http://testserver/en/evaluare/{token(forms[P.PRE_TEST], ana)}/" in sent.body
    assert "Post-test" not in sent.body
