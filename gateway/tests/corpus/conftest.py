"""The corpus refuses a case that does not say where AWS's answer was recorded."""

from pathlib import Path

import pytest

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
