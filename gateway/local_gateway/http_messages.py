"""The HTTP request and response as the gateway pipeline sees them, independent of the server."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass
class HttpRequest:
    method: str
    raw_path: str  # as sent, percent-encoded, without the query string
    raw_query: str
    headers: list[tuple[str, str]]  # in order, names as sent
    body: bytes
    source_ip: str
    received_at: float = field(default_factory=time.time)

    @property
    def path(self) -> str:
        return urllib.parse.unquote(self.raw_path)

    def header(self, name: str) -> str | None:
        """The last value of header `name` (case-insensitive), as API Gateway's `headers` has."""
        wanted = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == wanted:
                found = value
        return found

    def query_items(self) -> list[tuple[str, str]]:
        return urllib.parse.parse_qsl(self.raw_query, keep_blank_values=True)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)
