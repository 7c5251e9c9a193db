"""The custom TOKEN authorizer guarding the partner and device routes.

API Gateway calls it with `Authorization: Bearer <access token from an OIDC issuer>`; it
verifies the token and answers with an IAM policy listing exactly the method ARNs the token's
scopes allow. An invalid token is "Unauthorized" (401); a valid token whose scopes do not
cover the route gets a policy that does not allow it (403).

The file reads in three parts, top to bottom:
1. the verifier: `JwksCache` (the issuer's signing keys, kept across invocations) and
   `TokenVerifier` (the project's one JWT verifier: RS256 only, issuer, audience, times,
   RFC 9068 access tokens only);
2. the policy builder: `ScopeRoutes` and `build_policy` (scopes -> method ARNs);
3. the handler: settings from the environment, `JwtAuthorizer` (event -> policy), `handler`.

It is one module on purpose: SAM packages `authorizers/jwt_authorizer/` as the function's
root, so Lambda imports this file as the top-level module `app` while tests import it as
`authorizers.jwt_authorizer.app`; sibling modules could not be imported the same way in both.

Access token vs ID token: only a token whose JOSE header has `typ: at+jwt` (or
`application/at+jwt`), as RFC 9068 section 2.1 requires of JWT access tokens, is accepted.
OIDC ID tokens carry `typ: JWT` or no `typ`, so they are refused even when correctly signed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit

import jwt
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

logger = Logger()

# --- 1. The verifier ---------------------------------------------------------------------

# RFC 8725 3.1: algorithms are an allow-list fixed here, never read from the token.
ALLOWED_ALGORITHMS = ("RS256",)
# Tolerated clock difference between the issuer and Lambda for `exp`, `nbf` and `iat`.
CLOCK_LEEWAY_SECONDS = 60
# Longer tokens are refused before any parsing; real access tokens are a few KB at most.
MAX_TOKEN_LENGTH = 8192
MAX_KID_LENGTH = 256
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
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
# The claim carrying the caller's tenant, passed on in the policy context when present.
TENANT_CLAIM = "tenant"

# Compact JWS: three base64url segments. The signature must not be empty (no `alg: none`).
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# The template's ValidationExpression: API Gateway refuses (401) what this module would refuse
# anyway without invoking it. A template test can compare the two.
BEARER_VALIDATION_EXPRESSION = f"^Bearer {_COMPACT_JWS.pattern}$"
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


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


# --- 2. The policy builder ---------------------------------------------------------------

_HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_ROUTE_PATH = re.compile(r"/[A-Za-z0-9._~{}+/-]*")
_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


@dataclass(frozen=True, order=True)
class Route:
    """One API method, as written in `api.md`: `POST /v1/products`."""

    method: str
    path: str

    @classmethod
    def parse(cls, text: str) -> Self:
        method, _, path = text.partition(" ")
        if method not in _HTTP_METHODS or not _ROUTE_PATH.fullmatch(path):
            raise ValueError(f"not a route like 'POST /v1/products': {text!r}")
        return cls(method, path)

    def method_arn(self, stage_arn: str) -> str:
        """This route's method ARN on a stage; path parameters match any value."""
        return f"{stage_arn}/{self.method}/{_PATH_PARAMETER.sub('*', self.path.lstrip('/'))}"


class ScopeRoutes:
    """Which routes each scope opens; read from the `SCOPE_ROUTES` setting."""

    def __init__(self, routes_by_scope: Mapping[str, frozenset[Route]]) -> None:
        self._routes_by_scope = dict(routes_by_scope)

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Parse `{"scope": ["METHOD /path", ...], ...}`; raise ValueError if it is not that."""
        document = json.loads(text)
        if not isinstance(document, dict):
            raise ValueError("SCOPE_ROUTES must be a JSON object")
        routes_by_scope: dict[str, frozenset[Route]] = {}
        for scope, routes in document.items():
            if not isinstance(routes, list) or not all(isinstance(r, str) for r in routes):
                raise ValueError(f"SCOPE_ROUTES[{scope!r}] must be a list of routes")
            routes_by_scope[scope] = frozenset(Route.parse(route) for route in routes)
        return cls(routes_by_scope)

    def allowed(self, scopes: frozenset[str]) -> list[Route]:
        """Every route the given scopes open, in a stable order."""
        return sorted({route for scope in scopes for route in self._routes_by_scope.get(scope, ())})


def stage_arn(method_arn: object) -> str | None:
    """`arn:aws:execute-api:region:account:apiId/stage` from an incoming method ARN."""
    if not isinstance(method_arn, str):
        return None
    api_arn, _, rest = method_arn.partition("/")
    stage, _, _ = rest.partition("/")
    fields = api_arn.split(":")
    if len(fields) != 6 or fields[0] != "arn" or fields[2] != "execute-api" or not stage:
        return None
    return f"{api_arn}/{stage}"


def build_policy(token: VerifiedToken, stage: str, scope_routes: ScopeRoutes) -> dict[str, Any]:
    """The authorizer's answer: Allow on exactly the routes the token's scopes open.

    API Gateway caches this answer per token for the authorizer's TTL and reuses it for the
    caller's other routes, so it lists every route the scopes open (not just this one) and
    never a wildcard that would open routes the scopes do not.
    """
    allowed = scope_routes.allowed(token.scopes)
    if allowed:
        statement = {
            "Action": "execute-api:Invoke",
            "Effect": "Allow",
            "Resource": [route.method_arn(stage) for route in allowed],
        }
    else:
        # The scopes open nothing: deny every method of the stage for this token (403).
        statement = {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": f"{stage}/*/*"}
    context = {"sub": token.subject, "scopes": " ".join(sorted(token.scopes))}
    if token.tenant is not None:
        context["tenant"] = token.tenant
    return {
        "principalId": token.subject,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": context,
    }


# --- 3. The handler ----------------------------------------------------------------------


class Unauthorized(Exception):
    """Raised out of the handler to make API Gateway answer 401 Unauthorized."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


@dataclass(frozen=True)
class AuthorizerSettings:
    """The authorizer's configuration, set by the template from its parameters."""

    issuer: str
    audience: str
    jwks_url: str
    scope_routes: ScopeRoutes

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Self:
        """Read `OIDC_ISSUER`, `OIDC_AUDIENCE`, `OIDC_JWKS_URL`, `SCOPE_ROUTES`, or raise."""
        missing = [
            name
            for name in ("OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_JWKS_URL", "SCOPE_ROUTES")
            if not environ.get(name)
        ]
        if missing:
            raise ValueError(f"missing settings: {', '.join(missing)}")
        jwks_url = environ["OIDC_JWKS_URL"]
        url = urlsplit(jwks_url)
        # Plain http only to this machine (the local OIDC issuer); keys must not be spoofable.
        if url.scheme != "https" and not (url.scheme == "http" and url.hostname in _LOOPBACK_HOSTS):
            raise ValueError("OIDC_JWKS_URL must be https (or http on loopback)")
        return cls(
            issuer=environ["OIDC_ISSUER"],
            audience=environ["OIDC_AUDIENCE"],
            jwks_url=jwks_url,
            scope_routes=ScopeRoutes.from_json(environ["SCOPE_ROUTES"]),
        )


class JwtAuthorizer:
    """Turns a TOKEN authorizer event into a policy, or raises `Unauthorized`."""

    def __init__(self, verifier: TokenVerifier, scope_routes: ScopeRoutes) -> None:
        self._verifier = verifier
        self._scope_routes = scope_routes

    @classmethod
    def from_settings(cls, settings: AuthorizerSettings) -> Self:
        jwks = JwksCache(functools.partial(fetch_jwks, settings.jwks_url))
        verifier = TokenVerifier(issuer=settings.issuer, audience=settings.audience, jwks=jwks)
        return cls(verifier, settings.scope_routes)

    def authorize(self, event: Mapping[str, Any]) -> dict[str, Any]:
        stage = stage_arn(event.get("methodArn"))
        if stage is None:
            logger.error("Event has no usable methodArn")
            raise Unauthorized
        try:
            token = self._verifier.verify(_bearer_token(event.get("authorizationToken")))
        except InvalidToken as rejection:
            # Only the fixed reason is logged: never the token, its claims or its header.
            logger.info("Token rejected", reason=rejection.reason)
            raise Unauthorized from None
        return build_policy(token, stage, self._scope_routes)


def _bearer_token(authorization: object) -> str:
    if not isinstance(authorization, str):
        raise InvalidToken("no Authorization value")
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer":
        raise InvalidToken("not a Bearer token")
    return token


@functools.cache
def _authorizer() -> JwtAuthorizer:
    # Built on the first invocation, not at import, and kept (with its JWKS cache) while the
    # container is warm.
    return JwtAuthorizer.from_settings(AuthorizerSettings.from_environment(os.environ))


# log_event=False overrides POWERTOOLS_LOGGER_LOG_EVENT: the event carries the bearer token.
@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point: a policy for a valid token, `Unauthorized` for anything else."""
    try:
        authorizer = _authorizer()
    except ValueError as error:
        # Settings errors name the setting, never a secret; without them every call is 401.
        logger.error("Authorizer misconfigured; answering Unauthorized", detail=str(error))
        raise Unauthorized from None
    try:
        return authorizer.authorize(event)
    except Unauthorized:
        raise
    except Exception as error:  # a bug or bad settings must fail closed as 401
        logger.error("Authorizer failed; answering Unauthorized", error=type(error).__name__)
        raise Unauthorized from None
