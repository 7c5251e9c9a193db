"""POST /v2/users' function: the mapped event in, UserV2 out, refusals as RefusedRequest."""

import json

import pytest

from functions.create_user_v2 import app
from sample_api.integration_errors import RefusedRequest
from tests.support.events import load_event
from tests.support.handlers import invoke, request
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.domain("users")


def create(user=None, *, caller="sub-1", key="", request_id="req-1"):
    event = {
        "user": user or {"firstName": "John", "lastName": "Doe", "email": "john@example.com"},
        "caller": caller,
        "idempotencyKey": key,
        "requestId": request_id,
    }
    return app.handler(event, FakeLambdaContext())


def refusal(error: RefusedRequest):
    status, _, envelope = str(error).partition(" ")
    return int(status), json.loads(envelope)["error"]


def test_the_example_event_creates_a_user_in_the_v2_shape(users_service):
    created = app.handler(load_event("create_user_v2"), FakeLambdaContext())

    assert created["firstName"] == "Ada"
    assert created["lastName"] == "Lovelace"
    assert set(created) == {"id", "firstName", "lastName", "email", "createdAt"}


def test_the_user_is_stored_with_the_v1_name_and_reads_back_the_same_in_v2(users_service):
    # When John Doe is created through v2
    created = create()

    # Then v1 shows the joined name and v2 the same parts
    v1 = invoke("get_user", request("get_user", user_id=created["id"]))
    v2 = invoke("get_user_v2", request("get_user_v2", user_id=created["id"]))
    assert v1.body["name"] == "John Doe"
    assert v2.body == created


def test_a_one_word_name_is_stored_without_a_trailing_space(users_service):
    created = create({"firstName": "Cher", "lastName": "", "email": "cher@example.com"})

    v1 = invoke("get_user", request("get_user", user_id=created["id"]))
    assert v1.body["name"] == "Cher"
    assert (created["firstName"], created["lastName"]) == ("Cher", "")


def test_a_taken_email_is_refused_as_409_with_the_envelope(users_service):
    create()

    with pytest.raises(RefusedRequest) as refused:
        create({"firstName": "Jane", "lastName": "Doe", "email": "JOHN@example.com"})

    status, error = refusal(refused.value)
    assert status == 409
    assert error == {
        "code": "EMAIL_TAKEN",
        "message": "Another user already has this email address.",
        "requestId": "req-1",
    }


@pytest.mark.parametrize(
    "user",
    [
        {"firstName": "", "lastName": "", "email": "a@example.com"},
        {"firstName": "A", "lastName": "B", "email": "not an email"},
        {"firstName": "A" * 60, "lastName": "B" * 60, "email": "a@example.com"},
        {"firstName": "A", "lastName": "B", "email": "a@example.com", "admin": True},
    ],
)
def test_invalid_input_is_refused_as_400_with_field_details(users_service, user):
    with pytest.raises(RefusedRequest) as refused:
        create(user)

    status, error = refusal(refused.value)
    assert status == 400
    assert error["code"] == "VALIDATION_FAILED"
    assert error["details"]
    assert "not an email" not in json.dumps(error)  # the input is not echoed


def test_the_same_key_and_body_return_the_first_user_again(users_service):
    first = create(key="key-1")
    again = create(key="key-1")

    assert again == first


def test_the_same_key_with_another_body_is_422(users_service):
    create(key="key-2")

    with pytest.raises(RefusedRequest) as refused:
        create({"firstName": "Other", "lastName": "", "email": "o@example.com"}, key="key-2")

    assert refusal(refused.value)[0] == 422


def test_keys_are_scoped_to_the_caller(users_service):
    mine = create(key="shared-key")
    theirs = create(
        {"firstName": "Jo", "lastName": "", "email": "jo@example.com"},
        caller="sub-2",
        key="shared-key",
    )

    assert theirs["id"] != mine["id"]


def test_an_unexpected_error_leaves_as_is_for_the_catch_all_response(users_service, monkeypatch):
    # Given the repository fails in a way nobody planned
    def broken(*args, **kwargs):
        raise RuntimeError("boom: internal detail")

    monkeypatch.setattr(app.logic, "create_user", broken)

    # Then the error is not a RefusedRequest (its message matches only the 500 response)
    with pytest.raises(RuntimeError, match="boom"):
        create()


def test_a_status_without_an_integration_response_cannot_be_refused_with():
    with pytest.raises(ValueError, match="no integration response"):
        RefusedRequest(418, {})


def test_each_refusal_is_counted_for_the_errors_alarm(users_service, capsys, monkeypatch):
    # Given the function's name, as Lambda sets it
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "sample-api-dev-CreateUserV2Function")
    create()
    capsys.readouterr()

    # When a request is refused
    with pytest.raises(RefusedRequest):
        create()

    # Then one RequestRefused metric with the function's name was written (EMF on stdout)
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "RequestRefused" in x]
    (metric,) = lines
    assert metric["RequestRefused"] == [1.0]
    assert metric["function"] == "sample-api-dev-CreateUserV2Function"
    assert metric["service"]
