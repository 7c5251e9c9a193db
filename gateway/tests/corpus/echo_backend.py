"""An HTTP backend for the corpus's HTTP integrations: it answers with what it received.

- `/raw`: the request body, byte for byte (Content-Type application/json), so a request
  template's output comes back to the caller when no response template reshapes it;
- `/status/<code>`: that status, with `{"status": <code>}`;
- anything else: `{"method", "path", "headers", "body"}` as JSON.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status = 200
        if self.path == "/raw":
            reply = body
        elif self.path.startswith("/status/"):
            status = int(self.path.removeprefix("/status/"))
            reply = json.dumps({"status": status}).encode()
        else:
            reply = json.dumps(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body.decode("utf-8", errors="replace"),
                }
            ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer  # noqa: N815 - http.server names

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def echo_backend() -> Iterator[str]:
    """Serve the echo backend on a free loopback port; yields its `host:port`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
