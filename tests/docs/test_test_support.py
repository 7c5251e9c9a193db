"""Test helpers live in the tests/support package; conftest.py files only define fixtures and
hooks, so no test module imports from one."""

import ast
from pathlib import Path

import pytest

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
