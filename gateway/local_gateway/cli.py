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
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local_gateway import __version__, session_commands
from local_gateway.errors import GatewayStartError, TemplateError
from local_gateway.openapi import openapi_document, render
from local_gateway.runtime import running_gateway
from local_gateway.samconfig import load_settings, parse_overrides
from local_gateway.session_files import banner, write_sam_env_vars, write_session
from local_gateway.template import load_template
from local_gateway.worker import DEBUG_HOST


def _serve(arguments: argparse.Namespace) -> int:
    template = Path(arguments.template).resolve()
    state_dir = template.parent / session_commands.STATE_DIR
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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m local_gateway", description=__doc__)
    root.add_argument("--version", action="version", version=f"local-gateway {__version__}")
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
            return session_commands.print_session(arguments)
        if arguments.command == "signed":
            return session_commands.send_signed_request(arguments)
        if arguments.command == "rotate-secrets":
            return session_commands.rotate_secrets(arguments)
        return session_commands.print_token(arguments)
    except (GatewayStartError, TemplateError) as error:
        print(f"local gateway: {error}", file=sys.stderr)
        return 2


def run() -> None:
    """The `local-gateway` console script: `main` with its exit status."""
    sys.exit(main())
