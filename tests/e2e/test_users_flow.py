"""The users routes end to end: over HTTP through the local gateway, with real Cognito tokens.

The gateway runs in-process on a free port with the repository's template.yaml, its own
local moto and the demo users it seeds (admin@example.com in `admins`, user@example.com in no
group), so this suite needs no second terminal, no Docker and no AWS.
"""

from pathlib import Path

import pytest
import requests

from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
ADMIN, MEMBER = "admin@example.com", "user@example.com"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def local():
    with start_gateway(TEMPLATE) as running:
        yield running


@pytest.fixture(scope="module")
def api(local):
    """Calls the API as a demo user (or anonymously with `as_user=None`)."""
    http = requests.Session()

    def call(method: str, path: str, *, as_user: str | None = ADMIN, **kwargs):
        headers = kwargs.pop("headers", {})
        if as_user is not None:
            headers["Authorization"] = local.session.users[as_user]["id_token"]
        return http.request(method, local.api_url + path, headers=headers, timeout=30, **kwargs)

    yield call
    http.close()


def test_a_user_goes_through_create_read_update_list_and_delete(api):
    # Given an admin creates a user
    created = api("POST", "/v1/users", json={"name": "Grace Hopper", "email": "grace@example.com"})
    assert created.status_code == 201, created.text
    user = created.json()
    # When it is read, updated and listed
    read = api("GET", f"/v1/users/{user['id']}")
    updated = api("PUT", f"/v1/users/{user['id']}", json={"name": "Rear Admiral Hopper"})
    listed = api("GET", "/v1/users?limit=100")
    # Then each answer carries the same user, changed once
    assert read.status_code == 200
    assert read.json() == user
    assert updated.status_code == 200
    assert updated.json()["name"] == "Rear Admiral Hopper"
    assert updated.json()["email"] == "grace@example.com"
    assert listed.status_code == 200
    assert user["id"] in [item["id"] for item in listed.json()["items"]]
    # And when the admin deletes it, it is gone
    deleted = api("DELETE", f"/v1/users/{user['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = api("GET", f"/v1/users/{user['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["requestId"]


def test_a_request_without_a_token_is_401_in_the_error_envelope(api):
    response = api("GET", "/v1/users/any-id", as_user=None)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "UNAUTHORIZED"
    assert error["requestId"] == response.headers["x-amzn-RequestId"]


def test_a_non_admin_cannot_delete_a_user(api):
    # Given a user created by the admin
    created = api("POST", "/v1/users", json={"name": "Alan Turing", "email": "alan@example.com"})
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    # When a member of no group deletes it
    response = api("DELETE", f"/v1/users/{user_id}", as_user=MEMBER)
    # Then it is forbidden, and the user is still there
    assert response.status_code == 403
    assert response.json()["error"]["code"]
    assert api("GET", f"/v1/users/{user_id}").status_code == 200
