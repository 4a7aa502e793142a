"""The personal link (`evaluare/<token>/`): a participant answers a form without signing in,
is told what is wrong per question, sees their score; the states that stand instead of the form;
an anonymous form's answers keep no link to the person; the page shows nothing about them."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from evaluation import services
from evaluation.models import Invitation, Questionnaire, Response, SessionForm
from sessions.models import Enrolment, TrainingSession
from tests.factories.evaluation import free_text, likert, option_ids, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose
Kind = Questionnaire.Kind


def t(message: str) -> str:
    """A message as the (Romanian, default) site shows it (a template's literal: unescaped)."""
    with translation.override("ro"):
        return translation.gettext(message)


def answer_url(invitation: Invitation) -> str:
    with translation.override("ro"):
        return reverse("evaluation:answer", kwargs={"token": invitation.token})


def enrol(session, **person) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(**person),
        status=Enrolment.Status.CONFIRMED,
        source="staff",
    )


def set_up(session, *, feedback=False, anonymous=True, **test_fields):
    """A knowledge test (and a feedback form) for the session's course, its forms set up."""
    questionnaire(session.course, Kind.TEST, title="Test de cunoștințe", **test_fields)
    if feedback:
        questionnaire(
            session.course,
            Kind.FEEDBACK,
            title="Părerea dumneavoastră",
            anonymous=anonymous,
            questions=[likert("Util?", scale="usefulness"), free_text("Comentarii")],
        )
    return {f.purpose: f for f in services.session_forms_setup(training_session=session)}


def invitation_of(form, enrolment) -> Invitation:
    return Invitation.objects.get(session_form=form, enrolment=enrolment)


def right_answers(version) -> dict:
    """Q1 right (1 point of 1), Q2 half right (1 of 2): 2 of 3, 66.67 %."""
    qid = [q["id"] for q in version.questions]
    return {f"q-{qid[0]}": option_ids(version, 0)[0], f"q-{qid[1]}": option_ids(version, 1)[1]}


@pytest.fixture
def upcoming():
    """A session tomorrow, a participant, the pre-test open."""
    session = make_session(start_in=1, day_count=1, course__title="Evaluarea riscului")
    enrolment = enrol(
        session, first_name="Ioana", last_name="Vlăduțescu", email="ioana@example.org"
    )
    forms = set_up(session)
    return session, enrolment, forms


def test_the_form_shows_its_questions_and_nothing_about_the_person(client, upcoming):
    session, enrolment, forms = upcoming
    version = forms[P.PRE_TEST].version
    response = client.get(answer_url(invitation_of(forms[P.PRE_TEST], enrolment)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Evaluarea riscului" in html
    assert t("Pre-test") in html
    assert "Test de cunoștințe" in html
    # Each question a fieldset with its legend and the fields read_answers reads.
    assert html.count("<fieldset") == 2
    assert "Q1" in html and "Q2" in html
    qid = [q["id"] for q in version.questions]
    assert f'name="q-{qid[0]}" value="{option_ids(version, 0)[0]}"' in html
    assert f'type="checkbox" id="question-{qid[1]}-1" name="q-{qid[1]}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # Nothing personal: not the name, not the address.
    for personal in ("Ioana", "Vlăduțescu", escape("Vlăduțescu"), "ioana@example.org"):
        assert personal not in html


def test_a_likert_question_offers_the_five_labels_of_its_scale(client):
    session = make_session(start_in=-1, day_count=1)
    enrolment = enrol(session)
    forms = set_up(session, feedback=True)
    html = client.get(answer_url(invitation_of(forms[P.FEEDBACK], enrolment))).content.decode()
    qid = forms[P.FEEDBACK].version.questions[0]["id"]
    assert html.count(f'type="radio" id="question-{qid}-') == 5
    for label in (
        "Not at all useful",
        "Slightly useful",
        "Moderately useful",
        "Very useful",
        "Extremely useful",
    ):
        assert t(label) in html
    # The anonymous form says so.
    assert t("Your answers are stored without your name; we only record that you answered.") in html


def test_answering_stores_the_response_and_shows_the_score(client, upcoming):
    _session, enrolment, forms = upcoming
    invitation = invitation_of(forms[P.PRE_TEST], enrolment)
    url = answer_url(invitation)
    response = client.post(url, right_answers(forms[P.PRE_TEST].version))
    assert response.status_code == 302
    assert response.url == f"{url}?done=1"
    stored = Response.objects.get()
    assert stored.enrolment == enrolment
    assert stored.score_percent == Decimal("66.67")
    invitation.refresh_from_db()
    assert invitation.submitted
    html = client.get(response.url).content.decode()
    assert t("Thank you for your answers!") in html
    assert "66,67%" in html  # Romanian decimals
    assert '<form method="post"' not in html


def test_a_missing_required_answer_is_named_per_question_and_nothing_is_stored(client, upcoming):
    _session, enrolment, forms = upcoming
    version = forms[P.PRE_TEST].version
    qid = [q["id"] for q in version.questions]
    first = option_ids(version, 0)[1]
    response = client.post(
        answer_url(invitation_of(forms[P.PRE_TEST], enrolment)), {f"q-{qid[0]}": first}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert Response.objects.count() == 0
    assert not invitation_of(forms[P.PRE_TEST], enrolment).submitted
    # The summary links to the question; the question says what is wrong and points to it.
    assert f'href="#question-{qid[1]}"' in html
    assert f'href="#question-{qid[0]}"' not in html
    assert f'aria-describedby="question-{qid[1]}-error"' in html
    assert f'id="question-{qid[1]}-error"' in html
    assert html.count(t("This question needs an answer.")) == 2  # summary and question
    # The answer given is kept.
    assert f'name="q-{qid[0]}" value="{first}" checked' in html


def test_an_option_not_offered_is_refused(client, upcoming):
    _session, enrolment, forms = upcoming
    version = forms[P.PRE_TEST].version
    data = right_answers(version)
    qid = version.questions[0]["id"]
    data[f"q-{qid}"] = "not-an-option"
    html = client.post(
        answer_url(invitation_of(forms[P.PRE_TEST], enrolment)), data
    ).content.decode()
    assert t("Choose among the options shown.") in html
    assert Response.objects.count() == 0


def test_a_form_is_answered_once(client, upcoming):
    _session, enrolment, forms = upcoming
    url = answer_url(invitation_of(forms[P.PRE_TEST], enrolment))
    data = right_answers(forms[P.PRE_TEST].version)
    client.post(url, data)
    html = client.get(url).content.decode()
    assert t("You already answered this form. Thank you!") in html
    assert "66,67%" in html
    again = client.post(url, data)
    assert again.status_code == 200
    assert Response.objects.count() == 1


def test_a_closed_form_takes_no_answers(client):
    session = make_session(start_in=-2, day_count=1)  # the pre-test closed two days ago
    enrolment = enrol(session)
    forms = set_up(session)
    url = answer_url(invitation_of(forms[P.PRE_TEST], enrolment))
    html = client.get(url).content.decode()
    assert t("This form has closed.") in html
    assert "<fieldset" not in html
    client.post(url, right_answers(forms[P.PRE_TEST].version))
    assert Response.objects.count() == 0


def test_a_form_not_open_yet_says_when_it_opens(client, upcoming):
    session, enrolment, forms = upcoming
    last_day = session.days.get()
    html = client.get(answer_url(invitation_of(forms[P.POST_TEST], enrolment))).content.decode()
    assert t("This form is not open yet.") in html
    # A one-day session: the post-test opens as the pre-test closes, two hours into the day.
    opens = timezone.localtime(last_day.starts_at)
    assert opens.strftime("%H:%M") == "09:00"
    assert "11:00" in html
    assert "<fieldset" not in html


@pytest.mark.parametrize("what", ["registration", "session"])
def test_a_cancelled_registration_or_session_cannot_answer(client, upcoming, what):
    session, enrolment, forms = upcoming
    if what == "registration":
        Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.CANCELLED)
    else:
        TrainingSession.objects.filter(pk=session.pk).update(
            status=TrainingSession.Status.CANCELLED
        )
    url = answer_url(invitation_of(forms[P.PRE_TEST], enrolment))
    html = client.get(url).content.decode()
    assert t("This form is only for the session's participants.") in html
    assert "<fieldset" not in html
    client.post(url, right_answers(forms[P.PRE_TEST].version))
    assert Response.objects.count() == 0


def test_anonymous_feedback_keeps_no_link_to_the_person(client):
    session = make_session(start_in=-1, day_count=1)
    enrolment = enrol(session)
    forms = set_up(session, feedback=True, anonymous=True)
    invitation = invitation_of(forms[P.FEEDBACK], enrolment)
    qid = [q["id"] for q in forms[P.FEEDBACK].version.questions]
    response = client.post(answer_url(invitation), {f"q-{qid[0]}": "4", f"q-{qid[1]}": "Bun"})
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.enrolment is None
    assert stored.submitted_at is None
    assert stored.answers == {qid[0]: 4, qid[1]: "Bun"}
    assert stored.score is None
    invitation.refresh_from_db()
    assert invitation.submitted
    # Nor does the browser's session remember it (its row would say when it was answered).
    assert "evaluation_answered" not in client.session
    html = client.get(response.url).content.decode()
    assert t("Thank you for your answers!") in html


def test_an_unknown_link_is_not_found(client):
    with translation.override("ro"):
        url = reverse("evaluation:answer", kwargs={"token": "nu-exista"})
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize(("minimum", "met"), [(60, True), (70, False)])
def test_a_post_test_says_whether_the_certificate_condition_is_met(client, minimum, met):
    session = make_session(start_in=-1, day_count=1)  # held yesterday: the post-test is open
    enrolment = enrol(session)
    forms = set_up(session, certificate_rule="min_score", certificate_min_score=minimum)
    url = answer_url(invitation_of(forms[P.POST_TEST], enrolment))
    client.post(url, right_answers(forms[P.POST_TEST].version))
    html = client.get(url).content.decode()
    assert "66,67%" in html
    with translation.override("ro"):
        rule = escape(
            translation.gettext("The certificate requires at least %(score)s%% in the post-test.")
            % {"score": minimum}
        )
    assert rule in html
    assert t("Condition met." if met else "Condition not met.") in html


def test_submitting_needs_the_csrf_token(upcoming):
    _session, enrolment, forms = upcoming
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        answer_url(invitation_of(forms[P.PRE_TEST], enrolment)),
        right_answers(forms[P.PRE_TEST].version),
    )
    assert response.status_code == 403
    assert Response.objects.count() == 0


def answered_post_test(client, minimum=60, person=None):
    """A post-test with a certificate condition (at least `minimum` %), answered (66.67 %)
    through its personal link by `client`. Returns the link."""
    session = make_session(start_in=-1, day_count=1)  # held yesterday: the post-test is open
    enrolment = enrol(session)
    if person is not None:
        Enrolment.objects.filter(pk=enrolment.pk).update(professional=person)
        enrolment.refresh_from_db()
    forms = set_up(session, certificate_rule="min_score", certificate_min_score=minimum)
    url = answer_url(invitation_of(forms[P.POST_TEST], enrolment))
    assert client.post(url, right_answers(forms[P.POST_TEST].version)).status_code == 302
    return url


def assert_no_result(html: str) -> None:
    assert t("You already answered this form. Thank you!") in html
    assert "66,67" not in html
    assert "evaluation__score" not in html
    assert "evaluation__condition" not in html
    assert t("Condition met.") not in html
    assert t("Condition not met.") not in html


def test_somebody_else_holding_the_link_sees_no_score_nor_condition(client):
    """A forwarded mail, a shared phone: another browser opening the answered link learns
    only that it was answered."""
    url = answered_post_test(client)
    assert "66,67%" in client.get(url).content.decode()  # the browser that answered it
    assert_no_result(Client().get(url).content.decode())
    # Nor by submitting again from there.
    assert_no_result(Client().post(url, {}).content.decode())


def test_somebody_signed_in_sees_the_result_only_of_their_own_registration(client):
    owner = PersonFactory()
    url = answered_post_test(client, person=owner)
    own = Client()
    own.force_login(owner.user)
    html = own.get(url).content.decode()
    assert "66,67%" in html
    assert t("Condition met.") in html
    stranger = Client()
    stranger.force_login(PersonFactory().user)
    assert_no_result(stranger.get(url).content.decode())


def test_a_token_or_room_code_with_a_nul_byte_is_not_found(client, upcoming):
    _session, enrolment, forms = upcoming
    token = invitation_of(forms[P.PRE_TEST], enrolment).token
    assert client.get(f"/evaluare/{token[:5]}%00{token[5:]}/").status_code == 404
    assert client.post(f"/evaluare/%00{token}/", {}).status_code == 404
    client.force_login(PersonFactory().user)
    code = forms[P.PRE_TEST].code
    assert client.get(f"/evaluare/sesiune/{code[:3]}%00{code[3:]}/").status_code == 404
    assert client.get("/evaluare/sesiune/%00/").status_code == 404


def test_a_nul_byte_in_a_free_text_answer_is_dropped(client):
    session = make_session(start_in=-1, day_count=1)
    enrolment = enrol(session)
    forms = set_up(session, feedback=True, anonymous=False)
    qid = [q["id"] for q in forms[P.FEEDBACK].version.questions]
    response = client.post(
        answer_url(invitation_of(forms[P.FEEDBACK], enrolment)),
        {f"q-{qid[0]}": "4", f"q-{qid[1]}": "Foarte\x00 bun\x00"},
    )
    assert response.status_code == 302
    assert Response.objects.get().answers == {qid[0]: 4, qid[1]: "Foarte bun"}


def hidden_version(html: str) -> str:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)">', html)
    assert match, "the answer page posts the version it shows"
    return match.group(1)


def test_a_form_made_named_after_it_was_opened_refuses_the_answer_given_as_anonymous(
    client, django_user_model
):
    """The page promised anonymity; staff then made the feedback named and moved the session
    to that version. The answer sent from the open page is not stored with the person: the
    page shows again, with the new notice and the answers still filled in."""
    session = make_session(start_in=-1, day_count=1)
    enrolment = enrol(session)
    forms = set_up(session, feedback=True, anonymous=True)
    invitation = invitation_of(forms[P.FEEDBACK], enrolment)
    url = answer_url(invitation)
    opened = client.get(url).content.decode()
    assert t("This form is anonymous.") in opened
    shown = hidden_version(opened)

    feedback = forms[P.FEEDBACK].version.questionnaire
    feedback.anonymous = False
    services.questionnaire_save(questionnaire=feedback, acting_user=None)
    staff = django_user_model.objects.create_superuser("coordonator", "c@example.org", "x")
    assert services.session_forms_update_versions(training_session=session, acting_user=staff)

    qid = [q["id"] for q in forms[P.FEEDBACK].version.questions]
    given = {"version": shown, f"q-{qid[0]}": "4", f"q-{qid[1]}": "Formatoare foarte bună"}
    response = client.post(url, given)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        escape(t("This form changed since you opened it: read it again, then send your answers."))
        in html
    )
    assert t("This form is anonymous.") not in html
    assert "Formatoare foarte bună" in html  # nothing given is lost
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert not invitation.submitted

    # Sent again from the page as it is now, the answer is stored, named as the page says.
    given["version"] = hidden_version(html)
    assert client.post(url, given).status_code == 302
    assert Response.objects.get().enrolment == enrolment


def test_an_answer_to_a_form_dropped_meanwhile_is_told_the_form_closed(client):
    session = make_session(start_in=-1, day_count=1)
    enrolment = enrol(session)
    forms = set_up(session, feedback=True)
    invitation = invitation_of(forms[P.FEEDBACK], enrolment)
    url = answer_url(invitation)
    shown = hidden_version(client.get(url).content.decode())
    stale = Invitation.objects.get(pk=invitation.pk)
    services.session_forms_setup(training_session=session, purposes=["pre_test", "post_test"])
    with pytest.raises(ValidationError) as excinfo:
        services.response_submit(invitation=stale, data={"version": shown}, shown_version=shown)
    assert excinfo.value.code == "closed"
    assert not Response.objects.exists()
