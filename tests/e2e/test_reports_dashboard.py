"""In a real browser: an administrator opens the reports from the admin menu, filters by a
project, and reads the figures, the charts and the county map, on a desktop screen and on a
375 px phone without the page scrolling sideways. The world is the dashboard tests' one
(tests/reports/test_dashboard.py: ISTANBUL = Ana of Cluj and Dan of Brașov)."""

import pytest

from tests.e2e.test_certificates_admin_journey import shot, sign_in
from tests.reports.test_dashboard import World

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
