"""JSON-LD documents the issuer publishes (see credential_urls). Public, cacheable, and
holding nothing personal."""

import json

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from certificates import credentials
from certificates.keys import credential_key
from certificates.models import DEFAULT_ISSUER, IssuerKey
from certificates.selectors import status_list_positions
from training.models import Course

JSON_LD = "application/ld+json"


def _json(document: dict, *, max_age: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=JSON_LD
    )
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def issuer(request):
    """The issuer's Open Badges profile, with its verification methods."""
    keys = [
        credentials.multikey_document(kid=k.kid, public_key_multibase=k.public_key_multibase)
        for k in IssuerKey.objects.all()
    ]
    profile = {
        "@context": [credentials.VC_V2, credentials.OB_V3],
        **credentials.issuer_profile(DEFAULT_ISSUER),
        "verificationMethod": [{k: v for k, v in doc.items() if k != "@context"} for doc in keys],
        "assertionMethod": [doc["id"] for doc in keys],
    }
    return _json(profile, max_age=3600)


@require_GET
def key(request, kid: str):
    """A verification method (Multikey); `kid` names the key a proof or JWT points to."""
    record = get_object_or_404(IssuerKey, kid=kid)
    return _json(
        credentials.multikey_document(
            kid=record.kid, public_key_multibase=record.public_key_multibase
        ),
        max_age=86400,
    )


@require_GET
def status_list(request, number: int):
    """A BitstringStatusListCredential (revocation), signed with a Data Integrity proof;
    rebuilt after every revocation, otherwise served from the cache."""
    from certificates.models import Certificate

    start = (number - 1) * credentials.STATUS_LIST_SIZE
    if number < 1 or not Certificate.objects.filter(status_index__gte=start).exists():
        raise Http404
    cache_key = f"formativ:certificates:status:{number}:{credentials.status_version()}"
    document = cache.get(cache_key)
    if document is None:
        now = timezone.now()
        signing_key = credential_key()
        credentials.publish_key(signing_key)
        unsigned = credentials.status_list_credential(
            list_number=number,
            positions=status_list_positions(list_number=number),
            now=now,
        )
        document = credentials.add_proof(unsigned, key=signing_key, created=now)
        cache.set(cache_key, document, timeout=3600)
    # Verifiers must see a revocation soon: a short shared cache only.
    return _json(document, max_age=300)


@require_GET
def achievement(request, code: str):
    """The achievement a course's credentials refer to."""
    course = get_object_or_404(Course, code=code)
    return _json(
        {
            "@context": [credentials.VC_V2, credentials.OB_V3],
            "id": credentials.achievement_id(course.code),
            "type": ["Achievement"],
            "achievementType": "Course",
            "name": course.title,
            "description": course.description or course.title,
            "humanCode": course.code,
            "criteria": {"narrative": course.get_certificate_type_display()},
            "creator": {"id": credentials.issuer_id(), "type": ["Profile"]},
        },
        max_age=3600,
    )
