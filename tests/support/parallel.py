"""How `make test` shares the suite between pytest-xdist's workers: tests that share an expensive
fixture (a session gateway, a copy of the repository) form a group that runs on one worker, so
the fixture is built once; the groups go out longest first, then the other tests one by one
(tests/conftest.py orders the suite and hands xdist this scheduling)."""

from typing import Any

from xdist.scheduler import LoadScopeScheduling

# Path prefix -> the group its tests share a worker in.
SHARED_FIXTURE_GROUPS = (
    ("tests/rename/", "rename"),
    # tests/guides and tests/route change one copy (the fork_copy fixture, tests/conftest.py).
    ("tests/guides/", "fork"),
    ("tests/route/test_route_in_a_copy.py", "fork"),
    ("tests/e2e/test_deployed_mode.py", "deployed-mode"),
    ("tests/e2e/test_key_rotation.py", "key-rotation"),
    ("tests/e2e/", "e2e"),
    ("gateway/tests/corpus/", "corpus"),
    ("gateway/tests/conformance/", "conformance"),
)
# The groups, longest first (what each costs: CONTRIBUTING.md, "What a `make test` costs").
LONGEST_FIRST = (
    "rename",
    "fork",
    "rename-users-only",
    "corpus",
    "e2e",
    "key-rotation",
    "deployed-mode",
    "conformance",
)


def group_of(nodeid: str) -> str | None:
    """The group of the test with this node id (`path::name[parameters]`), if it has one."""
    path, _, name = nodeid.partition("::")
    for prefix, group in SHARED_FIXTURE_GROUPS:
        if path.startswith(prefix):
            # The two rename copies (a renamed fork, a users-only fork) are two groups.
            if group == "rename" and "users" in name:
                return "rename-users-only"
            return group
    return None


class SharedFixtureScheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, a scope being a group above or else one test. (xdist's own
    loadgroup reads `xdist_group` marks through a suffix it writes into each node id, which
    pytest 9.2's structured node ids no longer take: pytest-xdist issue 1386. Every test then
    ran alone, and each worker built the groups' fixtures for itself.)"""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid) or nodeid


def scheduling_for(config: Any, log: Any) -> LoadScopeScheduling | None:
    """The scheduling of `--dist loadgroup` (tests/conftest.py's pytest_xdist_make_scheduler);
    None leaves any other mode to xdist."""
    if config.getvalue("dist") != "loadgroup":
        return None
    # The scopes in the suite's order (the longest groups first), not xdist's (most tests first).
    config.option.loadscopereorder = False
    return SharedFixtureScheduling(config, log)
