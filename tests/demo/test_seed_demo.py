"""`seed_demo`: a realistic, deterministic data set, built once however often it runs."""

import io

import pytest
from django.core.management import CommandError, call_command

from cms.models import CalendarPage, NewsPage, ProjectPage, SeminarPage
from sessions.models import Attendance, Enrolment, TrainingSession
from training.models import County, Institution, LocalTeam, Professional, Project

pytestmark = pytest.mark.django_db


def _counts():
    models = (
        Professional,
        Institution,
        LocalTeam,
        Project,
        TrainingSession,
        Enrolment,
        Attendance,
        SeminarPage,
        NewsPage,
    )
    return {m.__name__: m.objects.count() for m in models}


def test_seed_builds_a_realistic_country_wide_picture_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == first
    assert "nothing to do" in out.getvalue()

    # Every county has its institutions and its intersectoral local team.
    assert LocalTeam.objects.values("county").distinct().count() == County.objects.count() == 42
    assert set(Project.objects.values_list("acronym", flat=True)) == {"VENUS", "IC-RO"}
    assert Project.objects.get(acronym="VENUS").partners.count() == 42
    # Past sessions have attendance; upcoming ones are open.
    assert TrainingSession.objects.filter(status="completed").exists()
    assert TrainingSession.objects.filter(status="published").exists()
    assert first["Attendance"] > 0 and first["Professional"] >= 250
    # Romanian names, with comma-below diacritics only.
    names = " ".join(Professional.objects.values_list("last_name", flat=True))
    assert any(ch in names for ch in "ăâîșț")
    assert not any(ch in names for ch in "şţŞŢ")
    # The public site: seminars, calendar, projects, news, in Romanian and English.
    assert SeminarPage.objects.filter(locale__language_code="ro").exists()
    assert CalendarPage.objects.filter(locale__language_code="en").exists()
    assert ProjectPage.objects.filter(locale__language_code="ro").count() == 2


def test_seed_refuses_to_create_a_demo_superuser_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="admin").exists()
