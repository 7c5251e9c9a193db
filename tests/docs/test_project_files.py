"""The project files a fork relies on say true things: links resolve, the tests the security
model names exist, and pre-commit runs the linters of `make lint` from the venv."""

import re
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_resolve(document):
    # Given a page of the docs
    targets = [link for link in LINK.findall(document.read_text()) if "://" not in link]
    # When each relative link is followed from the page's folder
    missing = [link for link in targets if not (document.parent / link).exists()]
    # Then it reaches a file or folder of the repository
    assert missing == []


def test_every_test_the_security_model_names_exists():
    # Given the security model's table of guards and the tests that prove them
    text = (ROOT / "docs" / "security.md").read_text()
    files = set(re.findall(r"`((?:gateway/)?tests/[\w/]+\.py)`", text))
    names = set(re.findall(r"`(test_[\w*]+)`", text))
    # When the named files and test functions are looked up
    sources = "\n".join(path.read_text() for path in ROOT.glob("**/tests/**/test_*.py"))
    missing_files = sorted(name for name in files if not (ROOT / name).is_file())
    patterns = {name: "def " + name.replace("*", r"\w*") + r"\(" for name in names}
    missing_names = sorted(name for name in names if not re.search(patterns[name], sources))
    # Then every one exists (a renamed test must be renamed in the docs too)
    assert files
    assert missing_files == []
    assert missing_names == []


def lint_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text()
    return makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]


def test_pre_commit_runs_the_linters_of_make_lint_from_the_venv():
    # Given the pre-commit hooks and the lint target
    hooks = yaml_parse((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    recipe = lint_recipe()
    # When each hook's tool is read
    tools = {hook["entry"].split()[0] for hook in hooks}
    # Then each is the venv's copy of a tool `make lint` runs, and none is left out
    assert tools == {f".venv/bin/{tool}" for tool in ("ruff", "mypy", "cfn-lint", "actionlint")}
    for tool in tools:
        assert Path(tool).name in recipe
    assert all(hook["language"] == "system" for hook in hooks)


def test_pre_commit_mypy_checks_the_folders_make_lint_checks():
    # Given the Makefile's strict mypy folders and the mypy hook
    folders = re.search(
        r"^MYPY_STRICT := \$\(wildcard (.*)\)$", (ROOT / "Makefile").read_text(), re.M
    )
    hooks = yaml_parse((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    mypy = next(hook for hook in hooks if hook["id"] == "mypy")
    # When they are compared
    # Then they are the same folders
    assert folders is not None
    assert mypy["entry"].split()[1:] == folders.group(1).split()
