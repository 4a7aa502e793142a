"""Reads for privacy: the notice in force, who still has to accept it, the consent records
staff browse, and everything held about one person ("my data")."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from certificates.models import Certificate
from evaluation.blocks import SCALES
from evaluation.models import Response
from privacy.models import ConsentRecord, PrivacyNotice
from sessions.models import Attendance, Enrolment, EnrolmentStatusChange
from training import cnp as cnp_utils
from training.models import LocalTeamMembership, PersonIdentifier, Professional

P = ConsentRecord.Purpose


def current_notice() -> PrivacyNotice | None:
    """The published version in force: the highest published one."""
    return PrivacyNotice.objects.filter(published_at__isnull=False).order_by("-version").first()


def published_notices() -> QuerySet[PrivacyNotice]:
    """Every published version, newest first."""
    return PrivacyNotice.objects.filter(published_at__isnull=False).order_by("-version")


def published_notice(*, version: int) -> PrivacyNotice | None:
    return published_notices().filter(version=version).first()


def _person_q(*, user: AbstractBaseUser | None, professional: Professional | None) -> Q | None:
    condition = Q()
    if user is not None and getattr(user, "is_authenticated", False):
        condition |= Q(user=user)
    if professional is not None and professional.pk is not None:
        condition |= Q(professional=professional)
    return condition if condition else None


def notice_accepted(
    *,
    notice: PrivacyNotice,
    user: AbstractBaseUser | None = None,
    professional: Professional | None = None,
) -> bool:
    """Whether the person (by account or registry entry) accepted this version."""
    condition = _person_q(user=user, professional=professional)
    if condition is None:
        return False
    return ConsentRecord.objects.filter(
        condition, purpose=P.PRIVACY_NOTICE, notice=notice, given=True
    ).exists()


def notice_to_accept(
    *, user: AbstractBaseUser | None, professional: Professional | None = None
) -> PrivacyNotice | None:
    """The current notice when the person (by account or registry entry) has not accepted it
    yet, else None. One query (the account's registry entry is read from the user's cache
    when the request already looked it up)."""
    if professional is None and user is not None and getattr(user, "is_authenticated", False):
        try:
            professional = user.professional
        except Professional.DoesNotExist:
            professional = None
    condition = _person_q(user=user, professional=professional)
    notices = published_notices()
    if condition is not None:
        accepted = ConsentRecord.objects.filter(
            condition, purpose=P.PRIVACY_NOTICE, notice=OuterRef("pk"), given=True
        )
        notices = notices.annotate(accepted=Exists(accepted))
    notice = notices.first()
    if notice is None or getattr(notice, "accepted", False):
        return None
    return notice


def cnp_requested(*, professional: Professional | None) -> bool:
    """Whether the person must give their CNP: they are registered (neither cancelled nor
    rejected) for a session of a project whose funder requires it."""
    if professional is None:
        return False
    return (
        Enrolment.objects.filter(
            professional=professional, training_session__project__requires_cnp=True
        )
        .exclude(status__in=(Enrolment.Status.CANCELLED, Enrolment.Status.REJECTED))
        .exists()
    )


def consent_records_for_staff() -> QuerySet[ConsentRecord]:
    """Every consent record with what its list shows, newest first."""
    return ConsentRecord.objects.select_related(
        "professional", "user", "notice", "recorded_by"
    ).order_by("-recorded_at", "-pk")


# --- "my data" -----------------------------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat() if value.tzinfo else value.isoformat()
    return value.isoformat()


def _name(obj) -> str | None:
    return str(obj) if obj is not None else None


def _profile(professional: Professional) -> dict:
    cnp = cnp_utils.decrypt_cnp(professional.cnp_encrypted) if professional.cnp_encrypted else ""
    return {
        "first_name": professional.first_name,
        "last_name": professional.last_name,
        "email": professional.email,
        "phone": professional.phone,
        "sex": professional.get_sex_display() if professional.sex else "",
        "birth_date": _iso(professional.birth_date),
        "county": _name(professional.county),
        "sector": _name(professional.sector),
        "institution": _name(professional.institution),
        "position": professional.position,
        "category": _name(professional.category),
        "category_detail": professional.category_detail,
        "preferred_language": professional.preferred_language,
        "contact_consent": professional.contact_consent,
        "cnp": cnp,
        "cnp_masked": cnp_utils.mask_cnp(cnp) if cnp else "",
        "created_at": _iso(professional.created_at),
        "updated_at": _iso(professional.updated_at),
    }


def _enrolment(enrolment: Enrolment) -> dict:
    session = enrolment.training_session
    days = list(session.days.all())
    return {
        "session_code": session.code,
        "session_title": session.display_title,
        "course": session.course.title,
        "project": _name(session.project),
        "county": _name(session.county),
        "first_day": _iso(days[0].starts_at) if days else None,
        "last_day": _iso(days[-1].ends_at) if days else None,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        "status_reason": enrolment.status_reason,
        "source": str(enrolment.get_source_display()),
        "nominated_by": _name(enrolment.nominated_by),
        "enrolled_at": _iso(enrolment.created_at),
        "completion": str(enrolment.get_completion_display()) if enrolment.completion else "",
        "attended_hours": (
            float(enrolment.attended_hours) if enrolment.attended_hours is not None else None
        ),
        "certificate_outside_formativ": enrolment.certificate_reference,
        "history": [
            {
                "from": str(change.get_from_status_display()) if change.from_status else "",
                "to": str(change.get_to_status_display()),
                "at": _iso(change.changed_at),
                "reason": change.reason,
            }
            for change in enrolment.history.all()
        ],
        "attendance": [
            {
                "day": _iso(mark.day.starts_at),
                "status": str(mark.get_status_display()),
                "minutes": mark.minutes,
                "method": str(mark.get_method_display()),
                "marked_at": _iso(mark.marked_at),
            }
            for mark in enrolment.attendance.all()
        ],
        "certificates": [
            {
                "serial": certificate.serial,
                "status": str(certificate.get_status_display()),
                "issued_at": _iso(certificate.issued_at),
            }
            for certificate in enrolment.certificates.all()
        ],
    }


def _answer_text(question: dict, answer) -> str:
    """An answer as the person saw it: the option labels, the point of the scale, the text."""
    if answer in (None, "", []):
        return ""
    kind = question["type"]
    if kind == "likert":
        labels = SCALES.get(question.get("scale"), [])
        valid = isinstance(answer, int) and 0 < answer <= len(labels)
        label = str(labels[answer - 1]) if valid else ""
        return f"{answer} – {label}" if label else str(answer)
    if kind in ("single", "multiple"):
        labels = {option["id"]: option["label"] for option in question.get("options", [])}
        chosen = answer if isinstance(answer, list) else [answer]
        return "; ".join(labels.get(choice, "") for choice in chosen)
    return str(answer)


def _evaluation_response(response: Response) -> dict:
    """A named evaluation response of the person (anonymous ones carry no link to anybody)."""
    session = response.session_form.training_session
    return {
        "session_code": session.code,
        "session_title": session.display_title,
        "form": str(response.session_form.get_purpose_display()),
        "questionnaire": response.version.title,
        "submitted_at": _iso(response.submitted_at),
        "score_percent": (
            float(response.score_percent) if response.score_percent is not None else None
        ),
        "answers": [
            {
                "question": question["text"],
                "answer": _answer_text(question, (response.answers or {}).get(question["id"])),
            }
            for question in response.version.questions
        ],
    }


def person_data(professional: Professional | None, *, user: AbstractBaseUser | None = None) -> dict:
    """Everything Formativ holds about one person, for the person themself: the profile, the
    identifiers seen, team memberships, registrations with their history, attendance and
    certificates, their named evaluation answers (anonymous ones are stored without any link
    to them, so they cannot be shown), consent records and the calendar subscription. The same
    dict makes the printable page and the JSON download. A fixed number of queries, whatever
    the number of registrations. `user` defaults to the person's account."""
    if user is None and professional is not None:
        user = professional.user
    data: dict = {
        "generated_at": _iso(timezone.now()),
        "account": None,
        "profile": None,
        "identifiers": [],
        "local_teams": [],
        "enrolments": [],
        "evaluation": [],
        "consents": [],
        "calendar_feed": {"exists": False, "created_at": None},
    }
    if user is not None:
        data["account"] = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        }
        from sessions.models import CalendarToken

        token = CalendarToken.objects.filter(user=user).only("created_at").first()
        if token is not None:
            data["calendar_feed"] = {"exists": True, "created_at": _iso(token.created_at)}
    consents = _person_q(user=user, professional=professional)
    if consents is not None:
        data["consents"] = [
            {
                "purpose": str(record.get_purpose_display()),
                "given": record.given,
                "notice_version": record.notice.version if record.notice else None,
                "context": str(record.get_context_display()),
                "recorded_at": _iso(record.recorded_at),
                "recorded_by_someone_else": bool(
                    record.recorded_by_id and record.recorded_by_id != getattr(user, "pk", None)
                ),
            }
            for record in ConsentRecord.objects.filter(consents)
            .select_related("notice")
            .order_by("recorded_at", "pk")
        ]
    if professional is None:
        return data
    professional = (
        Professional.objects.select_related("county", "sector", "institution", "category")
        .filter(pk=professional.pk)
        .first()
    )
    data["profile"] = _profile(professional)
    data["identifiers"] = [
        {
            "kind": str(identifier.get_kind_display()),
            "value": identifier.value,
            "seen_in": identifier.source,
            "first_seen": _iso(identifier.created_at),
        }
        for identifier in PersonIdentifier.objects.filter(professional=professional).exclude(
            kind=PersonIdentifier.Kind.ROW
        )
    ]
    data["local_teams"] = [
        {
            "team": membership.team.name,
            "county": _name(membership.team.county),
            "role": str(membership.get_role_display()),
            "since": _iso(membership.since),
            "until": _iso(membership.until),
        }
        for membership in LocalTeamMembership.objects.filter(professional=professional)
        .select_related("team__county")
        .order_by("since", "pk")
    ]
    enrolments = (
        Enrolment.objects.filter(professional=professional)
        .select_related(
            "training_session__course",
            "training_session__project",
            "training_session__county",
            "nominated_by",
        )
        .prefetch_related(
            "training_session__days",
            Prefetch(
                "history", queryset=EnrolmentStatusChange.objects.order_by("changed_at", "pk")
            ),
            Prefetch("attendance", queryset=Attendance.objects.select_related("day")),
            Prefetch("certificates", queryset=Certificate.objects.order_by("issued_at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    data["enrolments"] = [_enrolment(enrolment) for enrolment in enrolments]
    data["evaluation"] = [
        _evaluation_response(response)
        for response in Response.objects.filter(enrolment__professional=professional)
        .select_related("session_form__training_session__course", "version")
        .order_by("submitted_at", "pk")
    ]
    return data
