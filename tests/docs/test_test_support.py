"""Test helpers live in the tests/support package; conftest.py files only define fixtures and
hooks, so no test module imports from one."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support.parallel import (
    LONGEST_FIRST,
    SHARED_FIXTURE_GROUPS,
    SharedFixtureScheduling,
    scheduling_for,
)

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[2]
# Moves to tests/support/template.py with the template loader (issue 19's template work).
NOT_YET_MOVED = {"tests.template.conftest"}


def conftest_imports(module: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("conftest"):
            found.add(node.module)
    return found - NOT_YET_MOVED


def test_no_test_module_imports_helpers_from_a_conftest():
    # Given every Python file under tests/, When their imports are read
    offenders = {
        str(module.relative_to(ROOT)): imports
        for module in sorted((ROOT / "tests").rglob("*.py"))
        if (imports := conftest_imports(module))
    }

    # Then none imports from a conftest: helpers come from tests/support
    assert offenders == {}


def test_tests_sharing_a_copy_or_a_gateway_are_one_unit_of_the_parallel_run_longest_first():
    # Given xdist's scheduling as `make test` asks for it (--dist loadgroup, two workers)
    config = SimpleNamespace(
        option=SimpleNamespace(), getvalue={"dist": "loadgroup", "tx": ["2*popen"]}.get
    )
    scheduling = scheduling_for(config, None)
    assert isinstance(scheduling, SharedFixtureScheduling)
    # When it splits node ids of the route and guides suites, the two rename copies, an e2e test
    # and a test of its own into units of work
    units = {
        nodeid: scheduling._split_scope(nodeid)
        for nodeid in (
            "tests/route/test_route_in_a_copy.py::test_the_scaffolded_copy_passes_the_linters[mypy]",
            "tests/guides/test_guides.py::test_the_guides_followed_literally_pass_their_checks",
            "tests/rename/test_rename.py::test_the_renamed_copy_passes_its_fast_suite",
            "tests/rename/test_rename.py::test_keep_users_copy_passes_ruff_mypy_and_its_fast_suite",
            "tests/e2e/test_users.py::test_create_then_get",
            "tests/unit/users/test_create_user.py::test_duplicate_email_is_409",
        )
    }
    # Then the route and guides tests are one unit (their copy is built once), each rename copy
    # another, the e2e tests a third; a test sharing nothing is a unit alone; the units go out
    # in the suite's order, the longest groups first, not xdist's (most tests first)
    assert list(units.values()) == [
        "fork",
        "fork",
        "rename",
        "rename-users-only",
        "e2e",
        "tests/unit/users/test_create_user.py::test_duplicate_email_is_409",
    ]
    assert config.option.loadscopereorder is False
    assert LONGEST_FIRST[:3] == ("rename", "fork", "rename-users-only")
    assert set(LONGEST_FIRST) == {group for _, group in SHARED_FIXTURE_GROUPS} | {
        "rename-users-only"
    }
    # and other distribution modes keep xdist's own scheduling
    assert scheduling_for(SimpleNamespace(getvalue={"dist": "load"}.get), None) is None
