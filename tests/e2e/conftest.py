"""The end-to-end suite's session: one target (a local gateway, or the stage at `API_URL`) and
one API client for every test; `local_only` tests skip against a deployed stage. What a target
is and how the client calls it: tests/support/e2e.py.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from local_gateway.runtime import RunningGateway
from local_gateway.template import parse_template_text
from local_gateway.testing import start_gateway
from tests.support.e2e import LOCAL_MAX_UPLOAD, TEMPLATE, Api, Target, deployed_api_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "local_only(reason): looks behind the local gateway's API; skipped when API_URL is set",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("local_only")
    if marker is not None and deployed_api_url():
        pytest.skip(f"local only, not run against API_URL: {marker.kwargs['reason']}")


@pytest.fixture(scope="session")
def orders_stand_in() -> Iterator[Any]:
    """The orders stand-in the local gateway's orders route points at (as `make dev` starts it)."""
    stand_in = importlib.import_module("stand_ins.orders_backend").OrdersStandIn()
    stand_in.start()
    yield stand_in
    stand_in.stop()


def declared_parameters() -> set[str]:
    return set(parse_template_text(TEMPLATE.read_text()).get("Parameters") or {})


@pytest.fixture(scope="session")
def local(request: pytest.FixtureRequest) -> Iterator[RunningGateway]:
    """The session's local gateway; only for tests marked `local_only` when API_URL is set."""
    if deployed_api_url():
        pytest.fail("this test looks behind the API at the local gateway: mark it local_only")
    # As `make dev` does: queued telemetry reaches its consumer while the suite runs, and the
    # orders route reaches the stand-in (on a free port here). A 1 MiB upload bound keeps the
    # "one byte too many" upload small. Each only where the template has it (a fork may not).
    declared = declared_parameters()
    overrides: dict[str, str] = {}
    if "OrdersBackendUrl" in declared:
        overrides["OrdersBackendUrl"] = request.getfixturevalue("orders_stand_in").url
    if "MaxUploadBytes" in declared:
        overrides["MaxUploadBytes"] = str(LOCAL_MAX_UPLOAD)
    with start_gateway(TEMPLATE, poll_event_sources=True, parameter_overrides=overrides) as running:
        yield running


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    if deployed_api_url():
        return Target.from_environment(os.environ)
    running: RunningGateway = request.getfixturevalue("local")
    return Target.from_local(running)


@pytest.fixture(scope="session")
def api(target: Target) -> Iterator[Api]:
    client = Api(target)
    yield client
    client.http.close()
