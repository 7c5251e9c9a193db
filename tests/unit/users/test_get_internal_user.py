"""GET /v1/internal/users/{id}'s function: the user for a SigV4 caller (API Gateway checked it)."""

import copy
import json

import pytest

from tests.support.events import load_event
from tests.support.handlers import invoke

pytestmark = pytest.mark.domain("users")


def internal_read(user_id: str) -> dict:
    event = copy.deepcopy(load_event("get_internal_user"))
    event["path"] = f"/v1/internal/users/{user_id}"
    event["pathParameters"] = {"id": user_id}
    return event


def test_an_internal_caller_reads_a_user(create):
    user = create(name="Ada Lovelace", email="ada@example.com").body

    answer = invoke("get_internal_user", internal_read(user["id"]))

    assert answer.status == 200
    assert answer.body == user


def test_an_unknown_id_is_404_in_the_envelope(users_service):
    answer = invoke("get_internal_user", internal_read("nobody"))

    assert answer.status == 404
    assert answer.body["error"]["code"] == "USER_NOT_FOUND"


def test_the_read_is_logged_with_the_callers_iam_arn(create, captured_log):
    user = create(name="Ada Lovelace", email="ada@example.com").body

    invoke("get_internal_user", internal_read(user["id"]))

    lines = [json.loads(x) for x in captured_log.getvalue().splitlines()]
    (line,) = [x for x in lines if x["message"] == "internal read"]
    assert line["caller"] == "arn:aws:iam::123456789012:user/orders-service"
