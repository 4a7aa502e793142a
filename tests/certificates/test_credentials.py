"""Open Badges 3.0 credentials: they verify with the key the issuer publishes, and stop
verifying when anything in them changes; the VC-JWT is checked with an independent JOSE
library; the status list says which are revoked; contexts never come from the network."""

import copy
import datetime
import hashlib
import json

import pytest
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import OKPKey
from pyld import jsonld

from certificates import credentials
from certificates.credentials import CONTEXT_DIR
from certificates.keys import credential_key, public_key_from_multibase

NOW = datetime.datetime(2026, 11, 24, 10, 30, tzinfo=datetime.UTC)

DATA = {
    "title": "Certificat de participare",
    "text": "a participat la formarea „Violența domestică”, desfășurată în Cluj.",
    "issuer": "Agenția Națională pentru Egalitatea de Șanse între Femei și Bărbați",
    "holder_name": "Ștefania-Ioana Țîrlea-Mănăilă",
    "starts_on": "2026-11-02",
    "ends_on": "2026-11-03",
    "course_code": "VD-01",
    "course_title": "Violența domestică: intervenția integrată",
}


def signed(**overrides):
    unsigned = credentials.build_credential(
        serial="ANES-2026-000042",
        data={**DATA, **overrides},
        issued_at=NOW,
        status_index=42,
        verify_url="http://testserver/v/ABCDEFGHJKMNPQRS",
    )
    return credentials.add_proof(unsigned, key=credential_key(), created=NOW), unsigned


def published_key(client, document):
    """The public key a proof points to, fetched from the URL the proof names."""
    url = document["proof"]["verificationMethod"]
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    multikey = response.json()
    assert multikey["type"] == "Multikey"
    assert multikey["id"] == url
    return public_key_from_multibase(multikey["publicKeyMultibase"])


def leaves(value, path=()):
    """Every scalar in a JSON document, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def changed(document, path):
    document = copy.deepcopy(document)
    target = document
    for part in path[:-1]:
        target = target[part]
    old = target[path[-1]]
    target[path[-1]] = (not old) if isinstance(old, bool) else f"{old}x"
    return document


@pytest.mark.django_db
def test_the_credential_verifies_with_the_published_key(client):
    credentials.publish_key(credential_key())
    document, _ = signed()
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credentials.verify_proof(document, published_key(client, document))


@pytest.mark.django_db
def test_changing_any_field_breaks_the_proof(client):
    credentials.publish_key(credential_key())
    document, _ = signed()
    key = published_key(client, document)
    tried = 0
    for path, _value in leaves({k: v for k, v in document.items() if k != "@context"}):
        if path[-1] == "proofValue":
            continue
        assert not credentials.verify_proof(changed(document, path), key), path
        tried += 1
    assert tried > 20  # the walk reached the whole credential


def test_a_proof_made_with_another_key_does_not_verify():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    document, _ = signed()
    assert not credentials.verify_proof(document, ed25519.Ed25519PrivateKey.generate().public_key())


def test_the_holder_name_travels_with_comma_below_letters():
    document, _ = signed()
    identity = document["credentialSubject"]["identifier"][0]
    assert identity == {
        "type": "IdentityObject",
        "identityHash": "Ștefania-Ioana Țîrlea-Mănăilă",
        "identityType": "name",
        "hashed": False,
    }


# RFC 9864 prefers the fully specified "Ed25519"; "EdDSA" is what deployed verifiers read.
@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
def test_the_vc_jwt_verifies_with_an_independent_jose_library():
    _, unsigned = signed()
    token = credentials.sign_jwt(unsigned, key=credential_key())
    public_pem = credential_key().public_key.public_bytes(
        encoding=__import__("cryptography").hazmat.primitives.serialization.Encoding.PEM,
        format=__import__(
            "cryptography"
        ).hazmat.primitives.serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    registry = jws.JWSRegistry(algorithms=["EdDSA"])
    result = jws.deserialize_compact(token, OKPKey.import_key(public_pem), registry=registry)
    assert result.headers()["typ"] == "vc+jwt"
    assert result.headers()["kid"].endswith(f"/credentials/keys/{credential_key().kid}")
    assert json.loads(result.payload) == unsigned
    assert credentials.verify_jwt(token, credential_key().public_key) == unsigned


def test_a_changed_vc_jwt_payload_is_refused():
    _, unsigned = signed()
    token = credentials.sign_jwt(unsigned, key=credential_key())
    header, _payload, signature = token.split(".")
    forged = credentials.sign_jwt(
        {**unsigned, "name": "Certificat de absolvire"}, key=credential_key()
    )
    tampered = f"{header}.{forged.split('.')[1]}.{signature}"
    assert credentials.verify_jwt(tampered, credential_key().public_key) is None


def test_status_list_bits_round_trip():
    encoded = credentials.encode_status_list([0, 7, 42, credentials.STATUS_LIST_SIZE - 1])
    assert encoded.startswith("u")
    for position in (0, 7, 42, credentials.STATUS_LIST_SIZE - 1):
        assert credentials.status_list_bit(encoded, position)
    for position in (1, 6, 8, 41, 43):
        assert not credentials.status_list_bit(encoded, position)


def test_the_credential_points_at_its_status_list_entry():
    document, _ = signed()
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == "42"
    assert status["statusListCredential"].endswith(reverse("credentials:status_list", args=[1]))


def test_remote_contexts_are_never_fetched():
    document, unsigned = signed()
    unsigned["@context"] = [*unsigned["@context"], "https://example.org/evil-context.jsonld"]
    with pytest.raises(jsonld.JsonLdError):
        credentials.canonicalize(unsigned)


def test_terms_outside_the_contexts_are_refused():
    """Safe mode: a property no shipped context defines cannot slip into the signed data."""
    _, unsigned = signed()
    unsigned["credentialSubject"]["shoeSize"] = 42
    with pytest.raises(jsonld.JsonLdError):
        credentials.canonicalize(unsigned)


def test_the_shipped_vc_context_is_the_w3c_recommendation():
    """The digest the VC Data Model 2.0 Recommendation (§B.1) publishes for its context."""
    digest = hashlib.sha256((CONTEXT_DIR / "credentials-v2.jsonld").read_bytes()).hexdigest()
    assert digest == "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


# --- the expanded-shape cache gives exactly pyld's canonical form ---------------------------

AWKWARD = [
    'Ana "Nana" Pop',
    "back\\slash",
    "line\nbreak\ttab\rreturn",
    "Ștefan Țîrlea-Mănăilă",
    "émoji 🎓 ∑",
    "",
    " leading and trailing ",
    "<b>markup</b> & ampersand",
    "urn:not-an-iri but text",
    "x" * 300,
]


@pytest.mark.parametrize("seed", range(25))
def test_the_shape_cache_matches_pyld_on_awkward_text(seed):
    import random

    rng = random.Random(seed)
    data = {key: rng.choice(AWKWARD) + str(rng.random()) for key in DATA}
    data["course_code"] = rng.choice(["VD-01", "VD/01", "C 1", "ȘT-2"])  # a one-line field
    data["starts_on"], data["ends_on"] = f"2026-01-0{rng.randint(1, 4)}", "2026-02-01"
    unsigned = credentials.build_credential(
        serial=f"ANES-2026-{rng.randint(0, 999999):06d}",
        data=data,
        issued_at=NOW,
        status_index=rng.randint(0, 500_000),
        verify_url=f"http://testserver/v/{rng.randint(0, 10**9)}",
    )
    assert credentials.canonicalize(unsigned) == credentials.canonicalize_full(unsigned)
    config = {
        "@context": unsigned["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": f"2026-11-{rng.randint(10, 28)}T10:00:00Z",
        "verificationMethod": f"http://testserver/credentials/keys/k{seed}",
        "proofPurpose": "assertionMethod",
    }
    assert credentials.canonicalize(config) == credentials.canonicalize_full(config)


def test_strings_that_expansion_would_change_go_the_slow_way():
    """A relative IRI where an IRI belongs is resolved by expansion, not kept verbatim: the
    shape cache must not be used for it (and the result is still pyld's)."""
    _, unsigned = signed()
    unsigned["id"] = "relative/credential"
    unsigned["credentialStatus"]["statusListCredential"] = "status/1"
    assert credentials.canonicalize(unsigned) == credentials.canonicalize_full(unsigned)
    assert "relative/credential" not in credentials.canonicalize_full(
        {**unsigned, "id": "urn:uuid:00000000-0000-0000-0000-000000000000"}
    )


# --- what the issuer publishes ------------------------------------------------------------


@pytest.mark.django_db
def test_the_issuer_profile_lists_every_key_it_ever_signed_with(client):
    from certificates.models import IssuerKey

    credentials.publish_key(credential_key())
    retired = IssuerKey.objects.create(kid="ed25519-retired", public_key_multibase="z6MkOld")
    response = client.get(reverse("credentials:issuer"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    profile = response.json()
    assert profile["id"] == credentials.issuer_id()
    assert profile["type"] == ["Profile"]
    methods = {m["id"]: m for m in profile["verificationMethod"]}
    current = credentials.key_id(credential_key().kid)
    assert set(profile["assertionMethod"]) == {current, credentials.key_id(retired.kid)}
    assert methods[current]["publicKeyMultibase"] == credential_key().public_key_multibase
    # The old key's own URL still answers after the rotation.
    assert (
        client.get(reverse("credentials:key", args=[retired.kid])).json()["publicKeyMultibase"]
        == "z6MkOld"
    )
    assert client.get(reverse("credentials:key", args=["ed25519-unknown"])).status_code == 404


@pytest.mark.django_db
def test_a_status_list_that_holds_no_certificate_is_not_found(client):
    assert client.get(reverse("credentials:status_list", args=[1])).status_code == 404
    assert client.get(reverse("credentials:status_list", args=[0])).status_code == 404


@pytest.mark.django_db
def test_the_achievement_of_a_course_is_published(client):
    from tests.factories.training import CourseFactory

    course = CourseFactory(code="VD/01", title="Violența domestică")
    document = client.get(
        credentials.achievement_id(course.code).removeprefix("http://testserver")
    ).json()
    assert document["id"] == credentials.achievement_id("VD/01")
    assert document["name"] == "Violența domestică"
    assert client.get(reverse("credentials:achievement", args=["NOPE"])).status_code == 404
