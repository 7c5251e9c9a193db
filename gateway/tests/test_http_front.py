"""The gateway's HTTP front: the target as sent, any method, and unreadable requests answered in
the API's error shape rather than by the HTTP library.

Raw bytes over a socket, so nothing between the test and the gateway tidies the request.
"""

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_gateway.http_messages import MAX_BODY_BYTES
from local_gateway.http_server import MAX_HEAD_BYTES
from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).parent / "fixtures" / "basic" / "template.yaml"


@pytest.fixture(scope="module")
def local() -> Iterator[RunningGateway]:
    with start_gateway(TEMPLATE) as running:
        yield running


def exchange(local: RunningGateway, data: bytes, *, answers: int = 1) -> list[bytes]:
    """Sends `data` on one connection; returns the first `answers` responses, raw."""
    port = local.server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        received = b""
        responses: list[bytes] = []
        while len(responses) < answers:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
            while b"\r\n\r\n" in received:
                head, _, rest = received.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                if head.split(b" ")[1].startswith(b"1") or b"HEAD" in data[:4]:
                    length = 0  # an interim 100 or the answer to HEAD carries no body
                if len(rest) < length:
                    break
                responses.append(head + b"\r\n\r\n" + rest[:length])
                received = rest[length:]
    return responses


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]


def event_of(response: bytes) -> dict[str, object]:
    event: dict[str, object] = json.loads(body_of(response))["event"]
    return event


def test_repeated_slashes_reach_the_router_as_sent(local: RunningGateway) -> None:
    # Given a target with leading and inner repeated slashes
    (response,) = exchange(local, b"GET //echo//x HTTP/1.1\r\nHost: t\r\n\r\n")
    # Then the greedy route serves it and the event keeps the inner empty segment
    assert status_of(response) == 200
    event = event_of(response)
    assert event["path"] == "/echo//x"
    assert event["pathParameters"] == {"proxy": "/x"}


def test_percent_encoding_reaches_the_event_as_sent(local: RunningGateway) -> None:
    (response,) = exchange(local, b"GET /echo/a%2Bb%20c HTTP/1.1\r\nHost: t\r\n\r\n")
    assert event_of(response)["path"] == "/echo/a%2Bb%20c"


def test_any_method_token_reaches_the_router(local: RunningGateway) -> None:
    # Given a method no HTTP library knows, on an ANY route
    (response,) = exchange(local, b"FROBNICATE /echo/a/b HTTP/1.1\r\nHost: t\r\n\r\n")
    # Then the function receives it
    assert status_of(response) == 200
    assert event_of(response)["httpMethod"] == "FROBNICATE"


@pytest.mark.parametrize(
    "request_bytes",
    [b"NOT A REQUEST\r\n\r\n", b"GET /echo/x HTTP/1.1\r\nno colon here\r\n\r\n"],
    ids=["request-line", "header-line"],
)
def test_a_malformed_request_is_400_in_the_apis_error_shape(
    local: RunningGateway, request_bytes: bytes
) -> None:
    (response,) = exchange(local, request_bytes)
    assert status_of(response) == 400
    assert json.loads(body_of(response)) == {"message": "Bad Request"}
    assert b"x-amzn-RequestId: " in response


def test_a_header_block_over_the_limit_is_431(local: RunningGateway) -> None:
    long_header = b"X-Long: " + b"a" * MAX_HEAD_BYTES + b"\r\n"
    (response,) = exchange(local, b"GET /echo/x HTTP/1.1\r\nHost: t\r\n" + long_header + b"\r\n")
    assert status_of(response) == 431
    assert json.loads(body_of(response)) == {"message": "Request Header Fields Too Large"}


def test_a_request_line_over_the_limit_is_414(local: RunningGateway) -> None:
    target = b"/echo/" + b"a" * MAX_HEAD_BYTES
    (response,) = exchange(local, b"GET " + target + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    assert status_of(response) == 414


def test_two_requests_on_one_connection_are_both_answered(local: RunningGateway) -> None:
    one = b"GET /echo/1 HTTP/1.1\r\nHost: t\r\n\r\n"
    first, second = exchange(local, one + one.replace(b"/1", b"/2"), answers=2)
    assert event_of(first)["path"] == "/echo/1"
    assert event_of(second)["path"] == "/echo/2"


def test_a_chunked_body_arrives_whole(local: RunningGateway) -> None:
    head = b"POST /echo/a/b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    (response,) = exchange(local, head + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    assert event_of(response)["body"] == "hello world"


def test_expect_100_continue_is_answered_before_the_body(local: RunningGateway) -> None:
    head = (
        b"POST /echo/a/b HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
    )
    interim, final = exchange(local, head + b"{}", answers=2)
    assert status_of(interim) == 100
    assert event_of(final)["body"] == "{}"


def test_a_body_over_10_mb_is_413_and_the_connection_closes(local: RunningGateway) -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)
    head = f"POST /echo/a/b HTTP/1.1\r\nHost: t\r\nContent-Length: {len(body)}\r\n\r\n"
    (response,) = exchange(local, head.encode() + body)
    assert status_of(response) == 413
    assert b"Connection: close" in response


def test_a_head_answer_has_the_length_but_no_body(local: RunningGateway) -> None:
    (response,) = exchange(
        local, b"HEAD /echo/a/b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    assert status_of(response) == 200
    assert body_of(response) == b""
    assert b"Content-Length: " in response


def test_stopping_the_gateway_ends_an_idle_keep_alive_connection() -> None:
    # Given a client that keeps its connection open after an answer
    with start_gateway(TEMPLATE) as running:
        port = running.server.server_address[1]
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(b"GET /echo/a/b HTTP/1.1\r\nHost: t\r\n\r\n")
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(65536)
    # When the gateway has stopped
    # Then the connection is closed: the client reads the rest of the answer, then its end
    with connection:
        while chunk := connection.recv(65536):
            received += chunk
    assert status_of(received) == 200
