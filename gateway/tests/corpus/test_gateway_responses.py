"""Gateway responses: the template's shapes for API Gateway's own answers.

`templates/integrations` declares DEFAULT_4XX (headers from a literal, a request header, a
stage variable and the context), DEFAULT_5XX, MISSING_AUTHENTICATION_TOKEN (as 404),
INVALID_API_KEY (as 456, the developer guide's example), BAD_REQUEST_BODY and
UNSUPPORTED_MEDIA_TYPE.
"""

import requests

from .recorded import recorded

TYPES = (
    "API Gateway developer guide, 'Gateway response types for API Gateway' (each type's "
    "default status; an unset type falls back to DEFAULT_4XX or DEFAULT_5XX)"
)
SETUP = (
    "API Gateway developer guide, 'Set up a gateway response for a REST API' "
    "(responseParameters from method.request.*, stageVariables.*, context.* or a literal; "
    "templates with $context.error.messageString)"
)
EXTENSION = (
    "API Gateway developer guide, 'x-amazon-apigateway-gateway-responses.gatewayResponse "
    "object' (example: INVALID_API_KEY as 456 with the request's api-key header and "
    '"Bad api-key")'
)
NOT_FOUND = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApigatewayRouting::test_routing_not_found (snapshots not-found, wrong-method: "
    "Missing Authentication Token, MissingAuthenticationTokenException)"
)


def call(gateway, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, gateway.api_url + path, timeout=10, **kwargs)


@recorded(NOT_FOUND + "; " + SETUP + " (a statusCode replaces the type's default 403)")
def test_unknown_route_is_missing_authentication_token_in_the_templates_shape(integrations):
    response = call(integrations, "GET", "/no/such/route")
    assert response.status_code == 404
    assert response.json() == {"shape": "no-route", "message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


@recorded(NOT_FOUND + " (a method the resource does not have is the same answer)")
def test_wrong_method_on_a_known_path_is_missing_authentication_token(integrations):
    response = call(integrations, "DELETE", "/mock/1")
    assert (response.status_code, response.json()["shape"]) == (404, "no-route")


@recorded(EXTENSION)
def test_type_specific_response_with_its_status_and_a_request_header(integrations):
    response = call(integrations, "GET", "/guarded", headers={"x-api-key": "not-in-any-plan"})
    assert (response.status_code, response.json()) == (456, {"message": "Bad api-key"})
    assert response.headers["api-key"] == "not-in-any-plan"


@recorded(TYPES + " (BAD_REQUEST_PARAMETERS 400 falls back to DEFAULT_4XX)")
def test_a_type_without_its_own_response_falls_back_to_default_4xx(integrations):
    response = call(integrations, "POST", "/checked", json={"name": "n"})
    assert response.status_code == 400
    assert response.json() == {
        "shape": "default-4xx",
        "type": "BAD_REQUEST_PARAMETERS",
        "message": "Missing required request parameters: [q]",
    }


@recorded(SETUP)
def test_default_4xx_headers_from_literal_request_stage_variable_and_context(integrations):
    response = call(integrations, "POST", "/checked", json={}, headers={"X-Echo": "echoed"})
    assert (
        response.headers["X-Shape"],
        response.headers["X-Echo"],
        response.headers["X-Version"],
        response.headers["X-Stage"],
    ) == ("default-4xx", "echoed", "1.0", "corpus")


@recorded(SETUP + "; a header mapped from a request header the request lacks is left out")
def test_a_header_mapped_from_an_absent_request_header_is_not_sent(integrations):
    response = call(integrations, "POST", "/checked", json={})
    assert "X-Echo" not in response.headers


@recorded(
    TYPES + " (BAD_REQUEST_BODY 400 has its own response); 'Variables for data "
    "transformations' ($context.error.validationErrorString holds the validation details)"
)
def test_type_specific_response_wins_over_default_4xx(integrations):
    response = call(integrations, "POST", "/checked", params={"q": "x"}, json={"name": 5})
    assert response.status_code == 400
    assert response.json() == {
        "shape": "bad-body",
        "message": "Invalid request body",
        "hasDetail": True,
    }


@recorded(
    TYPES
    + " (API_CONFIGURATION_ERROR 500 falls back to DEFAULT_5XX); "
    + SETUP
    + " (a literal header)"
)
def test_a_5xx_type_falls_back_to_default_5xx_with_its_header(integrations):
    response = call(integrations, "GET", "/mock-bad-status")
    assert (response.status_code, response.headers["X-Shape"]) == (500, "default-5xx")


@recorded(
    "API Gateway developer guide, 'Override your API's request and response parameters and "
    "status codes' (overrides are final: overriding the same parameter twice is a 5XX "
    "response)"
)
def test_overriding_the_status_twice_is_a_5xx(integrations):
    response = call(integrations, "GET", "/override-twice")
    assert response.status_code == 500
    assert response.json()["shape"] == "default-5xx"
