"""A fork server: a parent that imported the layers' dependencies once, forking warm workers.

Started by the gateway as `python -m local_gateway.forkserver --layer DIR...`, once per set of
layers, with the environment the functions of those layers share. It imports each layer's
top-level modules (and so everything they import), then forgets the layer's own code, keeping
the third-party modules it pulled in. A worker forked from it imports its handler and the
layer's own code afresh, with its own environment, code folder and module state, as a Lambda
execution environment does; only the dependencies' import is already done.

The gateway sends one request per worker on a SOCK_SEQPACKET socket: a JSON object (handler,
path, cwd, environment) with the worker's stdin, stdout and stderr pipes as file descriptors.
The answer is the worker's pid and a pidfd, so the gateway can wait for and kill a process that
is not its own child.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import contextlib
import gc
import importlib
import importlib.metadata
import json
import os
import signal
import socket
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from local_gateway import botocore_warmup, worker

MAX_MESSAGE = 1 << 20
PIPES_PER_WORKER = 3


def _layer_modules(folder: Path) -> list[str]:
    """Every module a layer folder offers: its top-level modules, its packages and theirs."""
    skipped = _installed_names(folder)  # a built layer's dependencies come in through its code
    names = []
    for entry in sorted(folder.rglob("*.py")):
        parts = entry.relative_to(folder).with_suffix("").parts
        if parts[0] in skipped or not all(part.isidentifier() for part in parts[:-1]):
            continue
        packaged = all(
            (folder.joinpath(*parts[:depth]) / "__init__.py").exists()
            for depth in range(1, len(parts))
        )
        if packaged:
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _installed_names(folder: Path) -> set[str]:
    """Top-level names of the distributions installed in a (built) layer folder: dependencies."""
    names = set()
    for distribution in importlib.metadata.distributions(path=[str(folder)]):
        for file in distribution.files or ():
            if file.parts:
                names.add(file.parts[0].removesuffix(".py"))
    return names


def _forget_layer_code(folders: list[Path]) -> None:
    """Drops the layers' own modules, so each worker imports them with its own environment."""
    kept = set().union(*(_installed_names(folder) for folder in folders))
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None)
        if location is None or name.partition(".")[0] in kept:
            continue
        path = Path(location).resolve()
        if any(path.is_relative_to(folder) for folder in folders):
            del sys.modules[name]


def _third_party_imports(code_dirs: Sequence[Path], own: set[str]) -> list[str]:
    """What the functions' own modules import from outside themselves and their layers."""
    names: set[str] = set()
    for folder in code_dirs:
        for path in folder.glob("*.py"):
            try:
                tree = ast.parse(path.read_bytes())
            except (SyntaxError, ValueError):
                continue  # its worker's init reports it
            for node in tree.body:
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
    local = own | {path.stem for folder in code_dirs for path in folder.iterdir()}
    return sorted(name for name in names if name.partition(".")[0] not in local)


def preload(folders: list[Path], code_dirs: Sequence[Path] = ()) -> list[str]:
    """Imports what the layers and the functions import; returns the modules it kept loaded.

    Their bytecode is written on the way (Python's own `__pycache__`), so a worker reads the
    layer's and its handler's code compiled instead of compiling it again."""
    before = set(sys.modules)
    original_path = list(sys.path)
    sys.path[:0] = [str(folder) for folder in folders]
    sys.dont_write_bytecode = False
    for folder in [*folders, *code_dirs]:
        compileall.compile_dir(folder, quiet=2, workers=1)
    layer_modules = [name for folder in folders for name in _layer_modules(folder)]
    own = {name.partition(".")[0] for name in layer_modules}
    for name in layer_modules + _third_party_imports(code_dirs, own):
        try:
            importlib.import_module(name)
        except BaseException as error:  # its worker's init will report it, not ours
            print(f"fork server: not preloaded {name}: {error!r}", file=sys.stderr)
    sys.dont_write_bytecode = True
    sys.path[:] = original_path
    _forget_layer_code(folders)
    importlib.invalidate_caches()
    return sorted(set(sys.modules) - before)


def _own_code(folders: list[Path], code_dirs: Sequence[Path]) -> list[Path]:
    """The layers' own source files (not their installed dependencies) and the functions'."""
    files = [path for folder in code_dirs for path in folder.glob("*.py")]
    for folder in folders:
        skipped = _installed_names(folder)
        files += [
            path
            for path in folder.rglob("*.py")
            if path.relative_to(folder).parts[0].removesuffix(".py") not in skipped
        ]
    return files


def warm_clients(folders: list[Path], code_dirs: Sequence[Path] = ()) -> list[str]:
    """Reads botocore's data once for the services the code makes clients of (if it does)."""
    services = botocore_warmup.services_used(_own_code(folders, code_dirs))
    if not services:
        return []
    try:
        return botocore_warmup.warm_data_loader(services)
    except Exception as error:  # without it, workers read the files themselves
        print(f"fork server: botocore data not preloaded: {error!r}", file=sys.stderr)
        return []


def _reap(signum: int, frame: FrameType | None) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _run_worker(request: dict[str, Any], pipes: list[int], base_path: list[str]) -> None:
    """In the forked child: becomes the worker, then exits without returning to the loop."""
    code = 1
    try:
        gc.enable()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(pipes):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["environment"])
        os.chdir(request["cwd"])
        sys.path[:] = base_path
        sys.argv = ["local_gateway.worker"]
        importlib.invalidate_caches()
        worker.run(request["handler"], request["path"])
        code = 0
    except BaseException:  # the child must never return into the server
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(channel: socket.socket, base_path: list[str]) -> None:
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        try:
            message, pipes, _, _ = socket.recv_fds(channel, MAX_MESSAGE, PIPES_PER_WORKER)
        except OSError:
            return
        if not message:
            return  # the gateway closed its end: stop
        request = json.loads(message)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            channel.close()
            _run_worker(request, pipes, base_path)
        for fd in pipes:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        try:
            socket.send_fds(channel, [json.dumps({"pid": pid}).encode()], [pidfd])
        except OSError:
            return  # the gateway is gone; its pipes closing ends the worker too
        finally:
            os.close(pidfd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channel", type=int, required=True)
    parser.add_argument("--layer", action="append", default=[])
    parser.add_argument("--code", action="append", default=[], help="a function's code folder")
    arguments = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the gateway's to handle
    # Python's advice for a parent that forks without exec: no collection while importing,
    # then freeze what was imported, so a worker's collections never touch (and copy) the
    # pages it shares with this server.
    gc.disable()
    channel = socket.socket(fileno=arguments.channel)
    base_path = list(sys.path)
    layers = [Path(folder).resolve() for folder in arguments.layer]
    code_dirs = [Path(folder).resolve() for folder in arguments.code]
    preloaded = preload(layers, code_dirs)
    warm_clients(layers, code_dirs)
    gc.freeze()
    try:
        socket.send_fds(channel, [json.dumps({"preloaded": preloaded}).encode()], [])
    except OSError:
        return  # the gateway stopped while this server was still importing
    serve(channel, base_path)


if __name__ == "__main__":
    main()
