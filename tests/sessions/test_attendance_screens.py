"""The attendance screens of the back office: who may open them, marking a day (without
JavaScript, and as the marking script does), marking everybody present, the day's history, the
scanner's and the projector's screens, the sign-in sheet, the reconciliation flags, completing
the session, and their query budgets."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from sessions.models import (
    Attendance,
    CheckInWindow,
    Enrolment,
    SessionDay,
    TrainingSession,
)
from sessions.services import attendance_mark, checkin_window_open, evidence_upload
from tests.factories.sessions import TrainingSessionFactory, make_session, running_span
from tests.factories.training import (
    CourseFactory,
    InstitutionFactory,
    ProfessionalFactory,
    TrainerFactory,
)

pytestmark = pytest.mark.django_db

A = Attendance.Status
NS = "training_sessions_admin"
HOUR = datetime.timedelta(hours=1)


def url(name, *args):
    return reverse(f"{NS}:{name}", args=args)


def ro(message: str, **params) -> str:
    """A message as a Romanian screen shows it (HTML-escaped)."""
    with translation.override("ro"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


def pdf_bytes(text="Lista de prezență semnată") -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.drawString(72, 760, text)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def messages_of(response) -> list[str]:
    return [str(m.message) for m in response.context["messages"]]


def confirmed(session, status=Enrolment.Status.CONFIRMED, **person) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(**person),
        status=status,
        source="staff",
    )


def back_office_user(username, *codenames):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *(
            Permission.objects.get(codename=c, content_type__app_label="training_sessions")
            for c in codenames
        ),
    )
    return get_user_model().objects.get(pk=user.pk)


def trainer_user(session=None, username="formator"):
    """A trainer with an account that may open the admin; of `session` if given."""
    user = back_office_user(username)
    trainer = TrainerFactory(user=user)
    if session is not None:
        teach(session, trainer)
    return user


def teach(session, trainer):
    """`trainers` is a parental many-to-many: rows written directly, as a saved form would."""
    TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=trainer)


def attendance_organiser(username="coordonator"):
    """ANES staff holding the attendance permission, no superuser: every session is in their
    scope (training.see_all_records; the permission alone reaches only the sessions in one's
    scope, see tests/security/test_scoping.py)."""
    user = back_office_user(username, "change_attendance")
    user.user_permissions.add(
        Permission.objects.get(codename="see_all_records", content_type__app_label="training")
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def organiser(client):
    client.force_login(attendance_organiser())
    return client


@pytest.fixture
def past_session():
    """Two days, three days ago and two days ago: both over."""
    return make_session(start_in=-3, day_count=2)


def first_day(session) -> SessionDay:
    return session.days.order_by("starts_at").first()


def running_session() -> tuple[TrainingSession, SessionDay]:
    """A session with a day running now (check-in open)."""
    session = TrainingSessionFactory()
    starts_at, ends_at = running_span()
    day = SessionDay.objects.create(training_session=session, starts_at=starts_at, ends_at=ends_at)
    return session, day


def row_of(page: str, enrolment) -> str:
    match = re.search(rf'<li class="att-row" id="row-{enrolment.pk}".*?</li>', page, re.S)
    assert match, f"no row for {enrolment.pk}"
    return match.group(0)


def pressed(row_html: str) -> list[str]:
    return re.findall(r'value="(\w+)" class="att-btn[^"]*"[^>]*aria-pressed="true"', row_html)


# --- who may open the screens -----------------------------------------------------------------


def screens(session):
    day = first_day(session)
    return [
        url("attendance", session.pk),
        url("attendance_day", session.pk, day.pk),
        url("attendance_scan", session.pk, day.pk),
        url("attendance_projector", session.pk, day.pk),
        url("attendance_projector_status", session.pk, day.pk),
        url("attendance_sheet", session.pk, day.pk),
    ]


def test_an_organiser_with_the_permission_opens_every_screen(organiser, past_session):
    for address in screens(past_session):
        assert organiser.get(address).status_code == 200, address


def test_the_sessions_own_trainer_opens_every_screen(client, past_session):
    client.force_login(trainer_user(past_session))
    for address in screens(past_session):
        assert client.get(address).status_code == 200, address


def test_another_sessions_trainer_gets_403_everywhere_and_marks_nothing(client, past_session):
    teach(make_session(start_in=-3), trainer_user(username="altul").trainer)
    client.force_login(get_user_model().objects.get(username="altul"))
    enrolment = confirmed(past_session, last_name="Ascunsă")
    day = first_day(past_session)
    for address in screens(past_session):
        response = client.get(address)
        assert response.status_code == 403, address
        assert "Ascunsă" not in response.content.decode()
    posts = [
        (
            url("attendance_day", past_session.pk, day.pk),
            {"enrolment": enrolment.pk, "status": "present"},
        ),
        (url("attendance_all_present", past_session.pk, day.pk), {}),
        (url("attendance_complete", past_session.pk), {"confirm_unmarked": "1"}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 403, address
    assert not Attendance.objects.exists()
    past_session.refresh_from_db()
    assert past_session.status == TrainingSession.Status.PUBLISHED


def test_an_anonymous_visitor_is_sent_to_sign_in(client, past_session):
    for address in screens(past_session):
        response = client.get(address)
        assert response.status_code == 302, address
        assert "login" in response["Location"] or "cont" in response["Location"]


def test_the_take_attendance_list_shows_a_trainer_their_sessions_only(client, past_session):
    other = make_session(start_in=-3)
    client.force_login(trainer_user(past_session))
    page = client.get(url("attendance_index")).content.decode()
    assert f'data-session="{past_session.pk}"' in page
    assert f'data-session="{other.pk}"' not in page
    assert url("attendance", past_session.pk) in page


def test_the_admin_menu_offers_take_attendance_to_trainers_and_organisers_only(client):
    address = url("attendance_index")
    client.force_login(trainer_user())
    assert address in client.get("/admin/").content.decode()
    client.force_login(attendance_organiser())
    assert address in client.get("/admin/").content.decode()
    client.force_login(back_office_user("redactor"))
    assert address not in client.get("/admin/").content.decode()


def test_the_roster_and_the_session_list_link_to_the_attendance_screen(admin_client, past_session):
    link = url("attendance", past_session.pk)
    assert link in admin_client.get(url("roster", past_session.pk)).content.decode()
    assert link in admin_client.get("/admin/trainingsession/").content.decode()


# --- marking without JavaScript ---------------------------------------------------------------


def mark_post(client, session, day, enrolment, status, **extra):
    return client.post(
        url("attendance_day", session.pk, day.pk),
        {"enrolment": enrolment.pk, "status": status, **extra},
        follow=True,
    )


def test_marking_present_records_it_and_the_row_shows_it(organiser, past_session):
    enrolment = confirmed(past_session, last_name="Ardelean")
    day = first_day(past_session)

    response = mark_post(organiser, past_session, day, enrolment, "present")

    mark = Attendance.objects.get()
    assert (mark.enrolment, mark.day, mark.status, mark.method) == (
        enrolment,
        day,
        "present",
        "staff",
    )
    assert mark.marked_by.username == "coordonator"
    assert any("Ardelean" in m for m in messages_of(response))
    row = row_of(response.content.decode(), enrolment)
    assert pressed(row) == ["present"]
    assert "coordonator" in row  # who marked it


def test_late_with_minutes_is_recorded_with_the_minutes(organiser, past_session):
    enrolment = confirmed(past_session)
    day = first_day(past_session)
    response = mark_post(organiser, past_session, day, enrolment, "partial", minutes="90")
    mark = Attendance.objects.get()
    assert (mark.status, mark.minutes) == ("partial", 90)
    assert pressed(row_of(response.content.decode(), enrolment)) == ["partial"]


def test_minutes_sent_with_present_are_ignored(organiser, past_session):
    enrolment = confirmed(past_session)
    mark_post(organiser, past_session, first_day(past_session), enrolment, "present", minutes="30")
    assert Attendance.objects.get().minutes is None


def test_late_without_minutes_is_refused_with_a_message_and_nothing_recorded(
    organiser, past_session
):
    enrolment = confirmed(past_session)
    response = mark_post(organiser, past_session, first_day(past_session), enrolment, "partial")
    assert not Attendance.objects.exists()
    (message,) = messages_of(response)
    assert "480" in message  # the day's length in minutes, as the rule says
    assert message in response.content.decode() or escape(message) in response.content.decode()


def test_minutes_that_are_not_a_number_are_refused(organiser, past_session):
    enrolment = confirmed(past_session)
    response = mark_post(
        organiser, past_session, first_day(past_session), enrolment, "partial", minutes="1e3"
    )
    assert not Attendance.objects.exists()
    assert messages_of(response)


def test_a_participant_not_confirmed_cannot_be_marked(organiser, past_session):
    waiting = confirmed(past_session, status=Enrolment.Status.WAITLISTED, last_name="Zamfir")
    response = mark_post(organiser, past_session, first_day(past_session), waiting, "present")
    assert not Attendance.objects.exists()
    (message,) = messages_of(response)
    assert "Zamfir" in message


def test_a_person_of_another_session_cannot_be_marked_here(organiser, past_session):
    stranger = confirmed(make_session(start_in=-3))
    mark_post(organiser, past_session, first_day(past_session), stranger, "present")
    assert not Attendance.objects.exists()


def test_a_day_of_another_session_in_the_address_is_not_found(organiser, past_session):
    other_day = first_day(make_session(start_in=-3))
    assert organiser.get(url("attendance_day", past_session.pk, other_day.pk)).status_code == 404


def test_the_marking_script_gets_the_new_row_and_the_counters(organiser, past_session):
    enrolment = confirmed(past_session)
    confirmed(past_session)
    day = first_day(past_session)
    response = organiser.post(
        url("attendance_day", past_session.pk, day.pk),
        {"enrolment": enrolment.pk, "status": "absent"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert pressed(body["row"]) == ["absent"]
    assert body["counters"] == {
        "confirmed": 2,
        "present": 0,
        "absent": 1,
        "excused": 0,
        "unmarked": 1,
    }
    refused = organiser.post(
        url("attendance_day", past_session.pk, day.pk),
        {"enrolment": enrolment.pk, "status": "partial"},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["detail"]
    assert Attendance.objects.get().status == "absent"


def test_a_future_day_offers_only_absences(organiser):
    session = make_session(start_in=3, day_count=1)
    enrolment = confirmed(session)
    day = first_day(session)
    row = row_of(
        organiser.get(url("attendance_day", session.pk, day.pk)).content.decode(), enrolment
    )
    assert re.search(r'value="present"[^>]*disabled', row)
    mark_post(organiser, session, day, enrolment, "present")
    assert not Attendance.objects.exists()
    mark_post(organiser, session, day, enrolment, "excused")
    assert Attendance.objects.get().status == "excused"


def test_the_search_without_javascript_filters_ignoring_diacritics(organiser, past_session):
    stefan = confirmed(past_session, first_name="Ștefan", last_name="Bălănescu")
    other = confirmed(past_session, first_name="Ion", last_name="Popa")
    day = first_day(past_session)
    page = organiser.get(url("attendance_day", past_session.pk, day.pk), {"q": "stefan balan"})
    html = page.content.decode()
    assert f'id="row-{stefan.pk}"' in html
    assert f'id="row-{other.pk}"' not in html


def test_a_draft_session_shows_a_message_and_no_marking_buttons(organiser):
    session = make_session(start_in=-3, day_count=1, status=TrainingSession.Status.DRAFT)
    enrolment = confirmed(session)
    day = first_day(session)
    page = organiser.get(url("attendance_day", session.pk, day.pk)).content.decode()
    assert "att-btn" not in page
    assert ro("This session is a draft: attendance is taken once it is published.") in page
    mark_post(organiser, session, day, enrolment, "present")
    assert not Attendance.objects.exists()


# --- everybody present, and the day's history -------------------------------------------------


def test_mark_all_present_marks_only_those_not_marked_yet(organiser, past_session):
    day = first_day(past_session)
    absent = confirmed(past_session)
    others = [confirmed(past_session), confirmed(past_session)]
    confirmed(past_session, status=Enrolment.Status.CANCELLED)
    attendance_mark(enrolment=absent, day=day, status=A.ABSENT, acting_user=None)

    response = organiser.post(url("attendance_all_present", past_session.pk, day.pk), follow=True)

    statuses = dict(Attendance.objects.filter(day=day).values_list("enrolment_id", "status"))
    assert statuses == {absent.pk: "absent", others[0].pk: "present", others[1].pk: "present"}
    assert any("2" in m for m in messages_of(response))
    assert re.search(r'data-counter="unmarked">0<', response.content.decode())


def test_the_history_panel_shows_a_correction(organiser, past_session):
    enrolment = confirmed(past_session, last_name="Corectat")
    day = first_day(past_session)
    mark_post(organiser, past_session, day, enrolment, "present")
    page = mark_post(organiser, past_session, day, enrolment, "absent").content.decode()

    history = re.search(r"<table [^>]*data-att-history[^>]*>(.*?)</table>", page, re.S)
    assert history
    body = re.search(r"<tbody>(.*?)</tbody>", history.group(1), re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == 2
    with translation.override("ro"):
        present, absent = str(A.PRESENT.label), str(A.ABSENT.label)
    newest = re.sub(r"\s+", " ", rows[0])
    assert "Corectat" in newest and "coordonator" in newest
    assert f"{escape(present)} → {escape(absent)}" in newest
    assert f"— → {escape(present)}" in re.sub(r"\s+", " ", rows[1])


# --- query budgets ----------------------------------------------------------------------------


def populate(session, count):
    institution = InstitutionFactory()
    day = first_day(session)
    people = [confirmed(session, institution=institution) for _ in range(count)]
    for enrolment in people[: count // 2]:
        attendance_mark(enrolment=enrolment, day=day, status=A.PRESENT, acting_user=None)
    return day


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("people", [5, 50])
def test_the_marking_screen_and_the_overview_stay_within_their_query_budget(
    organiser, past_session, people, django_assert_max_num_queries
):
    day = populate(past_session, people)
    evidence_upload(day=day, upload=upload("lista.pdf", pdf_bytes()), acting_user=None)
    organiser.get(url("attendance", past_session.pk))  # the admin's first visit sets it up
    with django_assert_max_num_queries(15):
        organiser.get(url("attendance_day", past_session.pk, day.pk))
    with django_assert_max_num_queries(15):
        organiser.get(url("attendance", past_session.pk))


def test_the_query_count_does_not_grow_with_people_or_days(organiser):
    small = make_session(start_in=-5, day_count=1)
    large = make_session(start_in=-5, day_count=4)
    small_day, large_day = populate(small, 5), populate(large, 50)
    organiser.get(url("attendance", small.pk))
    assert count_queries(organiser, url("attendance_day", small.pk, small_day.pk)) == (
        count_queries(organiser, url("attendance_day", large.pk, large_day.pk))
    )
    assert count_queries(organiser, url("attendance", small.pk)) == count_queries(
        organiser, url("attendance", large.pk)
    )


def test_reading_the_screens_writes_nothing(organiser, past_session):
    day = populate(past_session, 3)
    evidence = evidence_upload(day=day, upload=upload("lista.pdf", pdf_bytes()), acting_user=None)
    organiser.get(url("attendance", past_session.pk))
    addresses = [
        *screens(past_session),
        url("attendance_index"),
        url("attendance_workbook", past_session.pk),
        url("attendance_evidence_file", past_session.pk, evidence.pk),
        url("attendance_evidence_delete", past_session.pk, evidence.pk),
    ]
    for address in addresses:
        with CaptureQueriesContext(connection) as queries:
            response = organiser.get(address)
            assert response.status_code == 200, address
            if response.streaming:
                b"".join(response.streaming_content)  # closes the file
        writes = [
            q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)
        ]
        assert writes == [], address
    assert not CheckInWindow.objects.exists()
    assert past_session.days.get(pk=day.pk).evidence.count() == 1


# --- scanner and projector --------------------------------------------------------------------


def test_the_scanner_without_javascript_checks_a_code_in_loudly(organiser):
    session, day = running_session()
    enrolment = confirmed(
        session, last_name="Scanat", institution=InstitutionFactory(name="DGASPC Iași")
    )
    address = url("attendance_scan", session.pk, day.pk)

    page = organiser.get(address).content.decode()
    assert 'name="code"' in page and "autofocus" in page
    assert "/api/v1/checkin" in page
    assert "/static/vendor/zxing-wasm/zxing_reader.wasm" in page

    first = organiser.post(address, {"code": enrolment.checkin_token}).content.decode()
    assert "att-result--checked_in" in first and "Scanat" in first and "DGASPC Iași" in first
    mark = Attendance.objects.get()
    assert (mark.status, mark.method) == ("present", "qr")

    again = organiser.post(address, {"code": enrolment.checkin_token}).content.decode()
    assert "att-result--already" in again
    assert timezone.localtime(mark.marked_at).strftime("%H:%M") in again


def test_the_scanner_refuses_a_code_of_another_session_in_red(organiser):
    session, day = running_session()
    stranger = confirmed(running_session()[0], last_name="Străin")
    page = organiser.post(
        url("attendance_scan", session.pk, day.pk), {"code": stranger.checkin_token}
    ).content.decode()
    assert "att-result--error" in page
    assert not Attendance.objects.exists()


def test_the_projector_opens_a_window_and_shows_its_code_and_qr(organiser):
    session, day = running_session()
    confirmed(session)
    address = url("attendance_projector", session.pk, day.pk)
    assert "att-stage" not in organiser.get(address).content.decode()

    response = organiser.post(address, {"action": "open", "minutes": "30"}, follow=True)

    window = CheckInWindow.objects.get()
    assert window.day == day and window.opened_by.username == "coordonator"
    # Thirty minutes, or until the day ends if that comes first (late in the evening).
    asked = window.opens_at + datetime.timedelta(minutes=30)
    assert window.closes_at == min(asked, day.ends_at)
    page = response.content.decode()
    spaced = "".join(f"<span>{ch}</span>" for ch in window.code)
    assert spaced in page
    assert "<svg" in page and "qr-code" in page
    assert f"http://testserver/prezenta/{window.code}/" in page

    status = organiser.get(url("attendance_projector_status", session.pk, day.pk)).json()
    assert status["open"] is True and status["code"] == window.code
    assert status["attended"] == 0 and status["confirmed"] == 1
    assert 0 < status["seconds_left"] <= 30 * 60

    organiser.post(address, {"action": "close"})
    window.refresh_from_db()
    assert window.closes_at <= timezone.now()
    assert (
        organiser.get(url("attendance_projector_status", session.pk, day.pk)).json()["open"]
        is False
    )


def test_the_projector_refuses_a_duration_not_offered(organiser):
    session, day = running_session()
    organiser.post(
        url("attendance_projector", session.pk, day.pk), {"action": "open", "minutes": "600"}
    )
    assert not CheckInWindow.objects.exists()


def test_the_projector_counts_people_checked_in(organiser):
    session, day = running_session()
    people = [confirmed(session) for _ in range(3)]
    checkin_window_open(day=day, acting_user=None, minutes=15)
    attendance_mark(enrolment=people[0], day=day, status=A.PRESENT, acting_user=None)
    attendance_mark(enrolment=people[1], day=day, status=A.ABSENT, acting_user=None)
    page = organiser.get(url("attendance_projector", session.pk, day.pk)).content.decode()
    assert re.search(r'data-counter="attended">1<', page)
    assert re.search(r'data-counter="confirmed">3<', page)


# --- downloads --------------------------------------------------------------------------------


def test_the_sign_in_sheet_is_a_pdf_named_without_personal_data(organiser):
    session = make_session(start_in=-3, day_count=1, code="CJ-2026/07")
    confirmed(session, last_name="Ionescu")
    day = first_day(session)
    response = organiser.get(url("attendance_sheet", session.pk, day.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    date = timezone.localtime(day.starts_at).date().isoformat()
    assert (
        response["Content-Disposition"] == f'attachment; filename="prezenta-CJ-2026-07-{date}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")


def test_the_attendance_spreadsheet_downloads(organiser, past_session):
    pytest.importorskip("sessions.attendance_sheet")
    confirmed(past_session)
    response = organiser.get(url("attendance_workbook", past_session.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"PK")  # an XLSX is a zip


# --- the overview: reconciliation and completion ----------------------------------------------


def test_the_overview_flags_marks_without_a_sheet_and_a_sheet_without_marks(
    organiser, past_session
):
    day_one, day_two = past_session.days.order_by("starts_at")
    enrolment = confirmed(past_session)
    attendance_mark(enrolment=enrolment, day=day_one, status=A.PRESENT, acting_user=None)
    evidence_upload(day=day_two, upload=upload("ziua2.pdf", pdf_bytes()), acting_user=None)

    page = organiser.get(url("attendance", past_session.pk)).content.decode()

    def day_block(day):
        return re.search(rf'<li class="att-day" id="day-{day.pk}".*?</form>', page, re.S).group(0)

    assert 'data-flag="marks_without_evidence"' in day_block(day_one)
    assert 'data-flag="evidence_without_marks"' in day_block(day_two)
    assert "data-flags" in page  # the summary at the top
    assert "ziua2.pdf" in day_block(day_two)
    assert re.search(r'data-counter="attended">1<', day_block(day_one))


def test_a_day_with_marks_and_its_sheet_is_not_flagged(organiser):
    session = make_session(start_in=-3, day_count=1)
    day = first_day(session)
    attendance_mark(enrolment=confirmed(session), day=day, status=A.PRESENT, acting_user=None)
    evidence_upload(day=day, upload=upload("lista.pdf", pdf_bytes()), acting_user=None)
    page = organiser.get(url("attendance", session.pk)).content.decode()
    assert "data-flag=" not in page and "data-flags" not in page


def test_the_complete_button_waits_for_the_last_day_to_end(organiser):
    session = make_session(start_in=-1, day_count=3)  # the last day is tomorrow
    page = organiser.get(url("attendance", session.pk)).content.decode()
    assert "data-complete" not in page
    organiser.post(url("attendance_complete", session.pk), {"confirm_unmarked": "1"})
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PUBLISHED


def test_completing_warns_about_unmarked_days_and_then_stores_each_result(organiser):
    course = CourseFactory(min_attendance_percent=80)
    session = make_session(start_in=-3, day_count=2, course=course)
    day_one, day_two = session.days.order_by("starts_at")
    faithful = confirmed(session, last_name="Prezentă")
    half = confirmed(session, last_name="Jumătate")
    for day in (day_one, day_two):
        attendance_mark(enrolment=faithful, day=day, status=A.PRESENT, acting_user=None)
    attendance_mark(enrolment=half, day=day_one, status=A.PRESENT, acting_user=None)

    page = organiser.get(url("attendance", session.pk)).content.decode()
    assert 'data-unmarked="1"' in page and 'name="confirm_unmarked"' in page

    refused = organiser.post(url("attendance_complete", session.pk), follow=True)
    assert messages_of(refused)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PUBLISHED

    done = organiser.post(
        url("attendance_complete", session.pk), {"confirm_unmarked": "1"}, follow=True
    )
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.COMPLETED
    faithful.refresh_from_db()
    half.refresh_from_db()
    assert (faithful.completion, faithful.attended_minutes, faithful.attended_days) == (
        "completed",
        960,
        2,
    )
    assert (half.completion, half.attended_minutes, half.attended_days) == ("not_completed", 480, 1)
    results = done.content.decode()
    assert f'data-result="{faithful.pk}" data-completion="completed"' in results
    assert f'data-result="{half.pk}" data-completion="not_completed"' in results
    assert "data-complete" not in results  # completed once
