"""Integration request: the method request becomes what the integration sends.

Lambda proxy: the proxy event. HTTP_PROXY: the request as it came, with the integration's
`requestParameters`. AWS service, MOCK and HTTP (non-proxy):
1. choose the request template by Content-Type (`passthroughBehavior` WHEN_NO_MATCH,
   WHEN_NO_TEMPLATES or NEVER; no match where passthrough is not allowed is 415);
2. map `requestParameters` (`integration.request.{path,querystring,header}.X` from
   `method.request.*`, `context.*`, `stageVariables.*` or a 'literal');
3. convert the payload by binaryMediaTypes and `contentHandling`, then render the template
   (its `$context.requestOverride` values join the parameters).
https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local_gateway import vtl
from local_gateway.content_conversion import integration_request_payload
from local_gateway.integrations.exchange import (
    IntegrationRequest,
    MethodRequest,
    content_type,
    header,
    unsupported_media_type,
    vtl_request,
)
from local_gateway.integrations.parameters import request_parameters, with_stage_variables
from local_gateway.pipeline.context import ApiCall

MAPPED_KINDS = frozenset({"aws", "mock", "http", "http_proxy"})


def integration_request(call: ApiCall) -> None:
    """Sets `call.event` (Lambda proxy) or `call.integration_request` (the other types)."""
    kind = call.method.integration.kind
    if kind == "aws_proxy":
        call.event = call.proxy_event()
    elif kind in MAPPED_KINDS:
        call.integration_request = map_request(
            call.method.integration.definition, method_request(call), source=call.source
        )


def method_request(call: ApiCall) -> MethodRequest:
    """The method request as a mapped integration sees it, with the call's `$context`."""
    request = call.request
    query_items = request.query_items()
    return MethodRequest(
        http_method=request.method,
        headers=dict(request.headers),
        query=dict(query_items),
        path_params=call.path_parameters,
        body=request.body,
        stage_variables=call.api.stage_variables,
        context=call.context(),
        multi_value_query={k: [v for key, v in query_items if key == k] for k, _ in query_items},
        binary_media_types=call.api.binary_media_types,
    )


def map_request(
    integration: Mapping[str, Any], request: MethodRequest, *, source: str
) -> IntegrationRequest:
    """The integration request of a non-Lambda-proxy integration.

    Raises Rejection for API Gateway's own answers (415, 500 for a URI naming a stage variable
    the stage lacks) and vtl.VtlError for a template that does not render.
    """
    if "uri" in integration:
        integration = {**integration, "uri": with_stage_variables(integration["uri"], request)}
    if str(integration.get("type", "")).lower() == "http_proxy":
        parameters = request_parameters(integration, request)
        return IntegrationRequest(integration, request, parameters, request.body)
    template = _request_template(integration, request)
    parameters = request_parameters(integration, request)
    # Converted before any template, so a template sees binary as base64 (CONVERT_TO_TEXT).
    body = integration_request_payload(
        request.body,
        content_type=header(request.headers, "content-type"),
        binary_media_types=request.binary_media_types,
        content_handling=integration.get("contentHandling"),
    )
    rendered: vtl.Rendered | None = None
    if template is not None:
        rendered = vtl.render(template, vtl_request(request, body), source=source)
        body = rendered.body.encode()
        for location, values in rendered.request_overrides.items():
            parameters[location].update(values)
    return IntegrationRequest(integration, request, parameters, body, rendered)


def _request_template(integration: Mapping[str, Any], request: MethodRequest) -> str | None:
    """The template for the request's content type, None to pass the body through, or 415."""
    templates = {str(k).lower(): v for k, v in (integration.get("requestTemplates") or {}).items()}
    media_type = content_type(request.headers)
    if media_type in templates:
        return str(templates[media_type])
    behaviour = str(integration.get("passthroughBehavior", "WHEN_NO_MATCH")).upper()
    if behaviour == "WHEN_NO_MATCH" or (behaviour == "WHEN_NO_TEMPLATES" and not templates):
        return None
    raise unsupported_media_type()
