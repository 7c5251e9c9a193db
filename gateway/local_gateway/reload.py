"""Reloads what changed under a running gateway: function code, layers, the template itself.

Polls file modification times (no extra dependency, works on every file system). A change under
a function's code folder or one of its layers retires that function's warm workers; a change to
`template.yaml` or `samconfig.toml` calls back the gateway, which reloads the template.
`check()` does one pass and is what tests call; `start()` runs it in the background.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from local_gateway.api import RestApi
from local_gateway.function_specs import FunctionSpec
from local_gateway.functions import WorkerPool
from local_gateway.provisioning import LocalResources
from local_gateway.template import LoadedTemplate

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


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


class CodeWatcher:
    """`pools`: the live pools (asked again on each pass, as a template reload replaces them);
    `sources` and `on_source_change`: the files whose change reloads the template, and how."""

    def __init__(
        self,
        pools: Iterable[WorkerPool] | Callable[[], Iterable[WorkerPool]],
        interval_seconds: float = 0.25,
        *,
        sources: Sequence[Path] = (),
        on_source_change: Callable[[], None] | None = None,
    ) -> None:
        if callable(pools):
            self._pools = pools
        else:
            fixed = list(pools)
            self._pools = lambda: fixed
        self._interval = interval_seconds
        self._snapshots: dict[Path, dict[str, int]] = {}
        self._sources = list(sources)
        self._source_stamps = {path: _stamp(path) for path in self._sources}
        self._on_source_change = on_source_change
        self._watch_new_folders()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def _watch_new_folders(self) -> None:
        for pool in self._pools():
            for folder in pool.spec.watched_dirs:
                if folder not in self._snapshots:
                    self._snapshots[folder] = _snapshot(folder)

    def check_sources(self) -> bool:
        """Reloads the template if one of its files changed; True if it did."""
        now = {path: _stamp(path) for path in self._sources}
        if now == self._source_stamps:
            return False
        changed = [path.name for path in self._sources if now[path] != self._source_stamps[path]]
        self._source_stamps = now
        log.info("%s changed: reloading the template", ", ".join(changed))
        if self._on_source_change is not None:
            self._on_source_change()
        self._watch_new_folders()
        return True

    def check(self) -> list[str]:
        """Reloads the pools whose folders changed (and the template, if its files changed);
        returns the logical ids of the functions whose workers were retired."""
        self.check_sources()
        changed = set()
        for folder, before in self._snapshots.items():
            now = _snapshot(folder)
            if now != before:
                self._snapshots[folder] = now
                changed.add(folder)
        reloaded = []
        for pool in self._pools():
            if changed.intersection(pool.spec.watched_dirs):
                pool.reload()
                reloaded.append(pool.spec.logical_id)
        if reloaded:
            log.info("code changed: reloaded %s", ", ".join(reloaded))
        return reloaded

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stopped.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="code-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self.check()
            except Exception:
                log.exception("the file watcher failed; it goes on watching")

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()


def _routes(apis: Iterable[RestApi]) -> set[str]:
    return {f"{m.http_method} {m.resource_path}" for api in apis for m in api.methods}


def _diff(label: str, before: set[str], after: set[str], changed: Iterable[str] = ()) -> str:
    parts = [f"+{name}" for name in sorted(after - before)]
    parts += [f"-{name}" for name in sorted(before - after)]
    parts += [f"~{name}" for name in sorted(changed)]
    return f"{label} {', '.join(parts)}" if parts else ""


class Served(Protocol):
    """What a gateway serves now (`gateway.LocalGateway` is one)."""

    @property
    def template(self) -> LoadedTemplate: ...
    @property
    def apis(self) -> list[RestApi]: ...
    @property
    def functions(self) -> dict[str, FunctionSpec]: ...
    @property
    def resources(self) -> LocalResources: ...


@dataclass(frozen=True)
class ChangeSummary:
    """What a template reload changed: routes, functions and resources, added/removed/changed."""

    routes: str
    functions: str
    resources: str
    kept: tuple[str, ...]  # resources changed in the template but kept as first provisioned

    @classmethod
    def between(
        cls,
        gateway: Served,
        template: LoadedTemplate,
        apis: list[RestApi],
        functions: dict[str, FunctionSpec],
    ) -> ChangeSummary:
        old, new = gateway.template.resources, template.resources
        changed_functions = [
            k
            for k, spec in functions.items()
            if k in gateway.functions and gateway.functions[k] != spec
        ]
        provisioned = set(gateway.resources.physical_ids)
        kept = tuple(
            sorted(
                k
                for k in set(old) & set(new) & provisioned
                if _properties(old[k]) != _properties(new[k])
                and not new[k].get("Type", "").startswith(("AWS::Lambda::", "AWS::ApiGateway::"))
            )
        )
        return cls(
            routes=_diff("routes", _routes(gateway.apis), _routes(apis)),
            functions=_diff("functions", set(gateway.functions), set(functions), changed_functions),
            resources=_diff("resources", set(old), set(new)),
            kept=kept,
        )

    def describe(self) -> str:
        parts = [part for part in (self.routes, self.functions, self.resources) if part]
        if self.kept:
            parts.append(
                f"changed but kept as provisioned (restart to re-create): {', '.join(self.kept)}"
            )
        return "; ".join(parts) or "nothing the API serves changed"


def _properties(resource: dict[str, Any]) -> Any:
    return resource.get("Properties")
