"""In a real browser: an organiser uploads a spreadsheet of historical participations, reads
the check's preview, confirms the import and sees what it did."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from sessions.models import Enrolment
from tests.factories.training import CourseFactory, ProjectFactory
from tests.imports.conftest import make_xlsx
from training.models import Professional

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_organiser_imports_historical_participations(live_server, page, tmp_path):
    user = get_user_model().objects.create_superuser(
        "importator", "i@example.org", "Parola-Lunga-42"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    ProjectFactory(acronym="SIGUR")
    CourseFactory(code="ABZ")
    spreadsheet = tmp_path / "participari.xlsx"
    spreadsheet.write_bytes(
        make_xlsx(
            [
                ["Popescu", "Ana", "CJ", "SIGUR", "ABZ", "12.05.2023", "Da"],
                ["Ionescu", "Dan", "B", "SIGUR", "ABZ", "12.05.2023", "Da"],
            ],
            ["Nume", "Prenume", "Județ", "Proiect", "Curs", "Data început", "Prezent"],
        )
    )

    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=login]", "i@example.org")
    page.fill("input[name=password]", "Parola-Lunga-42")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/admin/")

    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/imports/")
    page.check("input[name=kind][value=participations]")
    page.set_input_files("input[name=upload]", str(spreadsheet))
    page.locator("[data-import-upload] button[type=submit]").click()

    page.wait_for_url("**/admin/imports/*/")
    page.locator("[data-import-counts]").wait_for()
    assert page.locator('[data-count="rows"]').inner_text() == "2"
    assert page.locator('[data-count="created"]').inner_text() == "2"
    assert page.locator('[data-count="sessions_created"]').inner_text() == "2"
    assert Professional.objects.count() == 0

    page.locator("[data-import-confirm] button[type=submit]").click()
    page.locator("[data-import-done]").wait_for()
    assert page.locator('[data-count="enrolments"]').inner_text() == "2"
    assert Professional.objects.count() == 2
    assert Enrolment.objects.count() == 2
    assert script_errors == []
