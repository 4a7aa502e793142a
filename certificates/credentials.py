"""Open Badges 3.0 credentials (`OpenBadgeCredential`, VC Data Model 2.0).

Every certificate carries one, secured twice:
- a Data Integrity proof, cryptosuite `eddsa-rdfc-2022`: the credential and the proof options
  are canonicalised with RDFC-1.0 (pyld's URDNA2015, the same algorithm), hashed with SHA-256
  and signed with the agency's Ed25519 key; the signature is multibase base58btc;
- a VC-JWT (VC-JOSE-COSE, media type `application/vc+jwt`): a compact JWS whose payload is the
  credential itself, signed with the same key (alg `EdDSA`, `kid` the verification method).

The verification method (a Multikey), the issuer profile and the Bitstring Status List are
published at stable URLs under /credentials/ (certificates/credential_views.py). JSON-LD
contexts are shipped in certificates/contexts/ and never fetched: any other remote context
makes canonicalisation fail."""

import base64
import copy
import datetime
import gzip
import hashlib
import json
import re
import uuid
from functools import cache, lru_cache
from pathlib import Path

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.urls import reverse
from pyld import jsonld

from certificates.keys import CredentialKey

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
}
CRYPTOSUITE = "eddsa-rdfc-2022"

# Each status list holds 131,072 entries (16 KiB uncompressed, the minimum the
# Bitstring Status List specification asks for, so a list does not reveal its size).
STATUS_LIST_SIZE = 131_072


@cache
def _context(url: str) -> dict:
    return json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url, options=None):
    """The JSON-LD document loader: shipped contexts only, never the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"Context {url} is not shipped with Formativ.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _context(url),
    }


def _refuse_dropped(term) -> None:
    raise jsonld.JsonLdError(
        f"The term {term!r} is not defined by the credential's contexts.",
        "jsonld.SafeModeError",
        {"term": term},
        code="undefined term",
    )


_NORMALIZE = {"algorithm": "URDNA2015", "format": "application/n-quads"}


def canonicalize_full(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, straight through pyld. Safe mode: a
    property that no context defines would be dropped silently (and so left unsigned); it is
    refused."""
    return jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped).normalize(
        document, {**_NORMALIZE, "documentLoader": document_loader}
    )


# Canonicalising spends most of its time expanding the document against its contexts, and
# every certificate of a run has the same shape: only the strings differ. So the document's
# shape (keys, types, list lengths) is expanded once, with every other string replaced by a
# unique token, and each document of that shape is expanded by putting its strings back in
# place of the tokens; the expanded document is then canonicalised as usual. A string is
# tokenised only where expansion keeps it verbatim (a literal, or an absolute IRI in an @id
# position); where it would not (a term, a relative IRI), it stays part of the shape. The
# result is the same text as canonicalize_full (tests compare the two on many documents).
_SLOT = "urn:formativ:slot:"
_shapes: dict[str, tuple[object, dict]] = {}
_SHAPES_MAX = 256


def _skeleton(value, strings: list, path=()):
    if isinstance(value, dict):
        return {
            key: item if key in ("@context", "type") else _skeleton(item, strings, (*path, key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_skeleton(item, strings, path) for item in value]
    if isinstance(value, str):
        strings.append(value)
        return f"{_SLOT}{len(strings) - 1}"
    return value


def _fill(value, strings: list):
    if isinstance(value, dict):
        return {key: _fill(item, strings) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, strings) for item in value]
    if isinstance(value, str) and value.startswith(_SLOT):
        return strings[int(value[len(_SLOT) :])]
    return value


def _tokens_in(value, found: dict, key: str | None = None):
    """Where each token ended up in the expanded shape: {index: [kinds]}, the kind being
    "literal" (an @value) or "iri" (an @id or @type)."""
    if isinstance(value, dict):
        for item_key, item in value.items():
            _tokens_in(item, found, item_key)
    elif isinstance(value, list):
        for item in value:
            _tokens_in(item, found, key)
    elif isinstance(value, str) and value.startswith(_SLOT):
        kind = "literal" if key == "@value" else "iri"
        found.setdefault(int(value[len(_SLOT) :]), []).append(kind)


_ABSOLUTE_IRI = re.compile(r"(?:https?://|urn:)[^\s<>\"{}|\\^`]+")


def _shape(document: dict, strings: list):
    skeleton = _skeleton(document, strings)
    key = json.dumps(skeleton, sort_keys=True)
    shape = _shapes.get(key)
    if shape is None:
        expanded = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped).expand(
            skeleton, {"documentLoader": document_loader}
        )
        found: dict[int, list[str]] = {}
        _tokens_in(expanded, found)
        kinds = {index: where[0] for index, where in found.items() if len(where) == 1}
        if len(_shapes) >= _SHAPES_MAX:
            _shapes.clear()
        shape = _shapes[key] = (expanded, kinds)
    return shape


def canonicalize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (safe mode, see canonicalize_full),
    through the expanded shape cache when every string of the document goes back verbatim
    (literals, absolute IRIs), else straight through pyld."""
    strings: list[str] = []
    expanded, kinds = _shape(document, strings)
    for index, value in enumerate(strings):
        kind = kinds.get(index)
        if kind is None or (kind == "iri" and not _ABSOLUTE_IRI.fullmatch(value)):
            return canonicalize_full(document)
    return jsonld.normalize(_fill(expanded, strings), _NORMALIZE)


# --- URLs ---------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def issuer_id() -> str:
    return absolute(reverse("credentials:issuer"))


def key_id(kid: str) -> str:
    return absolute(reverse("credentials:key", kwargs={"kid": kid}))


def status_list_url(list_number: int) -> str:
    return absolute(reverse("credentials:status_list", kwargs={"number": list_number}))


def achievement_id(course_code: str) -> str:
    return absolute(reverse("credentials:achievement", kwargs={"code": course_code}))


def status_position(index: int) -> tuple[int, int]:
    """(list number from 1, position in that list) of a certificate's status index."""
    return index // STATUS_LIST_SIZE + 1, index % STATUS_LIST_SIZE


# --- Documents ----------------------------------------------------------------------------


def issuer_profile(name: str) -> dict:
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": name,
        "url": absolute("/"),
    }


def _datetime(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _date_start(value: str) -> str:
    return f"{value}T00:00:00Z"


def credential_id(serial: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, absolute('/credentials/') + serial)}"


def build_credential(
    *,
    serial: str,
    data: dict,
    issued_at: datetime.datetime,
    status_index: int,
    verify_url: str,
) -> dict:
    """The unsigned OpenBadgeCredential of a certificate, from its frozen data. The holder is
    identified by name only (an `IdentityObject` of type `name`, not hashed): nothing else
    personal travels in the credential."""
    list_number, position = status_position(status_index)
    list_url = status_list_url(list_number)
    return {
        "@context": [VC_V2, OB_V3],
        "id": credential_id(serial),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": data["title"],
        "description": data["text"],
        "issuer": issuer_profile(data["issuer"]),
        "validFrom": _datetime(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": data["holder_name"],
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "activityStartDate": _date_start(data["starts_on"]),
            "activityEndDate": _date_start(data["ends_on"]),
            "achievement": {
                "id": achievement_id(data["course_code"]),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": data["course_title"],
                "description": data["course_title"],
                "humanCode": data["course_code"],
                "criteria": {"narrative": data["title"]},
                "creator": {"id": issuer_id(), "type": ["Profile"]},
            },
        },
        "credentialStatus": {
            "id": f"{list_url}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position),
            "statusListCredential": list_url,
        },
        "evidence": [
            {
                "id": verify_url,
                "type": ["Evidence"],
                "name": serial,
            }
        ],
    }


# --- Data Integrity (eddsa-rdfc-2022) -----------------------------------------------------


@lru_cache(maxsize=64)
def _config_hash(config_json: str) -> bytes:
    # The proof options of a whole issue run are the same (same key, same `created`).
    return hashlib.sha256(canonicalize(json.loads(config_json)).encode()).digest()


def _hash_data(document: dict, proof_config: dict) -> bytes:
    return (
        _config_hash(json.dumps(proof_config, sort_keys=True))
        + hashlib.sha256(canonicalize(document).encode()).digest()
    )


def add_proof(document: dict, *, key: CredentialKey, created: datetime.datetime) -> dict:
    """The document with an `eddsa-rdfc-2022` DataIntegrityProof (a new dict)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _datetime(created),
        "verificationMethod": key_id(key.kid),
        "proofPurpose": "assertionMethod",
    }
    signature = key.private_key.sign(
        _hash_data(unsecured, {"@context": unsecured["@context"], **proof})
    )
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    return {**copy.deepcopy(unsecured), "proof": proof}


def verify_proof(document: dict, public_key: ed25519.Ed25519PublicKey) -> bool:
    """Whether the document's `eddsa-rdfc-2022` proof verifies with `public_key`."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    try:
        signature = base58.b58decode(value[1:])
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        public_key.verify(
            signature, _hash_data(unsecured, {"@context": unsecured["@context"], **config})
        )
    except (InvalidSignature, ValueError, jsonld.JsonLdError):
        return False
    return True


# --- VC-JWT (VC-JOSE-COSE) ----------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jwt(credential: dict, *, key: CredentialKey) -> str:
    """The credential (without its Data Integrity proof) as a compact JWS, `typ: vc+jwt`."""
    header = {"alg": "EdDSA", "kid": key_id(key.kid), "typ": "vc+jwt", "cty": "vc"}
    payload = {k: v for k, v in credential.items() if k != "proof"}
    signing_input = (
        _b64(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = key.private_key.sign(signing_input.encode("ascii"))
    return signing_input + "." + _b64(signature)


def verify_jwt(token: str, public_key: ed25519.Ed25519PublicKey) -> dict | None:
    """The credential in a VC-JWT whose signature verifies with `public_key`, else None."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_unb64(header_b64))
        if header.get("alg") != "EdDSA":
            return None
        public_key.verify(_unb64(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
        return json.loads(_unb64(payload_b64))
    except (InvalidSignature, ValueError, TypeError):
        return None


# --- Bitstring Status List ----------------------------------------------------------------


def encode_status_list(positions) -> str:
    """The `encodedList` of a status list with the given positions set: GZIP, then multibase
    base64url (prefix `u`). Bit 0 is the most significant bit of the first byte."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    return "u" + _b64(gzip.compress(bytes(bits), mtime=0))


def status_list_bit(encoded_list: str, position: int) -> bool:
    bits = gzip.decompress(_unb64(encoded_list[1:]))
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def status_list_credential(*, list_number: int, positions, now: datetime.datetime) -> dict:
    url = status_list_url(list_number)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _datetime(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(positions),
        },
    }


# --- Publication --------------------------------------------------------------------------

STATUS_CACHE_VERSION_KEY = "formativ:certificates:status-version"


def publish_key(key: CredentialKey) -> None:
    """Record the key's public half so that it stays published at its URL, also after the
    agency rotates to a new key."""
    from certificates.models import IssuerKey

    IssuerKey.objects.get_or_create(
        kid=key.kid, defaults={"public_key_multibase": key.public_key_multibase}
    )


def status_version() -> int:
    from django.core.cache import cache

    return cache.get_or_set(STATUS_CACHE_VERSION_KEY, 1, timeout=None)


def status_lists_changed() -> None:
    """A certificate was revoked or replaced: published status lists are rebuilt."""
    from django.core.cache import cache

    cache.add(STATUS_CACHE_VERSION_KEY, 1, timeout=None)
    try:
        cache.incr(STATUS_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(STATUS_CACHE_VERSION_KEY, 2, timeout=None)


def multikey_document(*, kid: str, public_key_multibase: str) -> dict:
    return {
        "@context": [MULTIKEY_V1],
        "id": key_id(kid),
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": public_key_multibase,
    }
