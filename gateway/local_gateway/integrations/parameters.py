"""Parameter mapping expressions: the values `requestParameters` and `responseParameters` name.

`method.request.{header,querystring,path,...}.X`, `method.request.body.JSONPath`,
`integration.response.{header,body}...`, `context.X`, `stageVariables.X` and 'literals'; and
`${stageVariables.name}` inside an integration URI.
https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from local_gateway import vtl
from local_gateway.integrations.exchange import (
    EndpointResponse,
    MethodRequest,
    configuration_error,
    header,
)
from local_gateway.vtl_values import java_string


def with_stage_variables(uri: Any, request: MethodRequest) -> str:
    """The integration URI with its `${stageVariables.name}` references filled in.

    A reference to a variable the stage does not define cannot be called: 500, as a
    configuration error.
    """

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in request.stage_variables:
            raise configuration_error()
        return request.stage_variables[name]

    return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", value_of, str(uri))


def request_parameters(
    integration: Mapping[str, Any], request: MethodRequest
) -> dict[str, dict[str, str]]:
    """`integration.request.{path,querystring,header}.X` values from their mapping expressions."""
    mapped: dict[str, dict[str, str]] = {"path": {}, "querystring": {}, "header": {}}
    for target, expression in (integration.get("requestParameters") or {}).items():
        location, _, name = str(target).removeprefix("integration.request.").partition(".")
        if location not in mapped:
            raise ValueError(f"unsupported integration request parameter: {target}")
        value = method_request_value(str(expression), request)
        if value is not None:
            mapped[location][name] = value
    return mapped


def method_request_value(expression: str, request: MethodRequest) -> str | None:
    """The value of a request-side mapping expression, None when the request has none."""
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    if expression.startswith("method.request.body"):
        path = "$" + expression.removeprefix("method.request.body")
        return json_selection(request.body, path)
    if expression.startswith("method.request."):
        location, _, name = expression.removeprefix("method.request.").partition(".")
        if location == "header":
            return header(request.headers, name)
        if location == "multivalueheader":
            return header(request.headers, name)
        if location == "querystring":
            return request.query.get(name)
        if location == "multivaluequerystring":
            values = request.multi_value_query.get(name)
            return ",".join(values) if values else request.query.get(name)
        if location == "path":
            return request.path_params.get(name)
        raise ValueError(f"unsupported mapping expression: {expression}")
    if expression.startswith("stageVariables."):
        return request.stage_variables.get(expression.removeprefix("stageVariables."))
    if expression.startswith("context."):
        value: Any = request.context
        for part in expression.removeprefix("context.").split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return None if value is None else java_string(value)
    raise ValueError(f"unsupported mapping expression: {expression}")


def integration_response_value(
    expression: str, backend: EndpointResponse, request: MethodRequest
) -> str | None:
    """The value of a `responseParameters` expression: the backend's, or the request's."""
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    if expression.startswith("integration.response.header."):
        return header(backend.headers, expression.removeprefix("integration.response.header."))
    if expression.startswith("integration.response.multivalueheader."):
        name = expression.removeprefix("integration.response.multivalueheader.")
        return header(backend.headers, name)
    if expression == "integration.response.body":
        return backend.body.decode("utf-8", errors="replace")
    if expression.startswith("integration.response.body."):
        path = "$" + expression.removeprefix("integration.response.body")
        return json_selection(backend.body, path)
    return method_request_value(expression, request)


def json_selection(body: bytes, path: str) -> str | None:
    """The JSONPath `path` of a JSON body as a string (objects as compact JSON), or None."""
    if not body.strip():
        return None
    selected = vtl.select_json_path(json.loads(body), path)
    if selected is vtl.MISSING or selected is None:
        return None
    if isinstance(selected, str):
        return selected
    try:
        return json.dumps(selected, separators=(",", ":"))
    except TypeError:
        return None
