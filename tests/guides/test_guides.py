"""Each how-to guide, followed literally: its snippets applied to a copy of the repository, then
its checks run there, so a guide cannot drift from what the tests and linters enforce. The guides
add unrelated things, so one copy takes every guide's snippets and the checks they share run once.

A guide says where each snippet goes on the line before its fenced block, in words a reader
follows and this test parses:
- **`path`** (new file):                   the block is the whole file;
- **`path`**, at the end of `A.B.C`:       the block ends the YAML mapping A.B.C (written at
  its indentation: nothing is re-indented);
- **`path`**, after the line `text`:       the block follows the first line reading `text`;
- **`path`**, the line `text` becomes:     the block replaces the one line reading `text`;
- **`path`**, at the end:                  the block is appended;
- **`path`** (replacing what `make route` wrote):  the block is the whole file, which exists;
- **`path`**, `A.B.C` replaced by:         the block takes the place of the key A.B.C and
  everything under it.
Commands it has the reader run (`make route ...`) are the ```shell block after the line
**Run it:**, run where they stand, between the snippets.
Its checks are the ```shell block after the line **Check it:**, run one command a line (no
shell: comments dropped, no pipes) in the copy, with this venv and node_modules linked in (as after
`make setup` and `npm ci`) and the copy's own packages first on the import path.
The copy is the one tests/route scaffolds its routes in (tests/support/fork_copy.py, the
`fork_copy` fixture of tests/conftest.py): the guides' pytest checks and the route suite's run
as one pytest over every path either names.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.route.yaml_text import end_of_mapping, find_key, is_content
from tests.support.fork_copy import ForkCopy, is_pytest, paths_of

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "how-to"
NEW_FILE = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\* \(new file\):$")
END_OF = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\*, at the end of `(?P<keys>[^`]+)`:$")
AFTER = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\*, after the line `(?P<line>.+)`:$")
REPLACE = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\*, the line `(?P<line>.+)` becomes:$")
APPEND = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\*, at the end:$")
REPLACE_FILE = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\* \(replacing what `make route` wrote\):$")
REPLACE_BLOCK = re.compile(r"^\*\*`(?P<file>[^`]+)`\*\*, `(?P<keys>[^`]+)` replaced by:$")
CHECK = "**Check it:**"
RUN = "**Run it:**"
FENCE = re.compile(r"^```(\w*)")

pytestmark = [pytest.mark.guides, pytest.mark.domain("core")]


@dataclass(frozen=True)
class Step:
    kind: str  # new, end_of, after, replace, append, replace_file, replace_block, run, check
    file: str
    where: str
    text: str


def fenced_block(lines: list[str], start: int) -> tuple[str, int]:
    """The fenced block opening at lines[start]: its text and the index after its closing fence."""
    if not FENCE.match(lines[start]):
        raise AssertionError(f"line {start + 1}: a snippet's fence must follow its directive")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    text = "\n".join(lines[start + 1 : end])
    return (text + "\n" if text else ""), end + 1


def steps_of(guide: Path) -> list[Step]:
    lines = guide.read_text().splitlines()
    steps: list[Step] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        patterns = (
            ("new", NEW_FILE),
            ("end_of", END_OF),
            ("after", AFTER),
            ("replace", REPLACE),
            ("replace_file", REPLACE_FILE),
            ("replace_block", REPLACE_BLOCK),
        )
        for kind, pattern in patterns:
            match = pattern.match(line)
            if match:
                where = match.groupdict().get("keys") or match.groupdict().get("line") or ""
                text, index = fenced_block(lines, index + 1)
                steps.append(Step(kind, match["file"], where, text))
                break
        else:
            match = APPEND.match(line)
            if match or line in (CHECK, RUN):
                text, index = fenced_block(lines, index + 1)
                kind = "append" if match else "check" if line == CHECK else "run"
                steps.append(Step(kind, match["file"] if match else "", "", text))
            else:
                index += 1
    return steps


def apply(copy: Path, step: Step) -> None:
    target = copy / step.file
    if step.kind in ("new", "replace_file"):
        exists = target.exists()
        assert exists == (step.kind == "replace_file"), (
            f"{step.file} exists already: the guide would overwrite it"
            if exists
            else f"{step.file} is not there to replace: did `make route` write it?"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(step.text)
        return
    lines = target.read_text().split("\n")
    block = step.text.rstrip("\n").split("\n")
    if step.kind == "replace_block":
        located = find_key(lines, step.where.split("."))
        assert located, f"{step.file} has no `{step.where}` to replace"
        end = end_of_mapping(lines, step.where.split("."))
        target.write_text("\n".join([*lines[: located[0]], *block, *lines[end:]]))
        return
    if step.kind == "append":
        at = len(lines) - 1 if lines[-1] == "" else len(lines)
    elif step.kind in ("after", "replace"):
        wanted = step.where.strip()
        matches = [i for i, line in enumerate(lines) if line.strip() == wanted]
        assert matches, f"{step.file} has no line `{wanted}`"
        at = matches[0] + 1
        if step.kind == "replace":
            assert len(matches) == 1, f"{step.file} has {len(matches)} lines `{wanted}`"
            del lines[matches[0]]
            at -= 1
    else:
        at = end_of_mapping(lines, step.where.split("."))
    target.write_text("\n".join([*lines[:at], *block, *lines[at:]]))


def guides_with_steps() -> list[Path]:
    return [guide for guide in sorted(GUIDES.glob("*.md")) if steps_of(guide)]


# What the template tests run themselves (test_cfn_lint_is_clean_with_each_stages_parameters
# lints template.yaml with the serverless rules, with each stage's parameters and then with the
# defaults): a guide's check running exactly this is done once, by them.
CFN_LINT_OF_THE_TEMPLATE_TESTS = [
    "--append-rules",
    "cfn_lint_serverless.rules",
    "--",
    "template.yaml",
]


def merged_checks(commands: list[list[str]]) -> list[list[str]]:
    """Each distinct command once, in the order the guides give them; the pytest commands run as
    one, over every path any of them names (the template tests are most of a check's time), and
    no cfn-lint run the template tests make when pytest runs them."""
    merged: list[list[str]] = []
    for command in commands:
        if command in merged:
            continue
        same_runner = next(
            (
                earlier
                for earlier in merged
                if command[0].endswith("pytest") and earlier[0] == command[0]
            ),
            None,
        )
        if same_runner is None:
            merged.append(list(command))
        else:
            same_runner += [argument for argument in command[1:] if argument not in same_runner]
    if any(command[0].endswith("pytest") and "tests/template" in command for command in merged):
        merged = [
            command
            for command in merged
            if not (
                command[0].endswith("cfn-lint") and command[1:] == CFN_LINT_OF_THE_TEMPLATE_TESTS
            )
        ]
    return merged


def follow_guides(copy: Path, run: Callable[[list[str], str], None]) -> list[list[str]]:
    """Each guide's snippets applied to the copy where it says, and the commands it has the
    reader run run there (`run` asserts each passes); the checks of all guides, merged."""
    commands: list[list[str]] = []
    for guide in guides_with_steps():
        steps = steps_of(guide)
        checks = [step for step in steps if step.kind == "check"]
        assert checks, f"{guide.name} changes the repository but has no **Check it:** block"
        for step in steps:
            if step.kind == "run":
                for command in commands_of(step):
                    run(command, f"the steps of {guide.name} before it")
            elif step.kind != "check":
                apply(copy, step)
        commands += [command for check in checks for command in commands_of(check)]
    return merged_checks(commands)


def test_the_guides_followed_literally_pass_their_checks(fork_copy: ForkCopy):
    # Given a copy of the repository, as a fork has it, with the tools already installed, where
    # every guide was followed (the guides add unrelated things: one copy takes them all, so the
    # slow checks they share run once; tests/route's scaffolded routes are in it too, and their
    # checks and these ran together: tests/support/fork_copy.py)
    after = ", ".join(guide.name for guide in guides_with_steps())
    # When every check of every guide has run in the copy
    for command in fork_copy.guide_checks:
        # Then each passed (the pytest runs as one, over every path any guide or the route
        # suite names)
        if is_pytest(command):
            assert set(paths_of(command)) <= set(fork_copy.test_paths)
            result = fork_copy.tests
        else:
            result = fork_copy.results[tuple(command)]
        assert result.returncode == 0, (
            f"`{shlex.join(result.args)}` failed in the copy after {after}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )


def commands_of(step: Step) -> list[list[str]]:
    """A shell block's commands, one a line (comments dropped)."""
    return [shlex.split(line, comments=True) for line in step.text.splitlines() if is_content(line)]


def test_checks_shared_by_guides_run_once_and_pytest_over_every_path():
    # Given two guides' checks that share a step and a linter the template tests also run, and
    # name different test folders
    cfn_lint = [".venv/bin/cfn-lint", *CFN_LINT_OF_THE_TEMPLATE_TESTS]
    commands = [
        ["make", "openapi"],
        cfn_lint,
        [".venv/bin/pytest", "-q", "tests/template", "tests/unit/invoices"],
        ["make", "openapi"],
        cfn_lint,
        [".venv/bin/pytest", "-q", "tests/template", "tests/unit/integrations"],
    ]
    # When they are merged
    # Then the step runs once, the linter only in the template tests (which lint with each
    # stage's parameters and the defaults), and pytest once over the union of the folders
    assert merged_checks(commands) == [
        ["make", "openapi"],
        [
            ".venv/bin/pytest",
            "-q",
            "tests/template",
            "tests/unit/invoices",
            "tests/unit/integrations",
        ],
    ]
    assert merged_checks([cfn_lint, ["make", "openapi"]]) == [cfn_lint, ["make", "openapi"]]


def test_a_snippet_goes_at_the_end_of_the_mapping_its_key_path_names():
    # Given YAML with a comment before the next key, and nested mappings
    lines = ["a:", "  b:", "    c: 1", "    d: 2", "  # about e", "  e:", "    f: 3", "g: 4"]
    # When the end of a.b and of a are looked up
    # Then a.b ends after `d` (the comment belongs to `e`), and a after `f`
    assert end_of_mapping(lines, ["a", "b"]) == 4
    assert end_of_mapping(lines, ["a"]) == 7
    with pytest.raises(KeyError, match=re.escape("no `a.x`")):
        end_of_mapping(lines, ["a", "x"])


def test_a_snippet_replaces_the_one_line_it_names(tmp_path: Path):
    # Given a file with the line a guide changes, and one with that line twice
    (tmp_path / "stages.yaml").write_text("Stage:\n  AllowedValues: [dev, prod]\n  Default: dev\n")
    (tmp_path / "twice.yaml").write_text("a:\n  - dev\nb:\n  - dev\n")
    step = Step(
        "replace", "stages.yaml", "AllowedValues: [dev, prod]", "  AllowedValues: [dev, qa, prod]\n"
    )
    # When the snippet is applied
    apply(tmp_path, step)
    # Then that line is the snippet, and the others stay; a line found twice is refused
    assert (tmp_path / "stages.yaml").read_text() == (
        "Stage:\n  AllowedValues: [dev, qa, prod]\n  Default: dev\n"
    )
    with pytest.raises(AssertionError, match="has 2 lines"):
        apply(tmp_path, Step("replace", "twice.yaml", "- dev", "x\n"))
