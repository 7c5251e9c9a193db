"""GET /v1/directory/{id} end to end: DynamoDB read by the gateway, email for admins only."""

import uuid

import pytest

from tests.support.e2e import ADMIN, MEMBER, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("users")]


@pytest.fixture(scope="module")
def user(api) -> dict[str, str]:
    body = {"name": "Dora Directory", "email": f"dora-{uuid.uuid4().hex}@example.com"}
    created = api.request("POST", "/v1/users", user=ADMIN, json=body)
    assert created.status_code == 201, created.text
    return created.json()


def test_an_admins_read_has_the_email(api, user):
    response = api.request("GET", f"/v1/directory/{user['id']}", user=ADMIN)

    assert response.status_code == 200, response.text
    assert response.json() == {"id": user["id"], "name": user["name"], "email": user["email"]}


def test_a_plain_users_read_has_no_email_key(api, user):
    response = api.request("GET", f"/v1/directory/{user['id']}", user=MEMBER)

    assert response.status_code == 200, response.text
    assert response.json() == {"id": user["id"], "name": user["name"]}
    assert user["email"] not in response.text


def test_an_absent_user_is_404_in_the_envelope(api):
    response = api.request("GET", f"/v1/directory/{uuid.uuid4()}", user=ADMIN)

    assert_error(response, 404, "USER_NOT_FOUND")


def test_no_token_is_401(api, user):
    assert_error(api.request("GET", f"/v1/directory/{user['id']}"), 401, "UNAUTHORIZED")
