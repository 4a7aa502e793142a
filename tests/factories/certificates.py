"""Certificates as stored, without rendering or signing: for tests that count or list them."""

import itertools

from django.utils import timezone

from certificates.models import Certificate

_serials = itertools.count(1)


def stored_certificate(enrolment, status=Certificate.Status.VALID) -> Certificate:
    """A certificate row for the enrolment (a unique serial and status-list index each)."""
    n = next(_serials)
    return Certificate.objects.create(
        serial=f"T-{n:06d}",
        enrolment=enrolment,
        kind="participation",
        issued_at=timezone.now(),
        data={},
        status=status,
        status_index=100000 + n,
        pdf="certificates/test.pdf",
        credential={},
        credential_jwt="",
    )
