"""Corpus: the Lambda custom (non-proxy) integration, HTTP in and HTTP out.

The function receives the rendered request template, not a proxy event; the integration
response is chosen by matching selectionPattern against the function's errorMessage ("" when
it succeeded), and an error no pattern maps leaves through `default`.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

from .recorded import recorded

TEMPLATE = Path(__file__).parent / "templates" / "lambda_custom" / "template.yaml"
SELECTION = (
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_selection_patterns (snapshot lambda-selection-pattern-{status})"
)


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    running: RunningGateway
    with start_gateway(TEMPLATE) as running:
        yield running.api_url


@recorded(SELECTION.format(status=200))
def test_a_successful_function_is_the_default_response_with_its_result_as_the_body(api):
    # When the function returns "Pass" (the pattern "200" is not matched against a status)
    response = requests.get(f"{api}/select/200", timeout=30)

    # Then the default integration response answers, its body the function's result
    assert response.status_code == 200
    assert response.json() == "Pass"


@recorded(SELECTION.format(status=400))
def test_an_error_goes_to_the_response_whose_pattern_matches_its_error_message(api):
    # When the function raises "Error: Raising four hundred ..."
    response = requests.get(f"{api}/select/400", timeout=30)

    # Then ".*four hundred.*" chose 405, and the body is Lambda's error object
    assert response.status_code == 405
    body = response.json()
    assert body["errorMessage"] == "Error: Raising four hundred from within the Lambda function"
    assert body["errorType"] == "Exception"
    assert "stackTrace" in body


@recorded(SELECTION.format(status=500))
def test_an_error_only_the_catch_all_pattern_matches_takes_it(api):
    response = requests.get(f"{api}/select/500", timeout=30)

    assert response.status_code == 502
    assert response.json()["errorMessage"].startswith("Error: Raising five hundred")


@recorded(
    "API Gateway developer guide, 'Handle Lambda errors in API Gateway' (for Lambda custom "
    "integrations, errors not mapped in the integration response are returned as 200 OK)"
)
def test_an_error_no_pattern_maps_is_200_with_the_error_object(api):
    response = requests.post(f"{api}/unmapped", json={"statusCode": "400"}, timeout=30)

    assert response.status_code == 200
    assert response.json()["errorMessage"].startswith("Error: Raising four hundred")


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_aws_integration_with_request_template (snapshot lambda-aws-integration-1)"
)
def test_the_function_receives_the_rendered_request_template_not_a_proxy_event(api):
    response = requests.post(
        f"{api}/unmapped?param1=foobar", json={"statusCode": "echo"}, timeout=30
    )

    assert response.status_code == 200
    assert response.json() == {"received": {"statusCode": "echo", "param1": "foobar"}}


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_lambda.py::"
    "test_lambda_aws_integration_response_with_mapping_templates (snapshots "
    "response-template-202, response-template-400)"
)
def test_response_templates_shape_the_result_and_the_error_with_their_own_status(api):
    success = requests.post(f"{api}/mapped", json={"httpStatus": "200"}, timeout=30)
    failure = requests.post(f"{api}/mapped", json={"httpStatus": "400"}, timeout=30)

    assert success.status_code == 202
    assert success.json() == {"result": "Pass"}
    assert failure.status_code == 400
    assert failure.json() == {
        "failed": "Error: Raising four hundred from within the Lambda function",
        "type": "Exception",
    }
