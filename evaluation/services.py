"""Writing evaluation: saving a questionnaire (a new version when what respondents see
changes), setting up a session's forms (pinned to versions), inviting its participants, and
submitting a response. Keyword-only; staff writes take `acting_user` and are audit-logged.
Submissions are not logged: an anonymous form's answering must leave no trace with a time."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from evaluation import questions as q
from evaluation.models import (
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SessionForm,
    SessionSetup,
)
from evaluation.selectors import (
    PURPOSE_KIND,
    PURPOSE_ORDER,
    course_questionnaires,
    default_purposes,
    eligible_enrolments,
    latest_version,
    window_of,
)
from sessions.models import Enrolment, TrainingSession

P = SessionForm.Purpose
Kind = Questionnaire.Kind
Rule = Questionnaire.CertificateRule


def questionnaire_validate(questionnaire: Questionnaire) -> None:
    """The rules a questionnaire must meet, as field errors."""
    errors = {}
    questions = q.snapshot(questionnaire.questions)
    if questionnaire.kind == Kind.TEST:
        if questionnaire.anonymous:
            errors["anonymous"] = _(
                "A knowledge test cannot be anonymous: its pre- and post-test scores are "
                "paired per participant."
            )
        if not any(q.is_scored(question) for question in questions):
            errors["questions"] = _(
                "A knowledge test needs at least one choice question with a correct answer."
            )
        elif not q.max_score(questions):
            errors["questions"] = _(
                "A knowledge test needs points: give its scored questions more than 0 points."
            )
        if questionnaire.certificate_rule == Rule.MIN_SCORE and (
            questionnaire.certificate_min_score in (None, 0)
        ):
            errors["certificate_min_score"] = _("Give the minimum score, from 1 to 100 %.")
    elif questionnaire.certificate_rule:
        errors["certificate_rule"] = _("Only a knowledge test can set a certificate condition.")
    if (
        questionnaire.certificate_min_score is not None
        and questionnaire.certificate_min_score > 100
    ):
        errors["certificate_min_score"] = _("Give the minimum score, from 1 to 100 %.")
    if questionnaire.kind == Kind.FOLLOW_UP and not 1 <= questionnaire.follow_up_months <= 36:
        errors["follow_up_months"] = _("Between 1 and 36 months.")
    if questionnaire.pk is not None:
        stored = Questionnaire.objects.filter(pk=questionnaire.pk).values("course", "kind").first()
        in_use = SessionForm.objects.filter(version__questionnaire=questionnaire).exists()
        if stored and in_use:
            if stored["course"] != questionnaire.course_id:
                errors["course"] = _(
                    "Sessions use this questionnaire: its course cannot change. Make a new "
                    "questionnaire for the other course."
                )
            if stored["kind"] != questionnaire.kind:
                errors["kind"] = _("Sessions use this questionnaire: its kind cannot change.")
    if errors:
        raise ValidationError(errors)


def _content(questionnaire: Questionnaire) -> dict:
    return {
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "questions": q.snapshot(questionnaire.questions),
        "anonymous": questionnaire.anonymous,
        # Only a follow-up survey's timing is part of it (other kinds keep the default).
        "follow_up_months": questionnaire.follow_up_months
        if questionnaire.kind == Kind.FOLLOW_UP
        else Questionnaire._meta.get_field("follow_up_months").default,
    }


def _version_content(version: QuestionnaireVersion) -> dict:
    return {
        "title": version.title,
        "intro": version.intro,
        "questions": version.questions,
        "anonymous": version.anonymous,
        "follow_up_months": version.follow_up_months,
    }


@transaction.atomic
def questionnaire_save(*, questionnaire: Questionnaire, acting_user) -> QuestionnaireVersion:
    """Save the questionnaire; when its title, introduction, questions or anonymity differ
    from its latest version, freeze them as the next version. Returns the latest version.
    Sessions already set up keep the version they use."""
    questionnaire_validate(questionnaire)
    if questionnaire.kind != Kind.TEST:
        questionnaire.certificate_rule = ""
        questionnaire.certificate_min_score = None
    elif questionnaire.certificate_rule != Rule.MIN_SCORE:
        questionnaire.certificate_min_score = None
    is_new = questionnaire.pk is None
    questionnaire.save()
    # Re-read the questions: the ids of new blocks and options are given as they are stored.
    questionnaire.questions = (
        Questionnaire.objects.filter(pk=questionnaire.pk).values_list("questions", flat=True).get()
    )
    content = _content(questionnaire)
    latest = (
        QuestionnaireVersion.objects.select_for_update()
        .filter(questionnaire=questionnaire)
        .order_by("-number")
        .first()
    )
    if latest is not None and json.dumps(_version_content(latest), sort_keys=True) == json.dumps(
        content, sort_keys=True
    ):
        log(instance=questionnaire, action="wagtail.edit", user=acting_user)
        return latest
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=(latest.number + 1) if latest else 1,
        max_score=q.max_score(content["questions"]),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        **content,
    )
    log(
        instance=questionnaire,
        action="wagtail.create" if is_new else "formativ.evaluation.version",
        user=acting_user,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def questionnaire_delete(*, questionnaire: Questionnaire, acting_user) -> None:
    """Delete a questionnaire no session uses, with its versions; ValidationError when a
    session form is pinned to one of its versions (its answers refer to it)."""
    if SessionForm.objects.filter(version__questionnaire=questionnaire).exists():
        raise ValidationError(
            _("“%(object)s” is used by the evaluation forms of sessions, so it cannot be deleted.")
            % {"object": questionnaire}
        )
    log(instance=questionnaire, action="wagtail.delete", user=acting_user)
    QuestionnaireVersion.objects.filter(questionnaire=questionnaire).delete()
    questionnaire.delete()


def _locked(training_session: TrainingSession) -> TrainingSession:
    return TrainingSession.objects.select_for_update().get(pk=training_session.pk)


@transaction.atomic
def session_forms_setup(
    *, training_session: TrainingSession, purposes=None, acting_user=None
) -> list[SessionForm]:
    """Set which forms the session runs: `purposes` (None: the course's defaults). New forms
    are pinned to the latest version of the course's questionnaire; the pre-test and the
    post-test share one version. A form with answers cannot be dropped, nor the post-test of a
    course whose certificate depends on it. Invites the confirmed participants of new forms."""
    session = _locked(training_session)
    SessionSetup.objects.update_or_create(
        training_session=session,
        defaults={"set_up_by": acting_user if getattr(acting_user, "pk", None) else None},
    )
    available = course_questionnaires(course=session.course)
    wanted = set(default_purposes(course=session.course) if purposes is None else purposes)
    errors = []
    for purpose in wanted:
        if purpose not in P.values:
            raise ValidationError(_("Unknown form."))
        if PURPOSE_KIND[purpose] not in available:
            errors.append(
                _("The course has no %(kind)s yet: add it under Evaluation › Questionnaires.")
                % {"kind": Kind(PURPOSE_KIND[purpose]).label}
            )
    test = available.get(Kind.TEST)
    if test is not None and test.certificate_rule and P.POST_TEST not in wanted:
        errors.append(
            _("The course's certificate requires the post-test: it cannot be turned off.")
        )
    existing = {f.purpose: f for f in SessionForm.objects.filter(training_session=session)}
    dropped = [f for purpose, f in existing.items() if purpose not in wanted]
    for form in dropped:
        if form.responses.exists():
            errors.append(
                _("The %(form)s already has answers: it cannot be turned off.")
                % {"form": form.get_purpose_display()}
            )
    if errors:
        raise ValidationError(errors)
    for form in dropped:
        # Lock the form, then look again: an answer may have come in since the check above.
        SessionForm.objects.select_for_update(of=("self",)).filter(pk=form.pk).order_by().first()
        if form.responses.exists():
            raise ValidationError(
                _("The %(form)s already has answers: it cannot be turned off.")
                % {"form": form.get_purpose_display()}
            )
        form.invitations.all().delete()
        form.delete()
    created = []
    for purpose in sorted(wanted - set(existing), key=PURPOSE_ORDER.index):
        version = None
        if PURPOSE_KIND[purpose] == Kind.TEST:
            twin = existing.get(P.POST_TEST if purpose == P.PRE_TEST else P.PRE_TEST)
            twin = twin or next((f for f in created if f.is_test), None)
            if twin is not None:
                version = twin.version
        version = version or latest_version(available[PURPOSE_KIND[purpose]])
        form = SessionForm.objects.create(
            training_session=session, purpose=purpose, version=version
        )
        created.append(form)
        invitations_ensure(session_form=form)
    if created or dropped:
        log(
            instance=session,
            action="formativ.evaluation.setup",
            user=acting_user,
            data={
                "added": [f.purpose for f in created],
                "removed": [f.purpose for f in dropped],
            },
        )
    return sorted(
        SessionForm.objects.filter(training_session=session),
        key=lambda f: PURPOSE_ORDER.index(f.purpose),
    )


@transaction.atomic
def session_forms_update_versions(*, training_session: TrainingSession, acting_user) -> int:
    """Move the session's forms that have no answers yet to their questionnaire's latest
    version (the pre- and post-test only together, and only while neither has answers).
    Returns how many forms changed."""
    session = _locked(training_session)
    # Locked as response_submit locks a form, so no answer lands between the check and the
    # move.
    forms = list(
        SessionForm.objects.select_for_update(of=("self",))
        .filter(training_session=session)
        .select_related("version__questionnaire")
        .order_by("pk")
    )
    answered = set(
        Response.objects.filter(session_form__in=forms).values_list("session_form_id", flat=True)
    )
    tests = [f for f in forms if f.is_test]
    changed = []
    for form in forms:
        if form.pk in answered or (form.is_test and any(t.pk in answered for t in tests)):
            continue
        newest = latest_version(form.version.questionnaire)
        if newest is not None and newest.pk != form.version_id:
            changed.append((form.purpose, form.version.number, newest.number))
            form.version = newest
            form.save(update_fields=["version"])
    if changed:
        log(
            instance=session,
            action="formativ.evaluation.version",
            user=acting_user,
            data={"forms": [{"form": p, "from": a, "to": b} for p, a, b in changed]},
        )
    return len(changed)


def invitations_ensure(*, session_form: SessionForm) -> int:
    """Make the missing invitations of a form, for every confirmed participant at once (so
    their order says nothing about who answers first). Returns how many were made."""
    missing = (
        eligible_enrolments(session_form=session_form)
        .exclude(evaluation_invitations__session_form=session_form)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    made = Invitation.objects.bulk_create(
        [Invitation(session_form=session_form, enrolment_id=pk) for pk in missing],
        ignore_conflicts=True,
    )
    return len(made)


@transaction.atomic
def response_submit(*, invitation: Invitation, data, now=None, shown_version=None) -> Response:
    """Record the answers of the invitation's participant. ValidationError when the form is
    not open, the registration is not confirmed, it was already answered (a dict of messages
    by question id for answers that are missing or invalid). An anonymous form's response
    keeps no link, no person and no time; the invitation only records that it was answered.
    `shown_version` is the version id the participant's page showed (the answer page posts
    it): when staff moved the form to another version meanwhile, the answer is refused, since
    it was given to other questions, or under another promise of anonymity."""
    now = now or timezone.now()
    # The form's row first (session_forms_setup locks it before dropping a form), then the
    # invitation's. The form's row only (of=self, no ordering join): locking the session's row
    # too would deadlock with the set-up and the version move, which lock the session, then
    # its forms.
    locked = (
        SessionForm.objects.select_for_update(of=("self",))
        .filter(pk=invitation.session_form_id)
        .order_by()
    )
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related(
            "session_form__version__questionnaire",
            "session_form__training_session",
            "enrolment",
        )
        .filter(pk=invitation.pk)
        .first()
        if locked.first() is not None
        else None
    )
    if invitation is None:  # staff dropped the form while this answer waited for it
        raise ValidationError(_("This form has closed."), code="closed")
    form = invitation.session_form
    if invitation.submitted:
        raise ValidationError(_("You already answered this form. Thank you!"), code="answered")
    if (
        invitation.enrolment.status != Enrolment.Status.CONFIRMED
        or form.training_session.status == TrainingSession.Status.CANCELLED
    ):
        raise ValidationError(_("This form is only for the session's participants."), code="closed")
    window = window_of(form)
    if not window.is_open(now):
        raise ValidationError(
            _("This form is not open now.")
            if window.is_upcoming(now)
            else _("This form has closed."),
            code="closed",
        )
    version = form.version
    if shown_version is not None and str(shown_version) != str(version.pk):
        raise ValidationError(
            _("This form changed since you opened it: read it again, then send your answers."),
            code="changed",
        )
    answers, errors = q.read_answers(version.questions, data)
    if errors:
        raise ValidationError(errors)
    claimed = Invitation.objects.filter(pk=invitation.pk, submitted=False).update(submitted=True)
    if not claimed:
        raise ValidationError(_("You already answered this form. Thank you!"), code="answered")
    if version.anonymous:
        # Re-stamp every answered invitation of the form in this transaction: PostgreSQL marks
        # each row with the transaction that last wrote it (xmin), which would otherwise pair
        # this invitation with the response written beside it.
        Invitation.objects.filter(session_form=form, submitted=True).update(submitted=True)
    response = Response(session_form=form, version=version, answers=answers)
    if not version.anonymous:
        response.enrolment = invitation.enrolment
        response.submitted_at = now
    if form.is_test:
        response.score, response.max_score = q.score(version.questions, answers)
        response.score_percent = q.percent(response.score, response.max_score)
    response.save(force_insert=True)
    return response
