"""The API reference at `/docs`: Swagger UI over the client OpenAPI, ready to try out locally.

`/docs` is the page, `/docs/openapi.json` the client document (`local_gateway.openapi`) with the
gateway itself as its only server, and `/docs/static/...` Swagger UI's own files, served from
the `swagger-ui-py` package so the page works offline. The page comes with credentials filled
in for every security scheme (a demo user's ID token, an issuer token, an API key), minted
fresh on each load, so "Try it out" calls the local API as a signed-in client would.

The API's own routes win: a template with a route under `/docs` keeps it, and the reference is
then not served (the gateway logs why at start).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import mimetypes
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_gateway.api import Authorizer
from local_gateway.api_keys import UsagePlan
from local_gateway.demo_users import sign_in
from local_gateway.errors import TemplateError
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.openapi import openapi_document
from local_gateway.routing import Router
from local_gateway.session import RunningApi

log = logging.getLogger("local_gateway")

DOCS_PREFIX = "/docs"
DOCUMENT_PATH = DOCS_PREFIX + "/openapi.json"
STATIC_PREFIX = DOCS_PREFIX + "/static/"
# The Swagger UI files the page loads; nothing else of the package is served.
STATIC_FILES = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}
)
_JSON = "application/json"


def swagger_ui_static_dir() -> Path | None:
    """Swagger UI's dist as the `swagger-ui-py` package ships it, without importing the package."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    return static if all((static / name).is_file() for name in STATIC_FILES) else None


def routes_claiming_docs(routers: Iterable[Router]) -> list[str]:
    """The API's methods that would answer a path of the reference (then the API keeps them).

    Those under `/docs` itself, and those whose parameters or greedy paths match its pages.
    """
    claimed = set()
    for router in routers:
        for route in router.routes:
            for method in route.methods.values():
                if method.resource_path == DOCS_PREFIX or method.resource_path.startswith(
                    DOCS_PREFIX + "/"
                ):
                    claimed.add(f"{method.http_method} {method.resource_path}")
        for path in (DOCS_PREFIX, DOCUMENT_PATH, STATIC_PREFIX + "swagger-ui-bundle.js"):
            for verb in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
                match = router.match(verb, path)
                if match is not None:
                    claimed.add(f"{match.method.http_method} {match.method.resource_path}")
    return sorted(claimed)


@dataclass(frozen=True)
class Credentials:
    """What a client of the local API holds: each is None where the template needs none."""

    cognito_id_token: Callable[[Authorizer], str | None]  # a demo user's, of a pool it trusts
    issuer_token: str | None  # of the local OIDC issuer, for Lambda authorizers
    api_key: str | None
    api_key_header: str = "x-api-key"


def preauthorization(
    schemes: Mapping[str, Any], authorizers: Mapping[str, Authorizer], credentials: Credentials
) -> dict[str, str]:
    """The value Swagger UI's `preauthorizeApiKey` takes for each security scheme it can fill.

    `schemes` are the client document's; `authorizers` the API's, by scheme name. An `http`
    bearer scheme gets the bare token (Swagger UI adds `Bearer `); a header scheme gets what
    the header carries, `Bearer <token>` when the authorizer's identity validation expects it.
    """
    values: dict[str, str] = {}
    for name, scheme in schemes.items():
        bearer = scheme.get("type") == "http" and str(scheme.get("scheme")).lower() == "bearer"
        in_header = scheme.get("type") == "apiKey" and scheme.get("in") == "header"
        authorizer = authorizers.get(name)
        token: str | None
        if authorizer is None:
            header = str(scheme.get("name", "")).lower()
            if in_header and header == credentials.api_key_header and credentials.api_key:
                values[name] = credentials.api_key
            continue
        if authorizer.kind == "COGNITO_USER_POOLS":
            token = credentials.cognito_id_token(authorizer)
        else:
            token = credentials.issuer_token
        if token is None or not (bearer or in_header):
            continue
        expects_bearer = (authorizer.validation_expression or "").startswith("^Bearer ")
        values[name] = f"Bearer {token}" if in_header and expects_bearer else token
    return values


def _script_json(value: Any) -> str:
    """JSON safe inside an inline <script>: no `</script>` or `<!--` can close it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(title: str, preauthorized: Mapping[str, str]) -> str:
    """The Swagger UI page; every asset is under /docs/static (no CDN)."""
    config = {
        "url": DOCUMENT_PATH,
        "dom_id": "#swagger-ui",
        "layout": "BaseLayout",
        "deepLinking": True,
        "displayRequestDuration": True,
        "docExpansion": "list",
        "validatorUrl": None,  # the public validator is a network call; this page stays offline
    }
    escaped_title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escaped_title} - API reference</title>
  <link rel="stylesheet" href="{STATIC_PREFIX}swagger-ui.css">
  <link rel="icon" type="image/png" href="{STATIC_PREFIX}favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="{STATIC_PREFIX}favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{STATIC_PREFIX}swagger-ui-bundle.js"></script>
  <script>
    const preauthorized = {_script_json(dict(preauthorized))};
    window.ui = SwaggerUIBundle(Object.assign({_script_json(config)}, {{
      presets: [SwaggerUIBundle.presets.apis],
      onComplete: () => {{
        for (const [scheme, value] of Object.entries(preauthorized)) {{
          window.ui.preauthorizeApiKey(scheme, value);
        }}
        document.body.dataset.preauthorized = Object.keys(preauthorized).sort().join(" ");
      }},
    }}));
  </script>
</body>
</html>
"""


class ApiReference:
    """Answers the `/docs` paths of the gateway: the page, the document, Swagger UI's files."""

    def __init__(
        self,
        document: dict[str, Any],
        static_dir: Path,
        preauthorized: Callable[[], dict[str, str]],
    ) -> None:
        self.document = document
        self.static_dir = static_dir
        self.preauthorized = preauthorized

    @staticmethod
    def serves(raw_path: str) -> bool:
        return raw_path == DOCS_PREFIX or raw_path.startswith(DOCS_PREFIX + "/")

    def handle(self, request: HttpRequest, host: str) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _json(405, {"message": "the API reference answers GET only"})
        path = request.raw_path
        if path in (DOCS_PREFIX, DOCS_PREFIX + "/"):
            title = str((self.document.get("info") or {}).get("title") or "API")
            page = render_page(title, self.preauthorized())
            return HttpResponse(
                200,
                [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                page.encode(),
            )
        if path == DOCUMENT_PATH:
            # The browser's own origin, so "Try it out" is a same-origin call (no CORS needed).
            document = {**self.document, "servers": [{"url": f"http://{host}"}]}
            return _json(200, document)
        name = path.removeprefix(STATIC_PREFIX)
        if path.startswith(STATIC_PREFIX) and name in STATIC_FILES:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return HttpResponse(
                200,
                [("Content-Type", kind), ("Cache-Control", "max-age=3600")],
                (self.static_dir / name).read_bytes(),
            )
        return _json(404, {"message": f"no {path} in the API reference"})


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", _JSON)], json.dumps(body).encode())


def api_reference_for(gateway: RunningApi) -> ApiReference | None:
    """The reference of a started gateway's API, or None (logged) where it cannot be served."""
    claimed = routes_claiming_docs(router for _, router in gateway.routers)
    if claimed:
        log.warning(
            "the API's own %s answer %s: the API keeps them, and no API reference is served",
            ", ".join(claimed),
            DOCS_PREFIX,
        )
        return None
    static_dir = swagger_ui_static_dir()
    if static_dir is None:
        log.warning("no API reference at %s: swagger-ui-py is not installed", DOCS_PREFIX)
        return None
    if not gateway.apis:
        return None
    api = gateway.apis[0]
    if len(gateway.apis) > 1:
        log.warning("the API reference at %s shows %s only", DOCS_PREFIX, api.logical_id)
    try:
        document = _client_document(gateway, api.logical_id)
    except TemplateError as error:
        log.warning("no API reference at %s: %s", DOCS_PREFIX, error)
        return None
    authorizers = {
        method.authorizer.name: method.authorizer
        for method in api.methods
        if method.authorizer is not None
    }
    schemes = (document.get("components") or {}).get("securitySchemes") or {}

    def preauthorized() -> dict[str, str]:
        return preauthorization(schemes, authorizers, _fresh_credentials(gateway))

    return ApiReference(document, static_dir, preauthorized)


def _client_document(gateway: RunningApi, logical_id: str) -> dict[str, Any]:
    """The exported document; without an error model when the template has none to name."""
    try:
        return openapi_document(gateway.template, api=logical_id, local_url=gateway.base_url)
    except TemplateError:
        return openapi_document(
            gateway.template, api=logical_id, error_schema=None, local_url=gateway.base_url
        )


def _fresh_credentials(gateway: RunningApi) -> Credentials:
    """Tokens minted now, so a page left open for hours still holds working ones."""

    def cognito_id_token(authorizer: Authorizer) -> str | None:
        trusted = {arn.rsplit("/", 1)[-1] for arn in authorizer.provider_arns}
        pools = {
            logical_id: pool
            for logical_id, pool in gateway.resources.user_pools.items()
            if pool.pool_id in trusted
        }
        users = [user for user in gateway.users if user.pool_logical_id in pools]
        # An admin-like user (one in a group) opens the most routes.
        user = next((u for u in users if u.groups), None) or next(iter(users), None)
        if user is None:
            return None
        id_token, _ = sign_in(
            pools[user.pool_logical_id],
            user.username,
            user.password,
            endpoint_url=gateway.moto.endpoint_url,
            region=gateway.region,
        )
        return id_token

    return Credentials(
        cognito_id_token=cognito_id_token,
        issuer_token=gateway.issuer.mint("local-client", gateway.issuer_scopes()),
        api_key=_widest_plan_key(gateway),
    )


def _widest_plan_key(gateway: RunningApi) -> str | None:
    """A key of the plan meant for every method (no per-method limits) with the highest rate.

    Any plan's key opens every key-guarded method of its stages; a plan with per-method
    throttles is aimed at those methods, and a low rate soon answers "Try it out" with 429.
    """
    keys = {key.id: key for key in gateway.usage_plans.keys if key.enabled}

    def breadth(plan: UsagePlan) -> tuple[bool, float]:
        method_limits = any(plan.api_stages.values())
        rate = plan.throttle.rate_limit if plan.throttle is not None else float("inf")
        return (not method_limits, rate)

    plans = [p for p in gateway.usage_plans.plans if any(k in keys for k in p.key_ids)]
    if not plans:
        return None
    widest = max(plans, key=breadth)
    return next(keys[k].value for k in sorted(widest.key_ids) if k in keys)
