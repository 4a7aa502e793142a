"""Data the forms would not write but the database holds (older rows, imports, another
version of a curriculum), and values no one should send: the reports still answer."""

import datetime

import pytest
from django.urls import reverse

from reports.selectors import participation_report
from sessions.models import Attendance
from tests.factories.training import CourseFactory, CurriculumFactory, ProfessionalFactory
from tests.reports.conftest import attend, held_session
from tests.reports.test_dashboard import get, reader, soup
from training.models import Professional

pytestmark = pytest.mark.django_db
P = Attendance.Status.PRESENT


def test_two_versions_of_a_curriculum_are_one_row():
    old = CurriculumFactory(code="EIL", version="1.0", title="Formarea EIL (2019)")
    new = CurriculumFactory(code="EIL", version="2.0", title="Formarea EIL")
    for curriculum in (old, new):
        course = CourseFactory(curriculum=curriculum)
        session = held_session(course=course, days=[datetime.date(2024, 5, 6)])
        attend(session, ProfessionalFactory(), [P])
    report = participation_report(group_by=["curriculum", "sex"])
    assert [(r.key, r.label["curriculum"]) for r in report.margins[0].rows] == [
        ({"curriculum": "EIL"}, "Formarea EIL")
    ]
    assert report.margins[0].rows[0].figures.unique_persons == 2
    # Each (curriculum, sex) cell once, so a cross-table cannot overwrite one with another.
    keys = [tuple(sorted(r.key.items(), key=str)) for r in report.table.rows]
    assert len(keys) == len(set(keys))


def test_a_sex_or_delivery_type_outside_the_lists_is_shown_as_stored():
    person = ProfessionalFactory()
    Professional.objects.filter(pk=person.pk).update(sex="X")
    course = CourseFactory()
    type(course).objects.filter(pk=course.pk).update(delivery_type="webinar")
    attend(held_session(course=course, days=[datetime.date(2024, 5, 6)]), person, [P])
    report = participation_report(group_by=["sex", "delivery_type"])
    assert [r.label for r in report.table.rows] == [{"sex": "X", "delivery_type": "webinar"}]


def test_the_dashboard_refuses_a_nul_in_a_code_with_a_message(client):
    response = get(client, reader("view_reports", "view_all_counties"), "?project=%00VENUS")
    assert response.status_code == 200
    assert soup(response).select_one("[data-headline]") is None  # no figures for a bad form
    assert "VENUS" in response.content.decode()  # the error names the value


def test_an_export_with_a_nul_in_a_code_goes_back_with_a_message(client):
    client.force_login(reader("view_reports", "view_all_counties"))
    response = client.get(reverse("reports:export") + "?format=csv&person_county=C%00J")
    assert response.status_code == 302
    assert response.url.startswith(reverse("reports:dashboard"))


def test_an_institution_name_with_a_control_character_still_exports():
    import io

    from openpyxl import load_workbook

    from reports.exports import report_xlsx
    from tests.factories.training import InstitutionFactory

    person = ProfessionalFactory(institution=InstitutionFactory(name="Școala\x01 nr. 1"))
    attend(held_session(days=[datetime.date(2024, 5, 6)]), person, [P])
    book = load_workbook(io.BytesIO(report_xlsx(participation_report(group_by=["institution"]))))
    labels = [row[0] for row in book.worksheets[2].iter_rows(values_only=True)]
    assert "Școala nr. 1" in labels
