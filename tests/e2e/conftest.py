"""The end-to-end suite's one local gateway, and how its tests call the API over HTTP.

One gateway serves the whole session: it runs in-process on a free port with the repository's
template.yaml, its own local moto, the demo users it seeds (admin@example.com in `admins`,
user@example.com in no group), one API key per usage plan and its local OIDC issuer, so the
suite needs no second terminal, no Docker and no AWS. Tests share it, so each one makes its own
data (fresh ids, categories, device ids, file names) instead of counting on an empty table.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import requests
from mypy_boto3_s3 import S3Client

from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
ADMIN, MEMBER = "admin@example.com", "user@example.com"
HTTP_TIMEOUT_SECONDS = 30


class Api:
    """The local API over HTTP, with the credentials of the running gateway's session.

    `user=` sends that demo user's Cognito ID token, `bearer=` an `Authorization: Bearer`
    token (the custom authorizer's form), `api_key=` the key of a usage plan by its name
    (`free`, `partner`, `devices`); `headers=` adds or overrides anything else.
    """

    def __init__(self, running: RunningGateway) -> None:
        self.local = running
        self.http = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        user: str | None = None,
        bearer: str | None = None,
        api_key: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        sent: dict[str, str] = {}
        if user is not None:
            sent["Authorization"] = self.local.session.users[user]["id_token"]
        if bearer is not None:
            sent["Authorization"] = f"Bearer {bearer}"
        if api_key is not None:
            sent["x-api-key"] = self.local.session.api_keys[api_key]
        sent.update(headers or {})
        return self.http.request(
            method, self.local.api_url + path, headers=sent, timeout=HTTP_TIMEOUT_SECONDS, **kwargs
        )

    def issuer_token(self, subject: str, *scopes: str) -> str:
        """An access token of the gateway's local OIDC issuer (the partners' identity provider)."""
        return self.local.gateway.issuer.mint(subject, list(scopes))

    def user_sub(self, user: str) -> str:
        """The Cognito `sub` of a demo user: the prefix its files live under."""
        token = self.local.session.users[user]["id_token"]
        return str(jwt.decode(token, options={"verify_signature": False})["sub"])

    def s3(self) -> S3Client:
        """A client of the gateway's local S3, to look behind the API at what was stored."""
        return boto3.client(
            "s3",
            endpoint_url=self.local.session.aws_endpoint_url,
            region_name=self.local.session.region,
        )


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the API's error envelope with this status and code; returns the error."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["requestId"] == response.headers["x-amzn-RequestId"]
    return error


@pytest.fixture(scope="session")
def local() -> Iterator[RunningGateway]:
    # As `make dev` does: queued telemetry reaches its consumer while the suite runs.
    with start_gateway(TEMPLATE, poll_event_sources=True) as running:
        yield running


@pytest.fixture(scope="session")
def api(local: RunningGateway) -> Iterator[Api]:
    client = Api(local)
    yield client
    client.http.close()
