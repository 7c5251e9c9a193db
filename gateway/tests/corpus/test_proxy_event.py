"""The Lambda proxy event (REST, payload 1.0) as real API Gateway built it.

The recording: LocalStack's `test_lambda_aws_proxy_integration`, a `{proxy+}` and a `/hardcoded`
resource (ANY, AWS_PROXY) on stage `stage`, whose function returns its event as the body.
Here: the `front` template's `/{proxy+}` and `/hardcoded` on the echo function, stage `stage`.
"""

import json

import pytest

from .front_api import FrontApi, front
from .recorded import recorded

__all__ = ["front"]

SNAPSHOT = (
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_aws_proxy_integration (snapshot {})"
)
PLAIN = SNAPSHOT.format("invocation-payload-without-trailing-slash")
MULTI = SNAPSHOT.format("invocation-payload-with-params-encoding-multi")
PARAMS = SNAPSHOT.format("invocation-payload-with-params-encoding")


@recorded(PLAIN)
def test_the_event_has_exactly_the_recorded_top_level_fields(front: FrontApi) -> None:
    # Given a GET on the greedy resource
    event = front.event("/proxy-value")
    # Then the event has the twelve fields of the recording, no more
    assert set(event) == {
        "body",
        "headers",
        "httpMethod",
        "isBase64Encoded",
        "multiValueHeaders",
        "multiValueQueryStringParameters",
        "path",
        "pathParameters",
        "queryStringParameters",
        "requestContext",
        "resource",
        "stageVariables",
    }


@recorded(PLAIN)
def test_request_context_without_an_authorizer_has_no_authorizer_field(front: FrontApi) -> None:
    # Given a method with no authorizer
    context = front.event("/proxy-value")["requestContext"]
    # Then requestContext has exactly the recorded fields (no `authorizer`)
    assert set(context) == {
        "accountId",
        "apiId",
        "deploymentId",
        "domainName",
        "domainPrefix",
        "extendedRequestId",
        "httpMethod",
        "identity",
        "path",
        "protocol",
        "requestId",
        "requestTime",
        "requestTimeEpoch",
        "resourceId",
        "resourcePath",
        "stage",
    }


@recorded(PLAIN)
def test_identity_without_an_api_key_has_the_recorded_fields_all_null_but_two(
    front: FrontApi,
) -> None:
    # Given a request with no API key, no IAM caller, no Cognito identity
    identity = front.event("/proxy-value", {"User-Agent": "python-requests/testing"})[
        "requestContext"
    ]["identity"]
    # Then identity has the recorded fields, only sourceIp and userAgent set
    assert identity == {
        "accessKey": None,
        "accountId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": "127.0.0.1",
        "user": None,
        "userAgent": "python-requests/testing",
        "userArn": None,
    }


@recorded(PLAIN)
def test_a_get_without_query_or_body_has_nulls_where_aws_has_them(front: FrontApi) -> None:
    # Given a GET with no query string, no body, and a stage without variables
    event = front.event("/proxy-value")
    # Then those fields are null (not empty objects) and the body is not base64
    assert (
        event["body"],
        event["queryStringParameters"],
        event["multiValueQueryStringParameters"],
        event["stageVariables"],
        event["isBase64Encoded"],
    ) == (None, None, None, None, False)


@recorded(PLAIN)
def test_request_context_names_the_stage_method_resource_and_protocol(front: FrontApi) -> None:
    # Given a GET on the greedy resource
    event = front.event("/proxy-value")
    context = event["requestContext"]
    # Then the context names them as the recording does
    assert (context["stage"], context["httpMethod"], context["protocol"]) == (
        "stage",
        "GET",
        "HTTP/1.1",
    )
    assert context["resourcePath"] == event["resource"] == "/{proxy+}"


@recorded(PLAIN)
def test_domain_name_is_the_host_and_domain_prefix_its_first_label(front: FrontApi) -> None:
    # Given a request to the gateway's host
    event = front.event("/proxy-value")
    context = event["requestContext"]
    # Then domainName is the Host header and domainPrefix its first label
    assert context["domainName"] == event["headers"]["Host"]
    assert context["domainPrefix"] == context["domainName"].split(".")[0]


@recorded(PLAIN)
def test_request_time_epoch_is_milliseconds_and_request_time_the_clf_date(
    front: FrontApi,
) -> None:
    # Given any request
    context = front.event("/proxy-value")["requestContext"]
    # Then requestTimeEpoch is an integer in ms and requestTime is dd/Mon/yyyy:HH:MM:SS +0000
    assert isinstance(context["requestTimeEpoch"], int)
    assert context["requestTimeEpoch"] > 10**12
    assert context["requestTime"].endswith(" +0000")
    assert len(context["requestTime"]) == len("02/Aug/2024:23:34:43 +0000")


# -- path, pathParameters and requestContext.path, by what the client sent ----------------------

PATHS = [
    # (key of the recording, target sent after the stage, path, proxy, requestContext.path)
    (
        "invocation-payload-without-trailing-slash",
        "/proxy-value",
        "/proxy-value",
        "proxy-value",
        "/stage/proxy-value",
    ),
    (
        "invocation-payload-with-trailing-slash",
        "/proxy-value/",
        "/proxy-value/",
        "proxy-value",
        "/stage/proxy-value/",
    ),
    (
        "invocation-payload-with-double-slash",
        "/proxy-value//double-slash",
        "/proxy-value//double-slash",
        "proxy-value//double-slash",
        "/stage/proxy-value//double-slash",
    ),
    (
        "invocation-payload-with-prepended-slash",
        "//proxy-value",
        "/proxy-value",
        "proxy-value",
        "/stage//proxy-value",
    ),
    (
        "invocation-payload-with-trailing-slash-and-query-params",
        "/proxy-value/?urlparam=test",
        "/proxy-value/",
        "proxy-value",
        "/stage/proxy-value/",
    ),
    (
        "invocation-payload-with-path-encoded-email",
        "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
        "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
        "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
        "/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
    ),
]


def _cases(field: str) -> list[object]:
    index = {"path": 2, "proxy": 3, "context": 4}[field]
    return [
        pytest.param(row[1], row[index], id=row[0], marks=recorded(SNAPSHOT.format(row[0])))
        for row in PATHS
    ]


@pytest.mark.parametrize(("target", "expected"), _cases("path"))
def test_path_is_the_path_as_sent_with_leading_slashes_as_one(
    front: FrontApi, target: str, expected: str
) -> None:
    # Given a target with trailing, repeated or percent-encoded parts
    # When it reaches the function
    # Then `path` keeps them (percent-encoding too), only leading repeated slashes become one
    assert front.event(target)["path"] == expected


@pytest.mark.parametrize(("target", "expected"), _cases("proxy"))
def test_the_greedy_parameter_keeps_inner_slashes_and_encoding_but_no_trailing_slash(
    front: FrontApi, target: str, expected: str
) -> None:
    assert front.event(target)["pathParameters"] == {"proxy": expected}


@pytest.mark.parametrize(("target", "expected"), _cases("context"))
def test_request_context_path_is_the_stage_and_the_path_exactly_as_sent(
    front: FrontApi, target: str, expected: str
) -> None:
    assert front.event(target)["requestContext"]["path"] == expected


@recorded(SNAPSHOT.format("invocation-hardcoded"))
def test_leading_repeated_slashes_reach_a_literal_resource(front: FrontApi) -> None:
    # Given `//hardcoded` (the stage followed by two slashes)
    event = front.event("//hardcoded")
    # Then the literal resource serves it, its path with one leading slash, no path parameters
    assert (event["resource"], event["path"], event["pathParameters"]) == (
        "/hardcoded",
        "/hardcoded",
        None,
    )
    assert event["requestContext"]["path"] == "/stage//hardcoded"


# -- query strings --------------------------------------------------------------------------------

ENCODED_QUERY = "&".join(
    [
        "dateTimeOffset=2023-06-12T18:05:10.123456+00:00",
        "email=test%2Balias@gmail.com",
        "plus=test+alias@gmail.com",
        "url=https://www.google.com/",
        "whitespace=foo%20bar",
        "zhash=abort/",
    ]
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dateTimeOffset", "2023-06-12T18:05:10.123456 00:00"),
        ("email", "test+alias@gmail.com"),
        ("plus", "test alias@gmail.com"),
        ("url", "https://www.google.com/"),
        ("whitespace", "foo bar"),
        ("zhash", "abort/"),
    ],
)
@recorded(PARAMS)
def test_query_values_are_decoded_with_plus_as_a_space(
    front: FrontApi, name: str, expected: str
) -> None:
    # Given a query string with `+`, `%2B`, `%20`, `:` and `/` in its values
    event = front.event(f"/proxy-value/api?{ENCODED_QUERY}")
    # Then each value arrives decoded, `+` as a space, in both query fields
    assert event["queryStringParameters"][name] == expected
    assert event["multiValueQueryStringParameters"][name] == [expected]


@recorded(SNAPSHOT.format("invocation-payload-without-trailing-slash-and-query-params"))
def test_a_single_query_parameter_is_in_both_query_fields(front: FrontApi) -> None:
    event = front.event("/proxy-value?urlparam=test")
    assert event["queryStringParameters"] == {"urlparam": "test"}
    assert event["multiValueQueryStringParameters"] == {"urlparam": ["test"]}


MULTI_TARGET = "/proxy-value?category=electronics&category=books&price=10&price=20&price=30"


@pytest.mark.parametrize(
    ("name", "values"), [("category", ["electronics", "books"]), ("price", ["10", "20", "30"])]
)
@recorded(MULTI)
def test_a_repeated_query_parameter_keeps_every_value_in_order(
    front: FrontApi, name: str, values: list[str]
) -> None:
    event = front.event(MULTI_TARGET, method="POST", body=b'{"message": "hello world"}')
    assert event["multiValueQueryStringParameters"][name] == values


@pytest.mark.parametrize(("name", "last"), [("category", "books"), ("price", "30")])
@recorded(MULTI)
def test_the_single_value_of_a_repeated_query_parameter_is_its_last(
    front: FrontApi, name: str, last: str
) -> None:
    event = front.event(MULTI_TARGET, method="POST", body=b'{"message": "hello world"}')
    assert event["queryStringParameters"][name] == last


# -- headers and body -----------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["authorization", "aUThorization"])
@recorded(f"{PLAIN}; {MULTI}")
def test_the_authorization_header_arrives_as_authorization(front: FrontApi, sent: str) -> None:
    # Given Authorization sent in another casing
    event = front.event("/proxy-value", {sent: "random-value"})
    # Then the function sees it under API Gateway's spelling, in both header fields
    assert event["headers"]["Authorization"] == "random-value"
    assert event["multiValueHeaders"]["Authorization"] == ["random-value"]
    assert sent not in event["headers"] or sent == "Authorization"


@recorded(PLAIN)
def test_any_other_header_keeps_the_casing_the_client_sent(front: FrontApi) -> None:
    event = front.event("/proxy-value", {"tEsT-HEADeR": "aValUE"})
    assert event["headers"]["tEsT-HEADeR"] == "aValUE"
    assert event["multiValueHeaders"]["tEsT-HEADeR"] == ["aValUE"]


@pytest.mark.parametrize(
    "added", ["X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"]
)
@recorded(PLAIN)
def test_api_gateway_adds_its_forwarding_and_trace_headers(front: FrontApi, added: str) -> None:
    # Given a request that sent none of them
    event = front.event("/proxy-value", {"User-Agent": "python-requests/testing"})
    # Then the function sees each, in both header fields
    assert event["headers"][added]
    assert event["multiValueHeaders"][added] == [event["headers"][added]]


@recorded(PLAIN)
def test_x_forwarded_for_is_the_caller_and_proto_and_port_the_listener(front: FrontApi) -> None:
    headers = front.event("/proxy-value")["headers"]
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"  # the local listener; a stage is https
    assert headers["X-Forwarded-Port"] == str(front.port)


@recorded(MULTI)
def test_a_post_body_arrives_as_the_text_sent_without_content_length(front: FrontApi) -> None:
    # Given a JSON POST
    body = json.dumps({"message": "hello world"}).encode()
    event = front.event(
        "/proxy-value",
        {"Content-Type": "application/json;charset=utf-8"},
        method="POST",
        body=body,
    )
    # Then the body is the text sent, Content-Type is there and Content-Length is not
    assert json.loads(event["body"]) == {"message": "hello world"}
    assert event["isBase64Encoded"] is False
    assert event["headers"]["Content-Type"] == "application/json;charset=utf-8"
    assert "Content-Length" not in event["headers"]
    assert (event["httpMethod"], event["requestContext"]["httpMethod"]) == ("POST", "POST")
