"""The corpus refuses a case that does not say where AWS's answer was recorded."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

from .echo_backend import echo_backend

CORPUS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unsourced = [
        item.nodeid
        for item in items
        if item.path.is_relative_to(CORPUS)
        and item.path.name != "test_corpus.py"
        and item.get_closest_marker("recorded") is None
    ]
    if unsourced:
        raise pytest.UsageError(
            "corpus cases without @recorded(source): " + ", ".join(sorted(unsourced))
        )


# -- Shared gateways for the integration, VTL and access cases (one start per session) ---------

TEMPLATES = CORPUS / "templates"


@pytest.fixture(scope="session")
def integrations() -> Iterator[RunningGateway]:
    """`templates/integrations`: MOCK, HTTP (to an echo backend), DynamoDB, S3, SQS."""
    with (
        echo_backend() as authority,
        start_gateway(
            TEMPLATES / "integrations" / "template.yaml",
            parameter_overrides={"EchoAuthority": authority},
        ) as running,
    ):
        yield running


@pytest.fixture(scope="session")
def access() -> Iterator[RunningGateway]:
    """`templates/access`: validators, API keys and usage plans, Lambda authorizers."""
    with start_gateway(TEMPLATES / "access" / "template.yaml") as running:
        yield running
