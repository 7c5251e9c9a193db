"""Ownership of test modules: every one says which sample domain it needs (`make rename KEEP=`
removes it by that mark), `core` when every fork keeps it. tests/conftest.py refuses a
collection with a module that says nothing or names an unknown owner."""

from pathlib import Path
from typing import Any

import pytest

from scripts.rename.ownership import Owners

ROOT = Path(__file__).resolve().parents[2]


def _domain_names(marks: Any) -> list[str] | None:
    """The owners a module's `pytestmark` names; None when it has no domain mark."""
    listed = marks if isinstance(marks, list) else [marks]
    domains = [mark for mark in listed if getattr(mark, "name", None) == "domain"]
    return [name for mark in domains for name in mark.args] if domains else None


def ownership_problems(items: list[pytest.Item], owners: Owners) -> list[str]:
    problems = set()
    for item in items:
        if not item.path.is_relative_to(ROOT / "tests"):
            continue
        relative = item.path.relative_to(ROOT).as_posix()
        module = getattr(item, "module", None)
        if module is not None and _domain_names(getattr(module, "pytestmark", [])) is None:
            problems.add(
                f"{relative}: no domain mark; add pytestmark = pytest.mark.domain(...) naming "
                f"core or one of {', '.join(sorted(owners.known - {'core'}))}"
            )
        unknown = owners.unknown(name for mark in item.iter_markers("domain") for name in mark.args)
        if unknown:
            problems.add(f"{relative}: pytest.mark.domain names unknown owners {unknown}")
    return sorted(problems)
