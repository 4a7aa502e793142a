"""What a certificate says: the data frozen at issue time (`certified_data`), built from an
enrolment and the template that applies, and the page the renderer draws
(`CertificateDocument`), built from that frozen data alone, so a re-rendered PDF says what the
original said."""

import datetime
import string
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext

from certificates.models import DEFAULT_ISSUER, PLACEHOLDERS, CertificateTemplate
from sessions.models import Enrolment
from training.models import CertificateType
from training.text import normalize_text

# Stored as msgids and translated into the template's language when the data is frozen.
DEFAULT_TITLES = {
    CertificateType.PARTICIPATION: gettext_noop("Certificate of attendance"),
    CertificateType.COMPLETION: gettext_noop("Certificate of completion"),
}
# (kind, the session lasted more than one day) -> the standard text.
DEFAULT_BODIES = {
    (CertificateType.PARTICIPATION, True): gettext_noop(
        "has attended the training “{course}”, held in {county} from {dates}, "
        "with a duration of {duration}."
    ),
    (CertificateType.PARTICIPATION, False): gettext_noop(
        "has attended the training “{course}”, held in {county} on {dates}, "
        "with a duration of {duration}."
    ),
    (CertificateType.COMPLETION, True): gettext_noop(
        "has completed the training “{course}”, held in {county} from {dates}, "
        "with a duration of {duration}."
    ),
    (CertificateType.COMPLETION, False): gettext_noop(
        "has completed the training “{course}”, held in {county} on {dates}, "
        "with a duration of {duration}."
    ),
}


def placeholder_errors(body: str) -> list[str]:
    """What is wrong with a template text's placeholders (unknown names, stray braces)."""
    if not body:
        return []
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return [gettext("A “{” or “}” is not closed. Write {{ or }} for a literal brace.")]
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        return [
            gettext("Unknown placeholder: %(names)s. Allowed: %(allowed)s.")
            % {
                "names": ", ".join(f"{{{f}}}" for f in unknown),
                "allowed": ", ".join(f"{{{f}}}" for f in PLACEHOLDERS),
            }
        ]
    return []


def template_for(enrolment: Enrolment) -> CertificateTemplate | None:
    """The course's template, else the project's, else the default one (None: built-in)."""
    session = enrolment.training_session
    candidates = CertificateTemplate.objects.filter(
        models_q_for(course_id=session.course_id, project_id=session.project_id)
    ).prefetch_related("signatories__signature")
    by_rank = {}
    for template in candidates:
        if template.course_id == session.course_id:
            by_rank[0] = template
        elif session.project_id and template.project_id == session.project_id:
            by_rank[1] = template
        elif template.is_default:
            by_rank[2] = template
    return by_rank[min(by_rank)] if by_rank else None


def models_q_for(*, course_id, project_id):
    from django.db.models import Q

    q = Q(course_id=course_id) | Q(is_default=True)
    if project_id:
        q |= Q(project_id=project_id)
    return q


def format_hours(value) -> str:
    value = Decimal(value or 0).normalize()
    return f"{value:f}".replace(".", ",") if value != value.to_integral() else str(int(value))


def search_fold(text: str) -> str:
    """Text as staff type it when searching: no diacritics, any case ("Țîrlea" → "tirlea")."""
    decomposed = unicodedata.normalize("NFKD", normalize_text(text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def format_duration(value) -> str:
    """ "16 ore", "24 de ore", "1 oră", "7,5 ore": the hours with their noun, in the active
    language (Romanian puts "de" before 20 and more)."""
    hours = format_hours(value)
    count = int(Decimal(value or 0))
    return ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": hours}


def format_dates(starts_on: datetime.date, ends_on: datetime.date) -> str:
    if starts_on == ends_on:
        return date_format(starts_on, "j F Y")
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}–{date_format(ends_on, 'j F Y')}"
    if starts_on.year == ends_on.year:
        return f"{date_format(starts_on, 'j F')} – {date_format(ends_on, 'j F Y')}"
    return f"{date_format(starts_on, 'j F Y')} – {date_format(ends_on, 'j F Y')}"


def compose_data(
    *,
    values: dict,
    kind: str,
    template: CertificateTemplate | None,
    codes: dict,
    days: tuple[datetime.date, datetime.date],
    issued_on: datetime.date,
) -> dict:
    """The frozen data from the placeholder values (`values`: name, course, session, county,
    institution, project, hours as a number), the course and session codes (`codes`:
    course_code, session_code) and the template. Also what a template's specimen shows."""
    language = template.language if template else settings.LANGUAGE_CODE
    with translation.override(language):
        values = {
            **{key: normalize_text(str(value)) for key, value in values.items()},
            "dates": format_dates(*days),
            "duration": format_duration(values["hours"]),
            "hours": format_hours(values["hours"]),
        }
        title = (template.title if template else "") or gettext(DEFAULT_TITLES[kind])
        body = (template.body if template else "") or gettext(
            DEFAULT_BODIES[kind, days[0] != days[1]]
        )
        return {
            "version": 1,
            "language": language,
            "kind": kind,
            "title": normalize_text(title),
            "text": normalize_text(body.format(**values)),
            "holder_name": values["name"],
            "course_code": codes["course_code"],
            "course_title": values["course"],
            "course_hours": values["hours"],
            "session_code": codes["session_code"],
            "session_title": values["session"],
            "starts_on": days[0].isoformat(),
            "ends_on": days[1].isoformat(),
            "dates": values["dates"],
            "county": values["county"],
            "institution": values["institution"],
            "project": values["project"],
            "issuer": normalize_text(template.issuer_name if template else DEFAULT_ISSUER),
            "issued_on": issued_on.isoformat(),
            "template_id": template.pk if template else None,
            "signatories": [
                {"name": normalize_text(s.name), "role": normalize_text(s.role)}
                for s in (template.signatories.all() if template else ())
            ],
        }


def certified_data(
    *,
    enrolment: Enrolment,
    template: CertificateTemplate | None,
    days: tuple[datetime.date, datetime.date],
    issued_on: datetime.date,
) -> dict:
    """Everything the certificate states, frozen: it never changes after issue, even if the
    person, the course or the template is later edited. `days`: the first and last day of
    the session (local dates). Names are normalised (NFC, comma-below ș ț)."""
    session = enrolment.training_session
    course = session.course
    person = enrolment.professional
    return compose_data(
        values={
            "name": f"{person.first_name} {person.last_name}",
            "course": course.title,
            "session": session.display_title,
            "hours": course.hours,
            "county": session.county.name if session.county_id else "",
            "institution": person.institution.name if person.institution_id else "",
            "project": session.project.name if session.project_id else "",
        },
        kind=course.certificate_type,
        template=template,
        codes={"course_code": course.code, "session_code": session.code},
        days=days,
        issued_on=issued_on,
    )


def verification_url(code: str) -> str:
    """The public page a certificate's QR code leads to (Romanian, unprefixed)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("certificates:verify", kwargs={"code": code})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str
    signature_path: str | None = None


@dataclass(frozen=True)
class CertificateDocument:
    """One certificate page, ready to draw: texts already in the certificate's language."""

    title: str
    holder_name: str
    text: str
    issuer: str
    serial: str
    code: str  # as printed, in groups: ABCD-EFGH-…
    verify_url: str
    issued_line: str  # "București, 24 noiembrie 2026"
    labels: dict = field(default_factory=dict)  # serial, code, verify, certify
    signatories: tuple[Signatory, ...] = ()
    logo_left: str | None = None
    logo_right: str | None = None
    background: str | None = None
    language: str = "ro"


def image_path(image) -> str | None:
    """A Wagtail image's file on disk (the renderer reads files, not URLs)."""
    if image is None:
        return None
    try:
        return image.file.path
    except (NotImplementedError, ValueError):
        return None


def document_for(
    *, data: dict, serial: str, code: str, template: CertificateTemplate | None
) -> CertificateDocument:
    """The page of a certificate from its frozen data; the template contributes only images
    (logos, background, signature images) matched to the frozen signatories by position."""
    language = data["language"]
    with translation.override(language):
        issued_on = datetime.date.fromisoformat(data["issued_on"])
        labels = {
            "certify": gettext("This certifies that"),
            "serial": gettext("Serial number"),
            "code": gettext("Verification code"),
            "verify": gettext("Verify this certificate at"),
            "issued": gettext("Issued on %(date)s") % {"date": date_format(issued_on, "j F Y")},
        }
    signature_images = []
    if template is not None:
        signature_images = [image_path(s.signature) for s in template.signatories.all()]
    signatories = tuple(
        Signatory(
            name=s["name"],
            role=s["role"],
            signature_path=signature_images[i] if i < len(signature_images) else None,
        )
        for i, s in enumerate(data.get("signatories", ()))
    )
    return CertificateDocument(
        title=data["title"],
        holder_name=data["holder_name"],
        text=data["text"],
        issuer=data["issuer"],
        serial=serial,
        code="-".join(code[i : i + 4] for i in range(0, len(code), 4)),
        verify_url=verification_url(code),
        issued_line=labels["issued"],
        labels=labels,
        signatories=signatories,
        logo_left=image_path(template.logo_left) if template else None,
        logo_right=image_path(template.logo_right) if template else None,
        background=image_path(template.background) if template else None,
        language=language,
    )
