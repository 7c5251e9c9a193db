"""The HTTP/1.1 front of the gateway: a threaded stdlib server with keep-alive.

Each connection gets a thread; the response goes out in one write with TCP_NODELAY, so a
keep-alive client never waits on Nagle's algorithm.
"""

from __future__ import annotations

import http.server
import logging
import socket
import threading
from http import HTTPStatus
from typing import Any

from local_gateway.errors import GatewayStartError
from local_gateway.gateway import LocalGateway
from local_gateway.http_messages import HttpRequest, HttpResponse

log = logging.getLogger("local_gateway")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-gateway"
    sys_version = ""
    gateway: LocalGateway  # set on the subclass the server builds

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the gateway writes its own access log

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=self._read_body(),
            source_ip=self.client_address[0],
        )
        host = self.headers.get("Host") or "127.0.0.1"
        self._write(self.gateway.handle(request, host))

    def _write(self, response: HttpResponse) -> None:
        reason = (
            HTTPStatus(response.status).phrase
            if response.status in HTTPStatus._value2member_map_
            else ""
        )
        lines = [f"HTTP/1.1 {response.status} {reason}"]
        lines += [
            f"{name}: {value}"
            for name, value in response.headers
            if name.lower() != "content-length"
        ]
        lines.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        self.wfile.write(head + (b"" if self.command == "HEAD" else response.body))

    def __getattr__(self, name: str) -> Any:
        # Every method goes to the gateway (TRACE, PROPFIND...), which answers one no resource
        # has as API Gateway does, instead of the stdlib's HTML 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the stdlib refuses before the gateway sees it (a request line or header over
        its 64 KiB, too many headers, a malformed request line), as a gateway response: the
        template's error shape, not the stdlib's HTML page."""
        self.close_connection = True
        self.command = getattr(self, "command", None) or "GET"
        reason = message or (
            HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else ""
        )
        self._write(self.gateway.refuse_unread(code, reason, self.client_address[0]))


class GatewayHttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def bind(host: str, port: int) -> GatewayHttpServer:
    """Binds the port first, so a busy port fails before anything else starts."""
    try:
        return GatewayHttpServer((host, port), _Handler)
    except OSError as error:
        raise GatewayStartError(
            f"cannot listen on {host}:{port}: {error.strerror or error}"
            " (is another `make dev` running? set PORT= to use another port)"
        ) from None


def serve_in_thread(server: GatewayHttpServer, gateway: LocalGateway) -> threading.Thread:
    handler = type("GatewayHandler", (_Handler,), {"gateway": gateway})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    return thread
