"""The Lambda proxy integration (REST API, payload 1.0): the event in, the response out.

Event fields follow
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
(input format). A result that is not a proxy response object is 502, as in API Gateway.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from local_gateway.http_messages import HttpRequest, HttpResponse


def request_time(epoch: float) -> str:
    """`requestContext.requestTime`: `21/Nov/2026:05:41:02 +0000`."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def is_binary(content_type: str | None, binary_media_types: list[str]) -> bool:
    if not content_type or not binary_media_types:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return any(
        fnmatch.fnmatch(media_type, pattern.lower().replace("~1", "/"))
        for pattern in binary_media_types
    )


def accepts_binary(accept: str | None, binary_media_types: list[str]) -> bool:
    """Whether a base64 proxy response goes out as bytes: the first Accept type is binary."""
    first = (accept or "").split(",", 1)[0]
    return is_binary(first, binary_media_types)


# Request headers API Gateway never passes on, not even to a proxy integration: the hop-by-hop
# and framing headers and a few others (recorded in LocalStack's header remapping snapshots).
DROPPED_REQUEST_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-md5",
        "expect",
        "max-forwards",
        "proxy-authenticate",
        "server",
        "te",
        "transfer-encoding",
        "trailer",
        "upgrade",
        "www-authenticate",
    }
)
# Header names API Gateway rewrites in its own casing; every other name keeps the client's.
_CANONICAL_NAMES = {"authorization": "Authorization", "user-agent": "User-Agent"}


def new_trace_id(epoch: float) -> str:
    """An X-Ray root trace id, as API Gateway starts one: `Root=1-<epoch hex>-<24 hex>`."""
    return f"Root=1-{int(epoch):08x}-{secrets.token_hex(12)}"


def trace_header(received: str | None, epoch: float) -> str:
    """`X-Amzn-Trace-Id` towards the integration: the caller's trace continued (its Root and
    Parent kept, a Parent added when it had none), else a new one."""
    if received and "root=" in received.lower():
        if "parent=" in received.lower():
            return received
        return f"{received};Parent={secrets.token_hex(8)};Sampled=0"
    return f"{new_trace_id(epoch)};Parent={secrets.token_hex(8)};Sampled=0"


def integration_headers(request: HttpRequest, *, trace_id: str, port: str) -> list[tuple[str, str]]:
    """The request headers a proxy integration sees: the client's minus the dropped ones, some
    names in API Gateway's casing, and the X-Forwarded-* and X-Amzn-Trace-Id headers it adds."""
    kept = [
        (_CANONICAL_NAMES.get(name.lower(), name), value)
        for name, value in request.headers
        if name.lower() not in DROPPED_REQUEST_HEADERS and name.lower() not in _ADDED_HEADER_NAMES
    ]
    forwarded_for = request.header("x-forwarded-for")
    return [
        *kept,
        ("X-Amzn-Trace-Id", trace_id),
        (
            "X-Forwarded-For",
            f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip,
        ),
        ("X-Forwarded-Port", port),
        ("X-Forwarded-Proto", "http"),
    ]


_ADDED_HEADER_NAMES = {
    "x-amzn-trace-id",
    "x-forwarded-for",
    "x-forwarded-port",
    "x-forwarded-proto",
}


def event_path(raw_path: str) -> str:
    """The event's `path`: as sent, percent-encoding kept, leading repeated slashes as one."""
    return "/" + raw_path.lstrip("/")


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key, value in items:
        values.setdefault(key, []).append(value)
    return values


def build_event(
    request: HttpRequest,
    *,
    resource_path: str,
    path_parameters: dict[str, str],
    stage_variables: dict[str, str],
    request_context: dict[str, Any],
    binary_media_types: list[str],
    headers: list[tuple[str, str]],
) -> dict[str, Any]:
    """`headers` are the ones the integration sees (`integration_headers`)."""
    multi_headers = _multi(headers)
    multi_query = _multi(request.query_items())
    binary = is_binary(request.header("content-type"), binary_media_types)
    if not request.body:
        body: str | None = None
    elif binary:
        body = base64.b64encode(request.body).decode()
    else:
        body = request.body.decode("utf-8", errors="replace")
    return {
        "resource": resource_path,
        "path": event_path(request.raw_path),
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": stage_variables or None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": binary and body is not None,
    }


def request_context(
    request: HttpRequest,
    *,
    request_id: str,
    api_id: str,
    account_id: str,
    stage: str,
    resource_path: str,
    host: str,
    authorizer: dict[str, Any] | None,
    api_key: str | None,
    api_key_id: str | None,
    deployment_id: str,
) -> dict[str, Any]:
    """`requestContext` of the event; also `$context` for templates and access logs.

    `identity.apiKey`/`apiKeyId` are there only when the request was admitted with a key.
    """
    identity: dict[str, Any] = {
        "accessKey": None,
        "accountId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": request.source_ip,
        "user": None,
        "userAgent": request.header("user-agent"),
        "userArn": None,
    }
    if api_key is not None:
        identity.update(apiKey=api_key, apiKeyId=api_key_id)
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "deploymentId": deployment_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "extendedRequestId": request_id,
        "httpMethod": request.method,
        "identity": identity,
        "path": f"/{stage}{request.raw_path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": request_time(request.received_at),
        "requestTimeEpoch": int(request.received_at * 1000),
        "resourceId": resource_path,
        "resourcePath": resource_path,
        "stage": stage,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return context


class MalformedResponse(ValueError):
    """The function's result is not a Lambda proxy response (API Gateway answers 502)."""


_RESULT_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})


def parse_response(result: Any, *, binary_accepted: bool = True) -> HttpResponse:
    """The HTTP response for a proxy result, or MalformedResponse (API Gateway's 502).

    A result is an object with no keys but the five of the proxy response; `statusCode`
    defaults to 200 and may be a numeric string. `headers` and `multiValueHeaders` merge, names
    compared without case: a header's `multiValueHeaders` values come first (under that
    spelling), then its `headers` value unless it repeats one of them.
    A base64 body (`isBase64Encoded`) is decoded to bytes only when `binary_accepted` (the
    request's first Accept type is a binary media type); otherwise API Gateway sends the
    base64 text as it is.
    """
    if not isinstance(result, dict):
        raise MalformedResponse(f"result is {type(result).__name__}, not an object")
    unknown = set(result) - _RESULT_KEYS
    if unknown:
        raise MalformedResponse(f"result has keys a proxy response has not: {sorted(unknown)}")
    status = result.get("statusCode", 200)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r} is not an HTTP status")
    headers = result.get("headers") or {}
    multi_headers = result.get("multiValueHeaders") or {}
    if not isinstance(headers, dict) or not isinstance(multi_headers, dict):
        raise MalformedResponse("headers and multiValueHeaders must be objects")
    merged: dict[str, tuple[str, list[str]]] = {}
    for name, values in multi_headers.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders.{name} is not a list")
        merged[name.lower()] = (name, [_header_value(v) for v in values])
    for name, value in headers.items():
        values = merged.setdefault(name.lower(), (name, []))[1]
        if _header_value(value) not in values:
            values.append(_header_value(value))
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponse(f"body is {type(body).__name__}, not a string")
    encoded = result.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise MalformedResponse("isBase64Encoded is not a boolean")
    try:
        decode = encoded and binary_accepted
        content = base64.b64decode(body or "", validate=True) if decode else (body or "").encode()
    except ValueError:
        raise MalformedResponse("body is not valid base64") from None
    pairs = [(name, value) for name, values in merged.values() for value in values]
    if not any(name.lower() == "content-type" for name, _ in pairs):
        pairs.append(("Content-Type", "application/json"))
    return HttpResponse(status, pairs, content)


def _header_value(value: Any) -> str:
    if isinstance(value, dict | list):
        raise MalformedResponse("a header value must be a scalar")
    return json.dumps(value) if isinstance(value, bool) else str(value)


def now_ms() -> int:
    return int(time.time() * 1000)
