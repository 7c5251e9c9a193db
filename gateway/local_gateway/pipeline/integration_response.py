"""Integration response: the endpoint's answer becomes the method response.

A proxy integration's answer is the response as it is. For the mapped types, the integration
response whose `selectionPattern` (its key in `responses`) matches the backend status (or a
Lambda custom function's errorMessage) is chosen, `default` otherwise; its template is rendered
by Accept, its `responseParameters` applied, then `$context.responseOverride`; the payload is
converted by binaryMediaTypes, Accept and `contentHandling`. On the way out, the headers API
Gateway reserves are remapped (`x-amzn-Remapped-*`) and the trace id added.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-integration-settings-integration-response.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from local_gateway import method_response, vtl
from local_gateway.content_conversion import method_response_payload
from local_gateway.http_messages import HttpResponse
from local_gateway.integrations.exchange import (
    DEFAULT_CONTENT_TYPE,
    EndpointResponse,
    IntegrationRequest,
    IntegrationResult,
    configuration_error,
    header,
    vtl_request,
)
from local_gateway.integrations.parameters import integration_response_value
from local_gateway.pipeline.context import ApiCall


def integration_response(call: ApiCall) -> HttpResponse:
    """The method response of the call (also left on `call.response`)."""
    response = call.response
    if response is None:
        if call.integration_request is None or call.endpoint_response is None:
            raise RuntimeError(f"{call.source}: the integration step left no response")
        result = map_response(call.integration_request, call.endpoint_response, source=call.source)
        response = HttpResponse(result.status, list(result.headers.items()), result.body)
    call.integration_status = response.status
    response.headers = method_response.remap(response.headers)
    if call.method.integration.kind != "mock":
        response.headers.append(("X-Amzn-Trace-Id", call.trace_id))
    call.response = response
    return response


def map_response(
    request: IntegrationRequest, backend: EndpointResponse, *, source: str
) -> IntegrationResult:
    """The method response of a mapped integration; HTTP_PROXY's is the backend's as it is."""
    if request.kind == "http_proxy":
        return IntegrationResult(backend.status, backend.headers, backend.body)
    integration, method_request = request.integration, request.method_request
    request_rendering = request.rendered  # its overrides carry into the response template
    response = select_integration_response(
        integration.get("responses") or {}, backend.status, backend.selection_value
    )
    if response is None:
        raise configuration_error()
    status = int(response.get("statusCode", 200))
    body = backend.body
    headers: dict[str, str] = {}
    templates = response.get("responseTemplates") or {}
    rendered: vtl.Rendered | None = None
    if templates:
        content_type, template = _response_template(templates, method_request.headers)
        headers["Content-Type"] = content_type
        if template:
            rendered = vtl.render(
                template,
                vtl_request(method_request, backend.body),
                source=source,
                carried=request_rendering,
            )
            body = rendered.body.encode()
    else:
        # The backend's headers (its Content-Type too) reach the caller only when
        # responseParameters map them; otherwise the method response is application/json.
        headers["Content-Type"] = DEFAULT_CONTENT_TYPE
    for target, expression in (response.get("responseParameters") or {}).items():
        name = str(target).removeprefix("method.response.header.")
        value = integration_response_value(str(expression), backend, method_request)
        if value is not None:
            headers[name] = value
    body = method_response_payload(
        body,
        content_type=None if rendered is not None else header(backend.headers, "content-type"),
        accept=header(method_request.headers, "accept"),
        binary_media_types=method_request.binary_media_types,
        content_handling=response.get("contentHandling"),
    )
    overrides = rendered or request_rendering
    if overrides is not None:
        status = overrides.status_override or status
        headers.update(overrides.header_overrides)
    return IntegrationResult(status, headers, body)


def select_integration_response(
    responses: Mapping[str, Any], backend_status: int, selection_value: str | None = None
) -> Mapping[str, Any] | None:
    """The response whose selectionPattern matches in full; else `default`.

    Patterns match the backend's status, or `selection_value` when given (a Lambda custom
    integration's errorMessage, "" on success).
    """
    value = str(backend_status) if selection_value is None else selection_value
    for pattern, response in responses.items():
        if pattern == "default":
            continue
        if re.fullmatch(str(pattern), value, re.DOTALL):
            return response  # type: ignore[no-any-return]
    default = responses.get("default")
    return default if isinstance(default, Mapping) else None


def _response_template(templates: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[str, str]:
    """The response template for the request's Accept, else application/json, else the first."""
    by_type = {str(k).lower(): (str(k), str(v or "")) for k, v in templates.items()}
    for accepted in (header(headers, "accept") or "").split(","):
        media_type = accepted.split(";")[0].strip().lower()
        if media_type in by_type:
            return by_type[media_type]
    if DEFAULT_CONTENT_TYPE in by_type:
        return by_type[DEFAULT_CONTENT_TYPE]
    return next(iter(by_type.values()))
