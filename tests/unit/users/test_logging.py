"""What a handler writes to its log: Powertools JSON that carries the request's correlation id
and none of the caller's personal data.

The log is captured from the Powertools handler itself (its stream swapped for a buffer), so
the test reads exactly the lines CloudWatch Logs would receive.
"""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from sample_api.observability import logger
from tests.unit.users.conftest import invoke, request


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """What the shared Powertools logger writes during the test, at its most verbose level."""
    (handler,) = logger.handlers
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    yield buffer
    handler.setStream(previous_stream)
    logger.setLevel(previous_level)


def test_create_user_log_carries_the_request_id_and_no_personal_data(users_service, captured_log):
    # Given the example POST /v1/users event, with a name and an email in its body
    event = request("create_user")
    body = json.loads(event["body"])
    request_id = event["requestContext"]["requestId"]

    # When the handler runs (the prod setting: the event itself is not logged)
    answer = invoke("create_user", event)

    # Then every line is JSON with the request id as correlation id, and no name or email
    output = captured_log.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert answer.status == 201
    assert lines, "the handler logged nothing"
    assert {line["correlation_id"] for line in lines} == {request_id}
    for personal in (body["name"], body["email"], body["email"].split("@")[0]):
        assert personal not in output
