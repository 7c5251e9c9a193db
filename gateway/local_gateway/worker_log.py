"""A worker's log (its stderr pipe), forwarded line by line by the thread that calls it.

The worker writes a call's output before its answer, so once the answer is in, the call's lines
are in the pipe: the calling thread forwards them before it answers, without a second thread to
wait for. While it waits for the answer it forwards the log too, so a chatty function cannot
fill the pipe and stall.
"""

from __future__ import annotations

import logging
import os
import select
import time

CHUNK = 1 << 16
function_log = logging.getLogger("local_gateway.functions")


class WorkerLog:
    """The gateway's end of one worker's stderr; its lines are logged under `label`."""

    def __init__(self, fd: int, label: str) -> None:
        self.fd = fd
        self.label = label
        self.open = True
        self._pending = b""

    def _read(self) -> int:
        """Forwards the complete lines read; returns the bytes read. Called only when the pipe
        is readable, so it never blocks."""
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self.open = False
            chunk, self._pending = self._pending + b"\n", b""
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        for raw in lines:
            line = raw.decode(errors="replace").rstrip()
            if line or self.open:
                function_log.info("[%s] %s", self.label, line)
        return len(chunk)

    def wait_for(self, answers: int, limit: float | None) -> bool:
        """Forwards the log until `answers` is readable; False if `limit` seconds pass first."""
        deadline = None if limit is None else time.monotonic() + limit
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            watched = [answers, self.fd] if self.open else [answers]
            ready, _, _ = select.select(watched, [], [], remaining)
            if answers in ready:
                return True
            if not ready:
                return False
            self._read()

    def drain(self) -> None:
        """Forwards what the pipe holds now: after an answer, all of the call's output; after a
        worker stopped, its last words (a crash's traceback). A short read means the pipe was
        emptied, so a background thread that keeps printing cannot hold the call here."""
        while self.open and select.select([self.fd], [], [], 0)[0]:
            if self._read() < CHUNK:
                return

    def close(self) -> None:
        self.open = False
