"""The front corpus's running API: the `front` fixture template served by a real gateway, and an
echo backend its HTTP and HTTP_PROXY integrations call.

Requests go out with `http.client` so the target reaches the gateway exactly as written
(repeated slashes, percent-encoding) and no header is added behind the case's back.
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).parent / "templates" / "front" / "template.yaml"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """All values of `name` (any case) joined with ", ", as a client library shows them."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    def names(self) -> set[str]:
        return {k for k, _ in self.headers}

    def json(self) -> Any:
        return json.loads(self.body)


class FrontApi:
    def __init__(self, base_url: str, api_id: str) -> None:
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.api_id = api_id

    def send(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        """One request with exactly these headers (plus Host and, with a body, its length)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            items = headers.items() if isinstance(headers, dict) else (headers or [])
            for name, value in items:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Answer(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def event(
        self,
        target: str,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        *,
        method: str = "GET",
        body: bytes | None = None,
    ) -> dict[str, Any]:
        """The proxy event the echo function received for this request."""
        answer = self.send(method, target, headers, body)
        assert answer.status == 200, answer.body
        event: dict[str, Any] = answer.json()
        return event


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers with what it received; `/status/<code>` answers with that status."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        found = re.fullmatch(r"/status/(\d{3})", self.path.split("?", 1)[0])
        status = int(found.group(1)) if found else 200
        payload = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body,
                "status_code": status,
            }
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("x-amzn-RequestId", "backend-request-id")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer  # noqa: N815 - stdlib names

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def front() -> Iterator[FrontApi]:
    """The front template served by the gateway, its HTTP integrations pointed at the echo."""
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=backend.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{backend.server_address[1]}"
        with start_gateway(TEMPLATE, parameter_overrides={"BackendUrl": url}) as running:
            yield FrontApi(running.api_url, running.gateway.apis[0].api_id)
    finally:
        backend.shutdown()
        backend.server_close()
