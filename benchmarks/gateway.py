"""Latency and throughput through the local gateway, beside the handler called directly.

Each figure as median and p99 latency and requests per second:
- `GET /v1/users/{id}` through the gateway (HTTP/1.1 keep-alive, a warm Lambda worker), beside
  its floor: the same handler called in this process with the same event the gateway built,
  against the same local moto, so the difference is what the gateway adds;
- `GET /v1/products/{id}` (DynamoDB GetItem by VTL, no Lambda), beside its floor: the same
  GetItem sent by boto3 from this process to the same moto;
- `GET /v1/health` (MOCK), one client, then several clients at once.
Pairs are timed taking turns, so drift on a shared machine hits both alike. Throttling is
raised out of the way (stage and partner plan): this measures the gateway, not its limits.
Targets (2 cores): the gateway adds at most 1 ms to the floor's median on the Lambda route;
MOCK serves at least 300 requests/s. It prints figures and targets; it never fails on a miss.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import logging
import os
import statistics
import sys
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_gateway.http_messages import HttpRequest
from local_gateway.local_aws import client
from local_gateway.pipeline.authorize import authorize
from local_gateway.pipeline.route import route
from local_gateway.testing import start_gateway

ROOT = Path(__file__).resolve().parents[1]
WARMUP, REQUESTS = 50, 1000
CONCURRENT_CLIENTS = 4
ADDED_LATENCY_TARGET_MS = 1.0
MOCK_RPS_TARGET = 300.0
UNTHROTTLED_PARAMETERS = (
    "ApiThrottlingRateLimit",
    "ApiThrottlingBurstLimit",
    "PartnerPlanRateLimit",
    "PartnerPlanBurstLimit",
)
UNTHROTTLED = dict.fromkeys(UNTHROTTLED_PARAMETERS, "100000")
PRODUCT_ID = "bench-product"


def summary(name: str, seconds: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(seconds)
    median = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rps = len(seconds) / wall
    print(f"   {name:<46} median {median:6.2f} ms   p99 {p99:6.2f} ms   {rps:7.0f} req/s")
    return {"median": median, "p99": p99, "rps": rps}


def timed(call: Callable[[], None], count: int) -> tuple[list[float], float]:
    for _ in range(WARMUP):
        call()
    seconds = []
    started = time.perf_counter()
    for _ in range(count):
        begin = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - begin)
    return seconds, time.perf_counter() - started


def timed_pair(
    first: Callable[[], None], second: Callable[[], Any], count: int
) -> tuple[tuple[list[float], float], tuple[list[float], float]]:
    """Times two calls taking turns; the wall time of each is the sum of its own calls."""
    for _ in range(WARMUP):
        first()
        second()
    first_seconds, second_seconds = [], []
    for _ in range(count):
        begin = time.perf_counter()
        first()
        middle = time.perf_counter()
        second()
        end = time.perf_counter()
        first_seconds.append(middle - begin)
        second_seconds.append(end - middle)
    return (first_seconds, sum(first_seconds)), (second_seconds, sum(second_seconds))


def http_getter(base_url: str, path: str, headers: dict[str, str]) -> Callable[[], None]:
    """One keep-alive connection; each call is one GET that must answer 200."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)

    def get() -> None:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")

    return get


def create_user(base_url: str, headers: dict[str, str]) -> str:
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    body = json.dumps({"name": "Bench Mark", "email": "bench@example.com"}).encode()
    connection.request(
        "POST", "/v1/users", body=body, headers={**headers, "Content-Type": "application/json"}
    )
    response = connection.getresponse()
    if response.status != 201:
        raise RuntimeError(f"POST /v1/users: {response.status} {response.read()!r}")
    user_id: str = json.loads(response.read())["id"]
    return user_id


def in_process_handler(local: Any, logical_id: str) -> Callable[[dict[str, Any]], Any]:
    """The function's handler imported here, with the environment its worker has."""
    spec = local.gateway.functions[logical_id]
    os.environ.update(spec.environment)
    sys.path[:0] = [str(spec.code_dir), *map(str, spec.layer_dirs)]
    module_name, _, attribute = spec.handler.rpartition(".")
    location = spec.code_dir / f"{module_name.replace('.', '/')}.py"
    loaded = importlib.util.spec_from_file_location(f"bench_{logical_id}", location)
    if loaded is None or loaded.loader is None:
        raise RuntimeError(f"cannot load {location}")
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    handler: Callable[[dict[str, Any], Any], Any] = getattr(module, attribute)

    class Context:
        function_name = spec.name
        function_version = "$LATEST"
        invoked_function_arn = spec.arn
        memory_limit_in_mb = spec.memory_mb
        aws_request_id = "bench"
        log_group_name = log_stream_name = "bench"

        def get_remaining_time_in_millis(self) -> int:
            return 10_000

    return lambda event: handler(event, Context())


def event_for(local: Any, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The exact proxy event the gateway builds for GET `path`."""
    gateway = local.gateway
    request = HttpRequest("GET", path, "", list(headers.items()), b"", "127.0.0.1")
    call = route(gateway.deployment, request, "bench", "127.0.0.1")
    authorize(call)
    return call.proxy_event()


def concurrent_rps(base_url: str, path: str, clients: int, per_client: int) -> float:
    getters = [http_getter(base_url, path, {}) for _ in range(clients)]
    for get in getters:
        get()
    barrier = threading.Barrier(clients + 1)

    def run(get: Callable[[], None]) -> None:
        barrier.wait()
        for _ in range(per_client):
            get()

    threads = [threading.Thread(target=run, args=(get,)) for get in getters]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def product_get_item(local: Any) -> Callable[[], Any]:
    """Stores the bench product; returns the boto3 GetItem the VTL integration sends."""
    dynamodb = client("dynamodb", local.session.aws_endpoint_url, local.session.region)
    table = local.session.resources["ProductsTable"]
    dynamodb.put_item(
        TableName=table,
        Item={
            "id": {"S": PRODUCT_ID},
            "name": {"S": "Bench"},
            "category": {"S": "bench"},
            "price": {"N": "1"},
            "currency": {"S": "EUR"},
        },
    )
    return lambda: dynamodb.get_item(TableName=table, Key={"id": {"S": PRODUCT_ID}})


def main() -> None:
    logging.disable(logging.INFO)  # the access log would measure the terminal, not the gateway
    # The in-process GetUser handler publishes no metric; Powertools warns on every call.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with start_gateway(ROOT / "template.yaml", parameter_overrides=UNTHROTTLED) as local:
        token = local.session.users["admin@example.com"]["id_token"]
        headers = {"Authorization": token}
        get_user_route = "/v1/users/{id}"
        path = get_user_route.replace("{id}", create_user(local.api_url, headers))

        print(f"   {REQUESTS} sequential requests each, after {WARMUP} warm-up; 2 cores shared")
        handler = in_process_handler(local, "GetUserFunction")
        event = event_for(local, path, headers)
        # Interleaved, so drift on a shared machine (moto's table, other load) hits both alike.
        (gateway_seconds, gateway_wall), (floor_seconds, floor_wall) = timed_pair(
            http_getter(local.api_url, path, headers), lambda: handler(event), REQUESTS
        )
        through = summary(f"gateway  GET {get_user_route}", gateway_seconds, gateway_wall)
        floor = summary("floor    handler in-process, same event", floor_seconds, floor_wall)
        partner = {"x-api-key": local.session.api_keys["partner"]}
        (vtl_seconds, vtl_wall), (get_item_seconds, get_item_wall) = timed_pair(
            http_getter(local.api_url, f"/v1/products/{PRODUCT_ID}", partner),
            product_get_item(local),
            REQUESTS,
        )
        vtl = summary("gateway  GET /v1/products/{id} (DynamoDB VTL)", vtl_seconds, vtl_wall)
        get_item = summary("floor    boto3 GetItem, same moto", get_item_seconds, get_item_wall)
        mock = summary(
            "gateway  GET /v1/health (MOCK)",
            *timed(http_getter(local.api_url, "/v1/health", {}), REQUESTS),
        )
        rps = concurrent_rps(local.api_url, "/v1/health", CONCURRENT_CLIENTS, REQUESTS // 2)
        label = f"gateway  GET /v1/health, {CONCURRENT_CLIENTS} clients at once"
        print(f"   {label:<46} {rps:45.0f} req/s")

        added = through["median"] - floor["median"]
        vtl_added = vtl["median"] - get_item["median"]
        best_mock = max(mock["rps"], rps)
        print(
            f"   added by the gateway: {added:.2f} ms at the median "
            f"(target <= {ADDED_LATENCY_TARGET_MS:.0f} ms: "
            f"{'ok' if added <= ADDED_LATENCY_TARGET_MS else 'MISSED'})"
        )
        print(f"   added by the gateway on the VTL route: {vtl_added:.2f} ms at the median")
        print(
            f"   MOCK throughput: {best_mock:.0f} req/s "
            f"(target >= {MOCK_RPS_TARGET:.0f}: "
            f"{'ok' if best_mock >= MOCK_RPS_TARGET else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
