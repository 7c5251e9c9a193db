"""The Cognito user pool authorizer, verified for real against the pool's JWKS in moto.

As API Gateway does: the signature (RS256, key by `kid` from the pool's JWKS), `iss` (one of
the authorizer's pools), `exp`, and `token_use` — an ID token when the method declares no
OAuth scopes, an access token carrying one of the method's scopes when it does. The claims
reach the integration as strings, the way a REST API passes them on.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any

import jwt

from local_gateway.api import Authorizer
from local_gateway.rejections import Rejection, unauthorized


def expired() -> Rejection:
    return Rejection("UNAUTHORIZED", 401, "The incoming token has expired")


def _pool_id(provider_arn: str) -> str:
    return provider_arn.rsplit("/", 1)[-1]


def _claim_string(name: str, value: Any) -> str:
    """REST APIs pass every claim as a string: times as Java dates, lists comma-joined."""
    if name in ("exp", "iat") and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


_VERIFIED_TOKENS_KEPT = 4096


class CognitoVerifier:
    """Verifies tokens of the local user pools; keys are fetched once per pool from moto."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        self._endpoint_url = endpoint_url
        self._region = region
        self._keys: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        # token -> (its pool, its claims, the claims as strings): a signature checked once is
        # not checked again, nor its claims converted again (a few hundred microseconds a
        # request); `exp` and the method's rules still are, on every request.
        self._verified: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {}

    def _issuer(self, pool_id: str) -> str:
        return f"https://cognito-idp.{self._region}.amazonaws.com/{pool_id}"

    def _signing_keys(self, pool_id: str) -> dict[str, Any]:
        with self._lock:
            if pool_id not in self._keys:
                url = f"{self._endpoint_url}/{pool_id}/.well-known/jwks.json"
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local moto
                    document = json.load(response)
                self._keys[pool_id] = {
                    key["kid"]: jwt.PyJWK(key).key for key in document.get("keys", [])
                }
            return self._keys[pool_id]

    def authorize(
        self, authorizer: Authorizer, scopes: tuple[str, ...], token: str | None
    ) -> dict[str, str]:
        """The claims to pass on, or raises the Rejection API Gateway would answer with."""
        if not token:
            raise unauthorized()
        pools = {self._issuer(_pool_id(arn)): _pool_id(arn) for arn in authorizer.provider_arns}
        known = self._verified.get(token)
        if known is not None and known[0] in pools.values():
            if float(known[1]["exp"]) <= time.time():
                raise expired()
            return self._admitted(known[1], known[2], scopes)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise unauthorized() from None
        pool_id = pools.get(str(unverified.get("iss")))
        if pool_id is None:
            raise unauthorized()
        key = self._signing_keys(pool_id).get(str(header.get("kid")))
        if key is None:
            raise unauthorized()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self._issuer(pool_id),
                options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise expired() from None
        except jwt.PyJWTError:
            raise unauthorized() from None
        if len(self._verified) >= _VERIFIED_TOKENS_KEPT:
            self._verified.clear()
        strings = {name: _claim_string(name, value) for name, value in claims.items()}
        self._verified[token] = (pool_id, claims, strings)
        return self._admitted(claims, strings, scopes)

    @staticmethod
    def _admitted(
        claims: dict[str, Any], strings: dict[str, str], scopes: tuple[str, ...]
    ) -> dict[str, str]:
        """The claims as strings (a copy: the call may add to it) if the token's use (and
        scopes) fit the method."""
        token_use = claims["token_use"]
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if token_use != "access" or not granted.intersection(scopes):  # noqa: S105
                raise unauthorized()
        elif token_use != "id":  # noqa: S105
            raise unauthorized()
        return dict(strings)


def token_expiry(token: str) -> float:
    """Seconds until `token` expires (negative when it has), without verifying it."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims.get("exp", 0)) - time.time()
