"""Length-prefixed JSON frames: how the gateway and its function workers talk over pipes."""

from __future__ import annotations

import json
import os
import struct
from typing import Any

_HEADER = struct.Struct(">I")


def encode(message: Any) -> bytes:
    payload = json.dumps(message, separators=(",", ":")).encode()
    return _HEADER.pack(len(payload)) + payload


def read_exactly(fd: int, size: int) -> bytes:
    """Reads `size` bytes from `fd`; raises EOFError if the other end closed first."""
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> Any:
    (size,) = _HEADER.unpack(read_exactly(fd, _HEADER.size))
    return json.loads(read_exactly(fd, size))


def write_frame(fd: int, message: Any) -> None:
    write_all(fd, encode(message))


def write_all(fd: int, data: bytes) -> None:
    """Writes an encoded frame."""
    while data:
        written = os.write(fd, data)
        data = data[written:]
