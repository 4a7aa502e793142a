"""An organiser signs in to the back office, finds a county's sessions and opens one."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.factories.sessions import make_session
from training.models import County

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_organiser_signs_in_and_filters_sessions_by_county(live_server, page):
    user = get_user_model().objects.create_superuser(
        "coordonator", "c@example.org", "Parola-Lunga-42"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    iasi = make_session(county=County.objects.get(code="IS"), title="Evaluarea riscului")
    cluj = make_session(county=County.objects.get(code="CJ"), title="Managementul de caz")

    # The admin sends staff to the site's sign-in (the one with the two-factor step).
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=login]", "c@example.org")
    page.fill("input[name=password]", "Parola-Lunga-42")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/trainingsession/")
    assert page.get_by_text(iasi.code).is_visible()
    assert page.get_by_text(cluj.code).is_visible()

    county_id = County.objects.get(code="IS").pk
    page.goto(f"{live_server.url}/admin/trainingsession/?county={county_id}")
    assert page.get_by_text(iasi.code).is_visible()
    assert page.get_by_text(cluj.code).count() == 0

    page.get_by_role("link", name=iasi.code).first.click()
    page.wait_for_load_state()
    # The edit form shows the session's days (multi-day sessions are the norm).
    assert page.locator("[id^=inline_child_days]").count() >= 2


def test_home_page_works_on_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ro-RO")
    page = context.new_page()
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "ro"
    # Nothing overflows the phone's width.
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    context.close()
