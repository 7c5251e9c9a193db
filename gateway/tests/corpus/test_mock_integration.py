"""MOCK integrations, overrides carried between templates, and integration response selection.

All on `templates/integrations`: the MOCK status comes from the request template, the response
from the integration response its `selectionPattern` picks.
"""

import base64
import json

import pytest
import requests

from .recorded import recorded

INTEGRATIONS = "localstack tests/aws/services/apigateway/test_apigateway_integrations.py::"
OVERRIDES = (
    "API Gateway developer guide, 'Override your API's request and response parameters and "
    "status codes for REST APIs in API Gateway'"
)
PASSTHROUGH = (
    "API Gateway developer guide, 'Method request behavior for payloads without mapping "
    "templates for REST APIs in API Gateway' (passthroughBehavior table)"
)


def get(gateway, path: str, **kwargs) -> requests.Response:
    return requests.get(gateway.api_url + path, timeout=10, **kwargs)


# -- MOCK ------------------------------------------------------------------------------------


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_basic.py::TestIntegrations::"
    "test_mock_integration_response (snapshot mock-response)"
)
def test_mock_response_template_reads_the_path_parameter(integrations):
    # Given a MOCK answering {"statusCode": 200}, When called with id 42
    response = get(integrations, "/mock/42", headers={"Content-Type": "application/json"})
    # Then its response template renders the path parameter unquoted
    assert (response.status_code, response.json()) == (200, {"statusCode": 200, "id": 42})


@recorded(INTEGRATIONS + "test_integration_mock_with_path_param (content b'', status 200)")
def test_mock_accepts_a_status_code_template_that_is_not_strict_json(integrations):
    # Given the request template `{statusCode: 200}` (CDK's CORS methods write it so)
    response = get(integrations, "/mock-loose-json")
    # Then the MOCK answers 200 with an empty body (no response template)
    assert (response.status_code, response.content) == (200, b"")


@recorded(
    "API Gateway developer guide, 'Mock integrations for REST APIs in API Gateway' (the "
    "request template must give an integer statusCode); gateway response types table "
    "(API_CONFIGURATION_ERROR, 500, through DEFAULT_5XX)"
)
def test_mock_without_an_integer_status_code_is_a_configuration_error(integrations):
    response = get(integrations, "/mock-bad-status")
    assert response.status_code == 500
    assert response.json() == {
        "shape": "default-5xx",
        "type": "API_CONFIGURATION_ERROR",
        "message": "Internal server error",
    }


# -- passthrough behaviour -------------------------------------------------------------------


@recorded(PASSTHROUGH + ": NEVER rejects an unmapped content type with 415 Unsupported Media Type")
def test_never_passthrough_rejects_an_unmapped_content_type(integrations):
    response = requests.post(
        integrations.api_url + "/mock-never",
        data=b"a=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    # Then UNSUPPORTED_MEDIA_TYPE, shaped by the template's gateway response
    assert (response.status_code, response.json()) == (
        415,
        {"shape": "unsupported", "message": "Unsupported Media Type"},
    )


@recorded(
    PASSTHROUGH + ": WHEN_NO_TEMPLATES rejects an unmapped content type with 415 once any "
    "template is defined"
)
def test_when_no_templates_rejects_an_unmapped_content_type_when_a_template_exists(integrations):
    response = requests.post(
        integrations.api_url + "/mock-when-no-templates",
        data=b"plain",
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 415


@recorded(PASSTHROUGH + ": a request without Content-Type is mapped as application/json")
def test_a_request_without_content_type_uses_the_json_template(integrations):
    response = requests.post(integrations.api_url + "/mock-never", data=b"{}", timeout=10)
    assert response.status_code == 200


# -- overrides across templates --------------------------------------------------------------


@recorded(
    INTEGRATIONS + "test_integration_mock_with_request_overrides_in_response_template "
    "(snapshots invoke-path1, invoke-path-else)"
)
@pytest.mark.parametrize(
    ("message", "said"), [("one", "one"), ("whatever", "other")], ids=["one", "else"]
)
def test_a_request_override_is_read_by_the_response_template(integrations, message, said):
    # Given a path that base64-encodes {"message": ...}, set into requestOverride.path.body
    data = base64.b64encode(json.dumps({"message": message}).encode()).decode()
    # When the response template parses it back
    response = get(integrations, f"/override/request/{data}")
    # Then it chose by the message
    assert (response.status_code, response.json()) == (200, {"said": said})


@recorded(
    INTEGRATIONS + "test_integration_mock_with_response_override_in_request_template[True] "
    "(snapshot response: status 444, header foo)"
)
def test_a_response_override_set_in_the_request_template_reaches_the_response(integrations):
    response = get(integrations, "/override/response")
    assert response.status_code == 444
    assert response.headers["foo"] == "bar"
    assert response.json() == {"status": "444", "foo": "bar"}


@recorded(
    INTEGRATIONS + "test_integration_mock_with_response_override_in_request_template[False] "
    "(snapshot response: body b'', status 444)"
)
def test_a_response_override_applies_without_a_response_template(integrations):
    response = get(integrations, "/override/response-no-template")
    assert (response.status_code, response.content) == (444, b"")
    assert response.headers["foo"] == "bar"


@recorded(INTEGRATIONS + "test_integration_mock_with_vtl_map_assignation (snapshot response)")
def test_overrides_set_by_bracket_and_by_put_are_read_back(integrations):
    response = get(integrations, "/override/map-assignment")
    assert (response.status_code, response.json()) == (200, {"value": "bar", "value2": "putBar"})


@recorded(
    OVERRIDES + " (Example 1: #set($context.responseOverride.status = 400) in the integration "
    "response template changes the method response status)"
)
def test_a_response_template_overrides_the_status(integrations):
    response = get(integrations, "/override/status/400")
    assert (response.status_code, response.json()) == (400, {"asked": "400"})


@recorded(OVERRIDES + " (Example 1 sets 400; the override is the status sent, a 2XX as well)")
def test_a_response_template_may_override_to_a_success_status(integrations):
    response = get(integrations, "/override/status/201")
    assert response.status_code == 201


# -- selection patterns ----------------------------------------------------------------------

SELECTION = (
    "API Gateway developer guide, 'Integration responses for REST APIs in API Gateway' "
    "(selectionPattern is a regular expression matched against the backend status; the "
    "default response has no pattern)"
)


@recorded(SELECTION)
@pytest.mark.parametrize(
    ("code", "status", "picked"),
    [("200", 200, "default"), ("201", 200, "default"), ("404", 400, "4xx"), ("418", 400, "4xx")],
    ids=["200", "201", "404", "418"],
)
def test_selection_pattern_picks_the_integration_response(integrations, code, status, picked):
    response = get(integrations, f"/mock-selected/{code}")
    assert (response.status_code, response.json()) == (status, {"picked": picked})


@recorded(SELECTION + "; responseParameters map a static value to a method response header")
def test_selected_response_sets_its_status_and_header(integrations):
    response = get(integrations, "/mock-selected/503")
    assert (response.status_code, response.headers.get("X-Picked")) == (502, "5xx")


@recorded(
    SELECTION + "; with no response matching and no default API Gateway answers 500 "
    "Internal server error (API_CONFIGURATION_ERROR)"
)
def test_no_matching_integration_response_is_a_configuration_error(integrations):
    response = get(integrations, "/mock-no-default/404")
    assert response.status_code == 500
    assert response.json()["type"] == "API_CONFIGURATION_ERROR"
