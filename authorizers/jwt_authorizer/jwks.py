"""The issuer's signing keys: fetched from its JWKS URL and kept across warm invocations.

`fetch_jwks` reads the document (no redirects, a short timeout, a bounded size),
`signing_keys_from_jwks` keeps its usable RS256 keys, and `JwksCache` decides when to fetch.

Why not PyJWT's `PyJWKClient` (PyJWT 2.15): it fetches and parses the same way, but its cache
is not the one an authorizer on the request path needs.
- When its JWK Set's lifespan ends during an issuer outage, the expired set is not served:
  every token fails until the issuer is back. `JwksCache` keeps serving the keys it holds.
- Its refetch cooldown starts only after a *successful* fetch, so while the issuer is down
  every token (each made-up `kid`, each expired-cache lookup) fetches again; here a failing
  issuer is retried at most once per `JWKS_REFETCH_WINDOW_SECONDS`.
- It reads the response unbounded and keeps any key PyJWT can parse; here the body is
  capped at `MAX_JWKS_BYTES` and keys are RSA signing keys of at least 2048 bits only.
- Its clock is `time.monotonic`, fixed; the cache's tests drive an injected clock instead.
PyJWT's `PyJWK` does the parsing of each key.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt
from aws_lambda_powertools import Logger
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

logger = Logger()

# RFC 8725 3.1: algorithms are an allow-list fixed here, never read from the token.
ALLOWED_ALGORITHMS = ("RS256",)
# RFC 8725 3.5 / NIST SP 800-131A: RSA keys shorter than this are not trusted.
MIN_RSA_KEY_BITS = 2048
# Keys are refetched when older than this, so a key the issuer withdrew stops working.
JWKS_MAX_AGE_SECONDS = 600.0
# At most one refetch per window for unknown `kid`s, and one retry per window of a failing
# issuer, so made-up `kid`s cannot turn the authorizer into a load generator on the issuer.
JWKS_REFETCH_WINDOW_SECONDS = 60.0
# Short: the fetch happens inside an API request, and cached keys cover an outage.
JWKS_FETCH_TIMEOUT_SECONDS = 2.0
MAX_JWKS_BYTES = 256 * 1024


def fetch_jwks(url: str) -> object:
    """Fetch the issuer's JWKS document: no redirects, a short timeout, a bounded size."""
    # A redirect could move the fetch to a host nobody configured.
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked in settings
    with opener.open(request, timeout=JWKS_FETCH_TIMEOUT_SECONDS) as response:
        body: bytes = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("JWKS document too large")
    return json.loads(body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def signing_keys_from_jwks(document: object) -> dict[str, RSAPublicKey]:
    """The usable RS256 signing keys of a JWKS document by `kid`; unusable entries are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        return {}
    keys: dict[str, RSAPublicKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if (
            not isinstance(kid, str)
            or not kid
            or entry.get("kty") != "RSA"
            or entry.get("use", "sig") != "sig"
            or entry.get("alg", "RS256") not in ALLOWED_ALGORITHMS
        ):
            continue
        try:
            key = jwt.PyJWK(entry, algorithm="RS256").key
        except (jwt.PyJWTError, ValueError, TypeError):
            continue
        # An entry with private parts parses as a private key; it is not a published key.
        if isinstance(key, RSAPublicKey) and key.key_size >= MIN_RSA_KEY_BITS:
            keys[kid] = key
    return keys


class JwksCache:
    """The issuer's signing keys, kept across invocations of a warm Lambda container.

    Keys are refetched when older than `max_age`, and when a token names an unknown `kid`
    (the issuer rotated) at most once per `refetch_window`. A failed or empty fetch keeps the
    keys already held, so tokens signed with them keep working while the issuer is down, and
    the failing issuer is retried at most once per window. `fetch` and `clock` are
    injectable for tests.
    """

    def __init__(
        self,
        fetch: Callable[[], object],
        *,
        clock: Callable[[], float] = time.monotonic,
        max_age: float = JWKS_MAX_AGE_SECONDS,
        refetch_window: float = JWKS_REFETCH_WINDOW_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._max_age = max_age
        self._refetch_window = refetch_window
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._unknown_kid_refetched_at: float | None = None

    def signing_key(self, kid: str) -> RSAPublicKey | None:
        """The key for `kid`, fetching the JWKS first when it is due and allowed."""
        refreshed = False
        if self._is_stale() and self._window_passed(self._attempted_at):
            self._refresh()
            refreshed = True
        key = self._keys.get(kid)
        if key is None and not refreshed and self._window_passed(self._unknown_kid_refetched_at):
            self._unknown_kid_refetched_at = self._clock()
            self._refresh()
            key = self._keys.get(kid)
        return key

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age

    def _window_passed(self, since: float | None) -> bool:
        return since is None or self._clock() - since >= self._refetch_window

    def _refresh(self) -> None:
        self._attempted_at = self._clock()
        try:
            keys = signing_keys_from_jwks(self._fetch())
        except Exception as error:  # any fetch failure is an outage; keep serving
            logger.warning("JWKS fetch failed; keeping cached keys", error=type(error).__name__)
            return
        if not keys:
            logger.warning("JWKS had no usable RS256 signing key; keeping cached keys")
            return
        self._keys = keys
        self._fetched_at = self._attempted_at
