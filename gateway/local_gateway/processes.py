"""How a worker process starts: forked from a pre-loaded parent, or spawned afresh.

`ForkServers` keeps one `local_gateway.forkserver` per set of layers; a worker forked from it
skips the layers' dependency imports. A function being debugged (`make dev DEBUG=...`), or any
worker when its fork server cannot answer, is spawned as a new interpreter instead.
Both kinds of process look alike to the pool: the pipe ends, `poll`, `kill`, `wait`, `close`.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Protocol

import local_gateway
from local_gateway.function_specs import FunctionSpec

GATEWAY_PATH = str(Path(local_gateway.__file__).resolve().parent.parent)
# How long the first worker waits for its fork server to finish importing the layers.
FORK_SERVER_READY_SECONDS = 60.0
MAX_MESSAGE = 1 << 20
log = logging.getLogger("local_gateway")


class WorkerProcess(Protocol):
    """A running worker: the gateway's ends of its pipes, and its life."""

    pid: int
    requests: int  # write end of the worker's stdin
    answers: int  # read end of the worker's original stdout
    stderr: IO[bytes]

    def poll(self) -> int | None: ...

    def kill(self) -> None: ...

    def wait(self) -> None: ...

    def close(self) -> None: ...


def base_environment() -> dict[str, str]:
    """What every worker (and fork server) has before the function's own variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - a fallback HOME, as Lambda's
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": GATEWAY_PATH,
        "LOCAL_GATEWAY_PATH": GATEWAY_PATH,
    }


def worker_environment(spec: FunctionSpec) -> dict[str, str]:
    return {
        **base_environment(),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(spec.timeout_seconds)),
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        **spec.environment,
    }


def import_path(spec: FunctionSpec) -> list[str]:
    """The function's own folder first, then its layers, as Lambda's sys.path has them."""
    return [str(spec.code_dir), *(str(folder) for folder in spec.layer_dirs)]


class SpawnedProcess:
    """A worker in a new interpreter (`python -m local_gateway.worker`, or under debugpy)."""

    def __init__(self, spec: FunctionSpec) -> None:
        arguments = [sys.executable]
        if spec.debug_port is not None:
            # Frozen stdlib modules would hide breakpoints set in them (debugpy warns so).
            arguments += ["-Xfrozen_modules=off"]
        arguments += ["-m", "local_gateway.worker", "--handler", spec.handler]
        if spec.debug_port is not None:
            arguments += ["--debug-port", str(spec.debug_port)]
        for path in import_path(spec):
            arguments += ["--path", path]
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our worker module
            arguments,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=spec.code_dir,
            env=worker_environment(spec),
        )
        assert self._process.stdin is not None  # noqa: S101 - all three are pipes
        assert self._process.stdout is not None  # noqa: S101
        assert self._process.stderr is not None  # noqa: S101
        self.pid = self._process.pid
        self.requests = self._process.stdin.fileno()
        self.answers = self._process.stdout.fileno()
        self.stderr = self._process.stderr

    def poll(self) -> int | None:
        return self._process.poll()

    def kill(self) -> None:
        self._process.kill()

    def wait(self) -> None:
        self._process.wait()

    def close(self) -> None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()


class ForkedProcess:
    """A worker forked by a fork server: not our child, so it is watched through a pidfd."""

    def __init__(self, pid: int, pidfd: int, requests: int, answers: int, stderr: int) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self.requests = requests
        self.answers = answers
        self.stderr: IO[bytes] = os.fdopen(stderr, "rb")
        self._exited = False
        self._closed = False

    def poll(self) -> int | None:
        if not self._exited:
            ready, _, _ = select.select([self._pidfd], [], [], 0)
            self._exited = bool(ready)
        return -1 if self._exited else None  # its exit status is its parent's to collect

    def kill(self) -> None:
        if not self._exited:
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def wait(self) -> None:
        if not self._exited:
            select.select([self._pidfd], [], [])
            self._exited = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = self._exited = True
        for fd in (self.requests, self.answers, self._pidfd):
            os.close(fd)


class ForkServer:
    """One `local_gateway.forkserver` process and the socket to ask it for workers."""

    def __init__(
        self,
        layer_dirs: tuple[Path, ...],
        environment: dict[str, str],
        code_dirs: Iterable[Path] = (),
    ) -> None:
        self.layer_dirs = layer_dirs
        self._channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        arguments = [sys.executable, "-m", "local_gateway.forkserver"]
        arguments += ["--channel", str(theirs.fileno())]
        for folder in layer_dirs:
            arguments += ["--layer", str(folder)]
        for folder in sorted(set(code_dirs)):
            arguments += ["--code", str(folder)]
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
            arguments,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            env={**base_environment(), **environment},
        )
        theirs.close()
        self._lock = threading.Lock()
        self.preloaded: list[str] | None = None  # set once it has imported the layers

    @property
    def pid(self) -> int:
        return self._process.pid

    def _receive(self, timeout: float | None) -> tuple[dict[str, Any], list[int]]:
        ready, _, _ = select.select([self._channel], [], [], timeout)
        if not ready:
            raise OSError("the fork server did not answer in time")
        message, fds, _, _ = socket.recv_fds(self._channel, MAX_MESSAGE, 1)
        if not message:
            raise OSError("the fork server exited")
        answer: dict[str, Any] = json.loads(message)
        return answer, fds

    def wait_ready(self, timeout: float = FORK_SERVER_READY_SECONDS) -> list[str]:
        with self._lock:
            if self.preloaded is None:
                self.preloaded = list(self._receive(timeout)[0]["preloaded"])
            return self.preloaded

    def fork(self, spec: FunctionSpec) -> ForkedProcess:
        self.wait_ready()
        request = {
            "handler": spec.handler,
            "path": import_path(spec),
            "cwd": str(spec.code_dir),
            "environment": worker_environment(spec),
        }
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        theirs = [stdin_read, stdout_write, stderr_write]
        try:
            with self._lock:
                socket.send_fds(self._channel, [json.dumps(request).encode()], theirs)
                answer, fds = self._receive(FORK_SERVER_READY_SECONDS)
        except BaseException:
            for fd in (stdin_write, stdout_read, stderr_read):
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        return ForkedProcess(int(answer["pid"]), fds[0], stdin_write, stdout_read, stderr_read)

    def stop(self) -> None:
        self._channel.close()  # it exits when its end reads nothing
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def shared_environment(specs: Iterable[FunctionSpec]) -> dict[str, str]:
    """The variables (and values) every one of these functions has."""
    environments = [worker_environment(spec) for spec in specs]
    if not environments:
        return {}
    first, *others = environments
    return {k: v for k, v in first.items() if all(other.get(k) == v for other in others)}


class ForkServers:
    """One fork server per set of layers, started with the gateway; `launch` starts a worker."""

    def __init__(self) -> None:
        self._servers: dict[tuple[Path, ...], ForkServer] = {}
        self._lock = threading.Lock()
        self._broken: set[tuple[Path, ...]] = set()

    def start_for(self, specs: Iterable[FunctionSpec]) -> None:
        """Starts (without waiting) a fork server for each layer set not served yet."""
        by_layers: dict[tuple[Path, ...], list[FunctionSpec]] = {}
        for spec in specs:
            if spec.debug_port is None:
                by_layers.setdefault(spec.layer_dirs, []).append(spec)
        with self._lock:
            for layers, group in by_layers.items():
                if layers not in self._servers:
                    self._servers[layers] = ForkServer(
                        layers, shared_environment(group), (spec.code_dir for spec in group)
                    )

    def pids(self) -> set[int]:
        """The fork servers' process ids: the parents of the forked workers."""
        with self._lock:
            return {server.pid for server in self._servers.values()}

    def server_for(self, spec: FunctionSpec) -> ForkServer | None:
        with self._lock:
            return self._servers.get(spec.layer_dirs)

    def launch(self, spec: FunctionSpec) -> WorkerProcess:
        server = None if spec.debug_port is not None else self.server_for(spec)
        if server is None or spec.layer_dirs in self._broken:
            return SpawnedProcess(spec)
        try:
            return server.fork(spec)
        except OSError as error:
            self._broken.add(spec.layer_dirs)
            log.warning("fork server unusable (%s): workers start as new processes", error)
            return SpawnedProcess(spec)

    def stop(self) -> None:
        with self._lock:
            servers, self._servers = list(self._servers.values()), {}
        for server in servers:
            server.stop()
