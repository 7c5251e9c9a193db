"""GET, PUT and DELETE of one user, in v1 and v2."""

import pytest

from tests.support.handlers import invoke, request

pytestmark = pytest.mark.domain("users")

MISSING_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def ada(create):
    return create(name="Ada King Lovelace", email="ada@example.com").body


def get(user_id):
    return invoke("get_user", request("get_user", user_id=user_id))


def put(user_id, body=None, raw_body=None):
    return invoke(
        "update_user", request("update_user", user_id=user_id, body=body, raw_body=raw_body)
    )


def delete(user_id, groups="admins"):
    return invoke("delete_user", request("delete_user", user_id=user_id, groups=groups))


def test_get_returns_the_user(ada):
    answer = get(ada["id"])

    assert (answer.status, answer.body) == (200, ada)


@pytest.mark.parametrize("user_id", [MISSING_ID, "not-a-uuid", "x" * 5000, "%E2%9C%93"])
def test_get_unknown_user_is_404(users_service, user_id):
    answer = get(user_id)

    assert answer.status == 404
    assert answer.body["error"]["code"] == "USER_NOT_FOUND"


def test_v2_splits_the_name_at_the_first_space(ada):
    answer = invoke("get_user_v2", request("get_user_v2", user_id=ada["id"]))

    assert answer.status == 200
    assert answer.body == {
        "id": ada["id"],
        "firstName": "Ada",
        "lastName": "King Lovelace",
        "email": "ada@example.com",
        "createdAt": ada["createdAt"],
    }


def test_v2_single_word_name_has_an_empty_last_name(create):
    plato = create(name="Plato", email="plato@example.com").body

    answer = invoke("get_user_v2", request("get_user_v2", user_id=plato["id"]))

    assert (answer.body["firstName"], answer.body["lastName"]) == ("Plato", "")


def test_v2_unknown_user_is_404(users_service):
    assert invoke("get_user_v2", request("get_user_v2", user_id=MISSING_ID)).status == 404


def test_put_changes_only_the_given_fields(ada):
    answer = put(ada["id"], {"name": "Ada Byron"})

    assert answer.status == 200
    assert answer.body["name"] == "Ada Byron"
    assert answer.body["email"] == ada["email"]
    assert answer.body["createdAt"] == ada["createdAt"]
    assert answer.body["updatedAt"] > ada["updatedAt"]
    assert get(ada["id"]).body == answer.body


def test_email_change_frees_the_old_email(ada, create):
    # Given Ada moved to a new email
    assert put(ada["id"], {"email": "ada@new.example.com"}).status == 200

    # When someone else signs up with her old one
    answer = create(name="Someone", email="ada@example.com")

    # Then it is free again, and her new one is taken
    assert answer.status == 201
    assert create(name="Copycat", email="ADA@new.example.com").status == 409


def test_put_to_a_taken_email_is_409_and_changes_nothing(ada, create):
    bob = create(name="Bob", email="bob@example.com").body

    answer = put(bob["id"], {"name": "Bobby", "email": "ada@example.com"})

    assert answer.status == 409
    assert answer.body["error"]["code"] == "EMAIL_TAKEN"
    assert get(bob["id"]).body == bob


def test_put_changing_only_letter_case_of_the_email_is_allowed(ada):
    answer = put(ada["id"], {"email": "Ada@Example.com"})

    assert (answer.status, answer.body["email"]) == (200, "Ada@Example.com")


def test_put_unknown_user_is_404(users_service):
    assert put(MISSING_ID, {"name": "Ghost"}).status == 404


def test_put_never_resurrects_a_deleted_user(ada):
    # Given a deleted user
    assert delete(ada["id"]).status == 204

    # When someone updates it
    answer = put(ada["id"], {"name": "Back again"})

    # Then it stays deleted
    assert answer.status == 404
    assert get(ada["id"]).status == 404


def test_put_racing_a_delete_does_not_resurrect(ada, monkeypatch):
    # Given an update that read the user just before an admin deleted it
    from sample_api.users.repository import DynamoDBUserRepository

    original_get = DynamoDBUserRepository.get

    def get_then_deleted(self, user_id):
        user = original_get(self, user_id)
        monkeypatch.setattr(DynamoDBUserRepository, "get", original_get)
        assert delete(user_id).status == 204
        return user

    monkeypatch.setattr(DynamoDBUserRepository, "get", get_then_deleted)

    # When the update writes
    answer = put(ada["id"], {"name": "Back again"})

    # Then the conditional write refuses, and the user stays deleted
    assert answer.status == 404
    assert get(ada["id"]).status == 404


@pytest.mark.parametrize(
    ("case", "raw_body"),
    [
        ("empty object", "{}"),
        ("null name", '{"name": null}'),
        ("extra field", '{"name": "Ada", "id": "other"}'),
        ("wrong type", '{"email": ["ada@example.com"]}'),
        ("malformed JSON", "{'name': 'Ada'}"),
        ("huge name", '{"name": "' + "y" * 101 + '"}'),
    ],
)
def test_malformed_update_is_400_and_changes_nothing(ada, case, raw_body):
    answer = put(ada["id"], raw_body=raw_body)

    assert answer.status == 400, case
    assert get(ada["id"]).body == ada


def test_admin_delete_is_204_with_an_empty_body(ada):
    answer = delete(ada["id"])

    assert (answer.status, answer.body) == (204, None)
    assert get(ada["id"]).status == 404


def test_delete_frees_the_email(ada, create):
    delete(ada["id"])

    assert create(name="New Ada", email="ada@example.com").status == 201


@pytest.mark.parametrize("groups", [None, "editors", "admins-readonly"])
def test_delete_by_a_non_admin_is_403_and_keeps_the_user(ada, groups):
    answer = delete(ada["id"], groups=groups)

    assert answer.status == 403
    assert answer.body["error"]["code"] == "NOT_ADMIN"
    assert get(ada["id"]).status == 200


def test_delete_unknown_user_is_404(users_service):
    assert delete(MISSING_ID).status == 404
