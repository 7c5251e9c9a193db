"""A STAND-IN for the on-premises orders system, for `make dev` and the tests only.

The real orders system lives outside AWS and is reached through `ANY /v1/orders/{proxy+}`
(HTTP_PROXY, template.yaml). This server answers the same paths well enough to show the route
working end to end: orders are kept in memory, and each answer says it came from the stand-in
and which caller the gateway named in `X-Caller-Id`. Replace it with your own system's URL
(`OrdersBackendUrl`); nothing here is deployed.

`python -m stand_ins.orders_backend --port 3119` serves `http://127.0.0.1:3119/orders/...`.
"""

from __future__ import annotations

import argparse
import json
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/orders/"
CALLER_HEADER = "X-Caller-Id"
MAX_BODY_BYTES = 1024 * 1024


class OrdersStandIn:
    """The stand-in on 127.0.0.1:`port` (0 picks a free port); `url` is its orders base URL."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._host = host
        self._server = self._bind(port)
        self._thread: threading.Thread | None = None

    def _bind(self, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((self._host, port), _handler_for(self))
        server.daemon_threads = True
        return server

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX.rstrip('/')}"

    def start(self) -> None:
        """Serves in a background thread; after `stop()`, again on the same port."""
        if self._thread is not None:
            self._server = self._bind(self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        """Serves in this thread until interrupted (Ctrl-C or SIGTERM)."""
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def answer(
        self, method: str, order_id: str, caller: str | None, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        """What the stand-in answers `method /orders/<order_id>` with."""
        if not order_id or "/" in order_id:
            return HTTPStatus.NOT_FOUND, {"message": "no such resource"}
        with self._lock:
            if method in ("GET", "HEAD"):  # HEAD: GET's headers, no body (sent by _send)
                order = self.orders.get(order_id) or {"id": order_id, "status": "open"}
                return HTTPStatus.OK, {**order, "caller": caller}
            if method in ("POST", "PUT", "PATCH"):
                try:
                    fields = json.loads(body or b"{}")
                except ValueError:
                    return HTTPStatus.BAD_REQUEST, {"message": "the body is not JSON"}
                if not isinstance(fields, dict):
                    return HTTPStatus.BAD_REQUEST, {"message": "the body is not a JSON object"}
                order = {**fields, "id": order_id, "status": fields.get("status", "open")}
                self.orders[order_id] = order
                status = HTTPStatus.CREATED if method == "POST" else HTTPStatus.OK
                return status, {**order, "caller": caller}
            if method == "DELETE":
                self.orders.pop(order_id, None)
                return HTTPStatus.OK, {"id": order_id, "status": "cancelled", "caller": caller}
        return HTTPStatus.METHOD_NOT_ALLOWED, {"message": f"{method} is not supported"}


def _handler_for(stand_in: OrdersStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "orders-stand-in"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "body too large"})
                return
            body = self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            if not path.startswith(PREFIX):
                self._send(HTTPStatus.NOT_FOUND, {"message": "no such resource"})
                return
            status, answer = stand_in.answer(
                self.command, path.removeprefix(PREFIX), self.headers.get(CALLER_HEADER), body
            )
            self._send(status, answer)

        def _send(self, status: int, answer: dict[str, Any]) -> None:
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            # Says plainly, on every answer, that this is not the real orders system.
            self.send_header("X-Orders-Stand-In", "true")
            self.send_header("X-Request-Id", self.headers.get("X-Request-Id") or str(uuid.uuid4()))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            print(f"orders stand-in: {format % args}", flush=True)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3119)
    arguments = parser.parse_args()
    stand_in = OrdersStandIn(arguments.port)
    print(f"orders stand-in (not the real orders system) on {stand_in.url}", flush=True)
    stand_in.serve_forever()


if __name__ == "__main__":
    main()
