"""Fakes and constants shared by the JWT authorizer tests: a fake issuer, a fake clock,
the API's method ARNs, and a policy evaluator that reads a policy as API Gateway does.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://issuer.example.test"
AUDIENCE = "https://api.example.test"
STAGE_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod"
KID = "signing-key-1"

POST_PRODUCTS = f"{STAGE_ARN}/POST/v1/products"
POST_TELEMETRY = f"{STAGE_ARN}/POST/v1/telemetry"
GET_TELEMETRY = f"{STAGE_ARN}/GET/v1/telemetry/device-42"

# The routes of docs/contract.md behind the custom authorizer, as the template sets SCOPE_ROUTES.
SCOPE_ROUTES_JSON = json.dumps(
    {
        "products:write": ["POST /v1/products"],
        "telemetry:write": ["POST /v1/telemetry"],
        "telemetry:read": ["GET /v1/telemetry/{deviceId}"],
    }
)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class FakeClock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeIssuer:
    """The issuer's JWKS endpoint: serves `jwks`, counts fetches, fails while `down`."""

    jwks: dict[str, Any]
    down: bool = False
    fetches: int = 0

    def fetch(self) -> object:
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return self.jwks

    def publish(self, *keys: tuple[rsa.RSAPrivateKey, str]) -> None:
        self.jwks = {"keys": [public_jwk(key, kid) for key, kid in keys]}


def token_event(token: str, method_arn: str = POST_PRODUCTS) -> dict[str, Any]:
    return {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": method_arn}


def policy_allows(policy: dict[str, Any], method_arn: str) -> bool:
    """Evaluate a policy as API Gateway does: `*` is a wildcard, an explicit Deny wins."""

    def matches(statement: dict[str, Any]) -> bool:
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        return any(fnmatch.fnmatchcase(method_arn, resource) for resource in resources)

    statements = policy["policyDocument"]["Statement"]
    if any(s["Effect"] == "Deny" and matches(s) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and matches(s) for s in statements)
