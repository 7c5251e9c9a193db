"""Routing on the path as sent: repeated slashes, paths and methods no resource has.

Recordings: LocalStack's `test_lambda_aws_proxy_integration` (repeated slashes before and inside
the path) and `TestApigatewayRouting::test_routing_not_found` (a path and a method no
resource has). Here: the `front` template, whose `/{proxy+}` has GET and POST only.
"""

import pytest

from .front_api import FrontApi, front
from .recorded import recorded

__all__ = ["front"]

PROXY = (
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_aws_proxy_integration (snapshot {})"
)
NOT_FOUND = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApigatewayRouting::test_routing_not_found (snapshot {}); API Gateway developer guide, "
    "'Gateway response types for API Gateway': MISSING_AUTHENTICATION_TOKEN is 403"
)


def _missing_authentication_token(front: FrontApi, method: str, target: str) -> None:
    answer = front.send(method, target)
    assert answer.status == 403
    assert answer.json() == {"message": "Missing Authentication Token"}
    assert answer.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"


@recorded(NOT_FOUND.format("not-found"))
def test_a_path_no_resource_has_is_missing_authentication_token(front: FrontApi) -> None:
    # Given the root, which has no method (the greedy resource needs one segment at least)
    # Then API Gateway's 403 answers
    _missing_authentication_token(front, "GET", "/")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND"])
@recorded(NOT_FOUND.format("wrong-method"))
def test_a_method_the_resource_lacks_is_missing_authentication_token(
    front: FrontApi, method: str
) -> None:
    # Given a resource with GET and POST only, and any other method, standard or not
    # Then it is API Gateway's 403, in its JSON shape
    _missing_authentication_token(front, method, "/proxy-value")


@recorded(PROXY.format("invocation-payload-with-double-slash"))
def test_a_repeated_slash_inside_the_path_is_an_empty_segment_not_a_separator(
    front: FrontApi,
) -> None:
    # Given `/items//x`: `/items/{id}` cannot match an empty segment followed by another one
    event = front.event("/items//x")
    # Then the greedy resource serves it, the empty segment kept
    assert event["resource"] == "/{proxy+}"
    assert event["pathParameters"] == {"proxy": "items//x"}


@recorded(PROXY.format("invocation-payload-with-prepended-slash"))
def test_leading_repeated_slashes_reach_the_parameter_resource(front: FrontApi) -> None:
    event = front.event("///items/abc")
    assert (event["resource"], event["path"]) == ("/items/{id}", "/items/abc")
    assert event["pathParameters"] == {"id": "abc"}
    assert event["requestContext"]["path"] == "/stage///items/abc"


@recorded(PROXY.format("invocation-payload-with-trailing-slash"))
def test_a_trailing_slash_reaches_the_same_resource_and_stays_in_path(front: FrontApi) -> None:
    event = front.event("/items/abc/")
    assert (event["resource"], event["path"]) == ("/items/{id}", "/items/abc/")
    assert event["pathParameters"] == {"id": "abc"}


@recorded(
    "API Gateway developer guide, 'Set up a proxy integration with a proxy resource': a "
    "resource with a specific path takes precedence over the greedy {proxy+}"
)
def test_a_parameter_resource_wins_over_the_greedy_one(front: FrontApi) -> None:
    assert front.event("/items/abc")["resource"] == "/items/{id}"
