"""The Lambda proxy integration (`type: aws_proxy`): the function gets the proxy event, and its
`{"statusCode", "headers", "body", ...}` result is the response, with no mapping between.

Lambda's Invoke is a POST: an integration `httpMethod` other than POST cannot invoke (500).
A function that raises, dies or answers a malformed result is 502; one that runs past the
integration timeout is 504.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
"""

from __future__ import annotations

import logging
from typing import Any

from local_gateway import gateway_responses
from local_gateway.api import Method
from local_gateway.function_calls import FunctionCalls
from local_gateway.functions import FunctionFailed, FunctionTimeout
from local_gateway.http_messages import HttpResponse
from local_gateway.proxy import MalformedResponse, parse_response

log = logging.getLogger("local_gateway")


def call(
    functions: FunctionCalls,
    logical_id: str,
    method: Method,
    event: dict[str, Any],
    *,
    request_id: str,
    timeout_seconds: float,
    binary_accepted: bool,
) -> HttpResponse:
    """The function's answer to the proxy `event`, as the HTTP response it describes."""
    if str(method.integration.definition.get("httpMethod", "POST")).upper() != "POST":
        log.error(
            "%s %s: a Lambda proxy integration's httpMethod must be POST (Lambda's Invoke)",
            method.http_method,
            method.resource_path,
        )
        raise gateway_responses.integration_failure(status=500)
    pool = functions.pools[logical_id]
    timeout = min(pool.spec.timeout_seconds, timeout_seconds)
    try:
        result = pool.invoke(event, request_id, timeout)
    except FunctionTimeout as error:
        log.error("%s", error)
        raise gateway_responses.integration_timeout() from None
    except FunctionFailed as error:
        log.error("%s failed: %s", logical_id, error)
        raise gateway_responses.integration_failure() from None
    try:
        return parse_response(result, binary_accepted=binary_accepted)
    except MalformedResponse as error:
        log.error("%s returned a malformed Lambda proxy response: %s", logical_id, error)
        raise gateway_responses.integration_failure() from None
