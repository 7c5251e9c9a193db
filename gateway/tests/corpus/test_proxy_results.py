"""Lambda proxy results: which are answered, which are API Gateway's 502, how headers merge.

The recording: LocalStack's `test_aws_proxy_response_payload_format_validation`, a function
returning the JSON body it was sent. Here: the `front` template's POST /shape, same function.
"""

import base64
import json
from typing import Any

import pytest

from .front_api import Answer, FrontApi, front
from .recorded import recorded

__all__ = ["front"]

SNAPSHOT = (
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_aws_proxy_response_payload_format_validation (snapshot {})"
)
INTERNAL_ERROR = {"message": "Internal server error"}


def shaped(front: FrontApi, result: Any) -> Answer:
    """The answer when the function returns `result`."""
    body = json.dumps(result).encode()
    return front.send("POST", "/shape", {"Content-Type": "application/json"}, body)


def _case(value: Any, key: str, case_id: str) -> Any:
    return pytest.param(value, id=case_id, marks=recorded(SNAPSHOT.format(key)))


@pytest.mark.parametrize(
    "result",
    [
        _case({"statusCode": 200, "wrongValue": "value"}, "invoke-api-wrong-format", "unknown-key"),
        _case(
            {"statusCode": 200, "multiValueHeaders": {"m": "value1"}},
            "invoke-api-multi-headers-invalid",
            "multi-value-not-a-list",
        ),
        _case({"statusCode": "test"}, "invoke-api-invalid-status-code", "status-not-a-number"),
        _case("justAString", "invoke-api-just-string", "a-string"),
    ],
)
def test_a_malformed_result_is_502_internal_server_error(front: FrontApi, result: Any) -> None:
    # Given the function returns something that is no proxy response
    answer = shaped(front, result)
    # Then API Gateway answers 502 with its own message
    assert answer.status == 502
    assert answer.json() == INTERNAL_ERROR


@recorded(SNAPSHOT.format("invoke-api-empty-response"))
def test_a_function_that_raises_is_502_internal_server_error(front: FrontApi) -> None:
    # Given a POST without a body (the function fails reading it)
    answer = front.send("POST", "/shape", {"Content-Type": "application/json"})
    # Then it is 502 with API Gateway's message
    assert answer.status == 502
    assert answer.json() == INTERNAL_ERROR


@recorded(SNAPSHOT.format("invoke-api-no-body"))
def test_a_result_without_a_body_is_an_empty_body(front: FrontApi) -> None:
    answer = shaped(front, {"statusCode": 200})
    assert (answer.status, answer.body) == (200, b"")


@recorded(SNAPSHOT.format("invoke-api-only-headers"))
def test_a_result_without_a_status_code_is_200(front: FrontApi) -> None:
    answer = shaped(front, {"headers": {"test-header": "value"}})
    assert (answer.status, answer.body) == (200, b"")
    assert answer.header("test-header") == "value"


@recorded(SNAPSHOT.format("invoke-api-status-code-str"))
def test_a_numeric_string_status_code_is_that_status(front: FrontApi) -> None:
    answer = shaped(front, {"statusCode": "201"})
    assert (answer.status, answer.body) == (201, b"")


@pytest.mark.parametrize(("name", "value"), [("test-header", "value"), ("header-bool", "true")])
@recorded(SNAPSHOT.format("invoke-api-with-headers"))
def test_header_values_are_sent_as_text_a_boolean_in_lower_case(
    front: FrontApi, name: str, value: str
) -> None:
    answer = shaped(
        front, {"statusCode": 200, "headers": {"test-header": "value", "header-bool": True}}
    )
    assert answer.header(name) == value


@pytest.mark.parametrize(
    "result",
    [
        _case(
            {"statusCode": 200, "headers": {"test-header": "value"}},
            "invoke-api-with-headers",
            "headers-without-content-type",
        ),
        _case({"statusCode": 200, "headers": None}, "invoke-api-with-headers-null", "headers-null"),
    ],
)
def test_a_result_without_content_type_is_sent_as_application_json(
    front: FrontApi, result: Any
) -> None:
    answer = shaped(front, result)
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json"


@pytest.mark.parametrize(
    "flag",
    [
        _case(True, "invoke-api-b64-encoded-true", "base64-true"),
        _case(False, "invoke-api-b64-encoded-false", "base64-false"),
    ],
)
def test_a_base64_body_stays_base64_text_when_the_api_has_no_binary_types(
    front: FrontApi, flag: bool
) -> None:
    # Given a base64 body, flagged or not, and an API without binary media types
    encoded = base64.b64encode(b"test-data").decode()
    answer = shaped(front, {"statusCode": 200, "body": encoded, "isBase64Encoded": flag})
    # Then the client receives the base64 text itself
    assert (answer.status, answer.body) == (200, b"dGVzdC1kYXRh")


@recorded(SNAPSHOT.format("invoke-api-multi-headers-valid"))
def test_multi_value_headers_send_every_value(front: FrontApi) -> None:
    answer = shaped(
        front, {"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}
    )
    assert answer.header("test-multi") == "value1, value2"


@recorded(SNAPSHOT.format("invoke-api-multi-headers-overwrite"))
def test_headers_and_multi_value_headers_merge_multi_values_first(front: FrontApi) -> None:
    # Given the same header in both, with different values
    answer = shaped(
        front,
        {
            "statusCode": 200,
            "multiValueHeaders": {"test-multi": ["value-multi"]},
            "headers": {"test-multi": "value-solo"},
        },
    )
    # Then both values are sent, the multi-value one first
    assert answer.header("test-multi") == "value-multi, value-solo"


@recorded(SNAPSHOT.format("invoke-api-multi-headers-overwrite-casing"))
def test_headers_merge_without_case_under_the_multi_value_spelling(front: FrontApi) -> None:
    answer = shaped(
        front,
        {
            "statusCode": 200,
            "multiValueHeaders": {"tesT-Multi": ["value-multi"]},
            "headers": {"test-multi": "value-solo"},
        },
    )
    assert answer.header("test-multi") == "value-multi, value-solo"
    assert "tesT-Multi" in answer.names()
    assert "test-multi" not in answer.names()


@recorded(
    "API Gateway developer guide, 'Set up Lambda proxy integrations in API Gateway', output "
    "format: 'If the same key-value pair is specified in both, only the values from "
    "multiValueHeaders will appear in the merged list'"
)
def test_a_value_in_both_header_fields_is_sent_once(front: FrontApi) -> None:
    answer = shaped(
        front,
        {
            "statusCode": 200,
            "multiValueHeaders": {"x-both": ["same"]},
            "headers": {"x-both": "same"},
        },
    )
    assert answer.header("x-both") == "same"


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_aws_proxy_integration_non_post_method "
    "(snapshot invocation-payload-with-get-proxy-method)"
)
def test_a_lambda_proxy_integration_with_a_get_method_is_500(front: FrontApi) -> None:
    # Given an AWS_PROXY integration whose httpMethod is GET (Lambda is invoked with POST only)
    # and an INTEGRATION_FAILURE gateway response without a status, as recorded
    answer = front.send("GET", "/get-proxy")
    # Then the function is never reached: 500 with API Gateway's message
    assert answer.status == 500
    assert answer.json() == INTERNAL_ERROR
