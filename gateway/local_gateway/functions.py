"""The template's Lambda functions, run locally in pools of warm worker processes.

Each function has its own pool: a request takes an idle worker or starts one more (up to the
function's reserved concurrency, or `MAX_WORKERS_PER_FUNCTION`), so concurrent requests are
served concurrently, and module state persists between warm calls of one worker. A call that
outlives the function's timeout kills its worker (Lambda discards the sandbox too).
The thread that calls a worker also forwards its log (`worker_log`), a call's lines before its
answer.
"""

from __future__ import annotations

import select
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local_gateway.framing import read_frame, write_frame
from local_gateway.function_specs import FunctionSpec
from local_gateway.processes import SpawnedProcess, WorkerProcess
from local_gateway.worker_log import WorkerLog

# Lambda gives a function's init (imports, module code) its own 10 s, apart from its timeout.
INIT_TIMEOUT_SECONDS = 10.0
DEBUGGER_START_SECONDS = 60.0  # how long a debugged worker may take to import debugpy and listen


Launcher = Callable[[FunctionSpec], WorkerProcess]


class FunctionTimeout(Exception):
    """The function ran past its timeout; its worker was stopped."""


class FunctionFailed(Exception):
    """The function raised, or its worker died; `error` is Lambda's error object when known."""

    def __init__(self, message: str, error: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error = error


class Worker:
    """One warm worker process of one function."""

    def __init__(self, spec: FunctionSpec, generation: int, launch: Launcher) -> None:
        self.spec = spec
        self.generation = generation
        self.process = launch(spec)
        self._requests = self.process.requests
        self._answers = self.process.answers
        self._initialized = False
        self._log = WorkerLog(self.process.stderr.fileno(), spec.logical_id)

    @property
    def _debugged(self) -> bool:
        """Under a debugger, a call may rest on a breakpoint: no init or call time limit."""
        return self.spec.debug_port is not None

    def wait_for_debugger_port(self, timeout: float = DEBUGGER_START_SECONDS) -> None:
        """Waits until the debugged worker's debugpy listens (it then waits for a debugger)."""
        ready, _, _ = select.select([self._answers], [], [], timeout)
        try:
            if not ready or "debugger_listening" not in read_frame(self._answers):
                raise ValueError("no debugger_listening frame")
        except (EOFError, OSError, ValueError):
            self.stop()
            raise FunctionFailed(
                f"{self.spec.logical_id}: debugpy did not listen on port {self.spec.debug_port}"
                " (is the port in use? set DEBUG_PORT=)"
            ) from None

    def _wait_for_init(self) -> None:
        """Waits for the worker's init to end, under Lambda's init limit, not the call's."""
        if self._initialized:
            return
        limit = None if self._debugged else INIT_TIMEOUT_SECONDS
        if not self._log.wait_for(self._answers, limit):
            self.stop()
            raise FunctionTimeout(
                f"{self.spec.logical_id} init ran past {INIT_TIMEOUT_SECONDS:g} s"
            )
        try:
            frame = read_frame(self._answers)
            if "debugger_listening" in frame:  # a debugged worker's, before its init
                frame = read_frame(self._answers)
        except (EOFError, OSError, ValueError):
            self.stop()
            raise FunctionFailed(f"worker of {self.spec.logical_id} died in init") from None
        self._initialized = True

    def invoke(self, event: Any, request_id: str, timeout: float) -> Any:
        self._wait_for_init()
        deadline = time.time() + timeout
        invocation = {
            "event": event,
            "request_id": request_id,
            "function_arn": self.spec.arn,
            "deadline_epoch_ms": deadline * 1000,
        }
        try:
            write_frame(self._requests, invocation)
        except OSError as error:
            raise FunctionFailed(f"worker of {self.spec.logical_id} is gone: {error}") from None
        limit = None if self._debugged else max(0.0, deadline - time.time())
        if not self._log.wait_for(self._answers, limit):
            self.stop()
            raise FunctionTimeout(f"{self.spec.logical_id} timed out after {timeout:g} s")
        try:
            answer = read_frame(self._answers)
        except (EOFError, OSError, ValueError):
            self.stop()
            raise FunctionFailed(f"worker of {self.spec.logical_id} died") from None
        self._log.drain()
        if "error" in answer:
            raise FunctionFailed(str(answer["error"].get("errorMessage")), answer["error"])
        return answer["result"]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._log.drain()
        self._log.close()
        self.process.close()
        self.process.stderr.close()


@dataclass
class WorkerPool:
    """The warm workers of one function; `reload()` retires them after a code change."""

    spec: FunctionSpec
    launch: Launcher = SpawnedProcess
    _idle: list[Worker] = field(default_factory=list)
    _count: int = 0
    _generation: int = 0
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _closed: bool = False

    def invoke(self, event: Any, request_id: str, timeout: float | None = None) -> Any:
        worker = self._acquire()
        healthy = True
        try:
            return worker.invoke(event, request_id, timeout or self.spec.timeout_seconds)
        except FunctionTimeout:
            healthy = False
            raise
        finally:
            self._release(worker, healthy and worker.alive)

    def _acquire(self) -> Worker:
        with self._condition:
            while True:
                if self._closed:
                    raise FunctionFailed(f"{self.spec.logical_id} is shut down")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.spec.max_workers:
                    self._count += 1
                    generation = self._generation
                    break
                self._condition.wait()
        try:
            return Worker(self.spec, generation, self.launch)
        except Exception:
            with self._condition:
                self._count -= 1
                self._condition.notify()
            raise

    def _release(self, worker: Worker, healthy: bool) -> None:
        with self._condition:
            if healthy and worker.generation == self._generation and not self._closed:
                self._idle.append(worker)
            else:
                self._count -= 1
                worker.stop()
            self._condition.notify()

    def reload(self) -> None:
        """New calls get fresh workers; busy ones finish their call, then stop."""
        with self._condition:
            self._generation += 1
            retired, self._idle = self._idle, []
            self._count -= len(retired)
            self._condition.notify_all()
        for worker in retired:
            worker.stop()

    def prestart(self) -> None:
        """Starts one worker now, before any call (a debugged function's, to wait for the
        debugger at once)."""
        with self._condition:
            if self._closed or self._count >= self.spec.max_workers:
                return
            self._count += 1
            generation = self._generation
        try:
            worker = Worker(self.spec, generation, self.launch)
            if self.spec.debug_port is not None:
                worker.wait_for_debugger_port()
        except Exception:
            with self._condition:
                self._count -= 1
            raise
        self._release(worker, healthy=True)

    @property
    def worker_count(self) -> int:
        with self._condition:
            return self._count

    @property
    def busy_count(self) -> int:
        """Workers holding a call now (fault tests kill one mid-request)."""
        with self._condition:
            return self._count - len(self._idle)

    def close(self) -> None:
        with self._condition:
            self._closed = True
        self.reload()


def new_request_id() -> str:
    return str(uuid.uuid4())
