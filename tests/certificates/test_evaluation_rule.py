"""The course's post-test condition on the certificate (evaluation.Questionnaire's
certificate_rule): none changes nothing; "submitted" needs the post-test answered; "min_score"
needs its score at or above the minimum. Issuing, re-issuing and the issue screen's reasons
follow it; a person who missed the attendance rule is told that first. The condition applies
only to a session that runs a post-test: elsewhere the completion rule alone decides. While
the post-test is open, the issue screen warns; an issue run issues to those owed a certificate
when it starts."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from certificates import selectors
from certificates import services as certificate_services
from certificates.models import Certificate, IssueRun
from certificates.services import CertificateError, certificate_issue_all, certificate_reissue
from evaluation import services
from evaluation.models import Invitation, Questionnaire, SessionForm
from sessions.models import SessionDay
from tests.certificates.conftest import held_session
from tests.factories.evaluation import choice, questionnaire

pytestmark = pytest.mark.django_db

NOT_SUBMITTED = "The post-test was not submitted."
BELOW = "Post-test score %(score)s %% is below the %(minimum)s %% needed."
ATTENDANCE = "Did not meet the completion rule: attended %(attended)s days, %(needed)s needed."
STILL_OPEN = (
    "The post-test is open until %(date)s: people who meet the condition after you issue get "
    "their certificate from a later issue run."
)


def ro(message: str, **params) -> str:
    with translation.override("ro"):
        text = translation.gettext(message)
    return text % params if params else text


def with_test(held, rule="", minimum=None) -> SessionForm:
    """The course gets a four-question test (one point each: 25 % a right answer) with `rule`;
    the session runs its pre- and post-test. Returns the post-test."""
    questionnaire(
        held.session.course,
        questions=[
            choice(f"Întrebarea {n}", [("corect", True), ("greșit", False)]) for n in "1234"
        ],
        certificate_rule=rule,
        certificate_min_score=minimum,
    )
    forms = services.session_forms_setup(training_session=held.session)
    return next(f for f in forms if f.purpose == SessionForm.Purpose.POST_TEST)


def answer(post: SessionForm, enrolment, right: int) -> None:
    """The participant answers the post-test with `right` of four questions right."""
    invitation = Invitation.objects.get(session_form=post, enrolment=enrolment)
    data = {}
    for n, question in enumerate(post.version.questions):
        good, bad = (option["id"] for option in question["options"])
        data[f"q-{question['id']}"] = [good if n < right else bad]
    services.response_submit(invitation=invitation, data=data)


def eligible(held) -> set[int]:
    session = type(held.session).objects.get(pk=held.session.pk)
    return set(selectors.eligible_enrolments(training_session=session).values_list("pk", flat=True))


def earned(enrolment) -> bool:
    return selectors.certificate_earned(enrolment=type(enrolment).objects.get(pk=enrolment.pk))


def test_no_rule_changes_nothing(staff_user):
    held = held_session(staff_user, participants=2)
    post = with_test(held)  # a test, no condition; nobody answered the post-test
    answer(post, held.completed[0], right=1)
    assert eligible(held) == {e.pk for e in held.completed}
    assert earned(held.completed[1])


def test_submitted_rule_needs_the_post_test(staff_user):
    held = held_session(staff_user, participants=2)
    post = with_test(held, rule=Questionnaire.CertificateRule.SUBMITTED)
    answered, silent = held.completed
    answer(post, answered, right=0)  # any score will do
    answer(post, held.absent, right=4)  # answered, but missed the attendance rule
    assert eligible(held) == {answered.pk}
    assert earned(answered)
    assert not earned(silent)
    assert not earned(held.absent)


def test_min_score_below_exactly_at_and_above(staff_user):
    held = held_session(staff_user, participants=4)
    post = with_test(held, rule=Questionnaire.CertificateRule.MIN_SCORE, minimum=50)
    below, at, above, silent = held.completed
    answer(post, below, right=1)  # 25 %
    answer(post, at, right=2)  # 50 %
    answer(post, above, right=3)  # 75 %
    assert eligible(held) == {at.pk, above.pk}
    assert [earned(e) for e in held.completed] == [
        False,
        True,
        True,
        False,
    ]


def test_issuing_gives_certificates_only_to_those_meeting_the_rule(staff_user):
    held = held_session(staff_user, participants=3)
    post = with_test(held, rule=Questionnaire.CertificateRule.MIN_SCORE, minimum=75)
    first, second, third = held.completed
    answer(post, first, right=4)
    answer(post, second, right=2)
    issued = certificate_issue_all(training_session=held.session, acting_user=staff_user)
    assert issued == 1
    assert set(Certificate.objects.values_list("enrolment_id", flat=True)) == {first.pk}


def test_reissue_is_refused_once_the_rule_is_not_met(staff_user):
    held = held_session(staff_user, participants=1)
    test = questionnaire(
        held.session.course,
        questions=[choice("Întrebarea 1", [("corect", True), ("greșit", False)])],
    )
    services.session_forms_setup(training_session=held.session)
    certificate_issue_all(training_session=held.session, acting_user=staff_user)
    certificate = Certificate.objects.get()
    # The course now requires the post-test, which the holder never answered.
    test.certificate_rule = Questionnaire.CertificateRule.SUBMITTED
    services.questionnaire_save(questionnaire=test, acting_user=staff_user)
    with pytest.raises(CertificateError):
        certificate_reissue(certificate=certificate, reason="Nume corectat", acting_user=staff_user)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_the_issue_screen_gives_the_post_test_reasons(admin_client, staff_user):
    held = held_session(staff_user, participants=3)
    post = with_test(held, rule=Questionnaire.CertificateRule.MIN_SCORE, minimum=60)
    passed, failed, silent = held.completed
    answer(post, passed, right=3)  # 75 %
    answer(post, failed, right=2)  # 50 %
    answer(post, held.absent, right=4)  # passed the test, missed the attendance rule
    page = admin_client.get(f"/admin/certificates/session/{held.session.pk}/issue/")
    page = page.content.decode()

    def reason_of(enrolment) -> str:
        start = page.index(f'data-enrolment="{enrolment.pk}"')
        return page[start : page.index("</li>", start)]

    assert f'data-enrolment="{passed.pk}"' in page
    assert escape(ro(BELOW, score="50", minimum=60)) in reason_of(failed)
    assert escape(ro(NOT_SUBMITTED)) in reason_of(silent)
    assert escape(ro(ATTENDANCE, attended=0, needed=2)) in reason_of(held.absent)
    assert escape(ro(NOT_SUBMITTED)) not in reason_of(held.absent)


def test_the_issue_screen_query_count_does_not_grow_with_the_rule(admin_client, staff_user):
    counts = []
    for participants in (2, 5):
        held = held_session(staff_user, participants=participants)
        post = with_test(held, rule=Questionnaire.CertificateRule.MIN_SCORE, minimum=60)
        for n, enrolment in enumerate(held.completed):
            answer(post, enrolment, right=n % 4)
        url = f"/admin/certificates/session/{held.session.pk}/issue/"
        admin_client.get(url)  # warm caches (site, settings)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- sessions without a post-test ----------------------------------------------------------


def set_rule(test: Questionnaire, rule, minimum=None, user=None) -> None:
    test.certificate_rule = rule
    test.certificate_min_score = minimum
    services.questionnaire_save(questionnaire=test, acting_user=user)


def issue_page(client, held) -> str:
    return client.get(f"/admin/certificates/session/{held.session.pk}/issue/").content.decode()


def one_question_test(course) -> Questionnaire:
    return questionnaire(
        course, questions=[choice("Întrebarea 1", [("corect", True), ("greșit", False)])]
    )


def test_a_session_set_up_without_a_post_test_keeps_the_completion_rule(staff_user):
    held = held_session(staff_user, participants=2)
    test = one_question_test(held.session.course)
    questionnaire(held.session.course, kind=Questionnaire.Kind.FEEDBACK)
    services.session_forms_setup(
        training_session=held.session, purposes=[SessionForm.Purpose.FEEDBACK]
    )
    certificate_issue_all(training_session=held.session, acting_user=staff_user)
    # Later the course makes the post-test a condition; this session ran none.
    set_rule(test, Questionnaire.CertificateRule.MIN_SCORE, minimum=50)

    assert eligible(held) == {e.pk for e in held.completed}
    assert earned(held.completed[1])
    certificate = Certificate.objects.get(enrolment=held.completed[0])
    new = certificate_reissue(
        certificate=certificate, reason="Nume corectat", acting_user=staff_user
    )
    assert new.enrolment_id == held.completed[0].pk


def test_a_session_never_set_up_keeps_the_completion_rule(admin_client, staff_user):
    held = held_session(staff_user, participants=2)
    one_question_test(held.session.course)
    set_rule(Questionnaire.objects.get(), Questionnaire.CertificateRule.SUBMITTED)

    assert eligible(held) == {e.pk for e in held.completed}
    assert earned(held.completed[0])
    page = issue_page(admin_client, held)
    for enrolment in held.completed:
        assert f'data-enrolment="{enrolment.pk}"' in page
    assert escape(ro(NOT_SUBMITTED)) not in page
    assert "data-post-test-open" not in page
    assert certificate_issue_all(training_session=held.session, acting_user=staff_user) == 2


def test_a_session_that_runs_the_post_test_follows_the_rule(admin_client, staff_user):
    held = held_session(staff_user, participants=2)
    post = with_test(held, rule=Questionnaire.CertificateRule.SUBMITTED)
    answered, silent = held.completed
    answer(post, answered, right=1)
    assert eligible(held) == {answered.pk}
    assert not earned(silent)
    page = issue_page(admin_client, held)
    start = page.index(f'data-enrolment="{silent.pk}"')
    assert escape(ro(NOT_SUBMITTED)) in page[start : page.index("</li>", start)]


# --- issuing while the post-test is open ---------------------------------------------------


def test_the_issue_screen_warns_while_the_post_test_is_open(admin_client, staff_user):
    held = held_session(staff_user, participants=2)  # its days were 4 and 3 days ago
    post = with_test(held, rule=Questionnaire.CertificateRule.SUBMITTED)
    answer(post, held.completed[0], right=4)
    last_day = SessionDay.objects.filter(training_session=held.session).latest("ends_at")
    closes = timezone.localtime(last_day.ends_at + datetime.timedelta(days=14))
    page = issue_page(admin_client, held)
    assert "data-post-test-open" in page
    assert escape(ro(STILL_OPEN, date=f"{closes:%d.%m.%Y, %H:%M}")) in page
    assert 'type="submit"' in page  # a warning, not a refusal

    # The same session a month later: the post-test has closed.
    SessionDay.objects.filter(training_session=held.session).update(
        starts_at=F("starts_at") - datetime.timedelta(days=30),
        ends_at=F("ends_at") - datetime.timedelta(days=30),
    )
    page = issue_page(admin_client, held)
    assert "data-post-test-open" not in page
    assert escape(ro(STILL_OPEN, date="")[:30]) not in page
    assert 'type="submit"' in page


def test_no_warning_when_the_open_post_test_sets_no_condition(admin_client, staff_user):
    held = held_session(staff_user, participants=1)
    with_test(held)  # the post-test is open, but the certificate does not depend on it
    assert "data-post-test-open" not in issue_page(admin_client, held)


# --- an issue run and people who become eligible while it works ----------------------------


def test_a_run_issues_to_those_owed_when_it_starts(
    staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    held = held_session(staff_user, participants=3)
    post = with_test(held, rule=Questionnaire.CertificateRule.SUBMITTED)
    first, second, late = held.completed
    answer(post, first, right=1)
    answer(post, second, right=1)
    monkeypatch.setattr(certificate_services, "CHUNK_SIZE", 1)
    real_chunk = certificate_services.certificate_issue_chunk
    chunks = []

    def late_answer_after_the_first_chunk(**kwargs):
        issued = real_chunk(**kwargs)
        chunks.append(len(issued))
        if len(chunks) == 1:
            answer(post, late, right=1)  # meets the condition while the run works
        return issued

    monkeypatch.setattr(
        certificate_services, "certificate_issue_chunk", late_answer_after_the_first_chunk
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = certificate_services.issue_run_start(
            training_session=held.session, acting_user=staff_user
        )
    run.refresh_from_db()
    assert (run.status, run.total, run.issued) == (IssueRun.Status.DONE, 2, 2)
    assert set(Certificate.objects.values_list("enrolment_id", flat=True)) == {
        first.pk,
        second.pk,
    }

    with django_capture_on_commit_callbacks(execute=True):
        later = certificate_services.issue_run_start(
            training_session=held.session, acting_user=staff_user
        )
    later.refresh_from_db()
    assert (later.status, later.total, later.issued) == (IssueRun.Status.DONE, 1, 1)
    assert Certificate.objects.filter(enrolment=late).exists()


def test_a_run_counts_who_is_owed_when_it_starts_not_when_it_was_queued(staff_user):
    held = held_session(staff_user, participants=2)
    post = with_test(held, rule=Questionnaire.CertificateRule.SUBMITTED)
    first, second = held.completed
    answer(post, first, right=1)
    run = certificate_services.issue_run_start(
        training_session=held.session, acting_user=staff_user
    )  # queued: its task runs once the request commits (not here)
    assert run.total == 1
    answer(post, second, right=1)  # before the run starts working
    run = certificate_services.issue_run_execute(run=IssueRun.objects.get(pk=run.pk))
    assert (run.status, run.total, run.issued) == (IssueRun.Status.DONE, 2, 2)
