"""Real-browser journeys: Playwright drives Debian's Chromium (headless) against a live server."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("FORMATIV_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


# Per package: Playwright's synchronous API keeps an event loop running in the test thread
# while the browser is open, and code that starts its own (pyHanko's asyncio.run) cannot run
# beside it; the browser closes once the journeys are done.
@pytest.fixture(scope="package")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package."
        if os.environ.get("CI"):
            pytest.fail(message)  # CI always runs the browser tests
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ro-RO", timezone_id="Europe/Bucharest")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
