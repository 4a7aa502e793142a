"""The retention run: the dry run changes nothing and lists the right people; the real run
erases only them, the report numbers stay; the command's exit codes."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import ModelLogEntry

from privacy import retention
from privacy.retention import RETENTION_ACTION, retention_candidates, retention_run
from reports.selectors import participation_report
from sessions.models import Attendance, Enrolment
from sessions.services import Mark, attendance_mark_many
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, ProjectFactory, UserFactory
from training import roles
from training.models import Professional, Project

TODAY = datetime.date(2031, 1, 10)


def attend(person, session, staff_user):
    enrolment = Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="staff"
    )
    attendance_mark_many(
        training_session=session,
        marks=[Mark(enrolment.pk, d.pk, Attendance.Status.PRESENT) for d in session.days.all()],
        acting_user=staff_user,
    )


@pytest.fixture
def people(staff_user):
    over = ProjectFactory(acronym="VENUS", retention_ends_on=datetime.date(2030, 12, 31))
    still = ProjectFactory(acronym="ISTANBUL", retention_ends_on=datetime.date(2035, 12, 31))
    undated = ProjectFactory(acronym="FARADATA", retention_ends_on=None)
    past = make_session(start_in=-20, day_count=1, project=over)
    current = make_session(start_in=-10, day_count=1, project=still)
    no_date = make_session(start_in=-5, day_count=1, project=undated)
    gone = ProfessionalFactory(first_name="Retenta", last_name="Expirata", sex="F")
    attend(gone, past, staff_user)
    both = ProfessionalFactory(first_name="Inca", last_name="Pastrata")
    attend(both, past, staff_user)
    attend(both, current, staff_user)
    dateless = ProfessionalFactory(first_name="Fara", last_name="Data")
    attend(dateless, no_date, staff_user)
    never = ProfessionalFactory(first_name="Niciodata", last_name="Inscrisa")
    return {"gone": gone, "both": both, "dateless": dateless, "never": never, "past": past}


def numbers():
    return [participation_report(group_by=g).as_dict() for g in [(), ("sex",), ("age_band",)]]


@pytest.mark.django_db
def test_dry_run_lists_only_the_person_past_retention_and_changes_nothing(people):
    report = retention_run(today=TODAY, dry_run=True)
    assert report.people == [people["gone"].pk]
    assert [(p.acronym, p.people) for p in report.projects] == [("VENUS", 1)]
    assert not Professional.objects.filter(erased_at__isnull=False).exists()
    assert not ModelLogEntry.objects.filter(action=RETENTION_ACTION).exists()
    # The day before the end of retention, nobody.
    assert not retention_candidates(datetime.date(2030, 12, 31)).exists()


@pytest.mark.django_db
def test_run_erases_only_them_and_keeps_the_numbers(people):
    before = numbers()
    report = retention_run(today=TODAY, dry_run=False)
    assert report.erased == 1
    erased = Professional.objects.filter(erased_at__isnull=False)
    assert list(erased.values_list("pk", flat=True)) == [people["gone"].pk]
    assert erased.get().first_name == "Persoană"
    assert Professional.objects.get(pk=people["both"].pk).first_name == "Inca"
    assert numbers() == before
    entry = ModelLogEntry.objects.get(action=RETENTION_ACTION)
    assert entry.data["erased"] == 1
    # A second run finds nobody.
    assert retention_run(today=TODAY, dry_run=False).erased == 0


@pytest.mark.django_db
def test_command(people, capsys):
    call_command("retention_run", "--date", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "1 people past retention" in out and "VENUS" in out and "dry run" in out
    assert not Professional.objects.filter(erased_at__isnull=False).exists()
    call_command("retention_run", "--apply", "--date", TODAY.isoformat())
    assert Professional.objects.filter(erased_at__isnull=False).count() == 1
    with pytest.raises(CommandError) as bad:
        call_command("retention_run", "--date", "10.01.2031")
    assert bad.value.returncode == 2


@pytest.mark.django_db
def test_admin_retention_page(people, admin_client):
    Project.objects.filter(acronym="VENUS").update(retention_ends_on=datetime.date(2020, 1, 1))
    page = admin_client.get("/admin/privacy/retention/")
    assert page.status_code == 200
    assert "VENUS" in page.content.decode()
    assert not Professional.objects.filter(erased_at__isnull=False).exists()
    admin_client.post("/admin/privacy/retention/")
    assert list(
        Professional.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)
    ) == [people["gone"].pk]


@pytest.mark.django_db
def test_one_failing_erasure_does_not_stop_the_others_and_the_run_is_audited(
    people, staff_user, monkeypatch
):
    second = ProfessionalFactory(first_name="Alta", last_name="Expirata")
    attend(second, people["past"], staff_user)
    failing = people["gone"].pk
    real_erase = retention.erase

    def erase(*, professional, **kwargs):
        if professional.pk == failing:
            raise RuntimeError("disk full")
        return real_erase(professional=professional, **kwargs)

    monkeypatch.setattr(retention, "erase", erase)
    report = retention_run(today=TODAY, dry_run=False)
    assert (report.erased, report.failed) == (1, [failing])
    assert Professional.objects.get(pk=failing).erased_at is None  # rolled back alone
    assert Professional.objects.get(pk=second.pk).erased_at is not None
    entry = ModelLogEntry.objects.get(action=RETENTION_ACTION)
    assert (entry.data["erased"], entry.data["failed"]) == (1, 1)


@pytest.mark.django_db
def test_a_coordinators_account_linked_to_a_person_past_retention_stays_usable(people):
    coordinator = UserFactory(username="coord.cluj", email="coord.cluj@anes.example.org")
    coordinator.groups.add(roles.role_group(roles.COUNTY_COORDINATOR))
    Professional.objects.filter(pk=people["gone"].pk).update(user=coordinator)
    report = retention_run(today=TODAY, dry_run=False)
    assert report.erased == 1
    coordinator.refresh_from_db()
    assert coordinator.is_active and coordinator.has_usable_password()
    assert coordinator.email == "coord.cluj@anes.example.org"
    assert list(coordinator.groups.values_list("name", flat=True)) == ["Coordonatori județeni"]
    gone = Professional.objects.get(pk=people["gone"].pk)
    assert gone.erased_at is not None and gone.user is None


@pytest.mark.django_db
def test_a_participants_own_account_is_closed(people):
    account = UserFactory(username="retenta@example.org", email="retenta@example.org")
    Professional.objects.filter(pk=people["gone"].pk).update(user=account)
    retention_run(today=TODAY, dry_run=False)
    account.refresh_from_db()
    assert not account.is_active and account.email == ""
