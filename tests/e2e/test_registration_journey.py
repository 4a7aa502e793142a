"""A professional goes from a seminar page to a confirmed seat and back out again: sign up,
verify the e-mail address (the link read from the mail sent), complete the profile, register,
find the registration in "my trainings", cancel it. axe-core checks the new pages."""

import re

import pytest
from django.core import mail

from sessions.models import Enrolment
from tests.e2e.test_public_site_journey import serious_violations
from tests.factories.cms import page_tree
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, CurriculumFactory, ProjectFactory
from training.models import County, Professional, ProfessionalCategory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

EMAIL = "ioana.muresan@example.org"
PASSWORD = "Ceva-Lung-Si-Sigur-42"


def verification_link(base_url: str) -> str:
    assert mail.outbox, "no verification e-mail was sent"
    message = mail.outbox[-1]
    assert message.to == [EMAIL]
    match = re.search(re.escape(base_url) + r"/\S+", message.body)
    assert match, message.body
    return match.group(0)


def test_sign_up_register_and_cancel(live_server, page, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    course = CourseFactory(title="Evaluarea riscului în cazurile de violență domestică")
    pages = page_tree(course=course, curriculum=CurriculumFactory(), project=ProjectFactory())
    county = County.objects.get(code="CJ")
    session = make_session(course=course, county=county, capacity=2)

    # The seminar page lists the session; its card leads to the session's own page.
    page.goto(f"{live_server.url}{pages['seminar'].url}")
    page.locator(f"a[href$='/sesiuni/{session.code}/']").first.click()
    page.wait_for_url(f"**/sesiuni/{session.code}/")
    assert serious_violations(page) == []

    # Not signed in: the page offers an account.
    page.locator("a[href*='/cont/signup/']").last.click()
    page.wait_for_load_state()
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=first_name]", "Ioana")
    page.fill("input[name=last_name]", "Mureșan")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=privacy_notice]")
    assert serious_violations(page) == []
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # The link in the mail verifies the address and signs the person in.
    page.goto(verification_link(live_server.url))
    page.wait_for_load_state()
    confirm = page.locator("main form button[type=submit]")
    if confirm.count():  # allauth asks to confirm with a POST when the link is opened
        confirm.first.click()
        page.wait_for_load_state()

    # Back on the session page, the next step is the profile; it returns to the session.
    page.goto(f"{live_server.url}/sesiuni/{session.code}/")
    page.locator("a[href*='/cont/profil/']").last.click()
    page.wait_for_load_state()
    page.select_option("select[name=county]", str(county.pk))
    category = ProfessionalCategory.objects.get(name="asistent social")
    page.select_option("select[name=category]", str(category.pk))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**/sesiuni/{session.code}/")
    person = Professional.objects.get(email=EMAIL)
    assert person.user.email == EMAIL
    assert (person.first_name, person.last_name) == ("Ioana", "Mureșan")
    assert (person.county, person.category) == (county, category)

    # Register: a seat is confirmed at once (open session with free seats).
    page.locator(f"form[action$='/sesiuni/{session.code}/inscriere/'] button").click()
    page.wait_for_url(f"**/sesiuni/{session.code}/")
    enrolment = Enrolment.objects.get(training_session=session, professional=person)
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert page.locator(".messages, [role=status], [role=alert]").count() >= 1

    # "My trainings" shows it, and lets the person cancel (with a confirmation step).
    page.goto(f"{live_server.url}/contul-meu/formari/")
    row = page.locator(f"article:has(a[href$='/sesiuni/{session.code}/'])")
    assert row.count() == 1
    assert serious_violations(page) == []
    row.locator("a[href*='/anulare/'], button").first.click()
    page.wait_for_load_state()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED
    assert "/contul-meu/formari/" in page.url
    # A mail confirmed the registration and another its cancellation.
    assert [m.to for m in mail.outbox[-2:]] == [[EMAIL], [EMAIL]]
