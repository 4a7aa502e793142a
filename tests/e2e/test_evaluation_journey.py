"""Evaluation on a phone, in a real browser: a participant opens the pre-test's personal link
(no sign-in), answers it and sees their score; after the session they sign in, open "My
trainings", follow "Give feedback", answer the anonymous feedback form and see it answered.
Nothing scrolls sideways at 375 px, and the feedback is stored without the person."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from evaluation import services
from evaluation.models import Invitation, Questionnaire, Response, SessionForm
from sessions.models import Enrolment, SessionDay
from tests.factories.evaluation import free_text, likert, option_ids, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

P = SessionForm.Purpose
PASSWORD = "Parola-Lunga-De-Participanta-42"
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def ro(message: str, context: str = "") -> str:
    """A message as the Romanian site shows it (whatever the state of the translations)."""
    with translation.override("ro"):
        if context:
            return translation.pgettext(context, message)
        return translation.gettext(message)


def url(name: str, **kwargs) -> str:
    with translation.override("ro"):
        return reverse(name, kwargs=kwargs)


def fits_the_phone(page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="ro-RO", timezone_id="Europe/Bucharest", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_participant_answers_the_pre_test_then_the_feedback_on_a_phone(live_server, phone):
    page = phone
    session = make_session(start_in=1, day_count=1, course__title="Evaluarea riscului în familie")
    questionnaire(session.course, Questionnaire.Kind.TEST, title="Test de cunoștințe")
    questionnaire(
        session.course,
        Questionnaire.Kind.FEEDBACK,
        title="Părerea dumneavoastră",
        anonymous=True,
        questions=[
            likert("Cât de util a fost cursul?", scale="usefulness"),
            free_text("Ce ați schimba?"),
        ],
    )
    user = get_user_model().objects.create_user("ana", "ana@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    person = ProfessionalFactory(
        first_name="Ana", last_name="Munteanu", email="ana@example.org", user=user
    )
    enrolment = Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="self"
    )
    forms = {f.purpose: f for f in services.session_forms_setup(training_session=session)}
    pre = Invitation.objects.get(session_form=forms[P.PRE_TEST], enrolment=enrolment)

    # The pre-test's personal link, as mailed: no sign-in.
    page.goto(live_server.url + url("evaluation:answer", token=pre.token))
    expect(page.locator("h1")).to_have_text("Test de cunoștințe")
    expect(page.locator("fieldset legend").first).to_contain_text("Q1")
    assert "Munteanu" not in page.content()
    fits_the_phone(page)
    version = forms[P.PRE_TEST].version
    q1, q2 = (q["id"] for q in version.questions)
    # Sent with a question unanswered: the summary names it, nothing is stored.
    page.locator(f"label[for=question-{q1}-1]").tap()
    page.locator(".evaluation__submit").tap()
    expect(page.locator(".evaluation__errors")).to_contain_text(
        ro("This question needs an answer.")
    )
    expect(page.locator(f"#question-{q2}-error")).to_be_visible()
    assert Response.objects.count() == 0
    fits_the_phone(page)
    # Q1 right (kept from the first try), Q2 half right: 2 of 3 points.
    expect(page.locator(f"#question-{q1}-1")).to_be_checked()
    assert option_ids(version, 1)[1] == page.locator(f"#question-{q2}-2").get_attribute("value")
    page.locator(f"label[for=question-{q2}-2]").tap()
    page.locator(".evaluation__submit").tap()
    page.wait_for_url("**?done=1")
    expect(page.locator(".evaluation__state--done h2")).to_have_text(
        ro("Thank you for your answers!")
    )
    expect(page.locator(".evaluation__score")).to_contain_text("66,67%")
    fits_the_phone(page)

    # Later: the session is over (moved to the past), she signs in and opens "My trainings".
    SessionDay.objects.filter(training_session=session).update(
        starts_at=F("starts_at") - datetime.timedelta(days=3),
        ends_at=F("ends_at") - datetime.timedelta(days=3),
    )
    my_trainings = url("training_sessions:my_trainings")
    page.goto(live_server.url + my_trainings)
    expect(page.locator("input[name=login]")).to_be_visible()
    page.fill("input[name=login]", "ana@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").last.tap()
    page.wait_for_url(live_server.url + my_trainings)
    card = page.locator(f"article[aria-labelledby=enrolment-{enrolment.pk}-title]")
    expect(card.locator("[data-purpose=pre_test]")).to_contain_text("66,67%")
    fits_the_phone(page)
    card.locator("a[role=button]", has_text=ro("Give feedback")).tap()
    feedback = Invitation.objects.get(session_form=forms[P.FEEDBACK], enrolment=enrolment)
    page.wait_for_url(live_server.url + url("evaluation:answer", token=feedback.token))
    expect(page.locator(".evaluation__anonymous")).to_be_visible()
    fits_the_phone(page)
    rating, comment = (q["id"] for q in forms[P.FEEDBACK].version.questions)
    page.locator(f"label[for=question-{rating}-4]").tap()
    page.locator(f"#question-{comment}-text").fill("Mai multe studii de caz.")
    page.locator(".evaluation__submit").tap()
    page.wait_for_url("**?done=1")
    expect(page.locator(".evaluation__state--done")).to_be_visible()
    fits_the_phone(page)

    page.goto(live_server.url + my_trainings)
    expect(card.locator("[data-purpose=feedback]")).to_contain_text(
        ro("answered", "evaluation form")
    )
    expect(card.locator("a[role=button]", has_text=ro("Give feedback"))).to_have_count(0)

    stored = Response.objects.get(session_form=forms[P.FEEDBACK])
    assert stored.enrolment_id is None
    assert stored.submitted_at is None
    assert stored.answers == {rating: 4, comment: "Mai multe studii de caz."}
    feedback.refresh_from_db()
    assert feedback.submitted
