"""EventBridge Scheduler's one-time schedules (`at(...)`) that invoke functions of the template.

A function may create a schedule at run time (a rotation retiring the previous key when its
grace period ends). Locally a runner reads moto's schedules every half second, invokes the
target function with the schedule's `Input` once its time has come, and deletes the schedule
when `ActionAfterCompletion` is DELETE, as Scheduler does.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time
Recurring (`rate()`, `cron()`) schedules are not run.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("local_gateway.scheduler")

CHECK_EVERY_SECONDS = 0.5
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")

Invoke = Callable[[str, dict[str, Any]], Any]


def due_at(expression: str) -> datetime | None:
    """When a one-time schedule is due (UTC); None for a recurring one."""
    match = _AT.match(expression)
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC) if match else None


class ScheduleRunner:
    def __init__(
        self,
        scheduler: Any,
        function_by_arn: dict[str, str],
        invoke: Invoke,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.scheduler = scheduler
        self.function_by_arn = function_by_arn
        self.invoke = invoke
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done: set[tuple[str, str]] = set()  # one-time: each runs once, kept or not

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(CHECK_EVERY_SECONDS):
            try:
                self.run_due()
            except Exception:
                log.exception("running due schedules failed")

    def run_due(self) -> int:
        """Invoke every due one-time schedule's function; returns how many ran."""
        ran = 0
        for summary in self.scheduler.list_schedules().get("Schedules", []):
            group = summary.get("GroupName") or "default"
            schedule = self.scheduler.get_schedule(Name=summary["Name"], GroupName=group)
            when = due_at(str(schedule.get("ScheduleExpression", "")))
            target = schedule.get("Target") or {}
            function = self.function_by_arn.get(str(target.get("Arn", "")).removesuffix(":$LATEST"))
            key = (group, str(summary["Name"]))
            if when is None or function is None or when > self.clock() or key in self._done:
                continue
            self._done.add(key)
            try:
                self.invoke(function, json.loads(target.get("Input") or "{}"))
            except Exception as error:
                log.error("schedule %s: %s failed: %s", summary["Name"], function, error)
            if schedule.get("ActionAfterCompletion") == "DELETE":
                self.scheduler.delete_schedule(Name=summary["Name"], GroupName=group)
            ran += 1
        return ran
