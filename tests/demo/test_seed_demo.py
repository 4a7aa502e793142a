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
    seeded = io.StringIO()
    call_command("seed_demo", stdout=seeded)
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

    # Certificates for everyone who completed a demo session, one of them revoked; the demo
    # participant signs in and finds theirs.
    from certificates.models import Certificate
    from certificates.selectors import eligible_enrolments

    completed = TrainingSession.objects.filter(code__startswith="DEMO-", status="completed")
    earned = sum(eligible_enrolments(training_session=s).count() for s in completed)
    assert earned > 0
    assert Certificate.objects.filter(status="valid").count() == earned - 1
    assert Certificate.objects.get(status="revoked").status_reason
    assert "Demo participant" in seeded.getvalue()
    certificate = Certificate.objects.filter(status="valid").order_by("serial").first()
    assert certificate.enrolment.professional.user.check_password("formativ-demo")

    # The archive of two sessions held before Formativ, imported: known people found by their
    # e-mail, two spellings of one name as one person, a typo and a personal address waiting
    # for review.
    from imports.models import ImportBatch
    from training.models import DuplicateCandidate, PersonIdentifier

    batch = ImportBatch.objects.get()
    assert batch.status == "done" and batch.result["sessions_created"] == 2
    assert TrainingSession.objects.filter(status="completed", days__starts_at__year=2019).exists()
    assert DuplicateCandidate.objects.filter(status="open").count() == 2
    assert (
        Professional.objects.filter(first_name="Maria-Ioana", last_name="Ștefănescu").count() == 1
    )
    spellings = PersonIdentifier.objects.filter(kind="name", value__icontains="stefanescu")
    assert spellings.exists()  # the other spelling is kept


def test_seed_shows_registration_at_work(settings):
    from sessions.selectors import quota_use
    from training.models import FocalPoint

    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    # Organiser approval: requests awaiting a decision, made by the people themselves.
    approval = TrainingSession.objects.get(code="DEMO-REG-APR")
    assert approval.approval_mode == "manual"
    pending = approval.enrolments.filter(status="pending")
    assert pending.count() >= 3
    assert set(pending.values_list("source", flat=True)) == {"self"}

    # Nomination: quotas per county, nominations by Cluj's focal point, counted in the quota.
    nomination = TrainingSession.objects.get(code="DEMO-REG-NOM")
    assert nomination.approval_mode == "nomination"
    uses = {use.quota.county.code: use for use in quota_use(training_session=nomination)}
    assert set(uses) >= {"CJ", "AB"}
    assert uses["CJ"].used == 3 and uses["CJ"].left == uses["CJ"].quota.seats - 3
    right = FocalPoint.objects.get(county__code="CJ")
    nominated = nomination.enrolments.filter(source="nomination")
    assert nominated.count() == 3
    assert set(nominated.values_list("status", flat=True)) == {"offered"}
    assert set(nominated.values_list("history__changed_by", flat=True)) == {right.user_id}
    assert right.user.email in out.getvalue()  # the credentials, like the admin's
    assert right.user.has_usable_password()

    # A full session with a waiting list, served in order.
    full = TrainingSession.objects.get(code="DEMO-REG-FULL")
    assert full.enrolments.filter(status="confirmed").count() == full.capacity
    waiting = list(full.enrolments.filter(status="waitlisted").order_by("waitlisted_at", "pk"))
    assert len(waiting) >= 2
    from sessions.selectors import waitlist_position

    assert [waitlist_position(enrolment=e) for e in waiting] == list(range(1, len(waiting) + 1))

    # Freed seats offered for a limited time: one offer running.
    offers = TrainingSession.objects.get(code="DEMO-REG-OFR")
    assert offers.offer_hours
    offer = offers.enrolments.get(status="offered")
    assert offer.offer_expires_at is not None
    assert offer.history.filter(from_status="waitlisted", to_status="offered").exists()


def test_seed_without_the_admin_gives_the_focal_point_no_password(settings):
    from training.models import FocalPoint

    settings.DEBUG = False
    call_command("seed_demo", "--no-admin", stdout=io.StringIO())
    right = FocalPoint.objects.get(county__code="CJ")
    assert not right.user.has_usable_password()


def test_seed_refuses_to_create_a_demo_superuser_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="admin").exists()
