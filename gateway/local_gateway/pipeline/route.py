"""Route: find the API method a request is for; the context of the call starts here.

The most specific resource wins (a literal segment over `{param}` over `{proxy+}`, routing.py).
A request no method matches is API Gateway's 403 `Missing Authentication Token`.
"""

from __future__ import annotations

from local_gateway import gateway_responses
from local_gateway.http_messages import HttpRequest
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
