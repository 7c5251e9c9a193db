"""The local S3 endpoint the functions call: moto, behind S3's check of POST policies.

Functions reach S3 here (`AWS_ENDPOINT_URL_S3`), so a presigned POST they sign points here too.
Every request is passed to moto as it came, except a browser-form upload (a multipart POST to a
bucket), which is first checked against its signed policy as S3 checks it
(`s3_post_policy`); a refused one gets S3's XML error and never reaches moto.
"""

from __future__ import annotations

import email.parser
import email.policy
import logging
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import requests

from local_gateway.local_aws import LOCAL_CREDENTIALS
from local_gateway.s3_post_policy import PostRejected, check_post

log = logging.getLogger("local_gateway.s3")

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"}
FORWARD_TIMEOUT_SECONDS = 60


def form_fields(content_type: str, body: bytes) -> tuple[dict[str, str], int] | None:
    """A multipart form's fields before the file (names in lower case) and the file's size;
    None when the body is no form with a file. S3 ignores fields after the file."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        if name.lower() == "file":
            return fields, len(content)
        fields[name.lower()] = content.decode("utf-8", errors="replace")
    return None


def error_xml(rejected: PostRejected, request_id: str) -> bytes:
    elements = {
        "Code": rejected.code,
        "Message": rejected.message,
        **rejected.extra,
        "RequestId": request_id,
        "HostId": request_id,
    }
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()


def _secret_for(access_key: str) -> str | None:
    return LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"] if access_key else None


class S3Endpoint:
    """The endpoint on 127.0.0.1 (a free port), forwarding to moto at `moto_url`."""

    def __init__(self, moto_url: str, host: str = "127.0.0.1") -> None:
        self.moto_url = moto_url.rstrip("/")
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-s3-endpoint", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def refusal(
        self, method: str, path: str, content_type: str, body: bytes
    ) -> PostRejected | None:
        """Why S3 would refuse this request before storing anything, if it would."""
        bucket, _, key = path.split("?", 1)[0].lstrip("/").partition("/")
        if method != "POST" or not bucket or key or "multipart/form-data" not in content_type:
            return None
        form = form_fields(content_type, body)
        if form is None:
            return None
        fields, file_size = form
        try:
            check_post(bucket, fields, file_size, secret_for=_secret_for)
        except PostRejected as rejected:
            return rejected
        return None


def _handler_for(endpoint: S3Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            rejected = endpoint.refusal(
                self.command, self.path, self.headers.get("Content-Type", ""), body
            )
            if rejected is not None:
                log.info("S3 refused a form upload to %s: %s", self.path, rejected)
                self._answer(
                    rejected.status,
                    [("Content-Type", "application/xml")],
                    error_xml(rejected, uuid.uuid4().hex.upper()[:16]),
                )
                return
            # 100-continue was answered here already; moto gets the whole body at once.
            dropped = _HOP_BY_HOP | {"host", "expect"}
            headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
            reply = requests.request(
                self.command,
                endpoint.moto_url + self.path,
                headers=headers,
                data=body or None,
                timeout=FORWARD_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            passed = [
                (k, v)
                for k, v in reply.raw.headers.items()
                if k.lower() not in _HOP_BY_HOP | {"content-length", "content-encoding"}
            ]
            announced = reply.headers.get("Content-Length") if self.command == "HEAD" else None
            self._answer(reply.status_code, passed, reply.content, announced)

        def _answer(
            self,
            status: int,
            headers: list[tuple[str, str]],
            body: bytes,
            length: str | None = None,
        ) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            # A HEAD answer announces the object's length without sending it.
            self.send_header("Content-Length", length or str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

    return Handler
