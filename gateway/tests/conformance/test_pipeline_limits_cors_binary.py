"""Conformance through the running gateway: payload limit, integration timeouts, CORS, binary.

Each test sends real HTTP to the pipeline fixture template (`pipeline` in conftest.py), so the
whole pipeline runs: routing, authorizers, checks, the integration, then gateway responses.
"""

import base64

import requests

ORIGIN = "https://app.example.com"
TEN_MB = 10 * 1024 * 1024  # 10,485,760 bytes
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\x00\xfe"  # what the behave function sends


def upload(pipeline, size: int, path: str = "/mock-upload") -> requests.Response:
    return requests.post(
        pipeline.api_url + path,
        data=b"x" * size,
        headers={"Content-Type": "application/octet-stream"},
        timeout=30,
    )


def test_a_body_of_exactly_10_mb_passes(pipeline):
    """A payload of exactly 10 MB is within API Gateway's limit and reaches the integration.

    AWS doc: apigateway/latest/developerguide/limits.html (Payload size: 10 MB)
    """
    # When the MOCK route receives exactly 10,485,760 bytes
    response = upload(pipeline, TEN_MB)

    # Then the integration answered
    assert (response.status_code, response.json()) == (200, {"accepted": True})


def test_a_body_over_10_mb_is_413_request_too_large_shaped_by_the_template(pipeline):
    """One byte over 10 MB is 413 (REQUEST_TOO_LARGE), through the DEFAULT_4XX gateway response.

    AWS doc: apigateway/latest/developerguide/limits.html;
    supported-gateway-response-types.html (REQUEST_TOO_LARGE, 413). AWS documents no body text.
    """
    # When a Lambda route receives 10 MB and one byte
    response = upload(pipeline, TEN_MB + 1, "/upload")

    # Then it is refused before the integration, in the template's DEFAULT_4XX shape
    assert response.status_code == 413
    assert response.json()["shape"] == "default-4xx"
    assert response.json()["type"] == "REQUEST_TOO_LARGE"
    assert response.headers["x-amzn-ErrorType"] == "RequestTooLargeException"


def test_a_function_past_its_own_timeout_is_504_through_default_5xx(pipeline):
    """A Lambda running past its timeout (1 s here) is 504 "Endpoint request timed out".

    AWS doc: apigateway/latest/developerguide/supported-gateway-response-types.html
    (INTEGRATION_TIMEOUT, 504); limits.html (integration timeout)
    """
    # When the 1-second function sleeps 30 s
    response = requests.get(pipeline.api_url + "/behave/slow", timeout=30)

    # Then API Gateway's timeout reaches the caller, shaped by DEFAULT_5XX (no INTEGRATION_TIMEOUT
    # response is declared)
    assert response.status_code == 504
    assert response.json() == {
        "shape": "default-5xx",
        "message": "Endpoint request timed out",
        "type": "INTEGRATION_TIMEOUT",
    }


def test_an_integration_over_its_timeout_in_millis_is_504_before_the_functions_timeout(pipeline):
    """The integration's timeoutInMillis (300 ms) caps the wait, below the function's 20 s.

    AWS doc: apigateway/latest/developerguide/limits.html (Integration timeout: 50 ms to
    29 seconds); api-gateway-swagger-extensions-integration.html (timeoutInMillis)
    """
    # When a function with a 20 s timeout sleeps behind a 300 ms integration timeout
    response = requests.get(pipeline.api_url + "/impatient/slow", timeout=10)

    # Then API Gateway stops waiting at 300 ms: 504
    assert response.status_code == 504
    assert response.json()["message"] == "Endpoint request timed out"
    assert response.elapsed.total_seconds() < 10


def test_cors_preflight_answers_as_declared_without_authorization(pipeline):
    """The preflight OPTIONS is SAM's MOCK method: declared headers, no authorizer.

    AWS doc: apigateway/latest/developerguide/how-to-cors.html; SAM Api `Cors` and
    `AddDefaultAuthorizerToCorsPreflight: false`
    """
    # Given a route guarded by the default TOKEN authorizer
    # When a browser's preflight comes without any token
    response = requests.options(
        pipeline.api_url + "/token/1",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )

    # Then the template's CORS headers come back with 200
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == (
        "Content-Type,Authorization,X-Caller,x-api-key"
    )
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_errors_carry_the_cors_headers_their_gateway_response_declares(pipeline):
    """An error API Gateway makes itself carries the gateway response's CORS header.

    AWS doc: apigateway/latest/developerguide/how-to-cors.html (gateway responses need their
    own Access-Control-Allow-Origin); api-gateway-gatewayResponse-definition.html
    """
    # When a guarded route is called without a token, and an unknown route is called
    unauthorized = requests.get(pipeline.api_url + "/token/1", timeout=10)
    missing = requests.get(pipeline.api_url + "/nowhere", timeout=10)

    # Then both errors allow the browser to read them
    assert unauthorized.status_code == 401
    assert missing.status_code == 403
    assert unauthorized.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert missing.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_binary_request_body_reaches_the_lambda_base64_encoded(pipeline):
    """A body of a binary media type reaches the function base64-encoded, flagged so.

    AWS doc: apigateway/latest/developerguide/api-gateway-payload-encodings.html;
    set-up-lambda-proxy-integrations.html (isBase64Encoded)
    """
    # When raw bytes are posted as application/octet-stream (a binary media type of the API)
    response = requests.post(
        pipeline.api_url + "/upload",
        data=b"\x00\xff\x10binary",
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )

    # Then the event carries them base64-encoded with isBase64Encoded true
    event = response.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff\x10binary"


def test_a_base64_lambda_response_is_returned_as_bytes_when_accept_is_binary(pipeline):
    """isBase64Encoded responses are decoded to bytes when the first Accept type is binary.

    AWS doc: apigateway/latest/developerguide/lambda-proxy-binary-media.html ("API Gateway uses
    the first Accept header from clients to determine if a response should return binary media")
    """
    # When the image is asked for with Accept: image/png
    response = requests.get(
        pipeline.api_url + "/behave/image", headers={"Accept": "image/png"}, timeout=10
    )

    # Then the raw bytes arrive
    assert response.status_code == 200
    assert response.content == PNG_BYTES
    assert response.headers["Content-Type"] == "image/png"


def test_a_base64_lambda_response_stays_base64_text_when_accept_is_not_binary(pipeline):
    """When the first Accept type is no binary media type, the base64 text goes out unchanged.

    AWS doc: apigateway/latest/developerguide/lambda-proxy-binary-media.html;
    api-gateway-payload-encodings.html
    """
    # When the image is asked for with Accept: application/json first
    response = requests.get(
        pipeline.api_url + "/behave/image",
        headers={"Accept": "application/json, image/png"},
        timeout=10,
    )

    # Then the body is the function's base64 text
    assert response.status_code == 200
    assert base64.b64decode(response.content) == PNG_BYTES
