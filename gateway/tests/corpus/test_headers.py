"""Headers API Gateway adds, drops or renames, on the way in and on the way out.

Recordings: LocalStack's `TestApiGatewayHeaderRemapping` (a client sending every restricted
header, integrations of each type, integration responses mapping each of them) and
`test_invocation_trace_id` (MOCK and AWS_PROXY answers with and without a caller's trace).
Here: the `front` template's echo function, `/mock` and `/mapped-restricted` (MOCK).
"""

import pytest

from .front_api import FrontApi, front
from .recorded import recorded

__all__ = ["front"]

REMAPPING = (
    "localstack tests/aws/services/apigateway/test_apigateway_integrations.py::"
    "TestApiGatewayHeaderRemapping::{} (snapshot {})"
)
PROXY_HEADERS = REMAPPING.format(
    "test_apigateway_header_remapping_aws[AWS_PROXY]", "no-param-integration"
)
MAPPED = REMAPPING.format("test_apigateway_header_remapping_aws[AWS]", "full-integration")
TRACE = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApiGatewayCommon::test_invocation_trace_id (snapshot {})"
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Content-MD5", "request_Content-MD5"),
        ("Max-Forwards", "2"),
        ("Proxy-Authenticate", "Basic"),
        ("Server", "https://example.com/"),
        ("TE", "deflate"),
        ("Trailer", "Expires"),
        ("Upgrade", "HTTP/2.0"),
        ("WWW-Authenticate", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
    ],
)
@recorded(PROXY_HEADERS)
def test_a_restricted_request_header_never_reaches_a_proxy_function(
    front: FrontApi, name: str, value: str
) -> None:
    # Given a client sending a header API Gateway keeps to itself
    event = front.event("/proxy-value", {name: value})
    # Then the function sees it in neither header field
    assert name.lower() not in {k.lower() for k in event["headers"]}
    assert name.lower() not in {k.lower() for k in event["multiValueHeaders"]}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Accept-Charset", "UTF-8"),
        ("Accept-Encoding", "br"),
        ("Age", "request_Age"),
        ("Content-Encoding", "deflate"),
        ("Date", "request_Date"),
        ("Pragma", "cache"),
        ("Range", "bytes=500-999"),
        ("Referer", "https://example.com/"),
        ("Warn", "299 localStack/0.0"),
    ],
)
@recorded(PROXY_HEADERS)
def test_an_ordinary_request_header_reaches_a_proxy_function_as_sent(
    front: FrontApi, name: str, value: str
) -> None:
    event = front.event("/proxy-value", {name: value})
    assert event["headers"][name] == value


@pytest.mark.parametrize(
    ("mapped", "received"),
    [
        ("Date", "x-amzn-Remapped-Date"),
        ("Server", "x-amzn-Remapped-Server"),
        ("Authorization", "x-amzn-Remapped-Authorization"),
    ],
)
@recorded(MAPPED)
def test_a_restricted_response_header_is_renamed_x_amzn_remapped(
    front: FrontApi, mapped: str, received: str
) -> None:
    # Given an integration response mapping a value onto a header only API Gateway may set
    answer = front.send("GET", "/mapped-restricted")
    # Then the client gets the value under the x-amzn-Remapped- name
    assert answer.status == 200
    assert answer.header(received) == f"mapped-{mapped.lower()}"
    assert answer.header(mapped) != f"mapped-{mapped.lower()}"


@recorded(MAPPED)
def test_an_ordinary_mapped_response_header_is_sent_as_mapped(front: FrontApi) -> None:
    answer = front.send("GET", "/mapped-restricted")
    assert answer.header("X-Custom") == "mapped-custom"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("/mock", id="mock", marks=recorded(TRACE.format("normal-req-headers-MOCK"))),
        pytest.param(
            "/proxy-value",
            id="aws-proxy",
            marks=recorded(TRACE.format("normal-req-headers-AWS_PROXY")),
        ),
    ],
)
@pytest.mark.parametrize("name", ["x-amzn-RequestId", "x-amz-apigw-id"])
def test_every_answer_carries_the_request_id_and_apigw_id(
    front: FrontApi, target: str, name: str
) -> None:
    answer = front.send("GET", target)
    assert answer.status == 200
    assert answer.header(name)


@recorded(TRACE.format("normal-req-headers-MOCK"))
def test_a_mock_answer_has_no_trace_header(front: FrontApi) -> None:
    answer = front.send("GET", "/mock")
    assert answer.status == 200
    assert answer.header("X-Amzn-Trace-Id") is None


@recorded(TRACE.format("normal-req-headers-AWS_PROXY"))
def test_a_lambda_proxy_answer_carries_a_new_trace(front: FrontApi) -> None:
    answer = front.send("GET", "/proxy-value")
    trace = answer.header("X-Amzn-Trace-Id") or ""
    assert trace.startswith("Root=1-")


FULL_TRACE = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"


@recorded(TRACE.format("trace-id-req-headers-AWS_PROXY"))
def test_a_callers_full_trace_is_continued_as_sent(front: FrontApi) -> None:
    answer = front.send("GET", "/proxy-value", {"X-Amzn-Trace-Id": FULL_TRACE})
    trace = answer.header("X-Amzn-Trace-Id") or ""
    assert FULL_TRACE in trace
    assert trace.split(";")[1] == "Parent=7fa8c0f79203be72"


@recorded(TRACE.format("trace-id-small-req-headers-AWS_PROXY"))
def test_a_callers_root_alone_is_continued_with_a_parent_of_api_gateways(
    front: FrontApi,
) -> None:
    root = "Root=1-3152b799-8954dae64eda91bc9a23a7e8"
    answer = front.send("GET", "/proxy-value", {"X-Amzn-Trace-Id": root})
    trace = answer.header("X-Amzn-Trace-Id") or ""
    assert root in trace
    assert trace.split(";")[1].startswith("Parent=")
    assert trace.split(";")[1] != "Parent=7fa8c0f79203be72"


@recorded(TRACE.format("trace-id-req-headers-AWS_PROXY"))
def test_the_function_sees_the_trace_the_answer_carries(front: FrontApi) -> None:
    answer = front.send("GET", "/proxy-value", {"X-Amzn-Trace-Id": FULL_TRACE})
    assert answer.json()["headers"]["X-Amzn-Trace-Id"] == answer.header("X-Amzn-Trace-Id")
