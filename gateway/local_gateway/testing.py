"""The gateway in-process, for tests: `with start_gateway(template) as local: local.session...`.

It binds a free port, provisions a fresh moto, and stops everything when the block ends.
Reload (code, layers, template.yaml, samconfig.toml) is driven by the test
(`local.gateway.watcher.check()`), not by a timer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from local_gateway.reload import CodeWatcher
from local_gateway.runtime import RunningGateway, running_gateway


@contextlib.contextmanager
def start_gateway(
    template: Path | str,
    config_env: str = "default",
    *,
    parameter_overrides: dict[str, str] | None = None,
    samconfig: Path | None = None,
    poll_event_sources: bool = False,
    debug: tuple[str, int] | None = None,
) -> Iterator[RunningGateway]:
    """`poll_event_sources` starts the SQS pollers, as `serve` does (off: tests drive queues).
    `debug`: (function logical id, port) to run that function's worker under debugpy."""
    with running_gateway(
        Path(template),
        config_env=config_env,
        port=0,
        parameter_overrides=parameter_overrides,
        samconfig=samconfig,
        watch=False,
        debug=debug,
    ) as running:
        gateway = running.gateway
        if gateway.watcher is None:
            gateway.watcher = CodeWatcher(
                lambda: gateway.pools.values(),
                sources=gateway.source_files,
                on_source_change=gateway.reload_template,
            )
        if poll_event_sources:
            for poller in running.gateway.pollers:
                poller.start()
        yield running
