"""The corpus itself: big enough to mean something, and every case cites its recording."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).parent
MINIMUM_CASES = 150


def collected_cases() -> list[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", str(CORPUS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=CORPUS.parents[1],  # the gateway folder: its pyproject.toml configures pytest
    ).stdout
    return [
        line
        for line in listing.splitlines()
        if "::" in line and not line.split("::")[0].endswith("test_corpus.py")
    ]


def test_the_corpus_has_at_least_150_recorded_cases() -> None:
    # Given the corpus as pytest collects it (the conftest refuses any case without a source)
    cases = collected_cases()
    # Then it holds enough cases to speak for the gateway
    by_area = Counter(Path(case.split("::")[0]).stem for case in cases)
    assert len(cases) >= MINIMUM_CASES, f"{len(cases)} cases: {dict(by_area)}"
