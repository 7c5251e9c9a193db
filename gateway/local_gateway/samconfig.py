"""Reads the gateway's settings from one environment of `samconfig.toml`.

Parameter overrides come from `[ENV.local_start_api.parameters]` (shared with
`sam local start-api`), then `[ENV.local_gateway.parameters]` on top (the gateway's own),
then the command line. A `${LocalGatewayUrl}` in a value becomes the gateway's base URL.
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_gateway.errors import TemplateError

GATEWAY_URL_PLACEHOLDER = "${LocalGatewayUrl}"


@dataclass(frozen=True)
class DemoUser:
    """A user the gateway seeds in every user pool; `groups` are the pool groups it joins."""

    username: str
    groups: tuple[str, ...]


@dataclass
class LocalSettings:
    """Everything the gateway takes from samconfig for one environment."""

    parameter_overrides: dict[str, str] = field(default_factory=dict)
    stack_name: str = "local"
    region: str = "us-east-1"
    demo_users: list[DemoUser] | None = None  # None: one per group plus one in none
    demo_password: str | None = None  # None: a password derived from the pool's policy
    oidc_audience: str = "local-api"  # `aud` of the local OIDC issuer's tokens
    issuer_scopes: list[str] = field(default_factory=list)  # scopes beyond the methods' own


def parse_overrides(value: Any, where: str) -> dict[str, str]:
    """Parses `K=V K2="V 2"` (a string) or `["K=V", ...]` (a list) into a dict."""
    if value is None:
        return {}
    items = shlex.split(value) if isinstance(value, str) else [str(v) for v in value]
    overrides: dict[str, str] = {}
    for item in items:
        key, separator, setting = item.partition("=")
        if not separator or not key:
            raise TemplateError(where, f"parameter override {item!r} is not KEY=VALUE")
        overrides[key] = setting
    return overrides


def _parse_demo_users(value: Any, where: str) -> list[DemoUser]:
    """`["admin@example.com:admins", "user@example.com"]`: username, then groups after `:`."""
    items = shlex.split(value) if isinstance(value, str) else [str(v) for v in value]
    users = []
    for item in items:
        username, _, groups = item.partition(":")
        if not username:
            raise TemplateError(where, f"demo user {item!r} has no username")
        users.append(DemoUser(username, tuple(g for g in groups.split(",") if g)))
    return users


def load_settings(samconfig: Path, environment: str, gateway_url: str) -> LocalSettings:
    """The settings of `environment`; a missing file or section means the defaults."""
    settings = LocalSettings()
    if not samconfig.exists():
        return settings
    with samconfig.open("rb") as stream:
        try:
            document = tomllib.load(stream)
        except tomllib.TOMLDecodeError as error:
            raise TemplateError(samconfig.name, f"TOML syntax error: {error}") from None
    env = document.get(environment)
    if env is None:
        if environment != "default":
            known = ", ".join(k for k, v in document.items() if isinstance(v, dict)) or "none"
            raise TemplateError(
                samconfig.name, f"no environment [{environment}] (environments: {known})"
            )
        return settings

    def section(command: str) -> dict[str, Any]:
        found: dict[str, Any] = env.get(command, {}).get("parameters", {})
        return found

    shared, deploy, start_api, gateway = (
        section("global"),
        section("deploy"),
        section("local_start_api"),
        section("local_gateway"),
    )
    settings.stack_name = str(deploy.get("stack_name", shared.get("stack_name", "local")))
    settings.region = str(
        gateway.get("region", deploy.get("region", shared.get("region", settings.region)))
    )
    where = f"{samconfig.name} [{environment}.local_start_api.parameters]"
    settings.parameter_overrides.update(
        parse_overrides(start_api.get("parameter_overrides"), where)
    )
    where = f"{samconfig.name} [{environment}.local_gateway.parameters]"
    gateway_overrides = parse_overrides(gateway.get("parameter_overrides"), where)
    settings.parameter_overrides.update(
        {k: v.replace(GATEWAY_URL_PLACEHOLDER, gateway_url) for k, v in gateway_overrides.items()}
    )
    if "demo_users" in gateway:
        settings.demo_users = _parse_demo_users(gateway["demo_users"], where)
    if "issuer_scopes" in gateway:
        scopes = gateway["issuer_scopes"]
        settings.issuer_scopes = scopes.split() if isinstance(scopes, str) else list(scopes)
    if "oidc_audience" in gateway:
        settings.oidc_audience = str(gateway["oidc_audience"])
    if "demo_password" in gateway:
        settings.demo_password = str(gateway["demo_password"])
    return settings
