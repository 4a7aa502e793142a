"""What anyone holding a certificate's code may learn about it: the verification page, the
public API and the "certificate ready" mail all show it the same way. Built from the data
frozen at issue time, so the answer never changes when the person, the course or the template
is later edited; nothing personal beyond the holder's name (no institution, no e-mail), and
not even that once the holder's personal data was erased."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from certificates.documents import format_dates, format_duration
from certificates.models import Certificate

S = Certificate.Status

# What a certificate whose holder's data was erased says instead of the name (the same msgid
# privacy.erasure stores in the certificate's frozen data).
ERASED_HOLDER = gettext_noop("a person whose personal data was erased")


def normalize_code(code: str) -> str:
    """A code as typed (dashes, spaces, any case) as stored: capitals and digits only."""
    return "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())


def code_groups(code: str) -> list[str]:
    """A verification code as printed: groups of four."""
    return [code[i : i + 4] for i in range(0, len(code), 4)]


@dataclass(frozen=True)
class PublicRecord:
    status: str  # valid | revoked | superseded
    language: str  # of the certificate's texts (title, course, issuer)
    holder_name: str
    title: str
    course: str
    starts_on: datetime.date
    ends_on: datetime.date
    dates: str  # the range, in the active language
    hours: str  # as certified ("16", "7,5")
    duration: str  # the hours with their unit, in the active language ("16 ore")
    issuer: str
    serial: str
    issued_on: datetime.date
    status_changed_at: datetime.datetime | None
    reason: str  # revoked only
    replaced_by: str | None  # superseded only: the new certificate's serial
    # The holder's personal data was erased (privacy.erasure): no name, a sentence instead.
    holder_erased: bool = False

    @property
    def is_valid(self) -> bool:
        return self.status == S.VALID

    @property
    def is_revoked(self) -> bool:
        return self.status == S.REVOKED

    @property
    def is_superseded(self) -> bool:
        return self.status == S.SUPERSEDED

    @property
    def status_changed_on(self) -> datetime.date | None:
        if self.status_changed_at is None:
            return None
        return timezone.localdate(self.status_changed_at)


def public_record(certificate: Certificate) -> PublicRecord:
    """The public view of a certificate (reads `superseded_by`: select it with the
    certificate, as selectors.certificate_by_code does)."""
    data = certificate.data
    starts_on = datetime.date.fromisoformat(data["starts_on"])
    ends_on = datetime.date.fromisoformat(data["ends_on"])
    return PublicRecord(
        status=certificate.status,
        language=data.get("language", settings.LANGUAGE_CODE),
        holder_name=(gettext(ERASED_HOLDER) if data.get("holder_erased") else data["holder_name"]),
        title=data["title"],
        course=data["course_title"],
        starts_on=starts_on,
        ends_on=ends_on,
        dates=format_dates(starts_on, ends_on),
        hours=data["course_hours"],
        duration=format_duration(Decimal(data["course_hours"].replace(",", "."))),
        issuer=data["issuer"],
        serial=certificate.serial,
        issued_on=datetime.date.fromisoformat(data["issued_on"]),
        status_changed_at=certificate.status_changed_at if certificate.status != S.VALID else None,
        reason=certificate.status_reason if certificate.status == S.REVOKED else "",
        replaced_by=certificate.superseded_by.serial
        if certificate.status == S.SUPERSEDED and certificate.superseded_by_id
        else None,
        holder_erased=bool(data.get("holder_erased")),
    )


def verify_path(certificate: Certificate) -> str:
    """The verification page in the active language (relative)."""
    return reverse("certificates:verify", kwargs={"code": certificate.code})
