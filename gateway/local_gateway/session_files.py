"""What `make dev` tells people and tools: the banner, `.local/session.json`, SAM's env vars."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

from local_gateway.function_specs import lambda_environment
from local_gateway.gateway import LocalGateway
from local_gateway.local_aws import LOCAL_CREDENTIALS
from local_gateway.session import Session

SESSION_FILE = "session.json"
SAM_ENV_VARS_FILE = "sam-env-vars.json"


def write_private_json(path: Path, document: Any) -> None:
    """Writes `document` readable by the owner only: it holds passwords and tokens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump(document, stream, indent=2)
        stream.write("\n")


def write_session(state_dir: Path, session: Session) -> Path:
    path = state_dir / SESSION_FILE
    write_private_json(path, session.to_json())
    return path


def read_session(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / SESSION_FILE
    if not path.exists():
        return None
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def write_sam_env_vars(state_dir: Path, gateway: LocalGateway, docker_host: str) -> Path:
    """`sam local start-api --env-vars` file: every function reaches the same local moto.

    Containers cannot reach the host's 127.0.0.1, so the endpoint names `docker_host`. SAM
    only overrides variables a function declares in the template, plus `Parameters` for all.
    """
    endpoint = gateway.moto.endpoint_url.replace(gateway.moto.host, docker_host)
    shared = {"AWS_ENDPOINT_URL": endpoint, **LOCAL_CREDENTIALS}
    document: dict[str, Any] = {"Parameters": shared}
    for logical_id, spec in gateway.functions.items():
        # What sam local's runtime sets itself stays out; the template's own variables go in.
        runtime_provided = set(lambda_environment(spec.name, "", gateway.region, "")) - set(shared)
        own = {
            name: value.replace(gateway.moto.endpoint_url, endpoint)
            for name, value in spec.environment.items()
            if name not in runtime_provided
        }
        document[logical_id] = {**own, **shared}
    path = state_dir / SAM_ENV_VARS_FILE
    write_private_json(path, document)
    return path


def _guard(gateway: LocalGateway, method: Any) -> str:
    guards = []
    if method.authorizer is not None:
        kind = {"COGNITO_USER_POOLS": "Cognito", "AWS_IAM": "IAM"}.get(
            method.authorizer.kind, "Lambda authorizer"
        )
        scopes = f" scopes {' '.join(method.scopes)}" if method.scopes else ""
        guards.append(f"{kind} ({method.authorizer.name}){scopes}")
    if method.api_key_required:
        guards.append("API key")
    return ", ".join(guards) or "none"


def _target(gateway: LocalGateway, method: Any) -> str:
    kind = method.integration.kind
    if kind == "aws_proxy":
        try:
            return "Lambda " + gateway.function_for_uri(method.integration.uri, "")
        except ValueError:
            return "Lambda"
    names = {"mock": "MOCK", "aws": "AWS service", "http": "HTTP", "http_proxy": "HTTP proxy"}
    return names.get(kind, str(kind))


def banner(gateway: LocalGateway, session: Session, python: str) -> str:
    lines = [f"Local gateway for {gateway.template_path.name}: {session.api_url}", "", "Routes"]
    for api in gateway.apis:
        for method in sorted(api.methods, key=lambda m: (m.resource_path, m.http_method)):
            if method.http_method == "OPTIONS":
                continue
            lines.append(
                f"  {method.http_method:<7} {method.resource_path:<28} "
                f"{_guard(gateway, method):<34} {_target(gateway, method)}"
            )
    if session.users:
        lines += ["", "Demo users (Cognito)"]
        for username, user in session.users.items():
            groups = ", ".join(user["groups"]) or "no group"
            lines.append(f"  {username:<24} password {user['password']:<20} {groups}")
    if session.iam_callers:
        lines += ["", "IAM callers (SigV4, execute-api)"]
        for name, caller in session.iam_callers.items():
            lines.append(f"  {name:<36} access key {caller['access_key_id']}")
    if session.api_keys:
        lines += ["", "API keys by usage plan"]
        lines += [f"  {plan:<12} {key}" for plan, key in session.api_keys.items()]
    lines += [
        "",
        f"Local AWS (moto): {session.aws_endpoint_url}  region {session.region}",
        f"OIDC issuer:      {session.issuer['url']}",
        *(
            [f"API reference:    {session.api_url}/docs  (Swagger UI, credentials filled in)"]
            if gateway.api_reference is not None
            else []
        ),
        "",
        "Try:",
        *(f"  {line}" for line in example_curls(gateway, session, python)),
        "",
        "Ctrl-C stops the gateway, its workers and moto.",
    ]
    return "\n".join(lines)


def example_curls(gateway: LocalGateway, session: Session, python: str) -> list[str]:
    """Calls that work: an open GET route, a Cognito one with a fresh token, an IAM-signed one."""
    examples = []
    gets = [
        m
        for api in gateway.apis
        for m in api.methods
        if m.http_method in ("GET", "ANY") and "{" not in m.resource_path
    ]
    open_route = next((m for m in gets if m.authorizer is None and not m.api_key_required), None)
    if open_route is not None:
        examples.append(f"curl -s {session.api_url}{open_route.resource_path}")
    cognito = next(
        (
            m
            for m in gets
            if m.authorizer is not None
            and m.authorizer.kind == "COGNITO_USER_POOLS"
            and not m.scopes
            and not m.api_key_required
        ),
        None,
    )
    admin = next((u for u, facts in session.users.items() if facts["groups"]), None)
    user = admin or next(iter(session.users), None)
    if cognito is not None and user is not None:
        token = f"$({python} -m local_gateway token user {shlex.quote(user)})"
        examples.append(
            f'curl -s -H "Authorization: {token}" {session.api_url}{cognito.resource_path}'
        )
    signed = next(
        (
            m
            for api in gateway.apis
            for m in api.methods
            if m.http_method == "GET"
            and m.authorizer is not None
            and m.authorizer.kind == "AWS_IAM"
        ),
        None,
    )
    if signed is not None and session.iam_callers:
        # Path parameters get a placeholder: the call is authorized and the route answers.
        path = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", signed.resource_path)
        note = "  # put a real id in: signed and allowed" if path != signed.resource_path else ""
        examples.append(f"{python} -m local_gateway signed GET {session.api_url}{path}{note}")
    return examples
