"""The local loop's two figures: a burst of first requests, and a template edit going live.

- Cold burst: right after the gateway starts, eight requests at once to one function none
  has called yet (`GET /v1/users/{id}`); every one must succeed, and the slowest is the figure
  (target: at most 1.5 s on 2 cores). Workers fork from a parent that imported the layer once.
- Template reload: a `make dev`-style gateway (watching its files) on a copy of the template;
  a route is added to the copy's `api/openapi.yaml` and the figure is the time from saving it to
  the new route's first 200 (target: at most 2 s).
It prints figures and targets; it never fails on a miss.
"""

from __future__ import annotations

import http.client
import json
import logging
import shutil
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from local_gateway.runtime import running_gateway
from local_gateway.testing import start_gateway

ROOT = Path(__file__).resolve().parents[1]
BURST = 8
BURST_TARGET_SECONDS = 1.5
RELOAD_TARGET_SECONDS = 2.0
ADDED_ROUTE = "/v1/bench-added"
# A MOCK route, inserted first under the API definition's `paths:` (api/openapi.yaml).
ADDED_ROUTE_YAML = f"""\
  {ADDED_ROUTE}:
    get:
      responses:
        "200":
          description: Added while the gateway ran.
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{{"statusCode": 200}}'
        responses:
          default:
            statusCode: "200"
"""
UNTHROTTLED = dict.fromkeys(
    ("ApiThrottlingRateLimit", "ApiThrottlingBurstLimit"),
    "100000",
)


def request(
    base_url: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, bytes]:
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def cold_burst() -> None:
    print(f"\n== Local loop: {BURST} concurrent first requests to one function ==")
    with start_gateway(ROOT / "template.yaml", parameter_overrides=UNTHROTTLED) as local:
        headers = {"Authorization": local.session.users["admin@example.com"]["id_token"]}
        body = json.dumps({"name": "Burst Test", "email": "burst@example.com"}).encode()
        status, created = request(
            local.api_url,
            "POST",
            "/v1/users",
            {**headers, "Content-Type": "application/json"},
            body,
        )
        if status != 201:
            raise RuntimeError(f"POST /v1/users: {status} {created!r}")
        path = f"/v1/users/{json.loads(created)['id']}"
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        gate = threading.Barrier(BURST)

        def first_request() -> None:
            gate.wait()
            started = time.perf_counter()
            status, _ = request(local.api_url, "GET", path, headers)
            with lock:
                results.append((status, time.perf_counter() - started))

        threads = [threading.Thread(target=first_request) for _ in range(BURST)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(status for status, _ in results)
    slowest = max(seconds for _, seconds in results)
    fastest = min(seconds for _, seconds in results)
    succeeded = all(status == 200 for status in statuses)
    verdict = "ok" if succeeded and slowest <= BURST_TARGET_SECONDS else "MISSED"
    print(f"   GET /v1/users/{{id}} x{BURST}: statuses {statuses}")
    print(
        f"   fastest {fastest:.2f} s, slowest {slowest:.2f} s "
        f"(target: all 200, slowest <= {BURST_TARGET_SECONDS} s: {verdict})"
    )


def template_reload() -> None:
    print("\n== Local loop: a route added to api/openapi.yaml under a running gateway ==")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("template.yaml", "samconfig.toml"):
            shutil.copy(ROOT / name, copy / name)
        for included in ("api", "ops"):  # the files template.yaml includes
            shutil.copytree(ROOT / included, copy / included)
        for name in ("functions", "authorizers", "layers"):
            (copy / name).symlink_to(ROOT / name)
        template = copy / "template.yaml"
        definition = copy / "api" / "openapi.yaml"
        with running_gateway(template, port=0, state_dir=copy / ".local") as local:
            status, _ = request(local.api_url, "GET", ADDED_ROUTE, {})
            print(f"   before the edit: GET {ADDED_ROUTE} -> {status}")
            text = definition.read_text()
            definition.write_text(text.replace("\npaths:\n", "\npaths:\n" + ADDED_ROUTE_YAML, 1))
            saved = time.perf_counter()
            while time.perf_counter() - saved < 30:
                status, _ = request(local.api_url, "GET", ADDED_ROUTE, {})
                if status == 200:
                    break
                time.sleep(0.02)  # polling a live server: this is the measurement
            seconds = time.perf_counter() - saved
    verdict = "ok" if status == 200 and seconds <= RELOAD_TARGET_SECONDS else "MISSED"
    print(
        f"   saved to first 200: {seconds:.2f} s, status {status} "
        f"(target <= {RELOAD_TARGET_SECONDS:.0f} s: {verdict})"
    )


def main() -> None:
    logging.disable(logging.INFO)  # the access and function logs would flood the figures
    cold_burst()
    template_reload()


if __name__ == "__main__":
    main()
