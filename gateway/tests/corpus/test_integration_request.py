"""What an HTTP backend receives from a non-proxy integration: mapped parameters, then overrides.

`POST /mapped/{item}` of `templates/integrations` maps a path parameter, a header, a query
string, a literal, a stage variable and a context variable, and its request template overrides
two headers and adds a query string; the echo backend answers with the request it got.
"""

import pytest
import requests

from .recorded import recorded

MAPPING = (
    "API Gateway developer guide, 'Parameter mapping for REST APIs in API Gateway' (integration "
    "request parameters from method.request.path/querystring/header, stageVariables, context "
    "and 'literal' values)"
)
PARAMETERS_RECORDED = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::"
    "test_integration_request_parameters_mapping (a header from a method header and one from "
    "context reach the HTTP backend)"
)
OVERRIDES = (
    "API Gateway developer guide, 'Override your API's request and response parameters and "
    "status codes for REST APIs in API Gateway' ($context.requestOverride.header/querystring; "
    "overrides apply after the standard mappings)"
)


@pytest.fixture(scope="module")
def received(integrations) -> dict:
    """The request the backend received for one call, shared by the cases that read it."""
    response = requests.post(
        integrations.api_url + "/mapped/item-7",
        params={"in": "from-query"},
        headers={"X-In": "from-header", "Content-Type": "application/json"},
        data=b'{"payload": true}',
        timeout=10,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    answer["headers"] = {name.lower(): value for name, value in answer["headers"].items()}
    return answer


@recorded(PARAMETERS_RECORDED)
def test_a_header_mapped_from_a_method_request_header(received):
    assert received["headers"]["x-from-header"] == "from-header"


@recorded(PARAMETERS_RECORDED)
def test_a_header_mapped_from_a_context_variable(received):
    assert received["headers"]["x-context"] == "POST"


@recorded(MAPPING + " (a 'literal' value)")
def test_a_header_mapped_from_a_literal(received):
    assert received["headers"]["x-literal"] == "fixed"


@recorded(MAPPING + " (stageVariables.name); 'Set up stage variables for REST APIs'")
def test_a_header_mapped_from_a_stage_variable(received):
    assert received["headers"]["x-stage-var"] == "1.0"


@recorded(MAPPING + " (path and query string parameters fill the integration URL)")
def test_path_and_query_string_mapped_into_the_url(received):
    path, _, query = received["path"].partition("?")
    assert path == "/describe/item-7"
    assert "fromQuery=from-query" in query.split("&")


@recorded(OVERRIDES + " (Example: override a request header)")
def test_a_request_override_adds_a_header(received):
    assert received["headers"]["x-over"] == "over"


@recorded(OVERRIDES + " (an override replaces what the standard mapping set)")
def test_a_request_override_wins_over_the_mapped_header(received):
    assert received["headers"]["x-overridden"] == "by-template"


@recorded(OVERRIDES + " (override a query string)")
def test_a_request_override_adds_a_query_string(received):
    assert "extra=q" in received["path"].partition("?")[2].split("&")


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::"
    "test_input_body_formatting (the request template's output is the integration request body)"
)
def test_the_rendered_template_is_the_body_sent(received):
    assert received["body"].strip() == '{"payload": true}'
