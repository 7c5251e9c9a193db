"""Faults under the local gateway: a Lambda worker killed mid-request, and DynamoDB/SQS gone.

- A worker killed while it holds a request: the caller gets 502 in the error envelope, and the
  next request is served by a new worker.
- moto stopped (``local.gateway.moto.pause()``, SIGSTOP: connections hang, as to an AWS
  endpoint that stopped answering): a DynamoDB VTL route, a Lambda read and a Lambda create
  each answer 5xx in the envelope within their timeouts, nothing is half-written, and once moto
  is back every route works again and the create can be retried with its Idempotency-Key.

The functions' boto3 clients give up after 3 attempts of (connect 2 s + read 3 s), and the
gateway stops waiting at the function's 10 s timeout, so a Lambda route answers 500 (its own
error), 502 or 504 (the gateway's) depending on which comes first. The VTL integration waits for
the gateway's integration timeout, API Gateway's 29 s; a method may set it lower
(``timeoutInMillis``), and this test sets the gateway's to :data:`INTEGRATION_TIMEOUT` seconds
so the suite does not wait 29 s for a 504 it can see in 12.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from local_gateway.local_aws import client
from local_gateway.pipeline import integration as integration_step
from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
ADMIN = "admin@example.com"
INTEGRATION_TIMEOUT = 12.0  # above the functions' 10 s, so a Lambda route ends on its own terms
PRODUCT_ID = "faults-product"

pytestmark = [pytest.mark.faults, pytest.mark.domain("products")]


@pytest.fixture(scope="module")
def local():
    with start_gateway(TEMPLATE) as running:
        dynamodb = client("dynamodb", running.session.aws_endpoint_url, running.session.region)
        dynamodb.put_item(
            TableName=running.session.resources["ProductsTable"],
            Item={
                "id": {"S": PRODUCT_ID},
                "name": {"S": "Anvil"},
                "category": {"S": "tools"},
                "price": {"N": "12.5"},
                "currency": {"S": "EUR"},
            },
        )
        yield running


@pytest.fixture
def moto_resumed(local):
    """However a test ends, moto runs again afterwards."""
    yield local.gateway.moto
    local.gateway.moto.resume()


@pytest.fixture(scope="module")
def api(local):
    http = requests.Session()

    def call(method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": local.session.users[ADMIN]["id_token"]}
        headers.update(kwargs.pop("headers", {}))
        return http.request(method, local.api_url + path, headers=headers, timeout=60, **kwargs)

    yield call
    http.close()


# A failed attempt's idempotency record is in progress for the rest of its Lambda timeout
# (CreateUserFunction's, 10 s), with room for a slow machine.
IN_PROGRESS_EXPIRY_SECONDS = 30


def is_in_progress(answer: requests.Response) -> bool:
    return answer.status_code == 409 and "REQUEST_IN_PROGRESS" in answer.text


def create_user(api, email: str, key: str | None = None) -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    body = {"name": "Fault Tolerant", "email": email}
    return api("POST", "/v1/users", json=body, headers=headers)


def worker_pids(local, logical_id: str) -> set[int]:
    """Process ids of the function's live workers in this gateway.

    They are children of this process or of its gateway's fork servers, in the function's code
    folder, that talk to this gateway's moto (other suites' gateways may still run workers of
    the same function).
    """
    parents = {os.getpid(), *local.gateway.fork_servers.pids()}
    code_dir = Path(local.gateway.functions[logical_id].code_dir).resolve()
    endpoint = f"AWS_ENDPOINT_URL={local.session.aws_endpoint_url}".encode()
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # /proc/<pid>/stat: "pid (name) state ppid ..."; the name may hold spaces.
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            cwd = (entry / "cwd").readlink()
            environment = (entry / "environ").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        ours = int(parent) in parents and cwd == code_dir and endpoint in environment
        if ours and state != "Z":
            pids.add(int(entry.name))
    return pids


def wait_until(condition, seconds: float = 10.0) -> None:
    """Polls `condition` until it holds; fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        threading.Event().wait(0.01)


def assert_envelope(response: requests.Response, status_range: range) -> None:
    assert response.status_code in status_range, response.text
    error = response.json()["error"]
    assert error["code"]
    assert error["message"]
    assert error["requestId"] == response.headers["x-amzn-RequestId"]


def users_table(local) -> tuple[dict[str, str], dict[str, str]]:
    """(user id -> email) of USER items, (email -> user id) of EMAIL claims."""
    dynamodb = client("dynamodb", local.session.aws_endpoint_url, local.session.region)
    users, claims = {}, {}
    table = local.session.resources["UsersTable"]
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            key = item["pk"]["S"]
            if key.startswith("USER#"):
                users[key.removeprefix("USER#")] = item["email"]["S"].lower()
            elif key.startswith("EMAIL#"):
                claims[key.removeprefix("EMAIL#")] = item["userId"]["S"]
    return users, claims


def assert_nothing_half_written(local) -> None:
    users, claims = users_table(local)
    assert {email: uid for uid, email in users.items()} == claims


@pytest.mark.domain("users")
def test_a_worker_killed_mid_request_is_502_and_the_next_request_gets_a_new_worker(
    local, api, moto_resumed
):
    # Given a user, read once so GetUserFunction has one warm worker
    user_id = create_user(api, f"killed-{uuid.uuid4().hex}@example.com").json()["id"]
    assert api("GET", f"/v1/users/{user_id}").status_code == 200
    pool = local.gateway.pools["GetUserFunction"]
    (first_worker,) = worker_pids(local, "GetUserFunction")
    # And a read held in that worker (moto is stopped, so its GetItem waits)
    moto_resumed.pause()
    with ThreadPoolExecutor(1) as pool_of_one:
        in_flight = pool_of_one.submit(api, "GET", f"/v1/users/{user_id}")
        wait_until(lambda: pool.busy_count == 1)

        # When the worker dies
        os.kill(first_worker, 9)
        response = in_flight.result(timeout=30)
    moto_resumed.resume()

    # Then the caller gets 502 in the error envelope
    assert_envelope(response, range(502, 503))
    # And the next request is served, by a new worker
    again = api("GET", f"/v1/users/{user_id}")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == user_id
    assert first_worker not in worker_pids(local, "GetUserFunction")
    assert len(worker_pids(local, "GetUserFunction")) == 1


@pytest.mark.domain("users")
def test_while_moto_is_stopped_routes_answer_5xx_nothing_is_half_written_and_service_resumes(
    local, api, moto_resumed, monkeypatch
):
    # Given a user to read, the functions warm, and the gateway's integration timeout at 12 s
    monkeypatch.setattr(integration_step, "INTEGRATION_TIMEOUT_SECONDS", INTEGRATION_TIMEOUT)
    user_id = create_user(api, f"reader-{uuid.uuid4().hex}@example.com").json()["id"]
    assert api("GET", f"/v1/users/{user_id}").status_code == 200
    partner = {"x-api-key": local.session.api_keys["partner"]}
    assert api("GET", f"/v1/products/{PRODUCT_ID}", headers=partner).status_code == 200
    email, key = f"outage-{uuid.uuid4().hex}@example.com", uuid.uuid4().hex

    # When moto stops answering while a product read, a user read and a user create run
    moto_resumed.pause()
    started = time.monotonic()
    with ThreadPoolExecutor(3) as calls:
        product = calls.submit(api, "GET", f"/v1/products/{PRODUCT_ID}", headers=partner)
        read = calls.submit(api, "GET", f"/v1/users/{user_id}")
        create = calls.submit(create_user, api, email, key)
        answers = {"product": product.result(), "read": read.result(), "create": create.result()}
    waited = time.monotonic() - started
    moto_resumed.resume()

    # Then each answered 5xx in the error envelope, within the timeouts
    print(
        f"\n   moto stopped: {', '.join(f'{k} {v.status_code}' for k, v in answers.items())} "
        f"after {waited:.1f} s"
    )
    assert_envelope(answers["product"], range(502, 505))
    assert_envelope(answers["read"], range(500, 505))
    assert_envelope(answers["create"], range(500, 505))
    # And no user is stored without its email claim, nor a claim without its user
    assert_nothing_half_written(local)

    # And once moto is back, every route works again
    assert api("GET", f"/v1/products/{PRODUCT_ID}", headers=partner).status_code == 200
    assert api("GET", f"/v1/users/{user_id}").status_code == 200
    # And the create, retried with its Idempotency-Key, stores the user exactly once. A write
    # sent while moto was stopped may be applied when it resumes (as a timed-out DynamoDB write
    # may have been), so the key can still be held by the failed attempt: that is the
    # contract's 409 REQUEST_IN_PROGRESS ("retry shortly") until the attempt's Lambda timeout
    # has passed, and the client retries.
    retried = create_user(api, email, key)
    deadline = time.monotonic() + IN_PROGRESS_EXPIRY_SECONDS
    while is_in_progress(retried) and time.monotonic() < deadline:
        time.sleep(1)  # the record expires on the function's clock, not on an event we can await
        retried = create_user(api, email, key)
    assert retried.status_code == 201, retried.text
    users, _ = users_table(local)
    assert [uid for uid, stored in users.items() if stored == email] == [retried.json()["id"]]
    assert_nothing_half_written(local)
    assert json.loads(retried.text)["email"] == email


def test_a_catalog_read_while_dynamodb_hangs_is_503_with_retry_after_then_recovers(
    local, api, moto_resumed
):
    # Given the product reads, and the route's integration timeout is its own 5 s
    partner = {"x-api-key": local.session.api_keys["partner"]}
    assert api("GET", f"/v1/products/{PRODUCT_ID}", headers=partner).status_code == 200
    route = next(
        method
        for rest_api in local.gateway.apis
        for method in rest_api.methods
        if (method.http_method, method.resource_path) == ("GET", "/v1/products/{id}")
    )
    assert integration_step.integration_timeout(route) == 5.0

    # When DynamoDB (moto) stops answering during a read
    moto_resumed.pause()
    started = time.monotonic()
    response = api("GET", f"/v1/products/{PRODUCT_ID}", headers=partner)
    waited = time.monotonic() - started
    moto_resumed.resume()

    # Then the caller gets 503 with Retry-After in the envelope, none of AWS's text
    print(f"\n   catalog read with DynamoDB stopped: {response.status_code} after {waited:.1f} s")
    assert_envelope(response, range(503, 504))
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    # And once DynamoDB answers again, so does the route
    again = api("GET", f"/v1/products/{PRODUCT_ID}", headers=partner)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == PRODUCT_ID
