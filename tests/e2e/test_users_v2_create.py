"""POST /v2/users end to end: a v1 body mapped by the gateway's template, a Lambda custom
integration, the errors chosen by selectionPattern on the function's error message."""

import uuid

import pytest

from tests.support.e2e import ADMIN, MEMBER, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("users")]


def email() -> str:
    return f"v2-{uuid.uuid4().hex}@example.com"


def test_john_doe_is_stored_with_first_name_john_and_last_name_doe(api):
    # When a v1 body is posted to v2
    address = email()
    created = api.request(
        "POST", "/v2/users", user=ADMIN, json={"name": "John Doe", "email": address}
    )

    # Then the answer is 201 UserV2, and both versions read back the same user
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["firstName"], user["lastName"], user["email"]) == ("John", "Doe", address)
    v2 = api.request("GET", f"/v2/users/{user['id']}", user=ADMIN)
    v1 = api.request("GET", f"/v1/users/{user['id']}", user=ADMIN)
    assert v2.json() == user
    assert v1.json()["name"] == "John Doe"


def test_a_one_word_name_is_the_first_name_with_an_empty_last_name(api):
    created = api.request("POST", "/v2/users", user=MEMBER, json={"name": "Cher", "email": email()})

    assert created.status_code == 201, created.text
    assert (created.json()["firstName"], created.json()["lastName"]) == ("Cher", "")


def test_a_duplicate_email_is_409_in_the_envelope(api):
    address = email()
    first = api.request("POST", "/v2/users", user=ADMIN, json={"name": "Ann Lee", "email": address})
    assert first.status_code == 201, first.text

    again = api.request(
        "POST", "/v2/users", user=ADMIN, json={"name": "Other Lee", "email": address.upper()}
    )

    assert_error(again, 409, "EMAIL_TAKEN")


def test_a_body_the_gateway_model_refuses_is_400_before_the_function(api):
    response = api.request("POST", "/v2/users", user=ADMIN, json={"name": "No Email"})

    assert_error(response, 400, "VALIDATION_FAILED")


def test_the_same_idempotency_key_and_body_return_the_first_answer(api):
    body = {"name": "Ida Key", "email": email()}
    headers = {"Idempotency-Key": uuid.uuid4().hex}

    first = api.request("POST", "/v2/users", user=ADMIN, json=body, headers=headers)
    again = api.request("POST", "/v2/users", user=ADMIN, json=body, headers=headers)
    other = api.request(
        "POST", "/v2/users", user=ADMIN, json={**body, "name": "Ida Other"}, headers=headers
    )

    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.json() == first.json()
    assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")


def test_no_token_is_401(api):
    assert_error(
        api.request("POST", "/v2/users", json={"name": "A B", "email": email()}),
        401,
        "UNAUTHORIZED",
    )


@pytest.fixture
def broken_table(local, monkeypatch):
    """CreateUserV2Function's workers, restarted with a table name that does not exist."""
    pool = local.gateway.pools["CreateUserV2Function"]
    monkeypatch.setitem(pool.spec.environment, "TABLE_NAME", "no-such-table")
    pool.reload()
    yield
    monkeypatch.undo()
    pool.reload()


@pytest.mark.local_only(reason="breaks the local function's configuration")
def test_a_function_exception_is_a_500_envelope_with_no_trace(api, broken_table):
    # When the function raises an unexpected error (DynamoDB: no such table)
    response = api.request("POST", "/v2/users", user=ADMIN, json={"name": "A B", "email": email()})

    # Then the caller gets the 500 envelope and nothing of the error or its stack
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert error["message"] == "Something went wrong on our side."
    assert "no-such-table" not in response.text
    assert "ResourceNotFound" not in response.text
    assert "stackTrace" not in response.text
