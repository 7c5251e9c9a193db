"""HTTP and HTTP_PROXY integrations: what the backend receives, what the client gets back.

Recordings: LocalStack's `TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_http`
(a client sending every restricted header to HTTP and HTTP_PROXY integrations of an echo
server) and `test_apigateway_http.py` (status passthrough, the integration's method).
Here: the `front` template's `/http-plain`, `/http-status/{code}` and `/http-proxy/{proxy+}`
on the corpus's echo backend, which answers with the request it received.
"""

import urllib.parse
from typing import Any

import pytest

from .front_api import FrontApi, front
from .recorded import recorded

__all__ = ["front"]

REMAPPING = (
    "localstack tests/aws/services/apigateway/test_apigateway_integrations.py::"
    "TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_http[{}] "
    "(snapshot no-param-integration)"
)
HTTP_HEADERS, PROXY_HEADERS = REMAPPING.format("HTTP"), REMAPPING.format("HTTP_PROXY")
PASSTHROUGH = (
    "localstack tests/aws/services/apigateway/test_apigateway_http.py::"
    "test_http_integration_invoke_status_code_passthrough[{}] (snapshot {})"
)
METHOD = (
    "localstack tests/aws/services/apigateway/test_apigateway_http.py::"
    "test_http_integration_method[{}] (snapshot http-invocation-lambda-url-{})"
)

# What the recorded client sent, less the headers a GET without a body cannot carry here.
CLIENT_HEADERS = {
    "Accept": "application/json",
    "Accept-Charset": "UTF-8",
    "Age": "request_Age",
    "Authorization": "Unauthorized",
    "Content-MD5": "request_Content-MD5",
    "Content-Type": "application/json",
    "Date": "request_Date",
    "Max-Forwards": "2",
    "Pragma": "cache",
    "Proxy-Authenticate": "Basic",
    "Range": "bytes=500-999",
    "Referer": "https://example.com/",
    "Server": "https://example.com/",
    "Trailer": "Expires",
    "Upgrade": "HTTP/2.0",
    "User-Agent": "localStack/0.0",
    "Via": "p.example.net",
    "Warn": "299 localStack/0.0",
    "WWW-Authenticate": "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
}


def backend_headers(received: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): value for name, value in received["headers"]}


@pytest.fixture(scope="module")
def plain(front: FrontApi) -> dict[str, Any]:
    """What the backend of the HTTP integration received for the recorded client's GET."""
    answer = front.send("GET", "/http-plain", CLIENT_HEADERS)
    assert answer.status == 200, answer.body
    received: dict[str, Any] = answer.json()
    return received


@pytest.fixture(scope="module")
def proxied(front: FrontApi) -> dict[str, Any]:
    """What the backend of the HTTP_PROXY integration received for the same GET."""
    answer = front.send("GET", "/http-proxy/echo", CLIENT_HEADERS)
    assert answer.status == 200, answer.body
    received: dict[str, Any] = answer.json()
    return received


# -- HTTP (non-proxy) --------------------------------------------------------------------------


@recorded(HTTP_HEADERS)
def test_an_http_backend_receives_none_of_the_clients_headers(plain: dict[str, Any]) -> None:
    # Given the client sent twenty headers and the integration maps none
    headers = backend_headers(plain)
    # Then the backend gets only API Gateway's own, and the framing (Host, Content-Length)
    assert set(headers) - {"host", "content-length"} == {
        "accept",
        "user-agent",
        "x-amzn-apigateway-api-id",
        "x-amzn-trace-id",
        "accept-encoding",  # a documented difference (gateway/README.md): AWS sends none
    }
    assert headers["accept-encoding"] == "identity"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("accept", "application/json"),
        ("user-agent", "AmazonAPIGateway_{api_id}"),
        ("x-amzn-apigateway-api-id", "{api_id}"),
    ],
)
@recorded(HTTP_HEADERS)
def test_an_http_backend_receives_api_gateways_own_headers(
    front: FrontApi, plain: dict[str, Any], name: str, expected: str
) -> None:
    assert backend_headers(plain)[name] == expected.format(api_id=front.api_id)


@recorded(HTTP_HEADERS)
def test_an_http_backend_receives_a_trace_and_the_answer_carries_one(front: FrontApi) -> None:
    answer = front.send("GET", "/http-plain")
    assert backend_headers(answer.json())["x-amzn-trace-id"].startswith("Root=1-")
    assert answer.header("X-Amzn-Trace-Id")


@recorded(METHOD.format("HTTP", "get"))
def test_an_http_backend_is_called_with_the_integrations_method(plain: dict[str, Any]) -> None:
    # Given the client's GET and an integration whose httpMethod is POST
    # Then the backend receives a POST
    assert plain["method"] == "POST"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        pytest.param(
            "200",
            200,
            id="matching",
            marks=recorded(PASSTHROUGH.format("HTTP", "matching-response")),
        ),
        pytest.param(
            "400",
            200,
            id="non-matching",
            marks=recorded(PASSTHROUGH.format("HTTP", "non-matching-response")),
        ),
    ],
)
def test_an_http_integration_answers_its_integration_responses_status(
    front: FrontApi, code: str, status: int
) -> None:
    # Given a backend answering `code` and only a default integration response (200)
    answer = front.send("GET", f"/http-status/{code}")
    # Then the client gets the integration response's status, and the backend's body
    assert answer.status == status
    assert answer.json()["status_code"] == int(code)


# -- HTTP_PROXY ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Accept",
        "Accept-Charset",
        "Age",
        "Authorization",
        "Content-Type",
        "Date",
        "Pragma",
        "Range",
        "Referer",
        "User-Agent",
        "Warn",
    ],
)
@recorded(PROXY_HEADERS)
def test_an_http_proxy_backend_receives_the_clients_ordinary_headers(
    proxied: dict[str, Any], name: str
) -> None:
    assert backend_headers(proxied)[name.lower()] == CLIENT_HEADERS[name]


@pytest.mark.parametrize(
    "name",
    [
        "Content-MD5",
        "Max-Forwards",
        "Proxy-Authenticate",
        "Server",
        "Trailer",
        "Upgrade",
        "Via",
        "WWW-Authenticate",
    ],
)
@recorded(PROXY_HEADERS)
def test_an_http_proxy_backend_never_receives_a_restricted_header(
    proxied: dict[str, Any], name: str
) -> None:
    assert name.lower() not in backend_headers(proxied)


@recorded(PROXY_HEADERS)
def test_an_http_proxy_backend_receives_the_api_id_and_a_trace(
    front: FrontApi, proxied: dict[str, Any]
) -> None:
    headers = backend_headers(proxied)
    assert headers["x-amzn-apigateway-api-id"] == front.api_id
    assert headers["x-amzn-trace-id"].startswith("Root=1-")


@pytest.mark.parametrize("name", ["Date", "Server"])
@recorded(PROXY_HEADERS)
def test_an_http_proxy_backends_own_headers_are_renamed_x_amzn_remapped(
    front: FrontApi, name: str
) -> None:
    # Given a backend answering with its Date and Server headers
    answer = front.send("GET", "/http-proxy/echo")
    # Then the client receives them renamed
    assert answer.header(f"x-amzn-Remapped-{name}")


@recorded(PROXY_HEADERS)
def test_an_http_proxy_backends_other_headers_reach_the_client(front: FrontApi) -> None:
    answer = front.send("GET", "/http-proxy/echo")
    assert answer.header("Access-Control-Allow-Origin") == "*"
    assert answer.header("Content-Type") == "application/json"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        pytest.param(
            "200",
            200,
            id="matching",
            marks=recorded(PASSTHROUGH.format("HTTP_PROXY", "matching-response")),
        ),
        pytest.param(
            "400",
            400,
            id="non-matching",
            marks=recorded(PASSTHROUGH.format("HTTP_PROXY", "non-matching-response")),
        ),
    ],
)
def test_an_http_proxy_integration_passes_the_backends_status_through(
    front: FrontApi, code: str, status: int
) -> None:
    answer = front.send("GET", f"/http-proxy/status/{code}")
    assert answer.status == status
    assert answer.json()["status_code"] == int(code)


@pytest.mark.parametrize("method", ["GET", "PUT", "POST"])
@recorded(
    "API Gateway developer guide, 'Set up HTTP proxy integrations in API Gateway': with "
    "httpMethod ANY the client's method is passed to the backend"
)
def test_an_http_proxy_integration_with_method_any_passes_the_clients_method(
    front: FrontApi, method: str
) -> None:
    answer = front.send(method, "/http-proxy/echo", body=b"{}" if method != "GET" else None)
    assert answer.json()["method"] == method


@recorded(
    "API Gateway developer guide, 'Set up HTTP proxy integrations in API Gateway': the "
    "greedy path variable and the query string are passed to the backend URL"
)
def test_an_http_proxy_backend_receives_the_greedy_path_and_the_query(front: FrontApi) -> None:
    answer = front.send("GET", "/http-proxy/echo/a/b?x=1&y=two")
    assert answer.json()["path"] == "/echo/a/b?x=1&y=two"


MAPPINGS = (
    "localstack tests/aws/services/apigateway/test_apigateway_http.py::"
    "test_http_proxy_integration_request_data_mappings (snapshot http-proxy-invocation)"
)


@pytest.fixture(scope="module")
def mapped(front: FrontApi) -> Any:
    """The recorded request through an HTTP_PROXY integration with request parameters."""
    answer = front.send(
        "POST",
        "/http-mapped/foobar?testQueryString=foo&testVar=bar",
        {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "foobar": "mapped-value",
            "user-Agent": "test/integration",
            "headerVar": "request-value",
        },
        b'{"message": "hello world"}',
    )
    assert answer.status == 200, answer.body
    return answer


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("testQueryString", ["foo"]),
        ("testVar", ["foobar", "bar"]),
        ("queryString", ["foo"]),
        ("testQs", ["bar", "foo"]),
    ],
)
@recorded(MAPPINGS)
def test_an_http_proxy_backend_gets_the_uris_the_clients_and_the_mapped_query_values(
    mapped: Any, name: str, values: list[str]
) -> None:
    # Given a URI with its own query (filled from mapped path variables), the client's query
    # and mapped query parameters
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(mapped.json()["path"]).query)
    # Then the backend receives every value of each name, none lost
    assert query[name] == values


@recorded(MAPPINGS)
def test_an_http_proxy_mapped_header_replaces_the_clients_and_the_rest_pass(mapped: Any) -> None:
    headers = backend_headers(mapped.json())
    assert headers["headervar"] == "mapped-value"
    assert headers["foobar"] == "mapped-value"
    assert headers["user-agent"] == "test/integration"


@recorded(MAPPINGS)
def test_an_http_proxy_backends_request_id_is_renamed_and_api_gateways_sent(
    mapped: Any,
) -> None:
    assert mapped.header("x-amzn-Remapped-x-amzn-RequestId") == "backend-request-id"
    assert mapped.header("x-amzn-RequestId") != "backend-request-id"
    assert len([k for k, _ in mapped.headers if k.lower() == "x-amzn-requestid"]) == 1


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_aws_proxy_integration_request_data_mapping "
    "(snapshot http-proxy-invocation-data-mapping)"
)
def test_a_lambda_proxy_integration_ignores_request_parameter_mappings(
    front: FrontApi,
) -> None:
    # Given an AWS_PROXY method whose integration maps a header and a query string
    event = front.event(
        "/proxy-mapped/foobar?testQueryString=foo",
        {"foobar": "mapped-value", "headerVar": "request-value"},
        method="POST",
        body=b"{}",
    )
    # Then the function sees the client's request, not the mappings
    assert event["headers"]["headerVar"] == "request-value"
    assert event["queryStringParameters"] == {"testQueryString": "foo"}
    assert event["pathParameters"] == {"pathVariable": "foobar"}
