"""Taking attendance on the day, in a real browser: a trainer marks a day on a phone (search
without diacritics, present, late with minutes, absent, everybody else present); a participant
checks themselves in with the code on the projector (typed, then through the QR's address) while
the projector counts; the trainer scans personal codes with a USB scanner (typed into the
focused field, then Enter), and a code of another session is refused.

The trainers are plain accounts linked to a Trainer of the session through `trainer_save` (the
trainers' group: admin access, their own sessions only), never superusers. Everybody signs in
through the site's real sign-in form."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from sessions.models import Attendance, CheckInWindow, Enrolment, SessionDay, TrainingSession
from sessions.services import attendance_mark
from tests.factories.sessions import TrainingSessionFactory, running_span
from tests.factories.training import (
    CourseFactory,
    InstitutionFactory,
    PersonFactory,
    ProfessionalFactory,
    TrainerFactory,
)
from training.services import trainer_save

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

A = Attendance.Status
M = Attendance.Method
NS = "training_sessions_admin"
PASSWORD = "Parola-Lunga-De-Formator-42"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
TIMEOUT_MS = 15_000


def ro(message: str) -> str:
    """A message as the Romanian site shows it (whatever the state of the translations)."""
    with translation.override("ro"):
        return translation.gettext(message)


def admin_url(name: str, *args) -> str:
    return reverse(f"{NS}:{name}", args=args)


def account(username: str, email: str):
    """A plain account (no staff flag, no superuser) whose e-mail address is verified."""
    user = get_user_model().objects.create_user(username, email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def running_session(title: str) -> tuple[TrainingSession, SessionDay]:
    """A published session with one day under way: it started an hour ago (or at midnight),
    ends in six hours (or at midnight)."""
    session = TrainingSessionFactory(course=CourseFactory(title=title))
    starts_at, ends_at = running_span(after=datetime.timedelta(hours=6))
    day = SessionDay.objects.create(training_session=session, starts_at=starts_at, ends_at=ends_at)
    return session, day


def trainer_of(session: TrainingSession, username: str = "formatoare"):
    """A trainer of `session` with an account, linked the way the back office links it."""
    organiser = get_user_model().objects.create_superuser(
        f"coordonator-{username}", f"coordonator-{username}@example.org", "x"
    )
    user = account(username, f"{username}@example.org")
    trainer = TrainerFactory(full_name="Irina Formatoarea")
    trainer.user = user
    trainer_save(trainer=trainer, acting_user=organiser)
    # `trainers` is a parental many-to-many: the row a saved session form writes.
    TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=trainer)
    return user


def confirmed(
    session: TrainingSession, first_name: str = "", last_name: str = "", *, professional=None, **kw
) -> Enrolment:
    """A confirmed seat for `professional`, or for a new professional of that name."""
    professional = professional or ProfessionalFactory(
        first_name=first_name, last_name=last_name, **kw
    )
    return Enrolment.objects.create(
        training_session=session,
        professional=professional,
        status=Enrolment.Status.CONFIRMED,
        source="staff",
    )


@pytest.fixture
def new_page(browser):
    """Pages in browser contexts of their own (one person's browser each), closed at the end."""
    contexts = []

    def new_page(**options):
        context = browser.new_context(locale="ro-RO", timezone_id="Europe/Bucharest", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield new_page
    for context in contexts:
        context.close()


def rgb(locator) -> tuple[int, int, int]:
    """The element's background colour, as (red, green, blue)."""
    value = locator.evaluate("n => getComputedStyle(n).backgroundColor")
    red, green, blue = (int(part) for part in value[value.index("(") + 1 : -1].split(",")[:3])
    return red, green, blue


# Elements under `scope` that stick out past the right edge of the window: the admin's content
# wrapper clips (`overflow-x: hidden`) what the document's scroll width would otherwise show.
STICKING_OUT = """scope => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll(scope + ", " + scope + " *"))
        .filter(n => n.getClientRects().length && n.getBoundingClientRect().right > width + 1)
        .map(n => n.outerHTML.slice(0, 100));
}"""


def fits_the_phone(page, scope: str = ".att-screen") -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"
    assert page.evaluate(STICKING_OUT, scope) == [], "cut off at the right edge"


def sign_in(page, base_url: str, start_path: str, email: str, expected_path: str) -> None:
    """Open a page that needs an account, sign in on the site's form, land back on it."""
    page.goto(base_url + start_path)
    expect(page.locator("input[name=login]")).to_be_visible()
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").last.click()
    page.wait_for_url(base_url + expected_path)


# --- a trainer marks the day on a phone ------------------------------------------------------


def test_a_trainer_marks_the_day_on_a_phone(live_server, new_page):
    session, day = running_session("Evaluarea riscului")
    trainer = trainer_of(session)
    institution = InstitutionFactory(name="DGASPC Cluj")
    stefan = confirmed(session, "Ștefan", "Ionescu", institution=institution)
    maria = confirmed(session, "Maria", "Pop")
    andrei = confirmed(session, "Andrei", "Dumitrescu")
    elena = confirmed(session, "Elena", "Vasilescu")
    ion = confirmed(session, "Ion", "Georgescu")
    assert not trainer.is_superuser and not trainer.is_staff

    page = new_page(**PHONE)
    # The admin sends everybody to the site's sign-in, and back.
    sign_in(page, live_server.url, "/admin/", trainer.email, "/admin/")

    # Take attendance → the session → the day under way.
    page.goto(live_server.url + admin_url("attendance_index"))
    page.locator(
        f"li[data-session='{session.pk}'] a[href$='{admin_url('attendance', session.pk)}']"
    ).tap()
    page.wait_for_url(f"**{admin_url('attendance', session.pk)}")
    day_url = admin_url("attendance_day", session.pk, day.pk)
    page.locator(f"#day-{day.pk} a[href$='{day_url}']").tap()
    page.wait_for_url(f"**{day_url}")

    def row(enrolment):
        return page.locator(f"#row-{enrolment.pk}")

    def counter(name):
        return page.locator(f".att-counters [data-counter='{name}']")

    expect(counter("confirmed")).to_have_text("5")
    expect(counter("unmarked")).to_have_text("5")

    # Nothing is wider than the phone; every tap target is at least 44 px tall.
    fits_the_phone(page)
    targets = page.locator(
        ".att-btn:visible, [data-att-all-present]:visible, #att-q, [data-att-search-submit]:visible"
    )
    assert targets.count() >= 4 * 5 + 1
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box and box["height"] >= 44, (targets.nth(i).evaluate("n => n.outerHTML"), box)

    # "stefan", without the comma below, finds Ștefan (and nobody else).
    page.locator("#att-q").tap()
    page.keyboard.type("stefan")
    expect(row(stefan)).to_be_visible()
    for other in (maria, andrei, elena, ion):
        expect(row(other)).to_be_hidden()

    # Present.
    row(stefan).locator("button.att-btn[value=present]").tap()
    expect(row(stefan).locator("button.att-btn[value=present]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(row(stefan)).to_have_attribute("data-status", "present")
    expect(row(stefan).locator("[data-att-current]")).to_contain_text(capfirst(ro("present")))
    expect(counter("present")).to_have_text("1")
    expect(counter("unmarked")).to_have_text("4")

    # Late / partial: the first tap asks for the minutes, the second one saves.
    page.locator("#att-q").fill("")
    expect(row(maria)).to_be_visible()
    partial = row(maria).locator("button.att-btn[value=partial]")
    partial.tap()
    # 45 minutes fit the shortest day the helper makes (an hour, just before midnight).
    minutes = row(maria).locator("input[name=minutes]")
    expect(minutes).to_be_visible()
    expect(minutes).to_be_focused()
    assert not Attendance.objects.filter(enrolment=maria).exists()
    minutes.fill("45")
    partial.tap()
    expect(row(maria)).to_have_attribute("data-status", "partial")
    expect(row(maria).locator("button.att-btn[value=partial]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(row(maria).locator("[data-att-current]")).to_contain_text("(45 ")
    expect(counter("present")).to_have_text("2")  # late counts as attended

    # Absent.
    row(andrei).locator("button.att-btn[value=absent]").tap()
    expect(row(andrei)).to_have_attribute("data-status", "absent")
    expect(row(andrei).locator("button.att-btn[value=absent]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(counter("absent")).to_have_text("1")
    expect(counter("unmarked")).to_have_text("2")

    # Everybody not yet marked: present; the marks taken stay as they were.
    page.locator("[data-att-all-present]").tap()
    expect(counter("unmarked")).to_have_text("0")
    expect(counter("present")).to_have_text("4")
    expect(counter("absent")).to_have_text("1")
    expect(page.locator("[data-att-all-present]")).to_have_count(0)
    for enrolment in (elena, ion):
        expect(row(enrolment)).to_have_attribute("data-status", "present")
        expect(row(enrolment).locator("button.att-btn[value=present]")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(row(maria)).to_have_attribute("data-status", "partial")
    expect(row(andrei)).to_have_attribute("data-status", "absent")
    # The day's history has a line per mark (its width: see the test below).
    expect(page.locator("[data-att-history] tbody tr")).to_have_count(5)
    fits_the_phone(page, scope="[data-att-list]")

    marks = {
        a.enrolment_id: (a.status, a.minutes, a.method, a.marked_by_id)
        for a in Attendance.objects.filter(day=day)
    }
    assert marks == {
        stefan.pk: (A.PRESENT, None, M.STAFF, trainer.pk),
        maria.pk: (A.PARTIAL, 45, M.STAFF, trainer.pk),
        andrei.pk: (A.ABSENT, None, M.STAFF, trainer.pk),
        elena.pk: (A.PRESENT, None, M.STAFF, trainer.pk),
        ion.pk: (A.PRESENT, None, M.STAFF, trainer.pk),
    }


def test_the_days_history_fits_a_phone(live_server, new_page):
    """The history table scrolls in its own box instead of being cut off."""
    session, day = running_session("Evaluarea riscului")
    trainer = trainer_of(session)
    for i, name in enumerate(("Ștefania", "Mădălina", "Bogdan")):
        attendance_mark(
            enrolment=confirmed(session, name, f"Constantinescu-Rădulescu {i}"),
            day=day,
            status=A.PRESENT if i else A.ABSENT,
            acting_user=trainer,
        )
    page = new_page(**PHONE)
    day_url = admin_url("attendance_day", session.pk, day.pk)
    sign_in(page, live_server.url, day_url, trainer.email, day_url)
    expect(page.locator("[data-att-history] tbody tr")).to_have_count(3)
    fits_the_phone(page)


# --- self check-in with the code on the projector -------------------------------------------


def test_a_participant_checks_in_with_the_projected_code(live_server, new_page, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url  # the address the QR encodes
    session, day = running_session("Managementul de caz")
    trainer = trainer_of(session)
    email = "ioana.muresan@example.org"
    person = PersonFactory(
        first_name="Ioana", last_name="Mureșan", email=email, user=account(email, email)
    )
    enrolment = confirmed(session, professional=person)
    confirmed(session, "Radu", "Tudose")  # a second seat: the count reads 1 / 2

    # The trainer opens a check-in window on the projector.
    projector = new_page(viewport={"width": 1280, "height": 800})
    projector_url = admin_url("attendance_projector", session.pk, day.pk)
    sign_in(projector, live_server.url, projector_url, trainer.email, projector_url)
    projector.locator("form[data-att-open] button[type=submit]").click()
    code_box = projector.locator("[data-att-stage] [data-att-code]")
    expect(code_box).to_be_visible()
    expect(projector.locator("[data-att-stage] [data-counter=attended]")).to_have_text("0")
    # Read off the screen, as the room reads it.
    code = code_box.inner_text().replace(" ", "").replace("\n", "")
    window = CheckInWindow.objects.get(day=day)
    assert code == window.code and len(code) == 6
    assert window.opened_by == trainer
    qr_address = projector.locator(f"a[href$='/prezenta/{code}/']").get_attribute("href")
    assert qr_address == f"{live_server.url}/prezenta/{code}/"

    # The participant, on a phone, signs in and types the code in small letters.
    phone = new_page(**PHONE)
    sign_in(phone, live_server.url, "/prezenta/", person.email, "/prezenta/")
    fits_the_phone(phone, scope="main")
    phone.locator("#checkin-code").fill(code.lower())
    phone.locator("form.checkin__form button[type=submit]").tap()
    done = phone.locator(".checkin__done")
    expect(done.locator("h1")).to_have_text(ro("You are checked in"))
    expect(done.locator(".checkin__done-message")).to_contain_text(session.display_title)
    mark = Attendance.objects.get(enrolment=enrolment)
    assert (mark.day_id, mark.status, mark.method) == (day.pk, A.PRESENT, M.SELF)

    # The projector's count follows (it asks every 5 s).
    expect(projector.locator("[data-att-stage] [data-counter=attended]")).to_have_text(
        "1", timeout=TIMEOUT_MS
    )

    # Scanning the QR again: already checked in, nothing recorded twice.
    phone.goto(qr_address)
    expect(phone.locator(".checkin__done h1")).to_have_text(ro("Already checked in"))
    assert Attendance.objects.filter(enrolment=enrolment).count() == 1
    assert Attendance.objects.count() == 1


# --- a USB scanner at the door ---------------------------------------------------------------


def test_a_usb_scanner_checks_people_in_and_refuses_another_sessions_code(live_server, new_page):
    session, day = running_session("Interventia in situatii de criza")
    trainer = trainer_of(session)
    institution = InstitutionFactory(name="Spitalul Județean Iași")
    andreea = confirmed(session, "Andreea", "Țăranu", institution=institution)
    other_session, _other_day = running_session("Alt curs, alta sala")
    stranger = confirmed(other_session, "Mihai", "Străinu")

    page = new_page(**PHONE)
    scan_url = admin_url("attendance_scan", session.pk, day.pk)
    sign_in(page, live_server.url, scan_url, trainer.email, scan_url)
    field = page.locator("#att-code")
    expect(field).to_be_focused()  # the scanner types into it straight away
    fits_the_phone(page)
    expect(page.locator("[data-counter=attended]")).to_have_text("0")

    # A USB scanner is a keyboard: the code, then Enter.
    page.keyboard.type(andreea.checkin_token)
    page.keyboard.press("Enter")
    panel = page.locator("[data-att-result]")
    expect(panel).to_have_class("att-result att-result--checked_in")
    expect(panel.locator("[data-att-result-name]")).to_have_text(andreea.professional.full_name)
    expect(panel.locator("[data-att-result-institution]")).to_have_text(institution.name)
    expect(page.locator("[data-counter=attended]")).to_have_text("1")
    expect(field).to_be_focused()  # ready for the next one
    expect(field).to_have_value("")
    red, green, blue = rgb(panel)
    assert green > red + 60 and green > blue + 60, "the panel is not green"

    # Somebody from another session: refused, loudly, and nobody is marked.
    page.keyboard.type(stranger.checkin_token)
    page.keyboard.press("Enter")
    expect(panel).to_have_class("att-result att-result--error")
    expect(panel.locator("[data-att-result-name]")).to_have_text("")
    expect(panel.locator("[data-att-result-message]")).to_contain_text(other_session.code)
    red, green, blue = rgb(panel)
    assert red > green + 60 and red > blue + 60, "the panel is not red"
    expect(page.locator("[data-counter=attended]")).to_have_text("1")

    mark = Attendance.objects.get()
    assert (mark.enrolment_id, mark.day_id, mark.status, mark.method, mark.marked_by_id) == (
        andreea.pk,
        day.pk,
        A.PRESENT,
        M.QR,
        trainer.pk,
    )
    assert not Attendance.objects.filter(enrolment=stranger).exists()
