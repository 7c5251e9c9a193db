"""Reliability under load: the API at twice its usage plans' rate, through the local gateway.

A bounded, paced, threaded client on loopback sends a fixed number of requests (the
``LOAD_REQUESTS`` environment variable: a few hundred in ``make test``, several thousand in
``make load``), mixing four routes:

- ``POST /v1/users``: Lambda + DynamoDB, Cognito token. Every third create is retried with the
  same ``Idempotency-Key`` (the client lost the answer), which must replay the first user;
- ``GET /v1/users/{id}``: Lambda + DynamoDB, the same user over and over;
- ``GET /v1/products/{id}``: DynamoDB GetItem by VTL, no Lambda, the partner plan's key;
- ``POST /v1/telemetry``: SQS SendMessage by VTL, the custom authorizer and the devices key.

The two plan routes are driven at twice their plan's rate. The plans' rates are template
parameters; the test sets them to :data:`PLAN_RATE` so that twice that fits a 2-core machine
that also runs moto, Lambda workers and the client (the defaults, 100 and 500 requests/s, would
measure the client, not the gateway's throttling).

Then: every answer is 2xx or 429 in the error envelope, never 5xx; each plan key got at most
what its token bucket allows and was throttled past it; every created user is stored exactly
once with its email claim; every queued reading is in the queue exactly once; the gateway's
memory (this process, which hosts it) is flat between the warm-up and the end of the run.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
import json
import logging
import os
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local_gateway.local_aws import client
from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
ADMIN = "admin@example.com"

REQUESTS = int(os.environ.get("LOAD_REQUESTS", "300"))
PLAN_RATE = 20  # requests/s of the partner plan and of the devices plan's telemetry route
# Users routes have no usage plan (only the stage's 1000/s). Creates are few: moto copies the
# whole table for every TransactWriteItems, so its cost grows with the table (DynamoDB's does
# not); reads of one user keep the Lambda route busy instead.
USERS_CREATE_RATE = 5
USERS_READ_RATE = 15
CLIENT_THREADS = 16
WARM_UP_REQUESTS = 40
# Growth of the gateway's resident memory allowed over the run's second half: the first half
# still grows (allocator arenas, more warm workers' pipes and threads); a leak keeps growing.
# The client keeps its answers (about 0.4 MB a thousand) in this process too. A leak of 2 kB a
# request would break the bound in `make load`'s second half (2000 requests).
RSS_GROWTH_BOUND_MB = 4.0
PRODUCT = {"id": "load-product", "name": "Anvil", "category": "tools", "price": 12.5}

pytestmark = [pytest.mark.load, pytest.mark.domain("users", "products", "telemetry")]


@pytest.fixture(scope="module")
def local():
    overrides = {
        "PartnerPlanRateLimit": str(PLAN_RATE),
        "PartnerPlanBurstLimit": str(PLAN_RATE),
        "TelemetryIngestRateLimit": str(PLAN_RATE),
        "TelemetryIngestBurstLimit": str(PLAN_RATE),
    }
    with start_gateway(TEMPLATE, parameter_overrides=overrides) as running:
        yield running


@contextlib.contextmanager
def gateway_log_in_file(path: Path) -> Iterator[Path]:
    """The gateway's log goes to a file, as to a terminal, while the block runs.

    pytest keeps every captured log line in memory, which the memory check would count as the
    gateway's. Its handlers sit on the root logger and on loggers that do not propagate when a
    test phase starts, so the gateway's logger stops propagating inside the test, not before.
    """
    logger = logging.getLogger("local_gateway")
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    previous = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate, logger.level = previous


# -- the client ------------------------------------------------------------------------------


@dataclass
class Answer:
    route: str
    status: int
    body: bytes


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Job:
    """Requests sent in order on one connection, no earlier than `due` (seconds from start)."""

    due: float
    route: str
    requests: list[Request]
    answers: list[Answer] = field(default_factory=list)


def paced(jobs_per_route: dict[str, list[Job]], rates: dict[str, float]) -> list[Job]:
    """Each route's jobs spread evenly at its rate, all routes interleaved by due time."""
    for route, jobs in jobs_per_route.items():
        for index, job in enumerate(jobs):
            job.due = index / rates[route]
    return sorted((job for jobs in jobs_per_route.values() for job in jobs), key=lambda j: j.due)


def run_jobs(base_url: str, jobs: list[Job], time_limit: float) -> float:
    """Sends every job on `CLIENT_THREADS` keep-alive connections; returns the wall time.

    Jobs start at their due time (open loop: a slow answer does not slow the offered rate)
    unless every thread is busy. Past `time_limit` seconds the client stops taking jobs.
    """
    url = urllib.parse.urlsplit(base_url)
    origin = jobs[0].due if jobs else 0.0  # a later slice of a run starts at once
    queue: Iterator[Job] = iter(jobs)
    take = threading.Lock()
    stop = threading.Event()
    started = time.monotonic()

    def work() -> None:
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
        try:
            while not stop.is_set():
                with take:
                    job = next(queue, None)
                if job is None:
                    return
                # Pacing is the load's shape; the event lets the time limit end the wait.
                if stop.wait(max(0.0, started + job.due - origin - time.monotonic())):
                    return
                for request in job.requests:
                    connection.request(
                        request.method, request.path, body=request.body, headers=request.headers
                    )
                    response = connection.getresponse()
                    job.answers.append(Answer(job.route, response.status, response.read()))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, started + time_limit - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(60)
    return time.monotonic() - started


def resident_mb() -> float:
    """This process's resident set (it hosts the gateway), after a full collection."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# -- the traffic -----------------------------------------------------------------------------


@dataclass
class Traffic:
    """Builds the three kinds of job with the session's credentials."""

    local: Any
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def _as_admin(self) -> dict[str, str]:
        return {"Authorization": self.local.session.users[ADMIN]["id_token"]}

    def create_user(self, index: int, *, retried: bool) -> Job:
        email = f"load-{self.run}-{index}@example.com"
        body = json.dumps({"name": f"Load {index}", "email": email})
        headers = {
            **self._as_admin(),
            "Content-Type": "application/json",
            "Idempotency-Key": f"load-{self.run}-{index}",
        }
        request = Request("POST", "/v1/users", headers, body.encode())
        return Job(0.0, "create user", [request, request] if retried else [request])

    def read_user(self, user_id: str) -> Job:
        return Job(0.0, "read user", [Request("GET", f"/v1/users/{user_id}", self._as_admin())])

    def read_product(self) -> Job:
        headers = {"x-api-key": self.local.session.api_keys["partner"]}
        return Job(0.0, "products", [Request("GET", f"/v1/products/{PRODUCT['id']}", headers)])

    def send_reading(self, index: int) -> Job:
        reading = {
            "deviceId": f"load-{self.run}",
            "timestamp": "2025-01-01T00:00:00Z",
            "metrics": {"sequence": index},
        }
        headers = {
            "Authorization": f"Bearer {self.local.session.issuer['token']}",
            "x-api-key": self.local.session.api_keys["devices"],
            "Content-Type": "application/json",
        }
        request = Request("POST", "/v1/telemetry", headers, json.dumps(reading).encode())
        return Job(0.0, "telemetry", [request])

    def mix(self, requests: int, user_id: str) -> tuple[list[Job], dict[str, float]]:
        """About `requests` requests, each route at its rate; the plan routes at twice theirs."""
        rates = {
            "products": 2.0 * PLAN_RATE,
            "telemetry": 2.0 * PLAN_RATE,
            "create user": USERS_CREATE_RATE,
            "read user": USERS_READ_RATE,
        }
        seconds = requests / sum(rates.values())
        count = {route: max(3, round(rate * seconds)) for route, rate in rates.items()}
        jobs = {
            # One create in three is sent twice: its retry must replay the first answer.
            "create user": [
                self.create_user(i, retried=i % 3 == 0)
                for i in range(round(count["create user"] * 3 / 4))
            ],
            "read user": [self.read_user(user_id) for _ in range(count["read user"])],
            "products": [self.read_product() for _ in range(count["products"])],
            "telemetry": [self.send_reading(i) for i in range(count["telemetry"])],
        }
        return paced(jobs, rates), rates


def create_reader_user(local) -> str:
    """A user for the read route, created through the API."""
    body = json.dumps({"name": "Load Reader", "email": f"reader-{uuid.uuid4().hex}@example.com"})
    url = urllib.parse.urlsplit(local.api_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    headers = {
        "Authorization": local.session.users[ADMIN]["id_token"],
        "Content-Type": "application/json",
    }
    connection.request("POST", "/v1/users", body=body, headers=headers)
    response = connection.getresponse()
    assert response.status == 201, response.read()
    user_id: str = json.loads(response.read())["id"]
    connection.close()
    return user_id


def put_product(local) -> None:
    dynamodb = client("dynamodb", local.session.aws_endpoint_url, local.session.region)
    item = {name: {"S": str(value)} for name, value in PRODUCT.items() if name != "price"}
    dynamodb.put_item(
        TableName=local.session.resources["ProductsTable"],
        Item={**item, "price": {"N": str(PRODUCT["price"])}, "currency": {"S": "EUR"}},
    )


def stored_users(local) -> tuple[dict[str, str], dict[str, str]]:
    """(user id -> email) of USER items, (email -> user id) of EMAIL claims, in the table."""
    dynamodb = client("dynamodb", local.session.aws_endpoint_url, local.session.region)
    users, claims = {}, {}
    pages = dynamodb.get_paginator("scan").paginate(TableName=local.session.resources["UsersTable"])
    for page in pages:
        for item in page["Items"]:
            key = item["pk"]["S"]
            if key.startswith("USER#"):
                users[key.removeprefix("USER#")] = item["email"]["S"]
            elif key.startswith("EMAIL#"):
                claims[key.removeprefix("EMAIL#")] = item["userId"]["S"]
    return users, claims


def queued_readings(local, device: str) -> Counter[int]:
    """How often each reading sequence number of `device` waits in the telemetry queue."""
    sqs = client("sqs", local.session.aws_endpoint_url, local.session.region)
    queue_url = local.session.resources["TelemetryQueue"]
    seen: Counter[int] = Counter()
    while True:
        # Received messages stay invisible for the run, so each is counted once.
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600
        ).get("Messages", [])
        if not batch:
            return seen
        for message in batch:
            reading = json.loads(message["Body"])
            if reading["deviceId"] == device:
                seen[reading["metrics"]["sequence"]] += 1


def print_summary(jobs: list[Job], rates: dict[str, float], wall: float, rss: list[float]):
    answers = [answer for job in jobs for answer in job.answers]
    print(f"\n   {len(answers)} requests in {wall:.1f} s ({len(answers) / wall:.0f} req/s)")
    for route, rate in rates.items():
        statuses = Counter(a.status for a in answers if a.route == route)
        dues = [job.due for job in jobs if job.route == route]
        offered = len(dues) / (max(dues) + 1 / rate)
        print(
            f"   {route:<12} target {rate:5.0f}/s  offered {offered:5.0f}/s  "
            f"statuses {dict(sorted(statuses.items()))}"
        )
    before, middle, after = rss
    print(
        f"   gateway RSS: {before:.1f} MB after warm-up, {middle:.1f} MB after the first half "
        f"({middle - before:+.1f}), {after:.1f} MB after the second ({after - middle:+.1f} MB; "
        f"bound {RSS_GROWTH_BOUND_MB:.0f} MB)"
    )


# -- the test --------------------------------------------------------------------------------


def test_at_twice_the_plan_rate_only_2xx_and_429_nothing_lost_or_doubled_memory_flat(
    local, tmp_path
):
    with gateway_log_in_file(tmp_path / "gateway.log") as gateway_log:
        # Given a product to read, and the gateway warmed up (workers started, keys cached)
        put_product(local)
        user_id = create_reader_user(local)
        warm_up, _ = Traffic(local).mix(WARM_UP_REQUESTS, user_id)
        # One call per route first: the first workers start and the authorizer's answer is cached
        # before calls come concurrently (a cold burst would measure cold starts, not load).
        for route in ("create user", "read user", "products", "telemetry"):
            run_jobs(local.api_url, [next(job for job in warm_up if job.route == route)], 60)
        run_jobs(local.api_url, warm_up, time_limit=60)
        traffic = Traffic(local)
        jobs, rates = traffic.mix(REQUESTS, user_id)
        half = len(jobs) // 2
        rss = [resident_mb()]

        # When the mix runs at twice the plans' rate, in two halves
        planned = max(job.due for job in jobs)
        started = time.monotonic()
        for part in (jobs[:half], jobs[half:]):
            run_jobs(local.api_url, part, time_limit=1.5 * planned + 30)
            rss.append(resident_mb())
        wall = time.monotonic() - started  # with the pause to sample memory: buckets refill in it
        print_summary(jobs, rates, wall, rss)

    # Then every request was sent and answered 2xx or 429, never 5xx
    assert all(len(job.answers) == len(job.requests) for job in jobs), "the client ran out of time"
    answers = [answer for job in jobs for answer in job.answers]
    unexpected = [a for a in answers if not (200 <= a.status < 300 or a.status == 429)]
    errors = [line for line in Path(gateway_log).read_text().splitlines() if "ERROR" in line]
    assert not unexpected, f"{len(unexpected)} not 2xx/429: {unexpected[:3]}; log: {errors[:20]}"
    # And a 429 is the error envelope
    for answer in answers:
        if answer.status == 429:
            assert json.loads(answer.body)["error"]["code"] == "THROTTLED"

    # And each plan route got no more than its token bucket holds, and was throttled past it
    for route in ("products", "telemetry"):
        admitted = sum(1 for a in answers if a.route == route and a.status < 300)
        throttled = sum(1 for a in answers if a.route == route and a.status == 429)
        assert admitted <= PLAN_RATE + PLAN_RATE * wall + 1, route
        assert throttled > 0, f"{route} was never throttled at twice its plan's rate"
    products = [a for a in answers if a.route == "products" and a.status == 200]
    assert all(json.loads(a.body)["id"] == PRODUCT["id"] for a in products)
    reads = [a for a in answers if a.route == "read user"]
    assert all(a.status == 200 and json.loads(a.body)["id"] == user_id for a in reads)

    # And every created user is stored exactly once, with its email claim; a retry replays it
    created: dict[str, set[str]] = {}
    for job in jobs:
        if job.route == "create user":
            bodies = [json.loads(a.body) for a in job.answers if a.status == 201]
            for body in bodies:
                created.setdefault(body["email"], set()).add(body["id"])
    assert all(len(ids) == 1 for ids in created.values()), "a retry created a second user"
    users, claims = stored_users(local)
    ours = {uid: email for uid, email in users.items() if email.startswith(f"load-{traffic.run}-")}
    assert ours == {ids.pop(): email for email, ids in created.items()}
    assert all(claims[email] == uid for uid, email in ours.items())

    # And every queued reading is in the queue exactly once
    queued = [a for a in answers if a.route == "telemetry" and a.status == 202]
    readings = queued_readings(local, f"load-{traffic.run}")
    assert sum(readings.values()) == len(queued)
    assert set(readings.values()) == {1}

    # And the gateway's memory is flat: the second half of the run added next to nothing
    assert rss[2] - rss[1] <= RSS_GROWTH_BOUND_MB
