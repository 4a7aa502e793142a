"""In a real browser: an administrator opens the reports from the admin menu, filters by a
project, and reads the figures, the charts and the county map, on a desktop screen and on a
375 px phone without the page scrolling sideways. The world is the dashboard tests' one
(tests/reports/test_dashboard.py: ISTANBUL = Ana of Cluj and Dan of Brașov)."""

import os

import pytest

from tests.e2e.test_certificates_admin_journey import shot, sign_in
from tests.reports.test_dashboard import World
from tests.reports.test_evaluation_report import EvalWorld

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def figure(page, name) -> str:
    return page.locator(f'[data-figure-name="{name}"] dd').inner_text().strip()


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


def test_admin_filters_the_reports_by_project(live_server, page):
    World()
    sign_in(page, live_server)

    page.locator('a[href="/admin/reports/"]').first.click()
    page.wait_for_url("**/admin/reports/")
    assert figure(page, "unique_persons") == "3"

    page.select_option("select[name=project]", "ISTANBUL")
    page.locator("[data-report-form] button[type=submit]").click()
    page.wait_for_url("**/admin/reports/?*project=ISTANBUL*")
    assert figure(page, "unique_persons") == "2"
    assert figure(page, "sessions") == "1"

    county_map = page.locator('svg[data-chart="chart-map"]')
    assert county_map.is_visible()
    assert county_map.locator("g.map-tile").count() == 42
    assert page.locator('g.map-tile[data-county="CJ"]').get_attribute("data-value") == "1"
    assert page.locator('svg[data-chart="chart-months"]').is_visible()
    assert page.locator("[data-map-table] tbody tr").count() == 2
    assert no_sideways_scroll(page)
    shot(page, "reports-desktop")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert figure(page, "unique_persons") == "2"
    assert county_map.is_visible()
    assert county_map.bounding_box()["width"] <= 375
    assert no_sideways_scroll(page)
    shot(page, "reports-375")


def test_admin_reads_the_evaluation_tab_on_a_desktop_and_a_phone(live_server, page):
    """The evaluation tab (the world of tests/reports/test_evaluation_report.py), reached from
    the participation one; wide tables scroll in their own box on a 375 px phone."""
    URL = "/admin/reports/evaluation/"
    console = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, live_server)
    EvalWorld()
    page.goto(f"{live_server.url}/admin/reports/")
    page.locator("[data-tab=evaluation]").click()
    page.wait_for_url(f"**{URL}")
    assert page.locator('[data-figure-name="n_paired"] dd').inner_text() == "9"
    # EV-A is hidden next to EV-B's 4 (complementary suppression): no pair in the chart.
    assert page.locator('svg[data-chart="chart-gain-course"] g.chart-pair').count() == 0
    assert page.locator("#id_group_by").input_value() == "course"
    shot(page, "evaluation-dashboard")
    if os.environ.get("FORMATIV_SCREENSHOTS"):
        for part in ("[data-rates]", "[data-headline]", "[data-grouping]", "[data-questions]"):
            name = part.strip("[]").replace("data-", "evaluation-")
            page.locator(part).first.screenshot(
                path=os.path.join(os.environ["FORMATIV_SCREENSHOTS"], f"{name}.png")
            )
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}{URL}?group_by=session_county")
    # The page itself does not scroll sideways: wide tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "evaluation-dashboard-phone")
    assert [m for m in console if "Content Security Policy" in m] == []
