"""Integration: the request goes to its backend, by the integration's type.

Lambda proxy, Lambda custom (an `aws` integration invoking a function), HTTP and HTTP_PROXY,
AWS service and MOCK; each type is a module of `local_gateway.integrations`. API Gateway waits
for the backend up to the integration's `timeoutInMillis` (29 s at most, and by default).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html
"""

from __future__ import annotations

import logging

from local_gateway import gateway_responses
from local_gateway.api import Method
from local_gateway.integrations import aws_service, http, lambda_custom, lambda_proxy, mock
from local_gateway.integrations.exchange import (
    AwsEnvironment,
    EndpointResponse,
    IntegrationRequest,
)
from local_gateway.pipeline.context import ApiCall
from local_gateway.proxy import accepts_binary

log = logging.getLogger("local_gateway")

INTEGRATION_TIMEOUT_SECONDS = 29.0  # API Gateway's default (and maximum) integration timeout


def integration_timeout(method: Method) -> float:
    """How long API Gateway waits for the integration: its `timeoutInMillis`, else 29 s."""
    millis = method.integration.definition.get("timeoutInMillis")
    if millis in (None, ""):
        return INTEGRATION_TIMEOUT_SECONDS
    return min(int(millis) / 1000, INTEGRATION_TIMEOUT_SECONDS)


def integrate(call: ApiCall) -> None:
    """Sets `call.response` (a proxy's whole answer) or `call.endpoint_response` (mapped types)."""
    integration, deployment = call.method.integration, call.deployment
    timeout = integration_timeout(call.method)
    if integration.kind == "aws_proxy" and call.event is not None:
        function = deployment.functions.for_uri(
            integration.uri, call.method.resource_path, call.api.stage_variables
        )
        call.response = lambda_proxy.call(
            deployment.functions,
            function,
            call.method,
            call.event,
            request_id=call.request_id,
            timeout_seconds=timeout,
            binary_accepted=accepts_binary(
                call.request.header("accept"), call.api.binary_media_types
            ),
        )
    elif call.integration_request is not None:
        invoker = lambda_custom.invoker(deployment.functions, call.request_id)
        call.endpoint_response = call_backend(
            call.integration_request, deployment.aws, timeout, invoker
        )
    else:
        log.error("%s: %s integrations are not run by this gateway", call.source, integration.kind)
        raise gateway_responses.internal_error()


def call_backend(
    request: IntegrationRequest,
    aws: AwsEnvironment,
    timeout_seconds: float,
    invoker: lambda_custom.FunctionInvoker | None = None,
) -> EndpointResponse:
    """The backend's answer to a mapped (non-Lambda-proxy) integration request."""
    kind = request.kind
    if kind == "http_proxy":
        return http.proxy(request, timeout_seconds)
    if kind == "mock":
        return mock.call(request)
    if lambda_custom.is_lambda_custom(request):
        return lambda_custom.call(request, invoker, timeout_seconds)
    if kind == "aws":
        return aws_service.call(request, aws, timeout_seconds)
    return http.call(request, timeout_seconds)
