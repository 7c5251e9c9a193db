"""Route: find the API method a request is for; the context of the call starts here.

A request no method matches is API Gateway's 403 `Missing Authentication Token`; so is a
payload over API Gateway's 10 MB limit once its method is known (413).
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
"""

from __future__ import annotations

from local_gateway import gateway_responses
from local_gateway.http_messages import MAX_BODY_BYTES, HttpRequest
from local_gateway.pipeline.context import ApiCall, Deployment
from local_gateway.proxy import trace_header


def route(deployment: Deployment, request: HttpRequest, request_id: str, host: str) -> ApiCall:
    """The call of the method `request` is for, or raise the gateway response that refuses it."""
    for api, router in deployment.routers:
        match = router.match(request.method, request.path)
        if match is not None:
            return ApiCall(
                request,
                request_id,
                api,
                match.method,
                match.path_parameters,
                host,
                deployment,
                raw_path_parameters=match.raw_path_parameters(request.raw_path),
                trace_id=trace_header(request.header("x-amzn-trace-id"), request.received_at),
            )
    raise gateway_responses.missing_authentication_token()


def check_payload_size(call: ApiCall) -> None:
    """413 for a body over API Gateway's payload limit."""
    if len(call.request.body) > MAX_BODY_BYTES:
        raise gateway_responses.request_too_large()
