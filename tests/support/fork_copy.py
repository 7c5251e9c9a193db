"""Copies of the repository as a fork starts from it, and the one copy that tests/route and
tests/guides change the way a fork's developer does.

tests/route scaffolds its routes there (`make route`) and tests/guides follows every how-to guide
there (their domains differ); then every check either suite names runs once over the result, in
the order the guides give them, and the tests of both read the results. Two copies, one for each
suite, used to run the same template, contract and lint checks twice.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def git(*arguments: str, cwd: Path) -> str:
    command = ["git", *arguments]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def copy_of_repository(destination: Path) -> Path:
    """The working tree as the suite here sees it (git-ignored files left out), in a git
    repository of its own, as a fork starts."""
    listing = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT)
    for relative in listing.split("\0"):
        source = ROOT / relative
        if relative and source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "--quiet", cwd=destination)
    git("add", "--all", cwd=destination)
    return destination


def link_tools(copy: Path) -> None:
    """This venv and node_modules in the copy, entry by entry, with make's `.installed` stamps
    of their own: make in the copy never reinstalls (it would rewrite the venv to point at the
    copy, or `npm ci` over this node_modules)."""
    for tools in (".venv", "node_modules"):
        (copy / tools).mkdir()
        for entry in (ROOT / tools).iterdir():
            if entry.name != ".installed":
                (copy / tools / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
        (copy / tools / ".installed").touch()


def copy_mypy_cache(copy: Path) -> None:
    """This repository's mypy cache in the copy: mypy checks again what differs, and the cache
    spares it the standard library and the third-party stubs, which are the same files."""
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", copy / ".mypy_cache", dirs_exist_ok=True)


def environment(copy: Path) -> dict[str, str]:
    """This venv's tools first on PATH (as make puts them), the copy's packages on the path."""
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(copy / ".venv" / "bin"), os.environ["PATH"]]),
        "PYTHONPATH": os.pathsep.join([str(copy / "layers" / "shared"), str(copy / "gateway")]),
    }


def run_in(copy: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=copy, env=environment(copy), capture_output=True, text=True, check=False
    )


def failed(result: subprocess.CompletedProcess[str]) -> str:
    return f"`{' '.join(result.args)}` failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


def is_pytest(command: list[str]) -> bool:
    return command[0].endswith("pytest")


def paths_of(pytest_command: list[str]) -> list[str]:
    """The paths a pytest command runs (its arguments that are no option)."""
    return [argument for argument in pytest_command[1:] if not argument.startswith("-")]


@dataclass(frozen=True)
class ForkCopy:
    """The copy after the routes and the guides, and what each check printed there."""

    path: Path
    # The guides' checks, merged (tests/guides/test_guides.py, merged_checks).
    guide_checks: list[list[str]]
    # Every command but pytest, by its arguments: each ran once.
    results: dict[tuple[str, ...], subprocess.CompletedProcess[str]]
    # One pytest run over every path either suite names, and its JUnit report.
    test_paths: list[str]
    tests: subprocess.CompletedProcess[str]
    report: Path


def fork_with_routes_and_guides(destination: Path) -> ForkCopy:
    # The suites' plans live with their tests; they import this module at their top.
    from tests.guides.test_guides import follow_guides
    from tests.route.test_route_in_a_copy import LINTERS, ROUTES, TOUCHED, make_route

    copy = copy_of_repository(destination)
    link_tools(copy)
    copy_mypy_cache(copy)
    for variables, _, _ in ROUTES:
        result = make_route(copy, variables)
        assert result.returncode == 0, failed(result)

    def run_step(command: list[str], after: str) -> None:
        result = run_in(copy, *command)
        assert result.returncode == 0, f"after {after}: {failed(result)}"

    guide_checks = follow_guides(copy, run_step)
    results: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}
    paths: list[str] = []
    options: list[str] = []
    for command in [*guide_checks, *LINTERS.values()]:
        if is_pytest(command):
            paths += paths_of(command)
            options += [argument for argument in command[1:] if argument.startswith("-")]
        elif tuple(command) not in results:
            results[tuple(command)] = run_in(copy, *command)
    paths += [*TOUCHED, *(e2e for _, e2e, _ in ROUTES)]
    paths = list(dict.fromkeys(paths))
    report = destination.parent / f"{destination.name}-tests.xml"
    pytest_command = [".venv/bin/pytest", *dict.fromkeys(options), "-p", "no:cacheprovider"]
    tests = run_in(copy, *pytest_command, f"--junitxml={report}", *paths)
    return ForkCopy(copy, guide_checks, results, paths, tests, report)
