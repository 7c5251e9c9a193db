"""Fixtures for the JWT authorizer tests: RSA keys made here, a fake issuer and a fake clock.

Nothing reaches the network: the issuer's JWKS endpoint is an in-memory `FakeIssuer` whose
outages are switched on by the test, and the JWKS cache's clock is a `FakeClock`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from authorizers.jwt_authorizer.app import JwtAuthorizer
from authorizers.jwt_authorizer.jwks import JwksCache
from authorizers.jwt_authorizer.policy import ScopeRoutes
from authorizers.jwt_authorizer.verification import TokenVerifier
from tests.unit.authorizers.fakes import (
    AUDIENCE,
    ISSUER,
    KID,
    SCOPE_ROUTES_JSON,
    FakeClock,
    FakeIssuer,
)

TokenMinter = Callable[..., str]


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def second_key() -> rsa.RSAPrivateKey:
    """Another RSA key: the issuer's next key after a rotation, or an attacker's."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def issuer(signing_key: rsa.RSAPrivateKey) -> FakeIssuer:
    fake = FakeIssuer(jwks={})
    fake.publish((signing_key, KID))
    return fake


@pytest.fixture
def jwks_cache(issuer: FakeIssuer, clock: FakeClock) -> JwksCache:
    return JwksCache(issuer.fetch, clock=clock)


@pytest.fixture
def verifier(jwks_cache: JwksCache) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks_cache)


@pytest.fixture
def authorizer(verifier: TokenVerifier) -> JwtAuthorizer:
    return JwtAuthorizer(verifier, ScopeRoutes.from_json(SCOPE_ROUTES_JSON))


@pytest.fixture
def mint(signing_key: rsa.RSAPrivateKey) -> TokenMinter:
    """Mint an access token; keyword arguments override claims, `header` overrides headers.

    A claim overridden with `None` is left out. Times are real: PyJWT reads the wall clock.
    """

    def mint_token(
        *,
        key: Any = None,
        algorithm: str = "RS256",
        header: dict[str, Any] | None = None,
        **claim_overrides: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "partner-client-1",
            "iat": now,
            "exp": now + 300,
            "scope": "products:write",
        }
        claims.update(claim_overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        headers = {"typ": "at+jwt", "kid": KID, **(header or {})}
        return jwt.encode(
            claims, signing_key if key is None else key, algorithm=algorithm, headers=headers
        )

    return mint_token
