"""The Lambda entry point: settings from the environment, fail closed, nothing secret logged."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from authorizers.jwt_authorizer import app
from authorizers.jwt_authorizer.app import JwtAuthorizer, Unauthorized
from authorizers.jwt_authorizer.settings import AuthorizerSettings, SettingsError
from tests.unit.authorizers.fakes import SCOPE_ROUTES_JSON, policy_allows

pytestmark = pytest.mark.domain("jwt-authorizer")

EVENT_FILE = Path(__file__).parents[3] / "events" / "jwt_authorizer.json"

SETTINGS = {
    "OIDC_ISSUER": "https://issuer.example.test",
    "OIDC_AUDIENCE": "https://api.example.test",
    "OIDC_JWKS_URL": "https://issuer.example.test/.well-known/jwks.json",
    "SCOPE_ROUTES": SCOPE_ROUTES_JSON,
}


@dataclass
class FakeLambdaContext:
    function_name: str = "JwtAuthorizerFunction"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:JwtAuthorizerFunction"
    )
    aws_request_id: str = "5f1c9c9e-0000-4000-8000-000000000000"


def lambda_context() -> LambdaContext:
    # Powertools reads these four attributes; the cast keeps the handler's real signature.
    return cast(LambdaContext, FakeLambdaContext())


def sample_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(EVENT_FILE.read_text())
    return event


@pytest.fixture
def configured(monkeypatch):
    """The authorizer as the template's environment configures it."""
    settings = AuthorizerSettings.from_environment(SETTINGS)
    monkeypatch.setattr(app, "authorizer", JwtAuthorizer.from_settings(settings))


def test_sample_event_with_a_minted_token_gets_its_policy(monkeypatch, authorizer, mint):
    # Given the sample event carrying a freshly minted products:write token
    monkeypatch.setattr(app, "authorizer", authorizer)
    event = sample_event()
    event["authorizationToken"] = f"Bearer {mint()}"

    # When Lambda calls the handler
    policy = app.handler(event, lambda_context())

    # Then the route in the event's methodArn is allowed
    assert policy_allows(policy, event["methodArn"])


def test_sample_event_token_is_unauthorized(monkeypatch, authorizer):
    # Given the sample event as shipped (a token of the right shape that no issuer signed)
    monkeypatch.setattr(app, "authorizer", authorizer)

    # When / Then it is refused
    with pytest.raises(Unauthorized):
        app.handler(sample_event(), lambda_context())


def test_missing_setting_fails_the_init_naming_it(monkeypatch):
    # Given an environment without the issuer setting
    monkeypatch.delenv("OIDC_ISSUER")

    # When Lambda initializes the function, Then the init fails and names the variable
    # (no request is ever answered by a misconfigured authorizer)
    with pytest.raises(SettingsError, match="missing settings: OIDC_ISSUER"):
        import_app_as_lambda_does(monkeypatch)


@pytest.mark.parametrize("event", [[], "Bearer x", None, {"methodArn": 7}])
def test_event_that_is_not_a_token_event_is_unauthorized(configured, event):
    # Given / When an event of the wrong shape reaches the handler
    # Then it is Unauthorized and no other exception escapes
    with pytest.raises(Unauthorized):
        app.handler(event, lambda_context())


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every field of every captured record: what the JSON log line is made from."""
    return " ".join(str(record.__dict__) for record in caplog.records)


def test_rejection_log_names_the_reason_and_never_the_token(configured, caplog):
    # Given a configured authorizer and a request with a Basic credential
    event = sample_event()
    event["authorizationToken"] = "Basic cGFydG5lcjpodW50ZXIy"

    # When it is refused
    with pytest.raises(Unauthorized):
        app.handler(event, lambda_context())

    # Then the log says why, and does not contain the credential
    assert [record.__dict__.get("reason") for record in caplog.records] == ["not a Bearer token"]
    assert "cGFydG5lcjpodW50ZXIy" not in logged_text(caplog)


def import_app_as_lambda_does(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh copy of the handler module, imported with the environment as it is now
    (Powertools reads POWERTOOLS_LOGGER_LOG_EVENT when the handler is decorated)."""
    # Named inside the package, so the module's relative imports find its siblings.
    spec = importlib.util.spec_from_file_location(f"{app.__package__}.cold_app", app.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs, as any import is (dataclasses look their module up there).
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_logs_never_contain_the_token_even_with_event_logging_on(
    monkeypatch, authorizer, mint, caplog
):
    # Given a cold start with event logging switched on for the stage (Globals sets
    # POWERTOOLS_LOGGER_LOG_EVENT=true outside prod), one accepted and one expired token
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    cold_app = import_app_as_lambda_does(monkeypatch)
    monkeypatch.setattr(cold_app, "authorizer", authorizer)
    accepted, expired = mint(), mint(exp=int(time.time()) - 3600)

    # When both go through the handler
    cold_app.handler(
        {**sample_event(), "authorizationToken": f"Bearer {accepted}"}, lambda_context()
    )
    with pytest.raises(cold_app.Unauthorized):
        cold_app.handler(
            {**sample_event(), "authorizationToken": f"Bearer {expired}"}, lambda_context()
        )

    # Then no part of either token's signature or payload was logged
    logged = logged_text(caplog)
    assert caplog.records, "the rejection should have been logged"
    for token in (accepted, expired):
        _, payload, signature = token.split(".")
        assert payload not in logged
        assert signature not in logged


def test_settings_are_read_from_the_environment():
    # Given / When the template's environment is read
    settings = AuthorizerSettings.from_environment(SETTINGS)

    # Then every setting is there and the scope map is parsed
    assert (settings.issuer, settings.audience, settings.jwks_url) == (
        SETTINGS["OIDC_ISSUER"],
        SETTINGS["OIDC_AUDIENCE"],
        SETTINGS["OIDC_JWKS_URL"],
    )
    assert [str(r.path) for r in settings.scope_routes.allowed(frozenset({"products:write"}))] == [
        "/v1/products"
    ]


def test_missing_settings_are_named():
    # Given an environment with none of the settings
    # When / Then reading it fails and names what is missing
    with pytest.raises(ValueError, match="OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL, SCOPE_ROUTES"):
        AuthorizerSettings.from_environment({})


@pytest.mark.parametrize(
    "url",
    [
        "http://issuer.example.test/jwks.json",
        "file:///etc/jwks.json",
        "ftp://issuer.example.test/jwks.json",
    ],
)
def test_jwks_url_must_be_https(url):
    # Given a JWKS URL an attacker on the path could answer, or a local file
    # When / Then the settings are refused
    with pytest.raises(ValueError, match="https"):
        AuthorizerSettings.from_environment({**SETTINGS, "OIDC_JWKS_URL": url})


def test_plain_http_jwks_url_is_allowed_on_loopback_for_the_local_issuer():
    # Given the local OIDC issuer's JWKS URL
    url = "http://127.0.0.1:4567/issuer/.well-known/jwks.json"

    # When / Then it is accepted
    assert AuthorizerSettings.from_environment({**SETTINGS, "OIDC_JWKS_URL": url}).jwks_url == url
