"""The HTTP/1.1 front of the gateway: h11 parses, one thread per connection, keep-alive.

h11 hands over the request target exactly as sent (repeated slashes, percent-encoding), so the
router sees what API Gateway sees; the stdlib server would have collapsed `//`. Every method
reaches the gateway, and a request h11 cannot read is answered in the template's error shape.
Each response goes out in one write with TCP_NODELAY, so keep-alive clients never wait on Nagle.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
from http import HTTPStatus

import h11

from local_gateway.errors import GatewayStartError
from local_gateway.gateway import LocalGateway
from local_gateway.http_messages import MAX_BODY_BYTES, HttpRequest, HttpResponse

log = logging.getLogger("local_gateway")

MAX_HEAD_BYTES = 64 * 1024  # a request line or header block longer than this is refused
_READ_SIZE = 64 * 1024


class _Unreadable(Exception):
    """The request cannot be read (malformed, too long): answered with `status`, then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Connection:
    """One client connection: h11 reads each request, the answer is written directly.

    h11 parses (and bounds) what the client sends; the answer is framed here, which is
    cheaper than h11's checks of headers the gateway built itself. Each request gets a fresh
    h11 parser seeded with whatever the client already sent after the previous one.
    """

    def __init__(self, sock: socket.socket, peer: str, gateway: LocalGateway) -> None:
        self.sock = sock
        self.peer = peer
        self.gateway = gateway
        self.h11 = _parser(b"", closed=False)

    def serve(self) -> None:
        with contextlib.suppress(OSError):
            while self._serve_one():
                pending, closed = self.h11.trailing_data
                self.h11 = _parser(pending, closed=closed)
        with contextlib.suppress(OSError):
            self.sock.close()

    def _serve_one(self) -> bool:
        """Answers one request; False when the connection is done."""
        try:
            read = self._read_request()
        except _Unreadable as unreadable:
            response = self.gateway.refuse_unread(unreadable.status, unreadable.message, self.peer)
            self.sock.sendall(_framed(response, head_only=False, close=True))
            return False
        if read is None:
            return False
        request, keep_alive = read
        response = self.gateway.handle(request, request.header("host") or "127.0.0.1")
        close = not keep_alive or self.h11.their_state is not h11.DONE
        self.sock.sendall(_framed(response, head_only=request.method == "HEAD", close=close))
        return not close

    def _next_event(self) -> h11.Event | type[h11.PAUSED] | type[h11.NEED_DATA]:
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise self._unreadable(error) from None
            if event is not h11.NEED_DATA:
                return event
            self.h11.receive_data(self.sock.recv(_READ_SIZE))

    def _unreadable(self, error: h11.RemoteProtocolError) -> _Unreadable:
        status = error.error_status_hint
        pending, _ = self.h11.trailing_data
        if status == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE and b"\r\n" not in pending:
            status = HTTPStatus.REQUEST_URI_TOO_LONG  # the request line alone is over the limit
        log.info("refused an unreadable request from %s: %s", self.peer, error)
        return _Unreadable(status, HTTPStatus(status).phrase)

    def _read_request(self) -> tuple[HttpRequest, bool] | None:
        """The next request and whether the client keeps the connection; None at its end."""
        event = self._next_event()
        if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None
        if not isinstance(event, h11.Request):
            raise _Unreadable(HTTPStatus.BAD_REQUEST, "Bad Request")
        # h11 bounds only a head still arriving; one that came whole is measured here.
        if len(event.target) > MAX_HEAD_BYTES:
            raise _Unreadable(HTTPStatus.REQUEST_URI_TOO_LONG, "Request-URI Too Long")
        raw_headers = event.headers.raw_items()
        if sum(len(name) + len(value) + 4 for name, value in raw_headers) > MAX_HEAD_BYTES:
            raise _Unreadable(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request Header Fields Too Large"
            )
        raw_path, _, raw_query = event.target.decode("latin-1").partition("?")
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw_headers]
        request = HttpRequest(
            method=event.method.decode("ascii"),
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=self._read_body(),
            source_ip=self.peer,
        )
        return request, _keeps_alive(event)

    def _read_body(self) -> bytes:
        """The body, read up to one byte over the limit: the gateway answers 413 for that, and
        the connection is closed instead of reading (and holding) the rest."""
        if self.h11.they_are_waiting_for_100_continue:
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BODY_BYTES:
            event = self._next_event()
            if isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
                size += len(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
            else:
                raise _Unreadable(HTTPStatus.BAD_REQUEST, "Bad Request")
        return b"".join(chunks)[: MAX_BODY_BYTES + 1]


def _parser(pending: bytes, *, closed: bool) -> h11.Connection:
    parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
    if pending:
        parser.receive_data(pending)
    if closed:
        parser.receive_data(b"")
    return parser


def _keeps_alive(request: h11.Request) -> bool:
    tokens = {
        token.strip().lower()
        for name, value in request.headers
        if name == b"connection"
        for token in value.split(b",")
    }
    if request.http_version == b"1.0":
        return b"keep-alive" in tokens
    return b"close" not in tokens


_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_NOT_SENT = {"content-length", "connection", "transfer-encoding", "keep-alive"}


def _framed(response: HttpResponse, *, head_only: bool, close: bool) -> bytes:
    """The response as bytes: its headers, Content-Length, and the body unless HEAD (or a
    status that has none). A header that would break the framing (CR, LF) is left out;
    text that is not Latin-1 is replaced, never an error."""
    lines = [f"HTTP/1.1 {response.status} {_PHRASES.get(response.status, '')}"]
    lines += [
        f"{name}: {value}"
        for name, value in response.headers
        if name.lower() not in _NOT_SENT and not _BREAKS_FRAMING.search(name + value)
    ]
    bodiless = response.status < 200 or response.status in (204, 304)
    if not bodiless:
        lines.append(f"Content-Length: {len(response.body)}")
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
    return head if head_only or bodiless else head + response.body


_BREAKS_FRAMING = re.compile(r"[\r\n]")


class GatewayHttpServer:
    """A listening socket and the thread that accepts on it; one thread per connection."""

    def __init__(self, host: str, port: int) -> None:
        self.socket = socket.create_server((host, port), backlog=128)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._stopping = threading.Event()
        self._open: set[socket.socket] = set()  # client connections, ended on shutdown
        self._open_lock = threading.Lock()

    def serve_forever(self, gateway: LocalGateway) -> None:
        while not self._stopping.is_set():
            try:
                sock, address = self.socket.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                raise
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._open_lock:
                self._open.add(sock)
            connection = _Connection(sock, address[0], gateway)
            threading.Thread(
                target=self._serve_connection, args=(connection,), name="http", daemon=True
            ).start()

    def _serve_connection(self, connection: _Connection) -> None:
        try:
            connection.serve()
        finally:
            with self._open_lock:
                self._open.discard(connection.sock)

    def shutdown(self) -> None:
        """Stops accepting and ends the open connections (a keep-alive client's idle one
        would otherwise reach a gateway that has stopped)."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        with self._open_lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def server_close(self) -> None:
        self.socket.close()


def bind(host: str, port: int) -> GatewayHttpServer:
    """Binds the port first, so a busy port fails before anything else starts."""
    try:
        return GatewayHttpServer(host, port)
    except OSError as error:
        raise GatewayStartError(
            f"cannot listen on {host}:{port}: {error.strerror or error}"
            " (is another `make dev` running? set PORT= to use another port)"
        ) from None


def serve_in_thread(server: GatewayHttpServer, gateway: LocalGateway) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, args=(gateway,), name="http", daemon=True
    )
    thread.start()
    return thread
