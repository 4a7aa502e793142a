"""The whole course, as its people live it: the periodic sweep sets the session's forms up and
mails the pre-test; each participant answers it through the link in their mail; the session is
held; the sweep mails the post-test and the feedback form in one mail; they answer both; ANES
reads the learning gain per profession on the evaluation dashboard.

Ten participants: five social workers go from 1 of 3 points (33.33 %) to 3 of 3 (100 %), five
psychologists stay at 2 of 3 (66.67 %). Expected, by hand: social workers 33.3 → 100.0, gain
66.7 points, normalised gain (100 − 33.33) / (100 − 33.33) = 1.00, all improved; psychologists
66.7 → 66.7, gain 0.0, g 0.00, nobody improved."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from evaluation.models import Invitation, Questionnaire, Response
from sessions.models import Enrolment, SessionDay
from tests.factories.evaluation import free_text, likert, option_ids, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory
from tests.reports.test_dashboard import reader
from tests.reports.test_evaluation_dashboard import ANES, get, soup
from training.models import ProfessionalCategory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

LINK = re.compile(r"https?://[^/\s]+(/evaluare/[A-Za-z0-9_-]+/)")


def links_by_person() -> dict[str, list[str]]:
    """The evaluation links each address received, in the order of the mails."""
    found: dict[str, list[str]] = {}
    for message in mail.outbox:
        (to,) = message.to
        found.setdefault(to, []).extend(LINK.findall(message.body))
    mail.outbox.clear()
    return found


def answer(link: str, choose) -> None:
    """Open the link as the participant would, then send what `choose` picks for each question
    of the form the page shows."""
    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200
    version = page.context["version"]
    data = {"version": str(version.pk), **choose(version)}
    assert browser.post(link, data).status_code == 302  # to the thank-you page


def one_of_three(version) -> dict:  # Q1 wrong, Q2 half right: 1 point of 3
    return {f"q-{version.questions[0]['id']}": option_ids(version, 0)[1]} | half_q2(version)


def two_of_three(version) -> dict:  # Q1 right, Q2 half right
    return {f"q-{version.questions[0]['id']}": option_ids(version, 0)[0]} | half_q2(version)


def three_of_three(version) -> dict:
    q2 = version.questions[1]["id"]
    return {
        f"q-{version.questions[0]['id']}": option_ids(version, 0)[0],
        f"q-{q2}": option_ids(version, 1)[1:],
    }


def half_q2(version) -> dict:
    return {f"q-{version.questions[1]['id']}": option_ids(version, 1)[1]}


def feedback(version) -> dict:
    useful, comments = (q["id"] for q in version.questions)
    return {f"q-{useful}": "5", f"q-{comments}": "Foarte util"}


def test_pre_test_session_post_test_feedback_then_gain_per_profession_on_the_dashboard():
    session = make_session(start_in=1, day_count=2)
    questionnaire(session.course, Questionnaire.Kind.TEST, title="Test de cunoștințe")
    questionnaire(
        session.course,
        Questionnaire.Kind.FEEDBACK,
        title="Părerea dumneavoastră",
        anonymous=True,
        questions=[likert("Util?", scale="usefulness"), free_text("Comentarii")],
    )
    social = ProfessionalCategory.objects.get(name="asistent social")
    psych = ProfessionalCategory.objects.get(name="psiholog")
    people = {}
    for index in range(10):
        category = social if index < 5 else psych
        person = ProfessionalFactory(category=category, email=f"participant{index}@example.org")
        Enrolment.objects.create(
            training_session=session, professional=person, status="confirmed", source="self"
        )
        people[person.email] = category

    # Before the session: the sweep sets the forms up and mails each participant the pre-test.
    call_command("evaluation_due", stdout=io.StringIO())
    pre_links = links_by_person()
    assert set(pre_links) == set(people)
    for email, (link,) in pre_links.items():
        answer(link, one_of_three if people[email] == social else two_of_three)

    # The session is held (its two days are now behind us); the sweep mails the post-test
    # and the feedback, in one mail.
    for shift, day in enumerate(session.days.order_by("starts_at")):
        SessionDay.objects.filter(pk=day.pk).update(
            starts_at=day.starts_at - datetime.timedelta(days=4) + datetime.timedelta(days=shift),
            ends_at=day.ends_at - datetime.timedelta(days=4) + datetime.timedelta(days=shift),
        )
    call_command("evaluation_due", stdout=io.StringIO())
    after_links = links_by_person()
    assert set(after_links) == set(people)
    for email, links in after_links.items():
        assert len(links) == 2
        for link in links:
            purpose = Invitation.objects.get(token=link.split("/")[-2]).session_form.purpose
            if purpose == "feedback":
                answer(link, feedback)
            else:
                answer(link, three_of_three if people[email] == social else two_of_three)

    # Every answer is in: 10 pre-tests, 10 post-tests (named), 10 anonymous feedbacks.
    assert Response.objects.filter(enrolment__isnull=False).count() == 20
    assert Response.objects.filter(enrolment__isnull=True).count() == 10

    # ANES reads the learning gain per profession.
    page = soup(get(Client(), reader(*ANES), "?group_by=professional_category"))
    rows = {tr["data-group"]: tr for tr in page.select("[data-group-table] tbody tr")}
    assert set(rows) == {str(social.pk), str(psych.pk)}
    shown = {
        name: (
            tr.select_one("[data-paired]").get_text(strip=True),
            tr.select_one("[data-pre-post]").get_text(strip=True),
            tr.select_one("[data-gain]").get_text(strip=True),
            tr.select_one("[data-g]").get_text(strip=True),
            tr.select_one("[data-improved]").get_text(strip=True),
            tr.select_one("[data-form=feedback]").get_text(strip=True),
        )
        for name, tr in rows.items()
    }
    assert shown == {
        str(social.pk): ("5", "33.3 → 100.0", "66.7", "1.00", "100.0%", "5 / 5 (100.0%)"),
        str(psych.pk): ("5", "66.7 → 66.7", "0.0", "0.00", "0.0%", "5 / 5 (100.0%)"),
    }
