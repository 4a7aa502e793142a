"""Back-office forms go through the services: bad input is refused with a Romanian message and
nothing is saved; good input is saved, audited, and double bookings are pointed out."""

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from sessions.models import TrainingSession
from tests.factories.sessions import VenueFactory, at, make_session
from tests.factories.training import CourseFactory, ProfessionalFactory, TrainerFactory
from training.models import County, Professional

pytestmark = pytest.mark.django_db


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def session_form(*, code, course, venue, days, trainers=(), capacity=20, status="published"):
    data = {
        "code": code,
        "status": status,
        "course": course.pk,
        "title": "",
        "project": "",
        "county": County.objects.get(code="CJ").pk,
        "sector": "",
        "delivery_mode": "in_person",
        "venue": venue.pk,
        "online_url": "",
        "trainers": [t.pk for t in trainers],
        "capacity": capacity,
        "approval_mode": "automatic",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "description": "",
        "days-TOTAL_FORMS": len(days),
        "days-INITIAL_FORMS": 0,
        "days-MIN_NUM_FORMS": 1,
        "days-MAX_NUM_FORMS": 1000,
        "cancellation_cutoff_hours": 24,
        "offer_hours": "",
        "reminder_days": 2,
        "quotas-TOTAL_FORMS": 0,
        "quotas-INITIAL_FORMS": 0,
        "quotas-MIN_NUM_FORMS": 0,
        "quotas-MAX_NUM_FORMS": 1000,
    }
    for i, (start, end) in enumerate(days):
        data.update(
            {
                f"days-{i}-starts_at": _local(start),
                f"days-{i}-ends_at": _local(end),
                f"days-{i}-id": "",
                f"days-{i}-ORDER": i + 1,
                f"days-{i}-DELETE": "",
            }
        )
    return data


def test_a_session_created_in_the_admin_is_saved_with_its_days_and_audited(admin_client):
    course, venue = CourseFactory(), VenueFactory()
    data = session_form(
        code="CJ-2027-01",
        course=course,
        venue=venue,
        days=[(at(30, 9), at(30, 17)), (at(31, 9), at(31, 17))],
    )
    response = admin_client.post("/admin/trainingsession/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    session = TrainingSession.objects.get(code="CJ-2027-01")
    assert session.days.count() == 2
    assert ModelLogEntry.objects.filter(object_id=str(session.pk), action="wagtail.create").exists()


def test_a_day_ending_before_it_starts_is_refused_in_romanian_and_nothing_is_saved(admin_client):
    data = session_form(
        code="CJ-BAD", course=CourseFactory(), venue=VenueFactory(), days=[(at(30, 17), at(30, 9))]
    )
    response = admin_client.post("/admin/trainingsession/new/", data, HTTP_ACCEPT_LANGUAGE="ro")
    assert response.status_code == 200
    assert "trebuie să fie ulterior începutului" in response.content.decode()
    assert not TrainingSession.objects.filter(code="CJ-BAD").exists()


def test_capacity_below_the_seats_taken_is_refused_in_the_admin(admin_client):
    from sessions.models import Enrolment

    session = make_session(capacity=3)
    for person in ProfessionalFactory.create_batch(3):
        Enrolment.objects.create(
            training_session=session, professional=person, status="confirmed", source="staff"
        )
    days = list(session.days.all())
    data = session_form(
        code=session.code,
        course=session.course,
        venue=session.venue,
        days=[(d.starts_at, d.ends_at) for d in days],
        capacity=2,
    )
    data["days-INITIAL_FORMS"] = len(days)
    for i, day in enumerate(days):
        data[f"days-{i}-id"] = day.pk
    response = admin_client.post(f"/admin/trainingsession/edit/{session.pk}/", data)
    assert response.status_code == 200
    assert "capacitatea nu poate fi mai mică" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_a_trainer_double_booking_is_pointed_out_when_saving(admin_client):
    trainer = TrainerFactory(full_name="Elena Sîrbu")
    other = make_session(start_in=30, day_count=1)
    other.trainers.add(trainer)
    other.save()  # a ParentalManyToManyField commits on save
    data = session_form(
        code="CJ-OVERLAP",
        course=CourseFactory(),
        venue=VenueFactory(),
        days=[(at(30, 10), at(30, 12))],
        trainers=[trainer],
    )
    response = admin_client.post("/admin/trainingsession/new/", data, follow=True)
    assert TrainingSession.objects.filter(code="CJ-OVERLAP").exists()  # a warning, not a refusal
    warnings = [str(m.message) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Elena Sîrbu" in warnings[0]
    assert other.code in warnings[0]


def test_an_invalid_cnp_is_refused_in_romanian_and_nothing_is_saved(admin_client):
    data = {
        "first_name": "Ioana",
        "last_name": "Ștefănescu",
        "email": "ioana@example.ro",
        "phone": "",
        "sex": "F",
        "birth_date": "",
        "county": County.objects.get(code="CJ").pk,
        "sector": "",
        "institution": "",
        "position": "",
        "category": "",
        "category_detail": "",
        "cnp": "1234567890123",
        "user": "",
    }
    response = admin_client.post("/admin/snippets/training/professional/add/", data)
    assert response.status_code == 200
    assert "CNP" in response.content.decode()
    assert (
        "cifra de control" in response.content.decode().lower()
        or "nu este valid" in response.content.decode()
    )
    assert not Professional.objects.filter(email="ioana@example.ro").exists()


def test_counties_cannot_be_edited_in_the_admin(admin_client):
    cluj = County.objects.get(code="CJ")
    response = admin_client.get(f"/admin/snippets/training/county/edit/{cluj.pk}/")
    assert response.status_code in (302, 403)
    assert admin_client.get("/admin/snippets/training/county/add/").status_code in (302, 403)


def test_an_enrolment_status_change_made_in_the_admin_shows_in_its_history(
    admin_client, staff_user
):
    from sessions.services import enrolment_create

    session = make_session(capacity=5)
    enrolment = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    response = admin_client.post(
        f"/admin/enrolment/edit/{enrolment.pk}/",
        {"status": "cancelled", "reason": "s-a îmbolnăvit"},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"
    page = admin_client.get(f"/admin/enrolment/inspect/{enrolment.pk}/").content.decode()
    assert "s-a îmbolnăvit" in page
    assert "anulată" in page.lower() or "anulat" in page.lower()


def test_a_forbidden_enrolment_change_is_refused_in_the_admin(admin_client, staff_user):
    from sessions.services import enrolment_create

    session = make_session(capacity=5)
    enrolment = enrolment_create(
        training_session=session, professional=ProfessionalFactory(), acting_user=staff_user
    )
    response = admin_client.post(
        f"/admin/enrolment/edit/{enrolment.pk}/", {"status": "rejected", "reason": ""}
    )
    assert response.status_code == 200  # form shown again with the reason
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"


def test_choosers_are_closed_to_users_without_rights_on_the_model(client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    person = ProfessionalFactory(email="ascuns@example.ro")
    user = get_user_model().objects.create_user("doar-admin", "d@example.org", "x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    for url in (
        "/admin/snippets/choose/training/professional/?q=ascuns",
        "/admin/training_session_chooser/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert person.last_name not in response.content.decode()


def test_deleting_a_venue_in_use_is_refused_with_a_message(admin_client):
    session = make_session()
    response = admin_client.post(f"/admin/venue/delete/{session.venue.pk}/", follow=True)
    assert response.status_code == 200
    assert session.venue.__class__.objects.filter(pk=session.venue.pk).exists()
    errors = [str(m.message) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors


def test_a_typed_cnp_is_not_echoed_back_after_a_form_error(admin_client):
    from tests.factories.training import build_cnp

    ProfessionalFactory(email="luat@example.ro")
    cnp = build_cnp("2", __import__("datetime").date(1985, 4, 23))
    data = {
        "first_name": "Ioana",
        "last_name": "Pop",
        "email": "luat@example.ro",
        "phone": "",
        "sex": "F",
        "birth_date": "",
        "county": County.objects.get(code="CJ").pk,
        "sector": "",
        "institution": "",
        "position": "",
        "category": "",
        "category_detail": "",
        "cnp": cnp,
        "user": "",
    }
    response = admin_client.post("/admin/snippets/training/professional/add/", data)
    assert response.status_code == 200  # the duplicate email is refused
    assert cnp not in response.content.decode()
