"""The authorizer's answer: the IAM policy listing the method ARNs a token's scopes open.

`ScopeRoutes` is the `SCOPE_ROUTES` setting (scope -> routes), `build_policy` the answer.

Why not Powertools' `APIGatewayAuthorizerResponse` (aws_lambda_powertools.utilities.
data_classes): it assembles the same document from (method, path) pairs, but importing it loads
every event class of `data_classes`: about 25 ms more init, a fifth of this function's (median
of 15 fresh imports each, 136 -> 164 ms). Its `from_route_arn` drops the ARN's partition
(`aws-cn`, `aws-us-gov`), and it neither validates the incoming `methodArn` nor turns `{param}`
into the `*` a method ARN needs: the two things this module does besides writing a dictionary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from .verification import VerifiedToken

_HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_ROUTE_PATH = re.compile(r"/[A-Za-z0-9._~{}+/-]*")
_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


@dataclass(frozen=True, order=True)
class Route:
    """One API method, as docs/contract.md writes it: `POST /v1/products`."""

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
