"""A professional finds a training on the public site: home page, the calendar filtered by
county, a seminar. axe-core checks each page: no serious or critical WCAG violation."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from sessions.selectors import public_session_list

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page) -> list[str]:
    # The pages forbid inline scripts (Content-Security-Policy); the test's own tool is run
    # through the browser's devtools protocol instead, which the policy does not govern.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def demo_site(db):
    call_command("seed_demo", "--no-admin", stdout=io.StringIO())


def test_a_professional_finds_a_seminar(live_server, page, demo_site):
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "ro"
    assert serious_violations(page) == []

    page.get_by_role("navigation").get_by_role("link", name="Calendarul formărilor").first.click()
    page.wait_for_load_state()
    assert serious_violations(page) == []

    upcoming = public_session_list().select_related("county")
    county = upcoming.first().county
    page.get_by_label("Județ").select_option(county.code)
    page.get_by_role("button", name="Filtrează").click()
    page.wait_for_load_state()
    assert f"county={county.code}" in page.url
    expected = {s.pk for s in upcoming if s.county_id == county.pk}
    cards = page.locator("article.session-card")
    shown = {
        int(cards.nth(i).get_attribute("aria-labelledby").split("-")[1])
        for i in range(cards.count())
    }
    assert shown == expected  # exactly the county's upcoming sessions (fewer than a page)
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/seminarii/")
    page.locator("main a[href*='/seminarii/sis-01/']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text()
    assert serious_violations(page) == []


def test_the_english_site_is_there_and_accessible(live_server, page, demo_site):
    page.goto(f"{live_server.url}/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []
