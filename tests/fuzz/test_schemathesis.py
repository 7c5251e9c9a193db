"""Fuzzing: schemathesis drives every operation of docs/openapi.json through the local gateway.

Each operation gets the credentials its security asks for (the admin's Cognito ID token, the
local issuer's token with every scope, the partner and devices plans' API keys), so the
generated inputs reach the handlers and integrations, not only the authorizers. Every answer
must be no 5xx, have a documented status, match its documented schema, and every 4xx/5xx must
be the error envelope of docs/contract.md. `FUZZ_EXAMPLES` sets the examples per operation
(`make fuzz`: 1000); unset, it is hypothesis's default (100), what CI runs.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

pytestmark = [pytest.mark.fuzz, pytest.mark.domain("core")]

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "openapi.json"
ADMIN = "admin@example.com"
# The plan each API-key operation is called with: partner for catalog reads (the free plan's
# burst of 10 would make throttling the only answer), devices for telemetry ingestion.
PLAN_BY_PATH = {"/v1/telemetry": "devices"}
DEFAULT_PLAN = "partner"
EXAMPLES = int(os.environ["FUZZ_EXAMPLES"]) if os.environ.get("FUZZ_EXAMPLES") else None
HTTP_TIMEOUT_SECONDS = 30

schema = schemathesis.openapi.from_path(CONTRACT)


@pytest.fixture(scope="module")
def local() -> Iterator[RunningGateway]:
    with start_gateway(ROOT / "template.yaml") as running:
        yield running


def credentials(local: RunningGateway, path: str, security: list[dict[str, Any]]) -> dict[str, str]:
    """The headers that satisfy every scheme the operation's security requires."""
    headers: dict[str, str] = {}
    for requirement in security:
        for scheme in requirement:
            if scheme == "CognitoAuthorizer":
                headers["Authorization"] = local.session.users[ADMIN]["id_token"]
            elif scheme == "JwtAuthorizer":
                headers["Authorization"] = f"Bearer {local.session.issuer['token']}"
            elif scheme == "sigv4":
                continue  # signed over the whole request: SigV4, below
            elif scheme == "api_key":
                plan = PLAN_BY_PATH.get(path, DEFAULT_PLAN)
                headers["x-api-key"] = local.session.api_keys[plan]
            else:
                raise AssertionError(f"the fuzz test does not know security scheme {scheme!r}")
    return headers


class SigV4(requests.auth.AuthBase):
    """Signs each request as the local IAM caller, after schemathesis has built it."""

    def __init__(self, local: RunningGateway) -> None:
        caller = next(iter(local.session.iam_callers.values()))
        self.credentials = botocore.credentials.Credentials(
            caller["access_key_id"], caller["secret_access_key"]
        )
        self.region = local.session.region

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        body = prepared.body or b""
        signed = botocore.awsrequest.AWSRequest(
            method=prepared.method,
            url=prepared.url,
            data=body.encode() if isinstance(body, str) else body,
            headers={k: v for k, v in prepared.headers.items() if k.lower() == "content-type"},
        )
        botocore.auth.SigV4Auth(self.credentials, "execute-api", self.region).add_auth(signed)
        for name in ("Authorization", "X-Amz-Date"):
            prepared.headers[name] = signed.headers[name]
        return prepared


def signs_with_iam(security: list[dict[str, Any]]) -> bool:
    return any("sigv4" in requirement for requirement in security)


@schemathesis.check
def errors_are_the_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx body is `{"error": {"code", "message", "requestId"[, "details"]}}`."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(
            f"{response.status_code} body is not JSON: {response.content!r:.200}"
        ) from None
    assert isinstance(body, dict), f"not the envelope: {body!r:.300}"
    assert set(body) == {"error"}, f"not the envelope: {body!r:.300}"
    error = body["error"]
    assert isinstance(error, dict), f"not the envelope: {body!r:.300}"
    assert {"code", "message", "requestId"} <= set(error), f"envelope misses fields: {error!r}"
    assert set(error) <= {"code", "message", "requestId", "details"}, f"extra fields: {error!r}"
    assert isinstance(error["code"], str), f"code: {error['code']!r}"
    assert error["code"].isupper(), f"code: {error['code']!r}"
    return True


@schema.parametrize()
@settings(
    max_examples=EXAMPLES or settings().max_examples,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_contract(case: Any, local: RunningGateway) -> None:
    # Given the operation's credentials, and an input schemathesis generated for it
    security = case.operation.definition.raw.get("security", schema.raw_schema.get("security", []))
    headers = credentials(local, case.operation.path, security)
    # When it is sent through the gateway
    # Then no 5xx, a documented status, a body of the documented schema, errors in the envelope
    case.call_and_validate(
        base_url=local.api_url,
        headers=headers,
        auth=SigV4(local) if signs_with_iam(security) else None,
        timeout=HTTP_TIMEOUT_SECONDS,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
        additional_checks=[errors_are_the_envelope],
    )
