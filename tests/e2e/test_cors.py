"""A browser's CORS preflight: every path of the API definition answers it (api/openapi.yaml's
`options: *cors_preflight`, a MOCK integration), with no credentials, with the stage's CORS
headers; guarded routes still refuse the actual request without them."""

import pytest

from tests.support.e2e import assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("core")]

# One path of each guard and kind of integration: Cognito + Lambda, API key + DynamoDB,
# JWT authorizer + SQS, Cognito + S3, SigV4 + Lambda, the HTTP proxy, the public mock.
PATHS = [
    pytest.param("/v1/users", marks=pytest.mark.domain("users")),
    pytest.param("/v1/products/some-id", marks=pytest.mark.domain("products")),
    pytest.param("/v1/telemetry", marks=pytest.mark.domain("telemetry")),
    pytest.param("/v1/files/notes.txt", marks=pytest.mark.domain("files")),
    pytest.param("/v1/internal/users/some-id", marks=pytest.mark.domain("users")),
    pytest.param("/v1/orders/42", marks=pytest.mark.domain("orders")),
    "/v1/health",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_preflight_is_answered_without_credentials_with_the_stages_cors_headers(api, path):
    # Given a browser about to POST with a token, from a page of another origin
    headers = {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    # When it sends the preflight, which carries no credentials
    response = api.request("OPTIONS", path, headers=headers)
    # Then API Gateway answers it with the stage's CORS headers
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"]
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,PUT,DELETE,OPTIONS"
    allowed = response.headers["Access-Control-Allow-Headers"].lower().split(",")
    assert {"authorization", "content-type", "idempotency-key", "x-api-key"} <= set(allowed)
    assert response.headers["Access-Control-Max-Age"] == "600"


@pytest.mark.domain("users")
def test_the_request_after_the_preflight_still_needs_its_credentials(api):
    # Given a preflight answered for the users route
    assert api.request("OPTIONS", "/v1/users").status_code == 200
    # When the browser then sends the request without a token
    response = api.request("GET", "/v1/users")
    # Then the guard refuses it, in the envelope, with the CORS origin for the page to read it
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["Access-Control-Allow-Origin"]
