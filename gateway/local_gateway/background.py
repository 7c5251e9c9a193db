"""A delivery loop run in a daemon thread: the event-source pollers (SQS, S3 notifications).

Each polls once per turn, long-polling up to IDLE_WAIT_SECONDS so stopping stays prompt; an error
is logged and retried after a pause, as Lambda's pollers keep going.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("local_gateway")

IDLE_WAIT_SECONDS = 1  # long-poll while there is nothing to deliver, so stopping stays prompt


class BackgroundPoller:
    """Subclasses name the thread (`thread_name`) and deliver one batch in `poll_once`."""

    thread_name = "poller"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self, *, wait_seconds: int = 0) -> object:
        """Deliver what is there now (waiting up to `wait_seconds` for it); the subclass's work."""
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=IDLE_WAIT_SECONDS + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(wait_seconds=IDLE_WAIT_SECONDS)
            except Exception:
                log.exception("%s failed; retrying", self.thread_name)
                self._stop.wait(IDLE_WAIT_SECONDS)
