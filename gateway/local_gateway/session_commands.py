"""The commands that act on a gateway's session (`.local/`): `token`, `session`, `signed`,
`rotate-secrets`. Each needs the session files `serve` writes; `token issuer` alone also works
when the gateway is down (the issuer's key is kept there)."""

from __future__ import annotations

import argparse
import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import jwt

from local_gateway.demo_users import sign_in
from local_gateway.errors import GatewayStartError
from local_gateway.local_aws import client
from local_gateway.oidc import LocalIssuer
from local_gateway.provisioning import UserPool
from local_gateway.secrets_rotation import ROTATE_PATH
from local_gateway.session_files import read_session
from local_gateway.signed_request import send_signed

STATE_DIR = ".local"


def running_session(state_dir: Path) -> dict[str, Any]:
    """The session of a gateway that runs now: its moto must accept a connection at once."""
    session = read_session(state_dir)
    if session is None:
        raise GatewayStartError("no .local/session.json: start the gateway first (make dev)")
    endpoint = urllib.parse.urlsplit(session["aws_endpoint_url"])
    try:
        socket.create_connection((endpoint.hostname, endpoint.port), timeout=1).close()
    except OSError:
        raise GatewayStartError(
            f"no local gateway runs (nothing listens at {session['aws_endpoint_url']}):"
            " start it with `make dev`"
        ) from None
    return session


def _user_token(arguments: argparse.Namespace, state_dir: Path) -> str:
    session = running_session(state_dir)
    user = session["users"].get(arguments.username)
    if user is None:
        known = ", ".join(session["users"]) or "none"
        raise GatewayStartError(f"no demo user {arguments.username!r} (seeded: {known})")
    endpoint, region = session["aws_endpoint_url"], session["region"]
    cognito = client("cognito-idp", endpoint, region)
    pool_ids = [v for v in session["resources"].values() if v.startswith(f"{region}_")]
    for pool_id in pool_ids:
        try:
            clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
        except Exception as error:
            raise GatewayStartError(
                f"the local moto at {endpoint} does not answer: is `make dev` running? ({error})"
            ) from None
        for found in clients["UserPoolClients"]:
            details = cognito.describe_user_pool_client(
                UserPoolId=pool_id, ClientId=found["ClientId"]
            )["UserPoolClient"]
            secret = details.get("ClientSecret")
            pool = UserPool(
                "",
                pool_id,
                [found["ClientId"]],
                {found["ClientId"]: secret} if secret else {},
                [],
                {},
            )
            try:
                id_token, access_token = sign_in(
                    pool, arguments.username, user["password"], endpoint_url=endpoint, region=region
                )
            except cognito.exceptions.UserNotFoundException:
                break
            return access_token if arguments.access else id_token
    raise GatewayStartError(f"{arguments.username} signs in to no local user pool")


def _issuer_token(arguments: argparse.Namespace, state_dir: Path) -> str:
    """Signed with the issuer's saved key, so this works whether or not the gateway runs."""
    session = read_session(state_dir)
    base_url = session["api_url"] if session else f"http://127.0.0.1:{arguments.port}"
    # The session's token tells the audience and every scope the template uses.
    template_token = (
        jwt.decode(session["issuer"]["token"], options={"verify_signature": False})
        if session
        else {}
    )
    audience = arguments.audience or template_token.get("aud") or "local-api"
    issuer = LocalIssuer(base_url, audience, key_file=state_dir / "oidc-signing-key.pem")
    scope = arguments.scope if arguments.scope is not None else template_token.get("scope", "")
    return issuer.mint(arguments.sub, str(scope).split())


def print_token(arguments: argparse.Namespace) -> int:
    state_dir = Path(arguments.template).resolve().parent / STATE_DIR
    if arguments.kind == "user":
        print(_user_token(arguments, state_dir))
    else:
        print(_issuer_token(arguments, state_dir))
    return 0


def print_session(arguments: argparse.Namespace) -> int:
    """Prints the session (JSON), or one field of it by its dotted path."""
    value: Any = running_session(Path(arguments.template).resolve().parent / STATE_DIR)
    for key in arguments.field.split(".") if arguments.field else []:
        if not isinstance(value, dict) or key not in value:
            known = ", ".join(value) if isinstance(value, dict) else "none"
            raise GatewayStartError(
                f"no session field {arguments.field!r} ({key!r}; there: {known})"
            )
        value = value[key]
    print(value if isinstance(value, str) else json.dumps(value, indent=2))
    return 0


def send_signed_request(arguments: argparse.Namespace) -> int:
    state_dir = Path(arguments.template).resolve().parent / STATE_DIR
    session = read_session(state_dir)
    if session is None:
        raise GatewayStartError("no .local/session.json: start the gateway first (make dev)")
    headers = dict(header.split(":", 1) for header in arguments.header)
    response = send_signed(
        session,
        arguments.method,
        arguments.url,
        caller=arguments.caller,
        body=(arguments.data or "").encode(),
        headers={name.strip(): value.strip() for name, value in headers.items()},
    )
    print(f"HTTP {response.status_code}", file=sys.stderr)
    print(response.text)
    return 0 if response.status_code < 400 else 1


def rotate_secrets(arguments: argparse.Namespace) -> int:
    """Asks the running gateway to rotate now (`POST /_local/secrets/rotate`)."""
    api_url = arguments.api_url
    if not api_url:
        session = read_session(Path(arguments.template).resolve().parent / STATE_DIR)
        if session is None:
            raise GatewayStartError("no .local/session.json: start the gateway first (make dev)")
        api_url = session["api_url"]
    body = json.dumps({"secret": arguments.secret} if arguments.secret else {}).encode()
    request = urllib.request.Request(  # noqa: S310 - the local gateway's own URL
        f"{api_url.rstrip('/')}{ROTATE_PATH}",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
            rotated = json.loads(answer.read())["rotated"]
    except urllib.error.HTTPError as error:
        raise GatewayStartError(f"rotation refused: {error.read().decode()}") from None
    except urllib.error.URLError as error:
        raise GatewayStartError(
            f"no gateway at {api_url}: is `make dev` running? ({error})"
        ) from None
    for secret, version in rotated.items():
        print(f"{secret}: rotated to version {version}")
    if not rotated:
        print("no secret has a rotation schedule")
    return 0
