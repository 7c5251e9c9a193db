"""Conformance through the running gateway: API keys with usage plans, and request validators.

The fixture has two usage plans on its stage: `open` (plenty) and `tight` (burst 2, about one
request per 100 s), each with the key the gateway makes for it.
AWS docs (developerguide): api-gateway-api-usage-plans.html, api-gateway-request-throttling.html,
api-gateway-method-request-validation.html, supported-gateway-response-types.html.
"""

import requests


def keyed(pipeline, key: str | None) -> requests.Response:
    headers = {"x-api-key": key} if key is not None else {}
    return requests.get(pipeline.api_url + "/keyed", headers=headers, timeout=10)


def test_missing_api_key_is_403_forbidden(pipeline):
    """A method requiring an API key answers 403 "Forbidden" (INVALID_API_KEY) without one.

    AWS doc: apigateway/latest/developerguide/api-gateway-api-usage-plans.html;
    supported-gateway-response-types.html (INVALID_API_KEY, 403)
    """
    response = keyed(pipeline, None)

    assert response.status_code == 403
    assert response.json() == {
        "shape": "default-4xx",
        "message": "Forbidden",
        "type": "INVALID_API_KEY",
    }


def test_unknown_api_key_is_403_forbidden(pipeline):
    """A key no usage plan knows is 403 "Forbidden".

    AWS doc: apigateway/latest/developerguide/api-gateway-api-usage-plans.html
    """
    response = keyed(pipeline, "not-a-key-of-this-api-0000000000000000000")

    assert response.status_code == 403
    assert response.json()["message"] == "Forbidden"


def test_admitted_key_and_its_id_reach_the_request_context(pipeline):
    """identity.apiKey and identity.apiKeyId name the key the request was admitted with.

    AWS doc: apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    (requestContext.identity.apiKey, apiKeyId)
    """
    # Given the key of the `open` plan
    key = pipeline.session.api_keys["open"]
    key_id = next(k.id for k in pipeline.gateway.usage_plans.keys if k.value == key)

    # When it calls the keyed route
    response = keyed(pipeline, key)

    # Then the function sees the key and its id
    identity = response.json()["event"]["requestContext"]["identity"]
    assert (identity["apiKey"], identity["apiKeyId"]) == (key, key_id)


def test_requests_past_the_plans_burst_are_429_too_many_requests(pipeline):
    """A usage plan's burst is a token bucket per key: past it, 429 "Too Many Requests".

    AWS doc: apigateway/latest/developerguide/api-gateway-request-throttling.html
    (THROTTLED, 429)
    """
    # Given the `tight` plan's key (burst 2, rate 0.01 per second)
    key = pipeline.session.api_keys["tight"]

    # When it calls three times in a row
    responses = [keyed(pipeline, key) for _ in range(3)]

    # Then the burst passes and the third is throttled
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[2].json() == {
        "shape": "default-4xx",
        "message": "Too Many Requests",
        "type": "THROTTLED",
    }


def test_missing_required_query_string_is_400_bad_request_parameters(pipeline):
    """A validator with parameters on: a missing required query string is 400, named.

    AWS doc: apigateway/latest/developerguide/api-gateway-method-request-validation.html
    ("Missing required request parameters: [...]"); BAD_REQUEST_PARAMETERS falls back to
    DEFAULT_4XX here
    """
    response = requests.post(pipeline.api_url + "/validated", json={"name": "x"}, timeout=10)

    assert response.status_code == 400
    assert response.json() == {
        "shape": "default-4xx",
        "message": "Missing required request parameters: [tag]",
        "type": "BAD_REQUEST_PARAMETERS",
    }


def test_body_failing_the_model_is_400_invalid_request_body_in_its_gateway_response(pipeline):
    """A body failing the model is 400 "Invalid request body"; BAD_REQUEST_BODY's template
    shows $context.error.validationErrorString.

    AWS doc: apigateway/latest/developerguide/api-gateway-method-request-validation.html;
    api-gateway-gatewayResponse-definition.html
    """
    # When the body misses `name` and adds an unknown property
    response = requests.post(pipeline.api_url + "/validated?tag=a", json={"nam": "x"}, timeout=10)

    # Then API Gateway's message and the schema problems come through the declared response
    assert response.status_code == 400
    body = response.json()
    assert (body["shape"], body["message"]) == ("bad-request-body", "Invalid request body")
    assert 'object has missing required properties (["name"])' in body["detail"]


def test_valid_request_passes_the_validator_to_the_integration(pipeline):
    """A request meeting the model and parameters reaches the function unchanged.

    AWS doc: apigateway/latest/developerguide/api-gateway-method-request-validation.html
    """
    response = requests.post(pipeline.api_url + "/validated?tag=a", json={"name": "x"}, timeout=10)

    assert response.status_code == 200
    assert response.json()["event"]["body"] == '{"name": "x"}'
