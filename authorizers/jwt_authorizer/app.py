"""The custom TOKEN authorizer guarding the partner and device routes (docs/contract.md).

API Gateway calls `handler` with `Authorization: Bearer <access token from an OIDC issuer>`;
it verifies the token and answers with an IAM policy listing exactly the method ARNs the
token's scopes allow. An invalid token is "Unauthorized" (401); a valid token whose scopes do
not cover the route gets a policy that does not allow it (403).

The package, one module per part, each importing only the ones before it:
- `jwks`: the issuer's signing keys, fetched and cached across invocations;
- `verification`: `TokenVerifier`, the project's one JWT verifier;
- `policy`: `ScopeRoutes` and `build_policy` (scopes -> method ARNs);
- `settings`: the environment, checked when Lambda initializes the function;
- `app` (this module): `JwtAuthorizer` (event -> policy) and the Lambda entry point.

The template's `CodeUri` is `authorizers/` and its `Handler` `jwt_authorizer.app.handler`, so
Lambda imports this package as `jwt_authorizer` and the tests as `authorizers.jwt_authorizer`:
the modules import each other relatively, which works under both names.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any, Self

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from .jwks import JwksCache, fetch_jwks
from .policy import ScopeRoutes, build_policy, stage_arn
from .settings import AuthorizerSettings
from .verification import InvalidToken, TokenVerifier, bearer_token

logger = Logger()


class Unauthorized(Exception):
    """Raised out of the handler to make API Gateway answer 401 Unauthorized."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


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
            token = self._verifier.verify(bearer_token(event.get("authorizationToken")))
        except InvalidToken as rejection:
            # Only the fixed reason is logged: never the token, its claims or its header.
            logger.info("Token rejected", reason=rejection.reason)
            raise Unauthorized from None
        return build_policy(token, stage, self._scope_routes)


# Read when Lambda initializes the function: a missing or malformed setting fails the init with
# a message naming the variable (API Gateway then answers 500 to every caller, and the errors
# alarm fires), not a request. Kept, with its JWKS cache, while the container is warm.
authorizer = JwtAuthorizer.from_settings(AuthorizerSettings.from_environment(os.environ))


# log_event=False overrides POWERTOOLS_LOGGER_LOG_EVENT: the event carries the bearer token.
@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point: a policy for a valid token, `Unauthorized` for anything else."""
    try:
        return authorizer.authorize(event)
    except Unauthorized:
        raise
    except Exception as error:  # a bug must fail closed as 401
        logger.error("Authorizer failed; answering Unauthorized", error=type(error).__name__)
        raise Unauthorized from None
