"""Reloads a function's workers when a file under its code folder or one of its layers changes.

Polls file modification times (no extra dependency, works on every file system). `check()`
does one pass and is what tests call; `start()` runs it in the background.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from local_gateway.functions import WorkerPool

log = logging.getLogger("local_gateway")
_IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _snapshot(folder: Path) -> dict[str, int]:
    files: dict[str, int] = {}
    for path in folder.rglob("*"):
        if _IGNORED_PARTS.intersection(path.parts) or not path.is_file():
            continue
        try:
            files[str(path)] = path.stat().st_mtime_ns
        except FileNotFoundError:
            continue  # deleted while we walked
    return files


class CodeWatcher:
    def __init__(self, pools: Iterable[WorkerPool], interval_seconds: float = 0.5) -> None:
        self._pools = list(pools)
        self._interval = interval_seconds
        folders = {folder for pool in self._pools for folder in pool.spec.watched_dirs}
        self._snapshots = {folder: _snapshot(folder) for folder in folders}
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[str]:
        """Reloads the pools whose folders changed; returns their logical ids."""
        changed = set()
        for folder, before in self._snapshots.items():
            now = _snapshot(folder)
            if now != before:
                self._snapshots[folder] = now
                changed.add(folder)
        reloaded = []
        for pool in self._pools:
            if changed.intersection(pool.spec.watched_dirs):
                pool.reload()
                reloaded.append(pool.spec.logical_id)
        if reloaded:
            log.info("code changed: reloaded %s", ", ".join(reloaded))
        return reloaded

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="code-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            self.check()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
