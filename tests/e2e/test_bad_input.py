"""Bad input through the gateway: each is answered with the right 4xx, in the error envelope.

Bodies at the 10 MB limit and one byte over, malformed JSON, wrong content types, overlong
headers and paths, `..` and encoded separators in path parameters, unicode everywhere, and
methods no route has. A body of exactly 10 MB passes the gateway and then meets the route's
own rules: stored as a file, or refused by the route's request model before any Lambda runs.
"""

import json
import socket
import urllib.parse
import uuid

import pytest

from tests.support.e2e import ADMIN, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("core")]

LIMIT = 10 * 1024 * 1024  # API Gateway's payload limit
LOCAL_HEAD_LIMIT = 65536  # the local server's limit on a request line or header block
RAW_REASON = (
    "sends raw bytes over plain HTTP to the local server's socket, and checks that server's own "
    "line limits (a deployed stage is HTTPS, with API Gateway's limits)"
)


def raw_request(api, head: bytes) -> tuple[int, bytes]:
    """Sends bytes `requests` would refuse to; returns the status and the body."""
    url = urllib.parse.urlsplit(api.api_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        connection.sendall(head)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def envelope(body: bytes) -> dict:
    document = json.loads(body)
    assert set(document) == {"error"}, document
    assert {"code", "message", "requestId"} <= set(document["error"]), document
    return dict(document["error"])


@pytest.mark.domain("files")
def test_a_body_of_exactly_10_mb_is_stored(api):
    # Given a file of exactly the gateway's limit
    body = b"x" * LIMIT
    # When it is stored
    response = api.request(
        "PUT",
        f"/v1/files/limit-{uuid.uuid4()}.bin",
        user=ADMIN,
        data=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    # Then it passes the gateway and reaches S3 whole
    assert response.status_code == 200, response.text
    assert response.json()["size"] == LIMIT


@pytest.mark.domain("files")
def test_a_body_one_byte_over_10_mb_is_413(api):
    # Given a file one byte over the limit
    body = b"x" * (LIMIT + 1)
    # When it is stored
    response = api.request(
        "PUT",
        f"/v1/files/over-{uuid.uuid4()}.bin",
        user=ADMIN,
        data=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    # Then the gateway refuses it before any integration
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.domain("users")
def test_a_10_mb_json_body_meets_the_routes_model_before_any_lambda(api):
    # Given a JSON user of exactly 10 MB (its name far over 100 characters)
    padding = LIMIT - len(json.dumps({"name": "", "email": "big@example.com"}))
    body = json.dumps({"name": "n" * padding, "email": "big@example.com"}).encode()
    assert len(body) == LIMIT
    # When it is posted
    response = api.request(
        "POST",
        "/v1/users",
        user=ADMIN,
        data=body,
        headers={"Content-Type": "application/json"},
    )
    # Then the request model refuses it (far below Lambda's 6 MB invoke limit, no Lambda runs)
    assert_error(response, 400, "VALIDATION_FAILED")


@pytest.mark.domain("users")
@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"name": "a", "email": ', b"\xf9\xfe\x00", b"", b"null", b"[]"],
    ids=["unquoted", "truncated", "not-utf8", "empty", "null", "array"],
)
def test_malformed_json_is_400_in_the_envelope(api, body):
    # Given a body that is not a JSON user
    # When it is posted
    response = api.request(
        "POST", "/v1/users", user=ADMIN, data=body, headers={"Content-Type": "application/json"}
    )
    # Then it is 400 in the envelope, itself valid JSON whatever bytes were sent
    assert_error(response, 400, "VALIDATION_FAILED")


@pytest.mark.domain("users")
@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded"]
)
def test_a_lambda_route_refuses_a_body_that_is_not_json_with_415(api, content_type):
    # Given a valid user body declared as another media type
    body = json.dumps({"name": "Ada", "email": f"ada-{uuid.uuid4()}@example.com"})
    # When it is posted to a Lambda route
    response = api.request(
        "POST", "/v1/users", user=ADMIN, data=body, headers={"Content-Type": content_type}
    )
    # Then it is refused as an unsupported media type
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.domain("telemetry")
def test_a_service_route_refuses_a_body_that_is_not_json_with_415(api):
    # Given a reading declared as text/plain, for the SQS integration (it maps JSON only)
    reading = {"deviceId": "d-1", "timestamp": "2024-01-01T00:00:00Z", "metrics": {"t": 1}}
    # When it is posted with the devices plan's key and a telemetry token
    response = api.request(
        "POST",
        "/v1/telemetry",
        bearer=api.issuer_token("telemetry:write"),
        api_key="devices",
        data=json.dumps(reading),
        headers={"Content-Type": "text/plain"},
    )
    # Then the gateway refuses it as an unsupported media type
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.local_only(reason=RAW_REASON)
def test_an_overlong_header_is_431_in_the_envelope(api):
    # Given a header line over the server's limit
    head = (
        b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Long: "
        + b"a" * LOCAL_HEAD_LIMIT
        + b"\r\nConnection: close\r\n\r\n"
    )
    # When it is sent
    status, body = raw_request(api, head)
    # Then it is refused in the envelope, not an HTML page
    assert status == 431
    assert envelope(body)["code"] == "BAD_REQUEST"


@pytest.mark.domain("users")
@pytest.mark.local_only(reason=RAW_REASON)
def test_an_overlong_path_is_414_in_the_envelope(api):
    # Given a request line over the server's limit
    head = b"GET /v1/users/" + b"a" * LOCAL_HEAD_LIMIT + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    # When it is sent
    status, body = raw_request(api, head)
    # Then it is refused in the envelope
    assert status == 414
    assert envelope(body)["code"] == "BAD_REQUEST"


@pytest.mark.domain("users")
def test_a_long_path_parameter_within_the_limit_is_an_unknown_user(api):
    # Given an id of 8,000 characters
    # When it is read
    response = api.request("GET", "/v1/users/" + "a" * 8000, user=ADMIN)
    # Then there is simply no such user
    assert_error(response, 404, "USER_NOT_FOUND")


@pytest.mark.domain("files")
@pytest.mark.parametrize("name", ["..%2F..%2Fsecret", "..%5C..%5Csecret", "a%2Fb", "..%252F"])
def test_dot_dots_and_encoded_separators_stay_inside_the_callers_files(api, name):
    # Given a file name with `..` or an encoded separator in it
    # When it is read
    response = api.request("GET", f"/v1/files/{name}", user=ADMIN)
    # Then it is no file of the caller's (an encoded `/` splits the path, so no route; anything
    # else is one literal key inside the caller's prefix), answered in the envelope
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.domain("files")
@pytest.mark.parametrize("name", ["%2E%2E", "%2E", "%00"])
def test_a_name_no_download_url_can_carry_is_400(api, name):
    # Given a name that is a dot segment (clients resolve it away) or a control character
    # When it is read
    response = api.request("GET", f"/v1/files/{name}", user=ADMIN)
    # Then it is refused by name, in the envelope
    assert_error(response, 400, "INVALID_FILE_NAME")


@pytest.mark.domain("files")
@pytest.mark.local_only(reason=RAW_REASON)
def test_a_raw_dot_dot_segment_matches_no_route(api):
    # Given a path that climbs out of /v1/files with a raw `..` segment
    head = b"GET /v1/files/../users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    # When it is sent as is
    status, body = raw_request(api, head)
    # Then no route matches it (the gateway does not resolve dot segments)
    assert status == 404
    assert envelope(body)["code"] == "NOT_FOUND"


@pytest.mark.domain("users")
@pytest.mark.parametrize("user_id", ["ünïcødé", "用户", "\U0001f600", "\U000f5e5e\x86"])
def test_unicode_in_a_path_parameter_is_an_unknown_user(api, user_id):
    # Given an id in unicode (the last one once reached no route in the handler)
    # When it is read
    response = api.request("GET", f"/v1/users/{urllib.parse.quote(user_id)}", user=ADMIN)
    # Then there is no such user, in the envelope
    assert_error(response, 404, "USER_NOT_FOUND")


@pytest.mark.domain("users")
def test_unicode_in_a_body_is_kept(api):
    # Given a user whose name is unicode
    name = "Zoë 用户 \U0001f600"
    # When it is created
    response = api.request(
        "POST", "/v1/users", user=ADMIN, json={"name": name, "email": f"{uuid.uuid4()}@例え.jp"}
    )
    # Then it is stored and answered as sent
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name


@pytest.mark.domain("products")
def test_unicode_in_a_query_is_a_valid_question(api):
    # Given a category in unicode (no product can have one: categories are slugs)
    # When the catalog is asked for it
    response = api.request("GET", "/v1/products", api_key="partner", params={"category": "ünï"})
    # Then the answer is an empty list, not an error
    assert response.status_code == 200, response.text
    assert response.json() == {"items": []}


@pytest.mark.domain("users")
def test_a_non_ascii_header_value_is_not_a_server_error(api):
    # Given an Idempotency-Key of latin-1 bytes
    body = json.dumps({"name": "Key", "email": f"{uuid.uuid4()}@example.com"})
    # When the user is created with it
    response = api.request(
        "POST",
        "/v1/users",
        user=ADMIN,
        data=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": "clé-ÿ"},
    )
    # Then the key is refused or honoured, never a 5xx
    assert response.status_code in (201, 400), response.text
    if response.status_code == 400:
        assert_error(response, 400, "BAD_REQUEST")


@pytest.mark.domain("users")
@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_a_method_no_route_has_is_404_in_the_envelope(api, method):
    # Given a method no resource declares (the server once answered 501 in HTML)
    # When it is sent
    response = api.request(method, "/v1/users", user=ADMIN)
    # Then no route matches, in the envelope
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.local_only(reason=RAW_REASON)
@pytest.mark.parametrize(
    ("sent", "status", "code"),
    [(b"//v1/health", 200, None), (b"//v1//health", 404, "NOT_FOUND")],
    ids=["leading-slashes", "inner-slashes"],
)
def test_repeated_slashes_reach_the_router_as_sent(api, sent, status, code):
    # Given a target with repeated slashes, sent as is (curl --path-as-is)
    head = b"GET " + sent + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    # When it is sent
    answer, body = raw_request(api, head)
    # Then leading slashes count as one and inner ones stay an empty segment, as API Gateway
    # routes them (gateway/tests/corpus/test_raw_paths.py): /v1//health is no resource
    assert answer == status
    if code is not None:
        assert envelope(body)["code"] == code
