"""POST /v1/users: created users, refused emails, malformed bodies and Idempotency-Key."""

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from sample_api import aws
from sample_api.settings import get_settings
from sample_api.users import repository as users_repository
from sample_api.users.errors import EmailTaken
from sample_api.users.models import User
from tests.support.handlers import invoke, request

pytestmark = pytest.mark.domain("users")

KEY = {"Idempotency-Key": "9b2f4c1e-7d3a-4b5c-8e6f-0a1b2c3d4e5f"}


def post(body=None, *, raw_body=None, headers=None, sub=None):
    event = request("create_user", body=body, raw_body=raw_body, headers=headers, sub=sub)
    if not headers:
        event["headers"].pop("Idempotency-Key")
    return invoke("create_user", event)


def list_all():
    return invoke("list_users", request("list_users", groups="admins", query={"limit": "100"}))


def test_create_returns_201_with_the_stored_user(users_service):
    # Given a valid body
    body = {"name": "Ada Lovelace", "email": "ada@example.com"}

    # When it is posted
    answer = post(body)

    # Then the answer is 201 with the user, and GET finds the same user
    assert answer.status == 201
    assert {k: answer.body[k] for k in ("name", "email")} == body
    assert answer.body["createdAt"] == answer.body["updatedAt"]
    assert answer.body["createdAt"].endswith("Z")
    stored = invoke("get_user", request("get_user", user_id=answer.body["id"]))
    assert stored.body == answer.body


def test_the_example_event_creates_a_user(users_service):
    answer = invoke("create_user", request("create_user"))

    assert answer.status == 201
    assert answer.body["email"] == "ada@example.com"


def test_unicode_name_is_kept_as_sent(users_service):
    answer = post({"name": "Zoë 山田 🚀", "email": "zoe@example.com"})

    assert answer.status == 201
    assert answer.body["name"] == "Zoë 山田 🚀"


def test_duplicate_email_is_409(create):
    # Given a user with an email
    assert create(name="Ada", email="ada@example.com").status == 201

    # When another user is created with that email in other letter case
    answer = create(name="Other Ada", email="ADA@example.com")

    # Then it is refused with 409 and only one user exists
    assert answer.status == 409
    assert answer.body["error"]["code"] == "EMAIL_TAKEN"
    assert len(list_all().body["items"]) == 1


@pytest.fixture
def atomic_moto_requests(monkeypatch):
    """DynamoDB applies each request atomically; moto does it in steps without a lock.

    Serialising requests inside moto restores the service's guarantee, so the race under
    test is the handlers' (read, then conditional write), not moto's.
    """
    lock = threading.Lock()
    original = BotocoreStubber.__call__

    def atomic(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", atomic)


def test_concurrent_creates_with_one_email_make_exactly_one_user(
    users_service, atomic_moto_requests
):
    # Given eight users with one email, stored at the same moment by eight execution
    # environments (each its own client: Lambda never runs two calls at once in one
    # environment, so the handler's Powertools singletons are not what races here)
    start = threading.Barrier(8)
    now = datetime.now(UTC)
    users = [
        User(
            id=str(uuid.uuid4()),
            name=f"Racer {n}",
            email="race@example.com",
            created_at=now,
            updated_at=now,
        )
        for n in range(8)
    ]
    repositories = [
        users_repository.DynamoDBUserRepository(
            get_settings().require("table_name"), aws.dynamodb()
        )
        for _ in users
    ]

    def create(n):
        start.wait()
        try:
            repositories[n].create(users[n])
        except EmailTaken:
            return 409
        return 201

    # When they run concurrently
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(create, range(8)))

    # Then exactly one wins and the rest are refused, and the API lists one user
    assert statuses == [201] + [409] * 7
    assert len(list_all().body["items"]) == 1


@pytest.mark.parametrize(
    ("case", "raw_body"),
    [
        ("malformed JSON", '{"name": "Ada", "email": '),
        ("not an object", '["Ada", "ada@example.com"]'),
        ("missing email", '{"name": "Ada"}'),
        ("name is a number", '{"name": 42, "email": "ada@example.com"}'),
        ("email is null", '{"name": "Ada", "email": null}'),
        ("extra field", '{"name": "Ada", "email": "ada@example.com", "admin": true}'),
        ("empty name", '{"name": "", "email": "ada@example.com"}'),
        ("blank name", '{"name": "   ", "email": "ada@example.com"}'),
        ("huge name", json.dumps({"name": "x" * 100_000, "email": "ada@example.com"})),
        ("huge email", json.dumps({"name": "Ada", "email": "a" * 300 + "@example.com"})),
        ("not an email", '{"name": "Ada", "email": "ada at example.com"}'),
        ("no body", ""),
    ],
)
def test_malformed_body_is_400_and_creates_nothing(users_service, case, raw_body):
    answer = post(raw_body=raw_body)

    assert answer.status == 400, case
    assert answer.body["error"]["code"] == "VALIDATION_FAILED"
    assert list_all().body["items"] == []


def test_validation_errors_do_not_echo_the_input(users_service):
    answer = post(raw_body=json.dumps({"name": "secret-" * 20, "email": "ada@example.com"}))

    assert answer.status == 400
    assert "secret" not in json.dumps(answer.body)


def test_request_without_a_signed_in_user_is_401(users_service):
    event = request("create_user")
    event["requestContext"]["authorizer"] = None

    answer = invoke("create_user", event)

    assert answer.status == 401
    assert answer.body["error"]["code"] == "UNAUTHORIZED"


def test_same_key_and_body_replays_the_first_answer(users_service):
    # Given a user created with an Idempotency-Key
    body = {"name": "Ada", "email": "ada@example.com"}
    first = post(body, headers=KEY)

    # When the same request is retried
    retry = post(body, headers=KEY)

    # Then the retry gets the same 201 and the same user, and nothing new exists
    assert (retry.status, retry.body) == (first.status, first.body) == (201, first.body)
    assert len(list_all().body["items"]) == 1


def test_same_key_with_another_body_is_422(users_service):
    post({"name": "Ada", "email": "ada@example.com"}, headers=KEY)

    answer = post({"name": "Bob", "email": "bob@example.com"}, headers=KEY)

    assert answer.status == 422
    assert answer.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(list_all().body["items"]) == 1


def test_same_key_from_another_caller_is_a_new_request(users_service):
    # Given one caller's request with a key
    post({"name": "Ada", "email": "ada@example.com"}, headers=KEY)

    # When another caller uses the same key for their own body
    other = post({"name": "Bob", "email": "bob@example.com"}, headers=KEY, sub="someone-else")

    # Then it is theirs alone: created, not a replay of the first caller's user
    assert other.status == 201
    assert other.body["name"] == "Bob"


def test_retry_while_the_first_is_running_is_409(users_service, monkeypatch):
    # Given a first request that is stopped inside its write until the test lets it go
    inside, release = threading.Event(), threading.Event()
    original_create = users_repository.DynamoDBUserRepository.create

    def slow_create(self, user):
        inside.set()
        release.wait(timeout=10)
        original_create(self, user)

    monkeypatch.setattr(users_repository.DynamoDBUserRepository, "create", slow_create)
    body = {"name": "Ada", "email": "ada@example.com"}
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(post, body, headers=KEY)
        assert inside.wait(timeout=10)

        # When the same request is retried meanwhile
        retry = post(body, headers=KEY)
        release.set()

    # Then the retry is told the first is still running, and the first completes
    assert retry.status == 409
    assert retry.body["error"]["code"] == "REQUEST_IN_PROGRESS"
    assert first.result().status == 201


def test_failed_create_does_not_hold_the_key(create):
    # Given a keyed request refused because the email is taken
    create(name="Ada", email="ada@example.com")
    body = {"name": "Ada Two", "email": "ada@example.com"}
    assert post(body, headers=KEY).status == 409

    # When the email is freed and the same request is retried
    (user,) = list_all().body["items"]
    delete = request("delete_user", user_id=user["id"], groups="admins")
    assert invoke("delete_user", delete).status == 204
    retry = post(body, headers=KEY)

    # Then it runs again instead of replaying the refusal
    assert retry.status == 201


@pytest.mark.parametrize("key", ["", "k" * 256, "bad\nkey"])
def test_unusable_idempotency_key_is_400(users_service, key):
    answer = post({"name": "Ada", "email": "ada@example.com"}, headers={"Idempotency-Key": key})

    assert answer.status == 400
    assert answer.body["error"]["code"] == "INVALID_IDEMPOTENCY_KEY"


def emitted_metrics(output: str) -> set[str]:
    names = set()
    for line in output.splitlines():
        if '"_aws"' in line:
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                names |= {metric["Name"] for metric in directive["Metrics"]}
    return names


def test_created_user_is_counted(users_service, capsys):
    post({"name": "Ada", "email": "ada@example.com"})

    assert "UserCreated" in emitted_metrics(capsys.readouterr().out)


def test_refused_duplicate_is_counted(create, capsys):
    create(name="Ada", email="ada@example.com")
    capsys.readouterr()

    create(name="Ada", email="ada@example.com")

    assert emitted_metrics(capsys.readouterr().out) == {"DuplicateEmailRefused"}


def test_logs_hold_the_user_id_but_no_name_or_email(users_service, caplog):
    caplog.set_level("INFO")  # the level every stage but a debugging dev runs at

    answer = post({"name": "Ada Lovelace", "email": "ada@example.com"})

    # Every attribute of every record, as a log shipper would see them.
    logs = json.dumps([vars(record) for record in caplog.records], default=str)
    assert answer.body["id"] in logs
    assert "ada@example.com" not in logs
    assert "Lovelace" not in logs
