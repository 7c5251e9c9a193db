"""Request validators (parameters, bodies against models) on `templates/access`.

The fixture declares no gateway responses, so each error is API Gateway's own body.
"""

import json

import pytest
import requests

from .recorded import recorded

VALIDATOR = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApiGatewayCommon::test_api_gateway_request_validator"
)
REF_MODELS = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApiGatewayCommon::test_api_gateway_request_validator_with_ref_models"
)
VALIDATION_GUIDE = (
    "API Gateway developer guide, 'Request validation for REST APIs in API Gateway' "
    "(validateRequestParameters / validateRequestBody; 400 with the validator's message)"
)
ALL_PARAMETERS = {"params": {"qs1": "test"}, "headers": {"x-header-param": "test"}}


def call(gateway, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, gateway.api_url + path, timeout=10, **kwargs)


@recorded(VALIDATOR + " (every parameter and a valid body pass)")
def test_every_required_parameter_and_a_valid_body_pass(access):
    response = call(access, "POST", "/nested/value", json={"a": 1, "b": 2}, **ALL_PARAMETERS)
    assert (response.status_code, response.json()) == (200, {"passed": True})


@recorded(VALIDATOR + " (snapshot missing-required-headers-request-params-get)")
def test_missing_required_header_is_named(access):
    response = call(access, "GET", "/nested/value", params={"qs1": "test"}, json={"a": 1, "b": 2})
    assert response.status_code == 400
    assert response.json() == {"message": "Missing required request parameters: [x-header-param]"}
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"


@recorded(VALIDATOR + " (snapshot missing-required-qs-request-params-get)")
def test_missing_required_query_string_is_named(access):
    response = call(
        access, "GET", "/nested/value", headers={"x-header-param": "test"}, json={"a": 1, "b": 2}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Missing required request parameters: [qs1]"}


@recorded(
    VALIDATOR + " (snapshot missing-all-required-request-params-post: parameters are checked "
    "before the body, and listed header first, then query string, as the method's sorted "
    "requestParameters)"
)
def test_missing_parameters_are_checked_before_the_body_header_first(access):
    response = call(access, "POST", "/nested/value", json={"test": "test"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Missing required request parameters: [x-header-param, qs1]"
    }


@recorded(
    VALIDATOR + " (snapshot missing-all-required-request-params-post after "
    "change-request-path-names: a required path parameter the resource lacks is missing too, "
    "listed between the headers and the query strings)"
)
def test_missing_header_path_and_query_string_parameters_in_recorded_order(access):
    response = call(access, "POST", "/renamed/value", json={"test": "test"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Missing required request parameters: [x-header-param, issuer, qs1]"
    }


@recorded(
    VALIDATOR + " (requestParameters come back sorted by their key "
    "method.request.{header,path,querystring}.name, and the message lists them so)"
)
def test_missing_parameters_are_listed_in_sorted_order(access):
    response = call(access, "POST", "/params-only", json={"a": 1, "b": 2})
    assert response.json() == {
        "message": "Missing required request parameters: [x-late, alpha, zeta]"
    }


NOT_BLANK = (
    "API Gateway developer guide, 'Request validation for REST APIs in API Gateway' (the "
    "required request parameters are included and not blank)"
)


@recorded(NOT_BLANK)
def test_a_required_query_string_sent_blank_is_missing(access):
    response = call(
        access,
        "POST",
        "/nested/value",
        params={"qs1": ""},
        headers={"x-header-param": "test"},
        json={"a": 1, "b": 2},
    )
    assert response.json() == {"message": "Missing required request parameters: [qs1]"}


@recorded(NOT_BLANK)
def test_a_required_header_sent_blank_is_missing(access):
    response = call(
        access,
        "POST",
        "/nested/value",
        params={"qs1": "test"},
        headers={"x-header-param": ""},
        json={"a": 1, "b": 2},
    )
    assert response.json() == {"message": "Missing required request parameters: [x-header-param]"}


@recorded(
    "API Gateway developer guide, 'Request validation for REST APIs in API Gateway' (if no "
    "matching content type is found, request validation is not performed)"
)
def test_a_body_of_a_content_type_without_a_model_is_not_validated(access):
    response = call(
        access,
        "POST",
        "/body-only",
        data=b"status=lost",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()) == (200, {"passed": True})


@recorded(VALIDATOR + " (snapshot invalid-request-body)")
def test_body_not_matching_the_model_is_invalid_request_body(access):
    response = call(access, "POST", "/nested/value", json={"test": "test"}, **ALL_PARAMETERS)
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid request body"}
    assert response.headers["x-amzn-ErrorType"] == "BadRequestException"


@recorded(VALIDATOR + " (GET request with no body against a required model: 400)")
def test_no_body_against_a_model_with_required_properties_is_invalid(access):
    response = call(access, "GET", "/nested/value", **ALL_PARAMETERS)
    assert (response.status_code, response.json()) == (400, {"message": "Invalid request body"})


@recorded(VALIDATOR + " (GET request with an empty body, content type JSON: 400)")
def test_empty_json_body_against_a_model_with_required_properties_is_invalid(access):
    response = call(
        access,
        "GET",
        "/nested/value",
        params={"qs1": "test"},
        headers={"x-header-param": "test", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


@recorded(
    VALIDATOR + " (snapshot disable-request-validator: without a validator nothing is checked)"
)
def test_a_method_without_validator_checks_nothing(access):
    response = call(access, "POST", "/unvalidated/value", json={"test": "test"})
    assert (response.status_code, response.json()) == (200, {"passed": True})


@recorded(VALIDATION_GUIDE + ": a body-only validator does not check parameters")
def test_body_only_validator_ignores_missing_parameters(access):
    response = call(access, "POST", "/body-only", json={"status": "open", "quantity": 2})
    assert response.status_code == 200


@recorded(VALIDATION_GUIDE + ": a parameters-only validator does not check the body")
def test_parameters_only_validator_ignores_the_body(access):
    response = call(
        access,
        "POST",
        "/params-only",
        params={"zeta": "z", "alpha": "a"},
        headers={"x-late": "1"},
        data=b"not json at all",
    )
    assert response.status_code == 200


@recorded(
    VALIDATION_GUIDE + "; JSON Schema draft 4 models: enum, integer type, minimum and "
    "additionalProperties each make a body invalid"
)
@pytest.mark.parametrize(
    "body",
    [
        {"status": "lost"},
        {"status": "open", "quantity": 1.5},
        {"status": "open", "quantity": 0},
        {"status": "open", "extra": True},
        {"quantity": 2},
    ],
    ids=["enum", "integer", "minimum", "additional", "required"],
)
def test_draft4_keywords_reject_the_body(access, body):
    response = call(access, "POST", "/body-only", json=body)
    assert (response.status_code, response.json()) == (400, {"message": "Invalid request body"})


@recorded(
    VALIDATION_GUIDE + "; the model is chosen by the request's media type, parameters such "
    "as charset aside"
)
def test_a_json_body_with_a_charset_is_validated_against_the_json_model(access):
    response = call(
        access,
        "POST",
        "/body-only",
        data=b'{"status": "lost"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert (response.status_code, response.json()) == (400, {"message": "Invalid request body"})


@recorded(VALIDATION_GUIDE + ": a body that is not JSON does not match a JSON model")
def test_a_body_that_is_not_json_is_invalid(access):
    response = call(
        access,
        "POST",
        "/body-only",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()) == (400, {"message": "Invalid request body"})


@recorded(
    REF_MODELS + " (snapshots successful, failed-validation: a list model whose items "
    "$ref another model)"
)
@pytest.mark.parametrize(
    ("body", "status"),
    [([{"a": 1, "b": 2}, {"a": 3, "b": 4}], 200), ([{"a": 1, "b": 2}, {"a": "x"}], 400)],
    ids=["valid", "invalid-item"],
)
def test_a_model_referring_to_another_model(access, body, status):
    response = call(access, "POST", "/pairs", data=json.dumps(body))
    assert response.status_code == status
