"""Fixtures shared by the project's tests: AWS credentials that can never reach AWS, every test
module's owner, and the order and grouping of the suite when it runs in parallel."""

import os
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

from scripts.rename.ownership import Owners
from tests.support.environment import FUNCTION_ENVIRONMENT
from tests.support.fork_copy import ForkCopy, fork_with_routes_and_guides
from tests.support.ownership import ownership_problems
from tests.support.parallel import LONGEST_FIRST, group_of, scheduling_for

# Set before any boto3 client exists: a test that escaped moto would fail to sign, not call AWS.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_METRICS_NAMESPACE="SampleApiTests",
    POWERTOOLS_SERVICE_NAME="tests",
)
# Handlers check their settings when imported, and test modules import them at collection.
for name, value in FUNCTION_ENVIRONMENT.items():
    os.environ.setdefault(name, value)


# --- Running in parallel (`make test` runs pytest-xdist with --dist loadgroup) ---------------
# Tests that share an expensive fixture (a session gateway, a copy of the repository) run on one
# worker, so it is built once; the longest groups are handed out first, so no worker is left
# with a long one at the end (tests/support/parallel.py). Run without xdist, this only orders
# the suite.

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    problems = ownership_problems(items, Owners.of(ROOT))
    if problems:
        raise pytest.UsageError("test modules without a known owner:\n" + "\n".join(problems))
    order = {group: rank for rank, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: order.get(group_of(item.nodeid) or "", len(order)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
    return scheduling_for(config, log)


@pytest.fixture(scope="session")
def fork_copy(tmp_path_factory: pytest.TempPathFactory) -> ForkCopy:
    """A copy of the repository with tests/route's routes scaffolded and every how-to guide
    followed, and what each of the two suites' checks printed there (run once)."""
    return fork_with_routes_and_guides(tmp_path_factory.mktemp("fork"))
