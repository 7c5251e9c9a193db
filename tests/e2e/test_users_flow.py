"""The users routes end to end: over HTTP through the local gateway, with real Cognito tokens.

The gateway is the session's (tests/e2e/conftest.py); the demo users are admin@example.com in
`admins` and user@example.com in no group.
"""

import pytest

from tests.support.e2e import ADMIN, MEMBER, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("users")]


def test_a_user_goes_through_create_read_update_list_and_delete(api):
    # Given an admin creates a user
    created = api.request(
        "POST", "/v1/users", user=ADMIN, json={"name": "Grace Hopper", "email": "grace@example.com"}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    # When it is read, updated and listed
    read = api.request("GET", f"/v1/users/{user['id']}", user=ADMIN)
    updated = api.request(
        "PUT", f"/v1/users/{user['id']}", user=ADMIN, json={"name": "Rear Admiral Hopper"}
    )
    listed = api.request("GET", "/v1/users?limit=100", user=ADMIN)
    # Then each answer carries the same user, changed once
    assert read.status_code == 200
    assert read.json() == user
    assert updated.status_code == 200
    assert updated.json()["name"] == "Rear Admiral Hopper"
    assert updated.json()["email"] == "grace@example.com"
    assert listed.status_code == 200
    assert user["id"] in [item["id"] for item in listed.json()["items"]]
    # And when the admin deletes it, it is gone
    deleted = api.request("DELETE", f"/v1/users/{user['id']}", user=ADMIN)
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = api.request("GET", f"/v1/users/{user['id']}", user=ADMIN)
    assert_error(gone, 404, "USER_NOT_FOUND")


def test_a_request_without_a_token_is_401_in_the_error_envelope(api):
    # When a users route is called with no token
    response = api.request("GET", "/v1/users/any-id")
    # Then the gateway refuses it in the error envelope
    assert_error(response, 401, "UNAUTHORIZED")


def test_a_non_admin_cannot_delete_a_user(api):
    # Given a user created by the admin
    created = api.request(
        "POST", "/v1/users", user=ADMIN, json={"name": "Alan Turing", "email": "alan@example.com"}
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    # When a member of no group deletes it
    response = api.request("DELETE", f"/v1/users/{user_id}", user=MEMBER)
    # Then it is forbidden, and the user is still there
    assert_error(response, 403, "NOT_ADMIN")
    assert api.request("GET", f"/v1/users/{user_id}", user=ADMIN).status_code == 200
