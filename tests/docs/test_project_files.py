"""The project files a fork relies on say true things: links resolve, the tests the security
model names exist, and pre-commit runs the linters of `make lint` from the venv."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.support.template import template_resources

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


FENCED_BASH = re.compile(r"^[ \t]*```bash\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
VARIABLE_USE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)\}?")
ASSIGNMENT = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# A list item telling the reader what to put in a variable: "- `API_URL`: ..." or "- `A` / `B`:"
DESCRIBED = re.compile(r"^[ \t]*- ((?:`[A-Z][A-Z0-9_]*`(?: / )?)+):", re.MULTILINE)
SHELL_VARIABLES = {"HOME", "PATH", "PWD", "USER"}


def definitions(text: str) -> dict[str, int]:
    """Where each variable is first set (in a bash block) or described (in a list item)."""
    found: dict[str, int] = {}

    def note(name: str, position: int) -> None:
        found[name] = min(found.get(name, position), position)

    for block in FENCED_BASH.finditer(text):
        for match in ASSIGNMENT.finditer(block.group(1)):
            note(match.group(1), block.start(1) + match.start())
    for match in DESCRIBED.finditer(text):
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", match.group(1)):
            note(name, match.start())
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_variable_a_documented_command_uses_is_set_before_it(document):
    # Given the commands of a page, and where the page sets or explains each variable
    text = document.read_text()
    defined = definitions(text)
    # When each variable a command reads is looked up
    unset = sorted(
        {
            f"${match.group(1)}"
            for block in FENCED_BASH.finditer(text)
            for match in VARIABLE_USE.finditer(block.group(1))
            if match.group(1) not in SHELL_VARIABLES
            and defined.get(match.group(1), len(text)) > block.start(1) + match.start()
        }
    )
    # Then the page set it (or told the reader what to put in it) before that command
    assert unset == []


def test_the_usage_plan_guide_names_the_condition_the_demo_keys_use():
    # Given the template's demo keys in usage plans and the guide on adding a plan
    resources = template_resources()
    guide = (ROOT / "docs" / "how-to" / "add-a-usage-plan.md").read_text()
    conditions = {
        resource.get("Condition")
        for resource in resources.values()
        if resource["Type"] in ("AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlanKey")
    }
    # When the guide's snippets say which condition a new plan's demo key goes under
    said = set(re.findall(r"^    Condition: (\w+)$", guide, re.MULTILINE))
    # Then it is the one condition every demo key of the template has
    assert len(conditions) == 1
    assert said == conditions


def test_the_readme_lists_every_make_target_with_a_help_line():
    # Given the targets `make help` lists and the README's table of targets
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][a-z-]*):.*## ", makefile, re.MULTILINE)
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^\| `make ([a-z][a-z-]*)", readme, re.MULTILINE))
    listed |= {"help"} if "`make help` lists them all" in readme else set()
    # When they are compared
    # Then each target is in the table
    assert sorted(set(targets) - listed) == []


def test_the_vscode_launch_configuration_attaches_to_make_devs_debug_port():
    # Given the Makefile's default debug port and the shipped VS Code launch configuration
    makefile = (ROOT / "Makefile").read_text()
    port = int(re.search(r"^DEBUG_PORT \?= (\d+)$", makefile, re.MULTILINE).group(1))
    text = (ROOT / ".vscode" / "launch.json").read_text()
    launch = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE))
    # When its attach configuration is read
    (attach,) = [c for c in launch["configurations"] if c["request"] == "attach"]
    # Then it is a debugpy attach to that port on the loopback
    assert attach["type"] == "debugpy"
    assert attach["connect"] == {"host": "127.0.0.1", "port": port}


def test_make_token_without_as_mints_for_the_default_demo_user():
    # Given GNU make, which predefines AS (the assembler)
    # When `make token` runs with no AS= (dry run: nothing is minted)
    dry_run = subprocess.run(
        ["make", "-n", "token"],  # noqa: S607 - the make on PATH, as a reader runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    # Then it asks for the default demo user's token, not for a user named "as"
    assert 'token user "admin@example.com"' in dry_run.stdout
