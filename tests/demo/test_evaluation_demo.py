"""The demo's evaluation (issue 11): the trainings have a knowledge test, an anonymous feedback
form and a follow-up survey; the completed sessions' participants answered them, learning
more in some professions than in others; the demo participant has a pre-test waiting."""

import io
from collections import defaultdict
from statistics import mean

import pytest
from django.core.management import call_command

from evaluation.models import Invitation, Questionnaire, Response, SessionForm
from evaluation.selectors import forms_for_enrolments
from sessions.models import Enrolment

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose


def test_the_demo_evaluates_its_trainings_and_a_pre_test_waits_for_the_participant(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    # Three questionnaires per evaluated course, in Romanian with comma-below letters.
    for code in ("SIS-01", "SIS-02", "EIL-01"):
        kinds = set(Questionnaire.objects.filter(course__code=code).values_list("kind", flat=True))
        assert kinds == {"test", "feedback", "follow_up"}
    test = Questionnaire.objects.filter(kind="test").first()
    version = test.versions.get()
    assert 8 <= len(version.questions) <= 10
    assert any(q["type"] == "multiple" for q in version.questions)
    assert all(any(o["correct"] for o in q["options"]) for q in version.questions)
    text = " ".join(q["text"] for q in version.questions)
    assert "217/2003" in text and "Istanbul" in text and "ordinul de protecție" in text
    assert not any(ch in text for ch in "şţŞŢ")
    feedback = Questionnaire.objects.filter(kind="feedback").first().versions.get()
    assert feedback.anonymous
    assert [q["type"] for q in feedback.questions].count("likert") == 5
    assert [q["type"] for q in feedback.questions].count("text") == 2

    # Pre- and post-test scores paired per person: lower before, in several professions.
    scores = defaultdict(dict)
    for purpose, enrolment_id, category, percent in Response.objects.filter(
        session_form__purpose__in=(P.PRE_TEST, P.POST_TEST)
    ).values_list(
        "session_form__purpose",
        "enrolment_id",
        "enrolment__professional__category__name",
        "score_percent",
    ):
        scores[(enrolment_id, category)][purpose] = float(percent)
    pairs = defaultdict(list)
    for (_, category), both in scores.items():
        if len(both) == 2:
            pairs[category].append((both[P.PRE_TEST], both[P.POST_TEST]))
    big = {c: p for c, p in pairs.items() if len(p) >= 5}
    assert len(big) >= 3
    gains = {}
    for category, values in big.items():
        before, after = mean(v[0] for v in values), mean(v[1] for v in values)
        assert before < after, category
        gains[category] = after - before
    assert max(gains.values()) - min(gains.values()) > 3  # it differs by profession
    assert len({round(p[0]) for values in big.values() for p in values}) > 5  # a spread

    # About four in five answered each form of the completed sessions.
    post = SessionForm.objects.filter(purpose=P.POST_TEST, training_session__status="completed")
    invited = Invitation.objects.filter(session_form__in=post)
    rate = invited.filter(submitted=True).count() / invited.count()
    assert 0.6 < rate < 0.95
    # Anonymous feedback: no link, varied ratings, some comments.
    anonymous = Response.objects.filter(session_form__purpose=P.FEEDBACK)
    assert anonymous.exists()
    assert not anonymous.filter(enrolment__isnull=False).exists()
    assert not anonymous.filter(submitted_at__isnull=False).exists()
    first_likert = feedback.questions[0]["id"]
    ratings = {r.answers.get(first_likert) for r in anonymous if r.version_id == feedback.pk}
    assert len(ratings) >= 3
    texts = [
        value for r in anonymous for value in r.answers.values() if isinstance(value, str) and value
    ]
    assert len(texts) >= 3

    # The demo participant: a coming training with the pre-test open, not yet answered.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(professional__isnull=False, username="participant.demo")
    enrolments = list(
        Enrolment.objects.filter(professional__user=user).select_related("training_session")
    )
    pending = [
        item
        for items in forms_for_enrolments(enrolments=enrolments).values()
        for item in items
        if item.session_form.purpose == P.PRE_TEST and not item.answered
    ]
    assert len(pending) == 1
    assert pending[0].session_form.training_session.status == "published"

    # Idempotent: running the evaluation part again (as a second seeding does) adds nothing.
    from demo.evaluation import build_evaluation, participant_pre_test
    from demo.seed import Report

    counts = (Response.objects.count(), Invitation.objects.count(), Enrolment.objects.count())
    report = Report({})
    build_evaluation(acting_user=None, report=report)
    participant_pre_test(professional=user.professional, report=report)
    assert report.created == {}
    assert (Response.objects.count(), Invitation.objects.count(), Enrolment.objects.count()) == (
        counts
    )
