"""GET /v1/users: admins only, paged with an opaque next_token."""

import base64
import json

import pytest

from tests.support.handlers import invoke, request

pytestmark = pytest.mark.domain("users")


def list_page(groups="admins", **query):
    return invoke("list_users", request("list_users", groups=groups, query=query))


@pytest.fixture
def five_users(create):
    return [create(name=f"User {n}", email=f"user{n}@example.com").body for n in range(5)]


def test_the_example_event_lists_users(five_users):
    answer = invoke("list_users", request("list_users", groups="admins"))

    assert answer.status == 200
    assert answer.body == {"items": five_users, "next_token": None}


@pytest.mark.parametrize("groups", ["admins,editors", "[editors admins]", '["admins"]'])
def test_admins_are_recognised_in_every_group_claim_form(five_users, groups):
    assert list_page(groups=groups).status == 200


@pytest.mark.parametrize("groups", [None, "editors", "[editors]", "administrators"])
def test_non_admin_is_403(five_users, groups):
    answer = list_page(groups=groups)

    assert answer.status == 403
    assert answer.body["error"]["code"] == "NOT_ADMIN"


def test_pages_cover_every_user_once_in_creation_order(five_users):
    # Given five users and pages of two
    seen, token, pages = [], None, 0

    # When an admin follows next_token to the end
    while True:
        answer = list_page(limit="2", **({"next_token": token} if token else {}))
        assert answer.status == 200
        seen += answer.body["items"]
        token, pages = answer.body["next_token"], pages + 1
        if token is None:
            break

    # Then every user came exactly once, oldest first, in three pages
    assert [user["id"] for user in seen] == [user["id"] for user in five_users]
    assert pages == 3


def test_a_full_last_page_has_no_next_token(five_users):
    answer = list_page(limit="5")

    assert len(answer.body["items"]) == 5
    assert answer.body["next_token"] is None


def test_default_page_is_twenty(create):
    for n in range(21):
        create(name=f"User {n}", email=f"user{n}@example.com")

    answer = list_page()

    assert len(answer.body["items"]) == 20
    assert answer.body["next_token"]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_limit_outside_1_to_100_is_400(five_users, limit):
    answer = list_page(limit=limit)

    assert answer.status == 400
    assert answer.body["error"]["code"] == "VALIDATION_FAILED"


def forged(position):
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "not-base64-!!",
        forged(["a", "list"]),
        forged({"pk": "EMAIL#ada@example.com"}),
        forged({"id": "x", "createdAt": "2024-01-01T00:00:00.000000Z"}),
        forged({"id": "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b", "createdAt": "yesterday"}),
        forged(
            {
                "id": "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b",
                "createdAt": "2024-01-01T00:00:00.000000Z",
                "kind": "EMAIL",
            }
        ),
    ],
)
def test_a_token_this_api_did_not_issue_is_400(five_users, token):
    answer = list_page(next_token=token)

    assert answer.status == 400
    assert answer.body["error"]["code"] == "INVALID_NEXT_TOKEN"


def test_a_forged_token_can_only_move_within_the_user_list(five_users):
    # Given a well-formed token naming a position no page ever ended on
    token = forged(
        {"id": "ffffffff-ffff-4fff-8fff-ffffffffffff", "createdAt": "0000-01-01T00:00:00.000000Z"}
    )

    # When it is used
    answer = list_page(next_token=token)

    # Then it yields users only, never the email-uniqueness items
    assert answer.status == 200
    assert {user["email"] for user in answer.body["items"]} <= {u["email"] for u in five_users}
    assert all(
        set(user) == {"id", "name", "email", "createdAt", "updatedAt"}
        for user in answer.body["items"]
    )
