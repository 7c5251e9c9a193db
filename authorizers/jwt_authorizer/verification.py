"""The project's one JWT verifier: an OIDC access token checked against the issuer's keys.

RS256 only, issuer, audience, times with a stated leeway, and RFC 9068 access tokens only:
a token whose JOSE header has `typ: at+jwt` (or `application/at+jwt`), as RFC 9068 section
2.1 requires of JWT access tokens. OIDC ID tokens carry `typ: JWT` or no `typ`, so they are
refused even when correctly signed. PyJWT checks the signature and the registered claims;
what it leaves to its caller (the form of the token, the header, the scope claims) is here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .jwks import ALLOWED_ALGORITHMS, JwksCache

# Tolerated clock difference between the issuer and Lambda for `exp`, `nbf` and `iat`.
CLOCK_LEEWAY_SECONDS = 60
# Longer tokens are refused before any parsing; real access tokens are a few KB at most.
MAX_TOKEN_LENGTH = 8192
MAX_KID_LENGTH = 256
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# The claim carrying the caller's tenant, passed on in the policy context when present.
TENANT_CLAIM = "tenant"

# Compact JWS: three base64url segments. The signature must not be empty (no `alg: none`).
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# The template's ValidationExpression: API Gateway refuses (401) what this module would refuse
# anyway without invoking it. A template test can compare the two.
BEARER_VALIDATION_EXPRESSION = f"^Bearer {_COMPACT_JWS.pattern}$"


class InvalidToken(Exception):
    """The token cannot be trusted; `reason` is a fixed phrase, safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedToken:
    """What the authorizer needs from a token whose signature and claims were checked."""

    subject: str
    scopes: frozenset[str]
    tenant: str | None


class TokenVerifier:
    """Verifies an OIDC access token (RFC 9068) against the issuer's cached signing keys."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: JwksCache,
        leeway: float = CLOCK_LEEWAY_SECONDS,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwks
        self._leeway = leeway

    def verify(self, token: str) -> VerifiedToken:
        """The verified token, or `InvalidToken` saying why not."""
        _check_compact_form(token)
        header = _unverified_header(token)
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise InvalidToken("algorithm not allowed")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
            raise InvalidToken("not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH:
            raise InvalidToken("missing or malformed kid")
        # The kid is only ever a dictionary key: never a path, URL or anything fetched.
        key = self._jwks.signing_key(kid)
        if key is None:
            raise InvalidToken("unknown kid")
        claims = self._verified_claims(token, key)
        return VerifiedToken(subject=claims["sub"], scopes=_scopes(claims), tenant=_tenant(claims))

    def _verified_claims(self, token: str, key: RSAPublicKey) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(_reason(error)) from None
        except Exception:  # whatever a hostile token provokes is a rejection
            raise InvalidToken("undecodable token") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("empty subject")
        return claims


def bearer_token(authorization: object) -> str:
    """The token of an `Authorization: Bearer <token>` value, or `InvalidToken`."""
    if not isinstance(authorization, str):
        raise InvalidToken("no Authorization value")
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer":
        raise InvalidToken("not a Bearer token")
    return token


def _check_compact_form(token: str) -> None:
    if not token:
        raise InvalidToken("empty token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("oversized token")
    # PyJWT then refuses non-canonical base64url (two spellings of the same bytes).
    if not _COMPACT_JWS.fullmatch(token):
        raise InvalidToken("malformed token")


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except Exception:  # a header PyJWT cannot read is a malformed token
        raise InvalidToken("malformed header") from None


_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not yet valid"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.MissingRequiredClaimError, "missing claim"),
)


def _reason(error: jwt.PyJWTError) -> str:
    return next((reason for kind, reason in _REASONS if isinstance(error, kind)), "invalid token")


def _scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    # RFC 9068 / RFC 8693 use a space-separated `scope`; Okta and Entra ID use `scp`
    # (a list or a space-separated string).
    raw = claims["scope"] if "scope" in claims else claims.get("scp")
    if raw is None:
        return frozenset()
    if isinstance(raw, str):
        return frozenset(raw.split())
    if isinstance(raw, list) and all(isinstance(scope, str) for scope in raw):
        return frozenset(raw)
    raise InvalidToken("malformed scope claim")


def _tenant(claims: Mapping[str, Any]) -> str | None:
    tenant = claims.get(TENANT_CLAIM)
    return tenant if isinstance(tenant, str) and tenant else None
