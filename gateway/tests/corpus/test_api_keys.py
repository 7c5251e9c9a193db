"""API keys and usage plans on `templates/access` (no gateway responses: API Gateway's own bodies).

Keys: `open` (plan of this stage), `disabled` (same plan, disabled), `other` (a plan of another
API's stage only), `throttled` (burst 1, next token in ~1000 s), `quota` (1 request a day).
"""

import pytest
import requests

from .recorded import recorded

KEYS_REQUIRED = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::TestUsagePlans::"
    "test_api_key_required_for_methods"
)
RESPONSE_TYPES = (
    "API Gateway developer guide, 'Gateway response types for API Gateway' (table: type, "
    "default status)"
)
OPEN = "corpus-open-key-0000000000000000000000"


def keyed(gateway, key: str | None, path: str = "/keyed", **headers: str) -> requests.Response:
    sent = {"x-api-key": key} if key is not None else {}
    return requests.get(gateway.api_url + path, headers={**sent, **headers}, timeout=10)


@recorded(KEYS_REQUIRED + " (no x-api-key header: 403)")
def test_a_method_requiring_a_key_refuses_a_request_without_one(access):
    response = keyed(access, None)
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})
    assert response.headers["x-amzn-ErrorType"] == "ForbiddenException"


@recorded(KEYS_REQUIRED + " (a key of a usage plan of this stage: 200)")
def test_a_key_of_a_plan_of_this_stage_is_admitted_and_reaches_the_context(access):
    response = keyed(access, OPEN)
    assert response.status_code == 200
    assert response.json()["apiKey"] == OPEN


@recorded(KEYS_REQUIRED + " (snapshot update-api-key-disabled, then 403)")
def test_a_disabled_key_is_refused(access):
    response = keyed(access, "corpus-disabled-key-00000000000000000000")
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


@recorded(
    "API Gateway developer guide, 'Usage plans and API keys for REST APIs in API Gateway' (a "
    "key must be in a usage plan associated with the API stage); "
    + RESPONSE_TYPES
    + " INVALID_API_KEY 403"
)
@pytest.mark.parametrize(
    "key",
    ["corpus-other-key-000000000000000000000", "not-a-key-of-this-account-0000000000000"],
    ids=["other-stage", "unknown"],
)
def test_a_key_not_in_a_plan_of_this_stage_is_refused(access, key):
    response = keyed(access, key)
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


@recorded(
    "API Gateway developer guide, 'Choose an API key source in API Gateway' (HEADER: the "
    "x-api-key header; HTTP header names are case-insensitive)"
)
def test_the_key_header_name_is_case_insensitive(access):
    response = requests.get(access.api_url + "/keyed", headers={"X-API-Key": OPEN}, timeout=10)
    assert response.status_code == 200


@recorded(
    "API Gateway developer guide, 'Throttle requests to your REST APIs for better throughput "
    "in API Gateway' (past the plan's burst a client gets 429 Too Many Requests); "
    + RESPONSE_TYPES
    + " THROTTLED 429"
)
def test_a_key_past_its_plan_burst_is_throttled(access):
    key = "corpus-throttled-key-0000000000000000000"
    first, second = keyed(access, key, "/throttled"), keyed(access, key, "/throttled")
    assert first.status_code == 200
    assert (second.status_code, second.json()) == (429, {"message": "Too Many Requests"})
    assert second.headers["x-amzn-ErrorType"] == "TooManyRequestsException"


@recorded(
    "API Gateway developer guide, 'Usage plans and API keys' (quota: the number of requests a "
    "key may make in the period); " + RESPONSE_TYPES + " QUOTA_EXCEEDED 429"
)
def test_a_key_past_its_quota_is_refused_with_429(access):
    key = "corpus-quota-key-000000000000000000000"
    first, second = keyed(access, key), keyed(access, key)
    assert first.status_code == 200
    assert (second.status_code, second.json()) == (429, {"message": "Limit Exceeded"})
    assert second.headers["x-amzn-ErrorType"] == "LimitExceededException"


@recorded(
    "API Gateway developer guide, 'Usage plans and API keys' (a method without "
    "apiKeyRequired does not look at keys)"
)
def test_a_method_not_requiring_a_key_ignores_a_bad_one(access):
    response = requests.post(
        access.api_url + "/unvalidated/x",
        params={"qs1": "q"},
        headers={"x-api-key": "not-a-key"},
        json={},
        timeout=10,
    )
    assert response.status_code == 200
