"""Every token security.md (Tokens) says the authorizer must refuse is refused with 401.

Each test builds the token in the test with keys generated in the test session; the
authorizer answers `Unauthorized` (API Gateway's 401) and nothing else escapes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from authorizers.jwt_authorizer.app import JwtAuthorizer, Unauthorized
from authorizers.jwt_authorizer.verification import CLOCK_LEEWAY_SECONDS, MAX_TOKEN_LENGTH
from tests.unit.authorizers.fakes import (
    AUDIENCE,
    ISSUER,
    KID,
    POST_PRODUCTS,
    FakeIssuer,
    policy_allows,
    public_jwk,
    token_event,
)

pytestmark = pytest.mark.domain("jwt-authorizer")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value).encode())


def valid_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "partner-client-1",
        "iat": now,
        "exp": now + 300,
        "scope": "products:write",
    }
    return {**claims, **overrides}


def assert_unauthorized(authorizer: JwtAuthorizer, event: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized) as raised:
        authorizer.authorize(event)
    assert str(raised.value) == "Unauthorized"


def test_valid_access_token_is_allowed_on_its_route(authorizer, mint):
    # Given a well-formed access token with the products:write scope
    token = mint()

    # When the authorizer is asked about POST /v1/products
    policy = authorizer.authorize(token_event(token, POST_PRODUCTS))

    # Then the policy allows that route for the token's subject
    assert policy["principalId"] == "partner-client-1"
    assert policy_allows(policy, POST_PRODUCTS)


@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"], ids=["empty", "made-up"])
def test_alg_none_token_is_unauthorized(authorizer, signature):
    # Given an unsigned token (alg none), with an empty or a made-up signature
    header = b64url_json({"alg": "none", "typ": "at+jwt", "kid": KID})
    token = f"{header}.{b64url_json(valid_claims())}.{signature}"

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_hs256_token_signed_with_the_rsa_public_key_is_unauthorized(authorizer, signing_key):
    # Given the algorithm-confusion attack: HS256 keyed with the issuer's public key as published
    public_pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{b64url_json({'alg': 'HS256', 'typ': 'at+jwt', 'kid': KID})}."
        f"{b64url_json(valid_claims())}"
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_rs512_token_from_the_issuer_key_is_unauthorized(authorizer, mint):
    # Given a token signed by the right key but with an algorithm outside the allow-list
    token = mint(algorithm="RS512")

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_unknown_kid_is_unauthorized(authorizer, mint, second_key):
    # Given a token signed by a key the issuer never published
    token = mint(key=second_key, header={"kid": "not-published"})

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


@pytest.mark.parametrize(
    "kid",
    [
        "../../../../etc/passwd",
        "/proc/self/environ",
        "https://attacker.example/jwks.json",
        "file:///etc/passwd",
    ],
)
def test_kid_that_is_a_path_or_url_is_unauthorized_and_fetches_only_the_configured_jwks(
    authorizer, mint, second_key, issuer: FakeIssuer, kid
):
    # Given a token whose kid is a path or a URL, pointing at a key the attacker controls
    token = mint(key=second_key, header={"kid": kid})

    # When the authorizer sees it
    assert_unauthorized(authorizer, token_event(token))

    # Then the only key source consulted was the configured JWKS (first load + one refetch)
    assert issuer.fetches <= 2


def test_token_carrying_its_own_key_in_jwk_or_jku_headers_is_unauthorized(
    authorizer, mint, second_key
):
    # Given an attacker token naming the issuer's kid but signed with a key it embeds itself
    token = mint(
        key=second_key,
        header={"jwk": public_jwk(second_key, KID), "jku": "https://attacker.example/jwks"},
    )

    # When / Then the embedded key is ignored and the signature fails against the issuer's key
    assert_unauthorized(authorizer, token_event(token))


def test_tampered_payload_is_unauthorized(authorizer, mint):
    # Given a valid token whose payload is swapped for one granting more scopes
    header, _, signature = mint().split(".")
    elevated = b64url_json(valid_claims(scope="products:write telemetry:read telemetry:write"))
    token = f"{header}.{elevated}.{signature}"

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_tampered_signature_is_unauthorized(authorizer, mint):
    # Given a valid token with one signature character changed
    header, payload, signature = mint().split(".")
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    token = f"{header}.{payload}.{flipped}"

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_token_expired_beyond_the_leeway_is_unauthorized(authorizer, mint):
    # Given a token that expired 30 s before the stated leeway ran out
    token = mint(exp=int(time.time()) - CLOCK_LEEWAY_SECONDS - 30)

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_token_expired_within_the_leeway_is_allowed(authorizer, mint):
    # Given a token that expired 30 s ago, inside the stated clock leeway
    token = mint(exp=int(time.time()) - CLOCK_LEEWAY_SECONDS + 30, iat=int(time.time()) - 600)

    # When the authorizer sees it
    policy = authorizer.authorize(token_event(token))

    # Then clock skew between issuer and Lambda is tolerated
    assert policy_allows(policy, POST_PRODUCTS)


def test_token_not_yet_valid_beyond_the_leeway_is_unauthorized(authorizer, mint):
    # Given a token whose nbf is 30 s beyond the stated leeway in the future
    token = mint(nbf=int(time.time()) + CLOCK_LEEWAY_SECONDS + 30)

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_token_not_yet_valid_within_the_leeway_is_allowed(authorizer, mint):
    # Given a token whose nbf is 30 s in the future, inside the stated leeway
    token = mint(nbf=int(time.time()) + CLOCK_LEEWAY_SECONDS - 30)

    # When the authorizer sees it
    policy = authorizer.authorize(token_event(token))

    # Then it is accepted
    assert policy_allows(policy, POST_PRODUCTS)


def test_token_issued_in_the_future_beyond_the_leeway_is_unauthorized(authorizer, mint):
    # Given a token whose iat lies beyond the leeway in the future
    token = mint(iat=int(time.time()) + CLOCK_LEEWAY_SECONDS + 30)

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_wrong_issuer_is_unauthorized(authorizer, mint):
    # Given a token from another issuer, signed with the configured issuer's key
    token = mint(iss="https://other-issuer.example.test")

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_wrong_audience_is_unauthorized(authorizer, mint):
    # Given a token meant for another API
    token = mint(aud="https://another-api.example.test")

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


@pytest.mark.parametrize("missing", ["exp", "iss", "aud", "sub"])
def test_token_missing_a_required_claim_is_unauthorized(authorizer, mint, missing):
    # Given a token without one of the claims the authorizer requires
    token = mint(**{missing: None})

    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


@pytest.mark.parametrize(
    "header",
    [{"typ": "JWT"}, {"typ": None}, {"typ": "id+jwt"}],
    ids=["typ-JWT", "no-typ", "other-typ"],
)
def test_id_token_where_an_access_token_is_required_is_unauthorized(authorizer, mint, header):
    # Given an OIDC ID token from the right issuer: valid signature, but not typed at+jwt
    token = mint(header=header, nonce="n-0S6_WzA2Mj", at_hash="77QmUPtjPfzWtF2AnpK9RQ")

    # When / Then it is refused: only RFC 9068 access tokens are accepted
    assert_unauthorized(authorizer, token_event(token))


def test_access_token_typed_as_application_at_jwt_is_allowed(authorizer, mint):
    # Given an access token using the full media type RFC 9068 also allows
    token = mint(header={"typ": "application/at+jwt"})

    # When the authorizer sees it
    policy = authorizer.authorize(token_event(token))

    # Then it is accepted
    assert policy_allows(policy, POST_PRODUCTS)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "a..c", "!!!.???.***", "eyJhbGciOiJSUzI1NiJ9.e30.sig ", "é.é.é"],
)
def test_malformed_or_empty_token_is_unauthorized(authorizer, token):
    # Given something after "Bearer " that is not a compact JWS
    # When / Then it is refused
    assert_unauthorized(authorizer, token_event(token))


def test_token_with_non_canonical_base64_is_unauthorized(authorizer, mint):
    # Given a valid token whose signature's last character is re-spelled with unused low bits
    # set: the same bytes, a different string
    header, payload, signature = mint().split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    respelled = signature[:-1] + alphabet[last | 1 if last % 2 == 0 else last & ~1]
    assert base64.urlsafe_b64decode(signature + "==") == base64.urlsafe_b64decode(respelled + "==")

    # When / Then it is refused: one encoding of the signed bytes is accepted, not several
    assert_unauthorized(authorizer, token_event(f"{header}.{payload}.{respelled}"))


@pytest.mark.parametrize(
    "authorization",
    ["{token}", "Basic {token}", "bearer{token}", "Token {token}", "Bearer  {token}", None],
    ids=["bare", "basic", "no-space", "other-scheme", "two-spaces", "missing"],
)
def test_token_without_bearer_scheme_is_unauthorized(authorizer, mint, authorization):
    # Given an otherwise valid token not sent as "Bearer <token>"
    token = mint()
    event = token_event(token)
    event["authorizationToken"] = (
        None if authorization is None else authorization.format(token=token)
    )

    # When / Then it is refused
    assert_unauthorized(authorizer, event)


def test_oversized_token_is_unauthorized(authorizer, mint):
    # Given a validly signed token longer than the stated maximum
    token = mint(padding="x" * MAX_TOKEN_LENGTH)
    assert len(token) > MAX_TOKEN_LENGTH

    # When / Then it is refused before any parsing
    assert_unauthorized(authorizer, token_event(token))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_token_signed_by_a_short_rsa_key_is_unauthorized(authorizer, mint, issuer: FakeIssuer):
    # Given an issuer that publishes a 1024-bit key (too weak under RFC 8725 / NIST) and a
    # token signed with it
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - weak on purpose
    issuer.publish((weak_key, KID))
    token = jwt.encode(
        valid_claims(), weak_key, algorithm="RS256", headers={"typ": "at+jwt", "kid": KID}
    )

    # When / Then the key is not trusted and the token is refused
    assert_unauthorized(authorizer, token_event(token))
