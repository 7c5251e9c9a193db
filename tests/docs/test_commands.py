"""Every shell command in the README and the docs works, so the docs cannot rot.

The commands are the lines of the fenced ```bash blocks in README.md, CONTRIBUTING.md and
docs/ (continuation lines joined, comments dropped). Each one must be one of:

- `make TARGET [VAR=value ...]`: the target exists and `make -n` accepts it with those
  variables (CI runs the cheap ones for real: setup, lint, test, build; the others need AWS
  or Docker and are only dry-run here). A recipe calling `$(MAKE)` is not dry-run: make
  would run it for real.
- `python -m local_gateway ...` or `sam ...`: every option it uses is in the command's own
  `--help`.
- `aws SERVICE OPERATION ...`: the operation and each option exist in botocore's model of
  the service (the CLI is generated from it); `aws cloudformation deploy` deploys a template
  that cfn-lint finds clean.
- `curl ...`: executed, against the local gateway started here with the session's facts in
  the variables the docs use (API_URL, ID_TOKEN, ADMIN_TOKEN, API_KEY, DEVICES_KEY,
  ISSUER_TOKEN); `-f` makes an error answer fail the command.
- `cd DIR`: the folder exists.
- `export NAME=VALUE`: a plain value, or `$(COMMAND)` whose command is checked by these rules.
- `pytest ...` (or `.venv/bin/pytest ...`): it collects at least one test with those paths and
  options, and every marker its `-m` expression names is registered.

Leading `NAME=value` environment assignments are allowed before any of these and not checked.
A how-to guide's "Check it" block (```shell) is not read here: tests/guides/test_guides.py runs
it for real, on a copy of the repository with the guide's snippets applied.

A command that is none of these fails the test: add a rule here, or write it another way.
"""

import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import botocore.session
import pytest

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])
# Fences may be indented (inside a list item).
FENCED_BASH = re.compile(r"^[ \t]*```bash\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
ENVIRONMENT_ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=")


def commands_in(document: Path) -> list[str]:
    commands = []
    for block in FENCED_BASH.findall(document.read_text()):
        for line in block.replace("\\\n", " ").splitlines():
            # shlex drops comments the way the shell does (a '#' inside quotes stays).
            if shlex.split(line, comments=True):
                commands.append(" ".join(line.split()))
    return commands


DOCUMENTED = [
    (str(document.relative_to(ROOT)), command)
    for document in DOCUMENTS
    for command in commands_in(document)
]
CURL_COMMANDS = [
    pytest.param(command, id=f"{where}: {command}")
    for where, command in DOCUMENTED
    if command.startswith("curl ")
]
OFFLINE_COMMANDS = [
    pytest.param(command, id=f"{where}: {command}")
    for where, command in DOCUMENTED
    if not command.startswith("curl ")
]


def run(command: list[str], **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)


def make_recipes() -> dict[str, str]:
    """Each target of the Makefile and its recipe, read as text (nothing is run)."""
    makefile = (ROOT / "Makefile").read_text()
    rules = re.split(r"^(?=[a-z][a-z-]*:)", makefile, flags=re.MULTILINE)
    recipes = {}
    for rule in rules:
        target = re.match(r"([a-z][a-z-]*):", rule)
        if target:
            recipes[target.group(1)] = "\n".join(
                line for line in rule.splitlines()[1:] if line.startswith("\t")
            )
    return recipes


@cache
def help_text(*command: str) -> str:
    result = run([*command, "--help"], cwd=ROOT, env={**os.environ, "SAM_CLI_TELEMETRY": "0"})
    assert result.returncode == 0, f"{' '.join(command)} --help: {result.stderr}"
    return result.stdout


def options_of(words: list[str]) -> list[str]:
    return [word.split("=", 1)[0] for word in words if word.startswith("--")]


def subcommand_path(words: list[str]) -> list[str]:
    """The leading words that are no option and no option's value: `token issuer`."""
    path = []
    for word in words:
        if word.startswith("-"):
            break
        path.append(word)
    return path


def check_make(words: list[str]) -> None:
    targets = [word for word in words if "=" not in word and not word.startswith("-")]
    assert targets, "make with no target"
    recipes = make_recipes()
    for target in targets:
        assert target in recipes, f"no make target {target!r}"
        # make runs a recipe that calls $(MAKE) even under -n, and with .ONESHELL that is the
        # whole recipe (`make -n test` would run the suite): such targets are not dry-run.
        if "$(MAKE)" in recipes[target]:
            continue
        dry_run = run(["make", "-n", target, *[word for word in words if "=" in word]], cwd=ROOT)
        assert dry_run.returncode == 0, dry_run.stderr


def check_pytest(words: list[str]) -> None:
    pytest_command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    collected = run([*pytest_command, "--collect-only", "-q", *words], cwd=ROOT)
    assert collected.returncode == 0, f"pytest --collect-only: {collected.stdout[-2000:]}"
    if "-m" in words:
        expression = words[words.index("-m") + 1]
        named = set(re.findall(r"[A-Za-z_]\w*", expression)) - {"and", "or", "not"}
        paths = [word for word in words if not word.startswith("-") and (ROOT / word).exists()]
        registered = run([*pytest_command, "--markers", *paths], cwd=ROOT).stdout
        for marker in named:
            assert re.search(rf"@pytest\.mark\.{marker}[:(]", registered), f"no marker {marker!r}"


def check_help_lists_options(command: list[str], words: list[str]) -> None:
    text = help_text(*command, *subcommand_path(words))
    for option in options_of(words):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text), (
            f"{' '.join(command)}: {option} is not in its --help"
        )


def check_aws(words: list[str]) -> None:
    service, operation, *arguments = words
    if (service, operation) == ("cloudformation", "deploy"):
        # A CLI customization (create or update a change set), not an API operation.
        template = arguments[arguments.index("--template-file") + 1]
        lint = run([str(Path(sys.executable).parent / "cfn-lint"), "--", template], cwd=ROOT)
        assert lint.returncode == 0, lint.stdout
        return
    model = botocore.session.get_session().get_service_model(service)
    operations = {name.lower(): name for name in model.operation_names}
    name = operations.get(operation.replace("-", ""))
    assert name, f"aws {service} has no operation {operation}"
    members = {
        member.lower()
        for member in (model.operation_model(name).input_shape.members or {})  # type: ignore[union-attr]
    }
    # The CLI's own options (output shaping, pagination), not the operation's.
    global_options = {"--region", "--query", "--output", "--profile", "--max-items", "--page-size"}
    for option in options_of(arguments):
        if option not in global_options:
            assert option[2:].replace("-", "") in members, f"aws {service} {operation}: {option}"


EXPORT = re.compile(r"export [A-Z_][A-Z0-9_]*=(?:\$\((?P<command>.*)\)|[^\s$`;&|]+)")


@pytest.mark.parametrize("command", OFFLINE_COMMANDS)
def test_documented_command_is_checked_offline(command):
    check_command(command)


def check_command(command: str) -> None:
    # Given one command a reader will paste from the docs
    if command.startswith("export "):
        exported = EXPORT.fullmatch(re.sub(r"\s+#[^)]*$", "", command))
        assert exported, f"export of one variable, a plain value or $(command): {command}"
        if exported.group("command"):
            check_command(exported.group("command"))
        return
    program, *words = shlex.split(command, comments=True)
    while ENVIRONMENT_ASSIGNMENT.match(program):
        program, *words = words
    # When it is checked by the rule for its program
    if program == "make":
        check_make(words)
    elif program == "python" and words[:2] == ["-m", "local_gateway"]:
        check_help_lists_options([sys.executable, "-m", "local_gateway"], words[2:])
    elif program == "sam":
        check_help_lists_options([str(Path(sys.executable).parent / "sam")], words)
    elif program == "aws":
        check_aws(words)
    elif Path(program).name == "pytest":
        check_pytest(words)
    elif program == "cd":
        assert (ROOT / words[0]).is_dir()
    else:
        pytest.fail(f"no rule checks {program!r} commands: add one to tests/docs/test_commands.py")
    # Then the rule found nothing wrong (each check asserts)


def test_every_document_is_read():
    # Given the docs folder and the README
    # When their commands are collected
    documents_with_commands = {document.name for document in DOCUMENTS if commands_in(document)}
    # Then the README and the pages that teach commands are among them (none silently skipped)
    assert {"README.md", "CONTRIBUTING.md", "operations.md"} <= documents_with_commands
    assert len(DOCUMENTED) >= 20


@pytest.fixture(scope="module")
def local_api():
    from local_gateway.testing import start_gateway

    with start_gateway(ROOT / "template.yaml") as local:
        session = local.session
        users = session.users
        admin = next(name for name, user in users.items() if "admins" in user["groups"])
        user = next(name for name, user in users.items() if not user["groups"])
        yield {
            "API_URL": local.api_url,
            "ADMIN_TOKEN": users[admin]["id_token"],
            "ID_TOKEN": users[user]["id_token"],
            "API_KEY": session.api_keys["partner"],
            "DEVICES_KEY": session.api_keys["devices"],
            "ISSUER_TOKEN": session.issuer["token"],
        }


@pytest.mark.e2e
@pytest.mark.parametrize("command", CURL_COMMANDS)
def test_documented_curl_command_works_against_the_local_api(local_api, command):
    # Given the local gateway and the variables the docs tell a reader to set
    # When the documented curl command runs
    result = run(["bash", "-c", command], env={**os.environ, **local_api}, timeout=60)
    # Then it succeeds (the docs' curl lines use -f, so an error status fails it)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
