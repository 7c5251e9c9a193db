"""The Lambda (non-proxy, "custom") integration's backend: Lambda Invoke as API Gateway calls it.

An `aws` integration whose URI is `...:lambda:path/2015-03-31/functions/{arn}/invocations`
invokes the function with the rendered request template as its event (JSON), not a proxy event.
What comes back is Lambda Invoke's payload: the function's result, or its error object
`{"errorMessage", "errorType", "requestId", "stackTrace"}`. API Gateway chooses the integration
response by matching `selectionPattern` against `errorMessage` ("" when the function succeeded),
never against a status; with no match it uses `default`, so an unmapped error leaves as 200.
https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
localstack tests/aws/services/apigateway/test_apigateway_lambda.py::test_lambda_selection_patterns
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local_gateway import gateway_responses
from local_gateway.function_calls import FunctionCalls, function_arn
from local_gateway.functions import FunctionFailed, FunctionTimeout
from local_gateway.integrations.exchange import (
    DEFAULT_CONTENT_TYPE,
    EndpointResponse,
    IntegrationRequest,
)
from local_gateway.rejections import Rejection

log = logging.getLogger("local_gateway")

# (function ARN, event, timeout in seconds) -> the finished invocation; raises FunctionTimeout
# only when API Gateway stopped waiting before the function's own timeout.
FunctionInvoker = Callable[[str, Any, float], "Invocation"]


@dataclass(frozen=True)
class Invocation:
    """A finished Lambda Invoke: the payload and whether it is the function's error object."""

    payload: Any
    function_error: bool


@dataclass(frozen=True)
class LambdaReply:
    """What the integration response step needs: the body and the value patterns match."""

    body: bytes
    selection_value: str


def is_lambda_custom(request: IntegrationRequest) -> bool:
    """An `aws` integration whose URI invokes a function."""
    return request.kind == "aws" and function_arn(request.uri) is not None


def call(
    request: IntegrationRequest, invoker: FunctionInvoker | None, timeout_seconds: float
) -> EndpointResponse:
    """The function's payload as the endpoint response: 200, matched by its errorMessage."""
    if invoker is None:
        raise ValueError(f"{request.uri}: no function invoker for a Lambda custom integration")
    reply = invoke(invoker, request.uri, request.body, timeout_seconds)
    return EndpointResponse(
        200, {"Content-Type": DEFAULT_CONTENT_TYPE}, reply.body, reply.selection_value
    )


def invoker(functions: FunctionCalls, request_id: str) -> FunctionInvoker:
    """Lambda Invoke for a custom integration, in the deployment's warm workers."""

    def invoke_function(arn: str, event: Any, timeout: float) -> Invocation:
        logical_id = functions.for_uri(f"functions/{arn}/invocations", arn)
        pool = functions.pools[logical_id]
        function_timeout = pool.spec.timeout_seconds
        try:
            return Invocation(pool.invoke(event, request_id, min(function_timeout, timeout)), False)
        except FunctionFailed as failure:
            log.error("%s failed: %s", logical_id, failure)
            return Invocation(error_payload(failure, request_id), True)
        except FunctionTimeout:
            if function_timeout > timeout:
                raise  # API Gateway stopped waiting first: INTEGRATION_TIMEOUT
            return Invocation(timeout_payload(request_id, function_timeout), True)

    return invoke_function


def invoke(invoker: FunctionInvoker, uri: str, body: bytes, timeout_seconds: float) -> LambdaReply:
    """Invoke the URI's function with `body` (the rendered template) as its JSON event."""
    arn = function_arn(uri)
    if arn is None:
        raise ValueError(f"not a Lambda invocation URI: {uri}")
    try:
        event = json.loads(body) if body.strip() else {}
    except ValueError:
        # Lambda refuses a payload that is not JSON (InvalidRequestContentException); API
        # Gateway answers its own 500.
        log.error("the request template of %s did not render JSON: %r", arn, body[:200])
        raise Rejection("API_CONFIGURATION_ERROR", 500, "Internal server error") from None
    try:
        invocation = invoker(arn, event, timeout_seconds)
    except FunctionTimeout:
        raise gateway_responses.integration_timeout() from None
    payload = json.dumps(invocation.payload).encode()
    if invocation.function_error and isinstance(invocation.payload, dict):
        return LambdaReply(payload, str(invocation.payload.get("errorMessage", "")))
    return LambdaReply(payload, "")


def error_payload(failure: FunctionFailed, request_id: str) -> dict[str, Any]:
    """Lambda's error object for a failed invocation (a worker that died has none of its own)."""
    if failure.error is not None:
        return {**failure.error, "requestId": request_id}
    return {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited without providing a reason",
        "requestId": request_id,
    }


def timeout_payload(request_id: str, seconds: float) -> dict[str, Any]:
    """Lambda's error object when the function ran past its own timeout."""
    return {
        "errorType": "Sandbox.Timedout",
        "errorMessage": (
            f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds"
        ),
        "requestId": request_id,
    }
