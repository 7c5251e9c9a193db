"""Rendering the template's mapping templates as API Gateway does, for the integration tests.

Mapping templates are rendered with the local gateway's Velocity engine (API Gateway's
variables and $util), then parsed the way the service parses them and sent to moto.
"""

import re
from typing import Any

from local_gateway.vtl import Rendered, VtlRequest, render

# Caller values no mapping template may let out of their JSON string or form field.
HOSTILE = [
    'quote " inside',
    "apostrophe ' inside",
    "backslash \\ and \\' and \\\\",
    "new\nline\r\ttab",
    "#set($x = 'y') ## not a directive",
    "$context.requestId ${dollar} $util.escapeJavaScript('x')",
    "unicode é ü 中文 😀 \u202e",
    '"}, "Key": {"id": {"S": "other"}}, "x": {"',
    "&MessageBody=forged&MessageAttribute.1.Name=x=",
    "</script><b>",
]


def integration(body: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return body["paths"][path][method]["x-amazon-apigateway-integration"]


def resolve_sub(value: Any) -> str:
    """A template string, with `${Name}` replaced as CloudFormation would for these tests."""
    if isinstance(value, str):
        return value
    text = value["Fn::Sub"]
    # A table's physical name is its logical id here, as `table_from_template` creates it.
    return re.sub(r"\$\{([A-Za-z0-9]+)\}", lambda m: m.group(1), text)


def request(
    *,
    body: bytes = b"",
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    context: dict[str, Any] | None = None,
) -> VtlRequest:
    return VtlRequest(
        body=body,
        path_params=path or {},
        query=query or {},
        headers={"Content-Type": "application/json"},
        context={"requestId": "req-1", **(context or {})},
        stage_variables={},
    )


def render_template(template: Any, vtl_request: VtlRequest) -> Rendered:
    return render(resolve_sub(template), vtl_request)
