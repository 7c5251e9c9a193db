"""Where the end-to-end suite sends its requests, with which credentials, and how it calls the API
(the session fixtures that build them: tests/e2e/conftest.py).

By default the target is one local gateway for the whole session: it runs in-process on a free
port with the repository's template.yaml, its own local moto, the demo users it seeds
(admin@example.com in `admins`, user@example.com in no group), one API key per usage plan and
its local OIDC issuer, so the suite needs no second terminal, no Docker and no AWS.

With `API_URL` set the same tests run unchanged against a deployed stage, with credentials from
the environment (docs/how-to/run-against-a-deployed-stage.md): `E2E_ADMIN_ID_TOKEN` and
`E2E_USER_ID_TOKEN` (Cognito ID tokens of a user in `admins` and of one in no group),
`E2E_API_KEY_FREE`, `E2E_API_KEY_PARTNER`, `E2E_API_KEY_DEVICES`, and an OIDC client allowed the
client-credentials grant: `E2E_ISSUER_TOKEN_URL`, `E2E_ISSUER_CLIENT_ID`,
`E2E_ISSUER_CLIENT_SECRET` (and `E2E_ISSUER_AUDIENCE` if the issuer needs one). A test whose
credential is not given skips, naming the variable. The local gateway's own issuer is reached the
same way (client credentials at its token endpoint), so both targets get tokens by one path.

Tests that look behind the API (S3 contents, the local template's parameters, the local
server's socket) are marked `local_only(reason=...)` and skip against a deployed stage with
that reason. Tests share the target, so each one makes its own data (fresh ids, categories,
device ids, file names) instead of counting on an empty table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from local_gateway.runtime import RunningGateway

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
HTTP_TIMEOUT_SECONDS = 30

# The two end users the tests act as: one in the `admins` group, one in no group.
ADMIN, MEMBER = "admin", "member"
ID_TOKEN_VARIABLES = {ADMIN: "E2E_ADMIN_ID_TOKEN", MEMBER: "E2E_USER_ID_TOKEN"}
API_KEY_VARIABLES = {
    "free": "E2E_API_KEY_FREE",
    "partner": "E2E_API_KEY_PARTNER",
    "devices": "E2E_API_KEY_DEVICES",
}
ISSUER_VARIABLES = ("E2E_ISSUER_TOKEN_URL", "E2E_ISSUER_CLIENT_ID", "E2E_ISSUER_CLIENT_SECRET")
ISSUER_AUDIENCE_VARIABLE = "E2E_ISSUER_AUDIENCE"
# The local suite's issuer client: the local issuer accepts any client id and secret.
LOCAL_ISSUER_CLIENT = ("e2e-suite", "local-secret")
LOCAL_MAX_UPLOAD = 1024 * 1024


def deployed_api_url() -> str | None:
    """The deployed stage's URL when the suite targets one (`API_URL`), else None."""
    return os.environ.get("API_URL") or None


def _given(environ: Mapping[str, str], variables: Mapping[str, str]) -> dict[str, str]:
    """Each key whose variable is set (and not empty), with the variable's value."""
    return {key: environ[name] for key, name in variables.items() if environ.get(name)}


def demo_id_tokens(running: RunningGateway) -> dict[str, str]:
    """The ID tokens of the gateway's demo users by role (none if the template has no pool)."""
    tokens: dict[str, str] = {}
    for user in running.session.users.values():
        role = ADMIN if "admins" in user["groups"] else MEMBER if not user["groups"] else None
        if role is not None:
            tokens.setdefault(role, str(user["id_token"]))
    return tokens


@dataclass(frozen=True)
class IssuerClient:
    """An OIDC client that gets access tokens with the client-credentials grant."""

    token_url: str
    client_id: str
    client_secret: str
    audience: str | None = None


@dataclass(frozen=True)
class Target:
    """The API under test: its URL and the credentials the suite has for it.

    Credentials are keyed by role (`ADMIN`, `MEMBER`) and by usage plan (`free`, `partner`,
    `devices`); a missing one is simply absent, and the test that needs it skips.
    """

    api_url: str
    id_tokens: Mapping[str, str]
    api_keys: Mapping[str, str]
    issuer: IssuerClient | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Target:
        """A deployed stage: `API_URL` and whichever `E2E_*` credentials are set."""
        issuer = None
        if all(environ.get(name) for name in ISSUER_VARIABLES):
            url, client_id, secret = (environ[name] for name in ISSUER_VARIABLES)
            issuer = IssuerClient(url, client_id, secret, environ.get(ISSUER_AUDIENCE_VARIABLE))
        return cls(
            api_url=environ["API_URL"].rstrip("/"),
            id_tokens=_given(environ, ID_TOKEN_VARIABLES),
            api_keys=_given(environ, API_KEY_VARIABLES),
            issuer=issuer,
        )

    @classmethod
    def from_local(cls, running: RunningGateway) -> Target:
        """The local gateway, with the demo users, keys and issuer of its session."""
        client_id, secret = LOCAL_ISSUER_CLIENT
        return cls(
            api_url=running.api_url,
            id_tokens=demo_id_tokens(running),
            api_keys=dict(running.session.api_keys),
            issuer=IssuerClient(running.session.issuer["token_endpoint"], client_id, secret),
        )


@dataclass
class Api:
    """The target over HTTP, with its credentials.

    `user=` sends that role's Cognito ID token, `bearer=` an `Authorization: Bearer` token (the
    custom authorizer's form), `api_key=` the key of a usage plan by its name (`free`,
    `partner`, `devices`); `headers=` adds or overrides anything else.
    """

    target: Target
    http: requests.Session = field(default_factory=requests.Session)
    _issuer_tokens: dict[frozenset[str], str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.target.api_url

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
            sent["Authorization"] = self.id_token(user)
        if bearer is not None:
            sent["Authorization"] = f"Bearer {bearer}"
        if api_key is not None:
            sent["x-api-key"] = self.api_key(api_key)
        sent.update(headers or {})
        return self.http.request(
            method, self.api_url + path, headers=sent, timeout=HTTP_TIMEOUT_SECONDS, **kwargs
        )

    def id_token(self, user: str) -> str:
        """The Cognito ID token of `ADMIN` or `MEMBER`; skips the test when none was given."""
        if user not in self.target.id_tokens:
            pytest.skip(f"no Cognito ID token for the {user} user: set {ID_TOKEN_VARIABLES[user]}")
        return self.target.id_tokens[user]

    def api_key(self, plan: str) -> str:
        """The API key of a usage plan; skips the test when none was given."""
        if plan not in self.target.api_keys:
            pytest.skip(f"no API key of the {plan} plan: set {API_KEY_VARIABLES[plan]}")
        return self.target.api_keys[plan]

    def issuer_token(self, *scopes: str) -> str:
        """An access token of the OIDC issuer for exactly these scopes (client credentials).

        One token per scope set for the session: deployed issuers may charge per token.
        """
        issuer = self.target.issuer
        if issuer is None:
            variables = ", ".join(ISSUER_VARIABLES)
            pytest.skip(f"no OIDC client to get issuer tokens with: set {variables}")
        wanted = frozenset(scopes)
        if wanted not in self._issuer_tokens:
            form = {"grant_type": "client_credentials", "scope": " ".join(sorted(wanted))}
            if issuer.audience:
                form["audience"] = issuer.audience
            granted = self.http.post(
                issuer.token_url,
                data=form,
                auth=(issuer.client_id, issuer.client_secret),  # client_secret_basic
                timeout=HTTP_TIMEOUT_SECONDS,
            )
            assert granted.status_code == 200, f"issuer token for {sorted(wanted)}: {granted.text}"
            self._issuer_tokens[wanted] = str(granted.json()["access_token"])
        return self._issuer_tokens[wanted]

    def user_sub(self, user: str) -> str:
        """The Cognito `sub` of `ADMIN` or `MEMBER`: the prefix its files live under."""
        claims = jwt.decode(self.id_token(user), options={"verify_signature": False})
        return str(claims["sub"])


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
