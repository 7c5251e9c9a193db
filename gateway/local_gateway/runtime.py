"""Starts a whole local gateway (port, moto, resources, workers, HTTP) and stops it cleanly."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from local_gateway.gateway import LocalGateway
from local_gateway.http_server import GatewayHttpServer, bind, serve_in_thread
from local_gateway.session import Session

log = logging.getLogger("local_gateway")


@dataclass
class RunningGateway:
    gateway: LocalGateway
    server: GatewayHttpServer
    session: Session

    @property
    def api_url(self) -> str:
        return self.session.api_url


@contextlib.contextmanager
def running_gateway(
    template: Path,
    *,
    config_env: str = "default",
    host: str = "127.0.0.1",
    port: int = 3000,
    parameter_overrides: dict[str, str] | None = None,
    samconfig: Path | None = None,
    watch: bool = True,
    state_dir: Path | None = None,
    debug: tuple[str, int] | None = None,
) -> Iterator[RunningGateway]:
    """The gateway serving on host:port (0 picks a free port) until the block ends.
    `debug`: (function logical id, port) to run that function's worker under debugpy."""
    server = bind(host, port)
    try:
        bound_port = server.server_address[1]
        gateway = LocalGateway(
            template,
            config_env=config_env,
            base_url=f"http://{host}:{bound_port}",
            parameter_overrides=parameter_overrides,
            samconfig_path=samconfig,
            state_dir=state_dir,
            debug=debug,
        )
        gateway.start(watch=watch)
        try:
            thread = serve_in_thread(server, gateway)
            try:
                yield RunningGateway(gateway, server, gateway.session())
            finally:
                server.shutdown()
                thread.join()
        finally:
            gateway.stop()
    finally:
        server.server_close()
