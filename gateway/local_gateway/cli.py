"""`python -m local_gateway serve|token|openapi`: run the local API, mint tokens, export a contract.

serve: starts moto, provisions the template's resources, serves the API, writes
`.local/session.json` and `.local/sam-env-vars.json`, prints the banner; Ctrl-C stops it all.
token user NAME: a fresh Cognito ID token (or `--access`) for a seeded user of the running gateway.
session [FIELD]: the running gateway's session facts, or one of them (`api_keys.partner`).
token issuer: a token of the local OIDC issuer (`--sub`, `--scope`), also when the gateway is down.
openapi: the API's OpenAPI document for clients (see `local_gateway.openapi`), to stdout or `-o`.
rotate-secrets: rotate the running gateway's secrets now, through their rotation functions.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

import jwt

from local_gateway.demo_users import sign_in
from local_gateway.errors import GatewayStartError, TemplateError
from local_gateway.local_aws import UserPool, client
from local_gateway.oidc import LocalIssuer
from local_gateway.openapi import openapi_document, render
from local_gateway.runtime import running_gateway
from local_gateway.samconfig import load_settings, parse_overrides
from local_gateway.secrets_rotation import ROTATE_PATH
from local_gateway.session_files import (
    banner,
    read_session,
    write_sam_env_vars,
    write_session,
)
from local_gateway.signed_request import send_signed
from local_gateway.template import load_template
from local_gateway.worker import DEBUG_HOST

STATE_DIR = ".local"


def _serve(arguments: argparse.Namespace) -> int:
    template = Path(arguments.template).resolve()
    state_dir = template.parent / STATE_DIR
    overrides = parse_overrides(arguments.parameter_overrides or [], "--parameter-overrides")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with running_gateway(
        template,
        config_env=arguments.config_env,
        host=arguments.host,
        port=arguments.port,
        parameter_overrides=overrides,
        state_dir=state_dir,
        debug=(arguments.debug, arguments.debug_port) if arguments.debug else None,
    ) as running:
        gateway = running.gateway

        def write_session_files() -> None:
            write_session(state_dir, gateway.session())
            write_sam_env_vars(state_dir, gateway, arguments.docker_host)

        write_session(state_dir, running.session)
        write_sam_env_vars(state_dir, gateway, arguments.docker_host)
        gateway.after_reload.append(write_session_files)
        print(banner(running.gateway, running.session, sys.executable), flush=True)
        print(f"\nSession facts: {state_dir / 'session.json'}", flush=True)
        if arguments.debug:
            print(
                f"{arguments.debug} waits for a debugger on {DEBUG_HOST}:{arguments.debug_port}"
                " (VS Code: Run and Debug, 'Attach to make dev DEBUG=')",
                flush=True,
            )
        stop.wait()
        print("\nStopping the local gateway...", flush=True)
    return 0


def _running_session(state_dir: Path) -> dict[str, Any]:
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
    session = _running_session(state_dir)
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


def _token(arguments: argparse.Namespace) -> int:
    state_dir = Path(arguments.template).resolve().parent / STATE_DIR
    if arguments.kind == "user":
        print(_user_token(arguments, state_dir))
    else:
        print(_issuer_token(arguments, state_dir))
    return 0


def _session(arguments: argparse.Namespace) -> int:
    """Prints the session (JSON), or one field of it by its dotted path."""
    value: Any = _running_session(Path(arguments.template).resolve().parent / STATE_DIR)
    for key in arguments.field.split(".") if arguments.field else []:
        if not isinstance(value, dict) or key not in value:
            known = ", ".join(value) if isinstance(value, dict) else "none"
            raise GatewayStartError(
                f"no session field {arguments.field!r} ({key!r}; there: {known})"
            )
        value = value[key]
    print(value if isinstance(value, str) else json.dumps(value, indent=2))
    return 0


def _openapi(arguments: argparse.Namespace) -> int:
    """No moto, no resources: the transform alone gives the definition."""
    template_path = Path(arguments.template).resolve()
    local_url = f"http://127.0.0.1:{arguments.port}"
    settings = load_settings(
        template_path.parent / "samconfig.toml", arguments.config_env, local_url
    )
    settings.parameter_overrides.update(
        parse_overrides(arguments.parameter_overrides or [], "--parameter-overrides")
    )
    template = load_template(
        template_path,
        settings.parameter_overrides,
        region=settings.region,
        stack_name=settings.stack_name,
    )
    text = render(
        openapi_document(
            template,
            api=arguments.api,
            error_schema=arguments.error_schema or None,
            local_url=local_url,
        )
    )
    if arguments.output:
        Path(arguments.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _signed(arguments: argparse.Namespace) -> int:
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


def _rotate_secrets(arguments: argparse.Namespace) -> int:
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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m local_gateway", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API locally")
    serve.add_argument("--template", default="template.yaml")
    serve.add_argument("--config-env", default="default")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--parameter-overrides", nargs="*", metavar="KEY=VALUE")
    serve.add_argument(
        "--docker-host",
        default="host.docker.internal",
        help="how sam local's containers reach this machine (for the env-vars file)",
    )
    serve.add_argument("--log-level", default="INFO")
    serve.add_argument(
        "--debug",
        metavar="FUNCTION",
        help="a function's logical id: its worker runs under debugpy and waits for a debugger",
    )
    serve.add_argument("--debug-port", type=int, default=5678, help="debugpy's port (--debug)")
    token = commands.add_parser("token", help="print a token for the local API")
    token.add_argument("--template", default="template.yaml")
    kinds = token.add_subparsers(dest="kind", required=True)
    user = kinds.add_parser("user", help="a Cognito token of a seeded demo user")
    user.add_argument("username")
    user.add_argument("--access", action="store_true", help="the access token, not the ID token")
    issuer = kinds.add_parser("issuer", help="a token of the local OIDC issuer")
    issuer.add_argument("--sub", default="local-client")
    issuer.add_argument("--scope", help="space-separated scopes (default: every scope used)")
    issuer.add_argument("--audience", help="default: the audience the gateway's issuer uses")
    issuer.add_argument("--port", type=int, default=3000)
    session = commands.add_parser(
        "session", help="print the running gateway's session facts (.local/session.json)"
    )
    session.add_argument("--template", default="template.yaml")
    session.add_argument("field", nargs="?", help="one field by its dotted path: api_keys.partner")
    signed = commands.add_parser(
        "signed", help="send a request signed (SigV4) as a local IAM caller, like awscurl"
    )
    signed.add_argument("method")
    signed.add_argument("url")
    signed.add_argument("--template", default="template.yaml")
    signed.add_argument("--caller", help="an IAM user of the session (default: the first)")
    signed.add_argument("--data", help="the request body")
    signed.add_argument("-H", "--header", action="append", default=[], metavar="NAME: VALUE")
    openapi = commands.add_parser("openapi", help="print the API's OpenAPI for clients")
    openapi.add_argument("--template", default="template.yaml")
    openapi.add_argument("--config-env", default="default")
    openapi.add_argument("--parameter-overrides", nargs="*", metavar="KEY=VALUE")
    openapi.add_argument("--api", help="the RestApi's logical id (when there are several)")
    openapi.add_argument(
        "--error-schema",
        default="ErrorEnvelope",
        help="the model (by title) every error response carries; empty for none",
    )
    openapi.add_argument("--port", type=int, default=3000, help="the local server's port")
    openapi.add_argument("-o", "--output", help="write to this file instead of stdout")
    rotate = commands.add_parser(
        "rotate-secrets", help="rotate the running gateway's secrets now (their rotation functions)"
    )
    rotate.add_argument("--template", default="template.yaml")
    rotate.add_argument("--secret", help="one secret's logical id or ARN (default: every one)")
    rotate.add_argument("--api-url", help="the gateway's URL (default: from .local/session.json)")
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(arguments, "log_level", "WARNING").upper(),
        format="%(asctime)s %(name)s %(message)s",
        datefmt="%H:%M:%S",
    )
    try:
        if arguments.command == "serve":
            return _serve(arguments)
        if arguments.command == "openapi":
            return _openapi(arguments)
        if arguments.command == "session":
            return _session(arguments)
        if arguments.command == "signed":
            return _signed(arguments)
        if arguments.command == "rotate-secrets":
            return _rotate_secrets(arguments)
        return _token(arguments)
    except (GatewayStartError, TemplateError) as error:
        print(f"local gateway: {error}", file=sys.stderr)
        return 2
