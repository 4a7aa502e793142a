"""In a real browser, under the admin's Content-Security-Policy (no inline script): an
administrator adds a day to a new session, opens a date picker, chooses the course in the chooser
modal, and chooses a professional's institution, and the browser reports no violation of the
policy on the way."""

import pytest
from playwright.sync_api import expect
from wagtail.models import Page

from tests.e2e.test_certificates_admin_journey import shot, sign_in
from tests.factories.training import CourseFactory, InstitutionFactory, ProfessionalFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

# Set before any of the page's scripts run (Playwright's init scripts are not the page's, so the
# policy does not apply to them): every violation the browser reports, kept for the test.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watch:
    """The policy violations and script errors of every page the journey opens."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.context.add_init_script(RECORD_VIOLATIONS)

    def _console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(message.text)

    def assert_clean(self):
        violations = self.page.evaluate("window.__violations")
        assert violations == []
        assert [m for m in self.console if "Content Security Policy" in m] == []
        assert [m for m in self.console if "formativ-init" in m] == []
        assert self.errors == []


def test_admin_widgets_work_without_inline_scripts(live_server, page):
    watch = Watch(page)
    sign_in(page, live_server)
    course = CourseFactory(title="Prim ajutor psihologic")
    institution = InstitutionFactory(name="Spitalul Județean Cluj")
    professional = ProfessionalFactory()

    # The admin's policy forbids inline scripts.
    response = page.goto(f"{live_server.url}/admin/trainingsession/new/")
    policy = response.headers["content-security-policy"]
    script_src = next(p.split()[1:] for p in policy.split(";") if p.split()[0] == "script-src")
    assert "'unsafe-inline'" not in script_src
    assert script_src == ["'self'", "'wasm-unsafe-eval'"]

    # The days inline panel: one day to begin with (at least one is required), another added.
    days = page.locator("#id_days-FORMS > [data-inline-panel-child]:not(.deleted)")
    expect(page.locator("#id_days-0-starts_at")).to_be_attached()
    count = days.count()
    page.locator("#id_days-ADD").click()
    expect(days).to_have_count(count + 1)
    new_day = page.locator(f"#id_days-{count}-starts_at")
    expect(new_day).to_be_visible()

    # The new day's date picker (started when the form was added) opens.
    new_day.click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    shot(page, "csp-day-picker")
    page.keyboard.press("Escape")
    page.locator("#id_title").click()  # closes the picker

    # The course chooser: the modal opens with the courses; choosing one fills the field.
    page.locator("#id_course-chooser [data-chooser-action-choose]").last.click()
    modal = page.locator(".modal-dialog")
    expect(modal).to_be_visible()
    modal.get_by_role("link", name=course.title).click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_course-chooser [data-chooser-title]")).to_have_text(course.title)
    assert page.locator("#id_course").input_value() == str(course.pk)
    shot(page, "csp-course-chosen")
    watch.assert_clean()

    # A professional's institution, chosen in its own chooser.
    page.goto(f"{live_server.url}/admin/snippets/training/professional/edit/{professional.pk}/")
    page.locator("#id_institution-chooser [data-chooser-action-choose]").last.click()
    modal = page.locator(".modal-dialog")
    expect(modal).to_be_visible()
    modal.get_by_role("link", name=institution.name).click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_institution-chooser [data-chooser-title]")).to_have_text(
        institution.name
    )
    assert page.locator("#id_institution").input_value() == str(institution.pk)
    shot(page, "csp-institution-chosen")
    watch.assert_clean()

    # Wagtail's own editors and listings start without a violation too.
    home = Page.objects.get(depth=2)
    for url in (
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/pages/{home.pk}/",
        "/admin/images/add/",
        "/admin/documents/add/",
        "/admin/users/new/",
        "/admin/reports/",
    ):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")
        watch.assert_clean()
