"""Property: whatever arrives in the Authorization header, a random string, a valid token
changed anywhere, or a token forged with another key, the authorizer never allows a route and
never raises anything but `Unauthorized`.
"""

from __future__ import annotations

import base64
import json
import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from authorizers.jwt_authorizer.app import JwtAuthorizer, Unauthorized
from authorizers.jwt_authorizer.jwks import JwksCache
from authorizers.jwt_authorizer.policy import ScopeRoutes
from authorizers.jwt_authorizer.verification import BEARER_VALIDATION_EXPRESSION, TokenVerifier
from tests.unit.authorizers.fakes import (
    AUDIENCE,
    GET_TELEMETRY,
    ISSUER,
    KID,
    POST_PRODUCTS,
    POST_TELEMETRY,
    SCOPE_ROUTES_JSON,
    FakeClock,
    FakeIssuer,
    policy_allows,
    public_jwk,
)

pytestmark = pytest.mark.domain("jwt-authorizer")

ALL_ROUTES = (POST_PRODUCTS, POST_TELEMETRY, GET_TELEMETRY)
ALL_SCOPES = "products:write telemetry:write telemetry:read"
TOKEN_CHARACTERS = st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\x00é"
)
# Session fixtures cannot reach a hypothesis test cleanly, so the keys are made once here.
ISSUER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

property_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def new_authorizer() -> JwtAuthorizer:
    issuer = FakeIssuer(jwks={"keys": [public_jwk(ISSUER_KEY, KID)]})
    verifier = TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, jwks=JwksCache(issuer.fetch, clock=FakeClock())
    )
    return JwtAuthorizer(verifier, ScopeRoutes.from_json(SCOPE_ROUTES_JSON))


AUTHORIZER = new_authorizer()


def valid_token() -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "partner-client-1",
        "iat": now,
        "exp": now + 3600,
        "scope": ALL_SCOPES,
    }
    return jwt.encode(claims, ISSUER_KEY, algorithm="RS256", headers={"typ": "at+jwt", "kid": KID})


# Minted once: the property is about changes to one token that the issuer really signed.
VALID_TOKEN = valid_token()


def assert_never_allowed(authorization: str) -> None:
    """The outcome is Unauthorized, or a policy that allows none of the API's routes."""
    for method_arn in ALL_ROUTES:
        event = {"type": "TOKEN", "authorizationToken": authorization, "methodArn": method_arn}
        try:
            policy = AUTHORIZER.authorize(event)
        except Unauthorized:
            continue
        assert not any(policy_allows(policy, arn) for arn in ALL_ROUTES)


def test_the_unmutated_token_is_allowed_everywhere():
    # Given the token the mutations start from
    # When / Then it really is allowed on every route, so the properties below test changes
    event = {"type": "TOKEN", "authorizationToken": f"Bearer {VALID_TOKEN}"}
    for method_arn in ALL_ROUTES:
        policy = AUTHORIZER.authorize({**event, "methodArn": method_arn})
        assert policy_allows(policy, method_arn)


@property_settings
@given(st.text(max_size=400))
def test_random_authorization_values_are_never_allowed(authorization):
    # Given any string at all in the Authorization header
    # When / Then it never opens a route and never raises anything but Unauthorized
    assert_never_allowed(authorization)


@property_settings
@given(st.lists(st.text(TOKEN_CHARACTERS, max_size=120), min_size=1, max_size=5))
def test_random_dotted_segments_are_never_allowed(segments):
    # Given something shaped like a JWT: base64url-ish segments joined by dots
    # When / Then it never opens a route
    assert_never_allowed("Bearer " + ".".join(segments))


@st.composite
def mutated_tokens(draw: st.DrawFn) -> str:
    token = VALID_TOKEN
    kind = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "swap", "segment"]))
    index = draw(st.integers(min_value=0, max_value=len(token) - 1))
    if kind == "replace":
        mutated = token[:index] + draw(TOKEN_CHARACTERS) + token[index + 1 :]
    elif kind == "insert":
        mutated = token[:index] + draw(TOKEN_CHARACTERS) + token[index:]
    elif kind == "delete":
        mutated = token[:index] + token[index + 1 :]
    elif kind == "truncate":
        mutated = token[:index]
    elif kind == "swap":
        other = draw(st.integers(min_value=0, max_value=len(token) - 1))
        chars = list(token)
        chars[index], chars[other] = chars[other], chars[index]
        mutated = "".join(chars)
    else:
        parts = token.split(".")
        # Reorder, drop or repeat whole segments.
        mutated = ".".join(draw(st.permutations([*parts, draw(st.sampled_from(parts))]))[:3])
    assume(mutated != token)
    return mutated


@property_settings
@given(mutated_tokens())
def test_mutated_valid_tokens_are_never_allowed(token):
    # Given a token the issuer signed, changed in any one way
    # When / Then it never opens a route
    assert_never_allowed(f"Bearer {token}")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@property_settings
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_headers_forged_onto_a_signed_payload_are_never_allowed(extra_header):
    # Given the issuer's payload and signature under a header the attacker wrote
    _, payload, signature = VALID_TOKEN.split(".")
    header = {"alg": "RS256", "typ": "at+jwt", "kid": KID, **extra_header}
    forged = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    assume(forged != VALID_TOKEN.split(".")[0])

    # When / Then it never opens a route
    assert_never_allowed(f"Bearer {forged}.{payload}.{signature}")


@property_settings
@given(
    st.dictionaries(st.text(max_size=12), json_values, max_size=6),
    st.sampled_from([KID, "other-kid"]),
)
def test_tokens_signed_with_another_key_are_never_allowed(extra_claims, kid):
    # Given a token with valid-looking claims (plus anything) signed by the attacker's key
    now = int(time.time())
    claims = {
        **extra_claims,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "attacker",
        "exp": now + 3600,
        "scope": ALL_SCOPES,
    }
    token = jwt.encode(
        claims, ATTACKER_KEY, algorithm="RS256", headers={"typ": "at+jwt", "kid": kid}
    )

    # When / Then it never opens a route
    assert_never_allowed(f"Bearer {token}")


def test_validation_expression_passes_a_valid_bearer_token():
    # Given / When API Gateway applies the template's ValidationExpression to a real token
    # Then the token reaches the authorizer
    assert re.fullmatch(BEARER_VALIDATION_EXPRESSION, f"Bearer {VALID_TOKEN}")


@property_settings
@given(st.one_of(st.text(max_size=200), mutated_tokens().map(lambda token: f"Bearer {token}")))
@example("Bearer eyJhbGciOiJub25lIn0.e30.")
@example(f"bearer {VALID_TOKEN}")
def test_what_the_validation_expression_refuses_the_authorizer_refuses_too(authorization):
    # Given an Authorization value API Gateway would refuse before invoking the authorizer
    assume(not re.fullmatch(BEARER_VALIDATION_EXPRESSION, authorization))
    event = {"type": "TOKEN", "authorizationToken": authorization, "methodArn": POST_PRODUCTS}

    # When / Then the authorizer, invoked anyway (e.g. by `sam local`), refuses it as well
    with pytest.raises(Unauthorized):
        AUTHORIZER.authorize(event)
