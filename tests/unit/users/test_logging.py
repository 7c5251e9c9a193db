"""What a handler writes to its log: Powertools JSON that carries the request's correlation id
and none of the caller's personal data.

The log is captured from the Powertools handler itself (its stream swapped for a buffer), so
the test reads exactly the lines CloudWatch Logs would receive.
"""

import json
import re

import pytest

from tests.support.handlers import invoke, request

pytestmark = pytest.mark.domain("users")


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
    # (as whole words: the email's local part, "ada", can turn up inside a random hex id)
    for personal in (body["name"], body["email"], body["email"].split("@")[0]):
        assert not re.search(rf"(?<![A-Za-z0-9]){re.escape(personal)}(?![A-Za-z0-9])", output)
