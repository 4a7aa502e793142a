"""One county's results as a one-page PDF (reports.pdf) and its admin download, against the
hand-counted world of test_exports (its docstring has the counts)."""

import io
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from reports.pdf import MAX_ROWS, county_report_pdf
from reports.selectors import ReportFilters
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, ProjectFactory, UserFactory, county
from tests.reports.test_exports import A, World, attend, coordinator, english_admin
from tests.reports.test_exports import world as world  # noqa: F401 (fixture)


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def headline(text: str) -> list[str]:
    """The five headline figures, in order: persons, participations, completed, certified,
    sessions (the numbers between the period line and their labels)."""
    match = re.search(r"((?:\d+ ){5})persons trained", text, re.IGNORECASE)
    assert match, text
    return match.group(1).split()


def test_the_county_pdf_is_one_page_with_the_hand_counted_figures(world: World):
    with translation.override("en"):
        data = county_report_pdf(county=world.cluj, filters=ReportFilters())
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert pages == 1
    assert "Training results: Cluj" in text
    # Cluj: Ana and Bogdan; Ana twice (S1, S2), Bogdan once; Ana completed and certified in S1
    assert headline(text) == ["2", "3", "1", "1", "2"]
    # by category: asistent social (Ana) 1 person, 2 participations; psiholog (Bogdan) 1, 1
    assert "social worker 1 2" in text
    assert "psychologist 1 1" in text
    assert "Definitions" in text
    assert "Dan" not in text


def test_the_pdf_sets_romanian_letters_in_an_embedded_font(world: World):
    """Brașov, in Romanian: the text is extracted as written (ș comma-below), from a
    TrueType font embedded in the file, not Helvetica."""
    with translation.override("ro"):
        data = county_report_pdf(county=world.brasov, filters=ReportFilters())
    pages, text = pdf_text(data)
    assert pages == 1
    assert "Brașov" in text
    assert headline_ro(text) == ["1", "1", "0", "0", "1"]
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    names = set()
    for key in fonts:
        font = fonts[key].get_object()
        assert "/FontFile2" in font["/FontDescriptor"]  # an embedded TrueType subset
        names.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert names == {"LiberationSans", "LiberationSans-Bold"}


def headline_ro(text: str) -> list[str]:
    # whatever the labels' translation: the first five numbers after the period line
    numbers = re.findall(r"(?<![\d.])\d+(?![\d.])", text.split("Brașov", 2)[-1])
    return numbers[:5]


def test_the_period_and_other_filters_are_stated(world: World):
    import datetime

    filters = ReportFilters(
        date_from=datetime.date(2020, 1, 1),
        date_to=datetime.date(2030, 12, 31),
        project=world.venus,
    )
    with translation.override("en"):
        _, text = pdf_text(county_report_pdf(county=world.cluj, filters=filters))
    assert "Sessions from" in text
    assert "2020" in text and "2030" in text
    assert "VENUS" in text
    # VENUS in Cluj: Ana and Bogdan, one participation each, in one session
    assert headline(text) == ["2", "2", "1", "1", "1"]


def test_many_projects_still_fit_one_page(db):
    cluj = county("CJ")
    for n in range(20):
        project = ProjectFactory(
            acronym=f"P{n:02d}",
            name="Un proiect cu un nume foarte lung, cum le place finanțatorilor, " * 2,
        )
        session = make_session(start_in=-5 - n, day_count=1, project=project)
        for _ in range(n % 3 + 1):
            attend(session, ProfessionalFactory(county=cluj), [A.PRESENT])
    with translation.override("en"):
        data = county_report_pdf(county=cluj, filters=ReportFilters())
    pages, text = pdf_text(data)
    assert pages == 1
    # 12 projects shown, then the other 8
    assert f"other ({20 - MAX_ROWS})" in text
    # persons: 20 projects of 1, 2, 3, 1, 2, 3 … persons: 7 × 1 + 7 × 2 + 6 × 3 = 39
    assert headline(text) == ["39", "39", "0", "0", "20"]


# --- the view -------------------------------------------------------------------------------


def pdf_url(**params) -> str:
    return reverse("reports:county_pdf") + "?" + urlencode(params)


def test_anes_downloads_any_county(admin_client, world):
    response = admin_client.get(pdf_url(person_county="BV"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="formativ-raport-BV-')
    assert "no-store" in response["Cache-Control"]
    pages, text = pdf_text(response.content)
    assert pages == 1
    assert "Brașov" in text


def test_a_coordinator_gets_their_own_county_only(client, world):
    client.force_login(coordinator("CJ"))
    response = client.get(pdf_url(person_county="cj"))
    assert response.status_code == 200
    assert "Cluj" in pdf_text(response.content)[1]

    # another county, with or without results: the same refusal, nothing about the county
    for code in ("BV", "AB"):
        response = client.get(pdf_url(person_county=code))
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")
        assert b"Bra" not in response.content and b"Alba" not in response.content


def test_without_the_reports_right_the_pdf_is_refused(client, world):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(pdf_url(person_county="CJ")).status_code == 403


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "Choose the person's county"),
        ({"person_county": "ZZ"}, "There is no county with the code"),
        ({"person_county": "CJ", "to": "2024-13-40"}, "YYYY-MM-DD"),
    ],
)
def test_bad_parameters_go_back_to_the_dashboard(admin_client, staff_user, world, params, needle):
    import html

    from django.contrib.messages import get_messages

    english_admin(staff_user)
    response = admin_client.get(pdf_url(**params))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:dashboard"))
    messages = [html.unescape(str(m)) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and needle in messages[0]
