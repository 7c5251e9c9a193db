"""The HTTP and HTTP_PROXY integrations: an HTTP backend called as API Gateway calls it.

HTTP sends only the mapped parameters and the rendered body; HTTP_PROXY forwards the method
request (minus the headers API Gateway drops) and hands the backend's answer back as it is.
https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from local_gateway.integrations.exchange import EndpointResponse, IntegrationRequest, fill_uri
from local_gateway.integrations.http_client import send

HOP_BY_HOP_HEADERS = {
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "proxy-authorization",
    "te",
    "trailer",
}
# Request headers API Gateway drops even for a proxy integration (besides the hop-by-hop ones).
PROXY_DROPPED_HEADERS = {
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "trailer",
    "via",
    "www-authenticate",
    "x-amzn-trace-id",
}


def call(request: IntegrationRequest, timeout_seconds: float) -> EndpointResponse:
    """HTTP: none of the client's headers go through, only the mapped ones and API Gateway's
    own (recorded: LocalStack test_apigateway_header_remapping_http[HTTP], no-param)."""
    parameters = request.parameters
    url = fill_uri(request.uri, parameters["path"])
    if parameters["querystring"]:
        separator = "&" if "?" in url else "?"
        url += separator + urllib.parse.urlencode(parameters["querystring"])
    method = str(request.integration.get("httpMethod", "GET")).upper()
    context = request.method_request.context
    api_id = str(context.get("apiId", ""))
    headers: dict[str, str | None] = {
        "Accept": "application/json",
        "User-Agent": f"AmazonAPIGateway_{api_id}",
        **_apigateway_headers(context),
        **parameters["header"],
    }
    return send(method, url, headers, request.body, timeout_seconds)


def proxy(request: IntegrationRequest, timeout_seconds: float) -> EndpointResponse:
    """HTTP_PROXY: the request goes through as it came, minus the headers API Gateway drops
    (recorded: test_apigateway_header_remapping_http[HTTP_PROXY]); the backend's status,
    headers and body come back as they are (its Connection, Date... renamed on the way out)."""
    method_request, parameters = request.method_request, request.parameters
    url = fill_uri(request.uri, {**method_request.path_params, **parameters["path"]})
    # The URI's own query, then the client's (every value), then the mapped parameters: a
    # name in several keeps all its values (recorded: test_http_proxy_integration_request_data_
    # mappings, where testQs arrives as "bar,foo").
    query = [
        (name, value)
        for name, values in method_request.multi_value_query.items()
        for value in values
    ] or list(method_request.query.items())
    query += list(parameters["querystring"].items())
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    # A mapped header replaces the client's of the same name, in any letter case: a backend
    # may trust a header the integration sets (an identity from the authorizer, say).
    mapped = {name.lower() for name in parameters["header"]}
    headers: dict[str, str | None] = {
        "Accept": None,
        "User-Agent": None,
        **_apigateway_headers(method_request.context),
    }
    headers.update(
        (k, v)
        for k, v in method_request.headers.items()
        if k.lower() not in HOP_BY_HOP_HEADERS
        and k.lower() not in PROXY_DROPPED_HEADERS
        and k.lower() not in mapped
    )
    headers.update(parameters["header"])
    method = str(request.integration.get("httpMethod", method_request.http_method)).upper()
    if method == "ANY":
        method = method_request.http_method
    return send(method, url, headers, method_request.body, timeout_seconds)


def _apigateway_headers(context: Mapping[str, Any]) -> dict[str, str | None]:
    """What API Gateway adds to every HTTP backend request (and what `requests` must not)."""
    return {
        "X-Amzn-Apigateway-Api-Id": str(context.get("apiId", "")),
        "X-Amzn-Trace-Id": context.get("xrayTraceId"),
        "Accept-Encoding": None,
        "Connection": None,
    }
