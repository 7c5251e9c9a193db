"""`make rename` on a copy of the repository leaves a service with the new name whose fast
suite and linters pass.

The copy holds the working tree without what git ignores, as a fresh clone would. Its tests
run with this venv's tools and the copy's own packages first on the import path (PYTHONPATH),
and no old spelling may remain anywhere, so nothing in the copy can import the original.
"""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.fork_copy import copy_mypy_cache, copy_of_repository, git

ROOT = Path(__file__).resolve().parents[2]
NEW_NAME = "orders-api"
# Generic code the rename leaves alone (scripts/rename reads the name from pyproject).
UNTOUCHED = ("gateway/", "scripts/rename/")

# The copy runs the fast part: no `sam build`, nothing driven over HTTP through the local gateway
# (e2e, fuzz, load, faults: the suite here runs those), and not this test (it would recurse).
FAST_SUITE = (
    "not build and not e2e and not fuzz and not load and not faults and not rename and not guides"
    " and not route"
)
# Only the service's tests: the gateway's own suite tests code and fixtures the rename leaves
# byte for byte as they are (test_the_rename_leaves_the_generic_gateway_as_it_is), so running
# it in the copy would test the same bytes twice.
COPY_SUITE = ("-m", FAST_SUITE, "tests")

pytestmark = [pytest.mark.rename, pytest.mark.domain("core")]


def project_name(root: Path) -> str:
    with (root / "pyproject.toml").open("rb") as pyproject:
        name: str = tomllib.load(pyproject)["project"]["name"]
    return name


OLD_NAME = project_name(ROOT)
OLD_SPELLINGS = re.compile(
    "|".join(
        re.escape(spelling)
        for spelling in (
            OLD_NAME,
            OLD_NAME.replace("-", "_"),
            "".join(word.capitalize() for word in OLD_NAME.split("-")),
        )
    )
    + r"(?![a-z0-9_])"
)


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Path:
    copy = copy_of_repository(tmp_path_factory.mktemp("fork"))
    subprocess.run(
        [sys.executable, "-m", "scripts.rename", "--name", NEW_NAME],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy


def copy_environment(copy: Path) -> dict[str, str]:
    """This venv's tools, the copy's own packages first on the import path."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(copy / "layers" / "shared"), str(copy / "gateway")]),
    }


def test_no_old_spelling_remains_in_the_copy(renamed):
    # Given a copy renamed to orders-api
    # When every tracked text file outside the generic code is read
    leftovers = []
    listing = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=renamed)
    for relative in listing.split("\0"):
        path = renamed / relative
        if not relative or relative.startswith(UNTOUCHED) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        leftovers += [f"{relative}: {match}" for match in OLD_SPELLINGS.findall(text)]
    # Then none still says the old name
    assert leftovers == []


def test_the_layer_package_is_moved_and_imports_from_the_copy(renamed):
    # Given a copy renamed to orders-api
    # When its package is imported the way its tests will import it
    result = subprocess.run(
        [sys.executable, "-c", "import orders_api; print(orders_api.__file__)"],
        cwd=renamed,
        env=copy_environment(renamed),
        check=True,
        capture_output=True,
        text=True,
    )
    # Then it comes from the moved folder, and the old folder is gone
    assert Path(result.stdout.strip()) == renamed / "layers/shared/orders_api/__init__.py"
    assert not (renamed / "layers" / "shared" / OLD_NAME.replace("-", "_")).exists()


def files_under(root: Path, folder: str) -> dict[str, bytes]:
    listing = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", folder, cwd=root)
    return {name: (root / name).read_bytes() for name in listing.split("\0") if name}


@pytest.mark.parametrize("copy", ["renamed", "users_only"])
def test_the_rename_leaves_the_generic_gateway_as_it_is(copy, request):
    # Given a renamed copy and a copy that kept only users
    copied = request.getfixturevalue(copy)
    # When the local gateway's code and its own tests are compared with the original's
    # Then not one byte differs (so its suite need not run again in a copy)
    assert files_under(copied, "gateway") == files_under(ROOT, "gateway")


def test_stacks_and_metric_namespace_carry_the_new_name(renamed):
    # Given a copy renamed to orders-api
    # When its samconfig and template are read
    with (renamed / "samconfig.toml").open("rb") as samconfig:
        config = tomllib.load(samconfig)
    template = (renamed / "template.yaml").read_text()
    # Then each stage deploys its own orders-api stack and metrics go to OrdersApi
    for stage in ("dev", "staging", "prod"):
        assert config[stage]["global"]["parameters"]["stack_name"] == f"orders-api-{stage}"
    assert "POWERTOOLS_METRICS_NAMESPACE: OrdersApi" in template
    assert project_name(renamed) == NEW_NAME


def test_renaming_to_the_current_name_changes_nothing(renamed):
    # Given a copy already renamed to orders-api
    git("add", "--all", cwd=renamed)
    before = git("write-tree", cwd=renamed)
    # When it is renamed to orders-api again
    subprocess.run(
        [sys.executable, "-m", "scripts.rename", "--name", NEW_NAME],
        cwd=renamed,
        check=True,
        capture_output=True,
    )
    # Then not one file differs from the first rename
    git("add", "--all", cwd=renamed)
    assert git("write-tree", cwd=renamed) == before


@pytest.mark.parametrize("name", ["Orders", "orders_api", "-orders", "orders--api", "a" * 41])
def test_a_name_that_is_no_stack_or_package_name_is_refused(renamed, name):
    # Given a name CloudFormation or Python could not use
    # When the rename is asked for it
    result = subprocess.run(
        [sys.executable, "-m", "scripts.rename", f"--name={name}"],
        cwd=renamed,
        check=False,
        capture_output=True,
        text=True,
    )
    # Then it refuses before touching anything, saying what a name must look like
    assert result.returncode == 2
    assert "lowercase words joined by hyphens" in result.stderr


def test_the_renamed_copy_passes_ruff(renamed):
    # Given a copy renamed to orders-api (a new name can sort imports differently)
    # When ruff checks it as `make lint` does
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "."],
            cwd=renamed,
            capture_output=True,
            text=True,
            check=False,
        )
        # Then it is clean
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_renamed_copy_passes_its_fast_suite(renamed):
    # Given a copy renamed to orders-api
    # When its fast suite runs there
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *COPY_SUITE,
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=renamed,
        env=copy_environment(renamed),
        capture_output=True,
        text=True,
        check=False,
    )
    # Then every test passes
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)


def test_sam_init_from_an_archive_of_the_repository_gives_the_project_as_it_is(tmp_path):
    # Given the repository as a zip, as `sam init --location` downloads it (no cookiecutter.json:
    # docs/architecture.md, "Why not a copier or cookiecutter template")
    archive = tmp_path / "repository.zip"
    git("archive", "--format=zip", "--prefix=sample/", f"--output={archive}", "HEAD", cwd=ROOT)
    # When sam init starts a project from it
    sam = str(Path(sys.executable).parent / "sam")
    output = str(tmp_path / "out")
    result = subprocess.run(
        [sam, "init", "--location", str(archive), "--no-input", "--output-dir", output],
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    # Then the project is there unchanged, ready for `make rename`
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("template.yaml", "samconfig.toml", "pyproject.toml", "scripts/rename/cli.py"):
        committed = git("show", f"HEAD:{name}", cwd=ROOT)
        assert (tmp_path / "out" / name).read_text() == committed


# --- KEEP: a fork that keeps only the users domain --------------------------------------------

DROPPED_DOMAINS = ("products", "telemetry", "files")
# What only the dropped domains spell in the template: routes, functions, tables, queues, bucket.
DROPPED_SPELLINGS = re.compile(
    r"/v1/products|/v1/telemetry|/v1/files|/v1/uploads|Product|Telemetry|Readings|FilesBucket"
    r"|CreateUpload|JwtAuthorizer|UsagePlan"
)


@pytest.fixture(scope="module")
def users_only(tmp_path_factory) -> Path:
    copy = copy_of_repository(tmp_path_factory.mktemp("users-only"))
    subprocess.run(
        [sys.executable, "-m", "scripts.rename", "--keep", "users"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy


def run_in(copy: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=copy,
        env={**copy_environment(copy), "SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_keep_users_leaves_no_route_function_or_table_of_the_other_domains(users_only):
    # Given a copy that kept only users
    template = (users_only / "template.yaml").read_text()
    definition = (users_only / "api" / "openapi.yaml").read_text()
    contract = (users_only / "docs" / "openapi.json").read_text()
    # When its template, API definition, contract and code folders are read
    leftovers = sorted(set(DROPPED_SPELLINGS.findall(template + definition + contract)))
    folders = [
        path
        for domain in DROPPED_DOMAINS
        for path in (
            users_only / "layers" / "shared" / OLD_NAME.replace("-", "_") / domain,
            users_only / "tests" / "unit" / domain,
        )
        if path.exists()
    ]
    # Then nothing of products, telemetry, files or the JWT authorizer is left, and users stay
    assert leftovers == []
    assert folders == []
    assert sorted(path.name for path in (users_only / "functions").iterdir() if path.is_dir()) == [
        "create_user",
        "create_user_v2",
        "delete_user",
        "get_internal_user",
        "get_user",
        "get_user_v2",
        "list_users",
        "update_user",
    ]
    assert not (users_only / "authorizers").exists()
    assert "/v1/users/{id}" in contract
    assert "/v1/users/{id}" in definition
    assert "UserPool" in template


def test_keep_users_template_passes_sam_validate(users_only):
    # Given a copy that kept only users (cfn-lint with the serverless rules checks its template
    # in its fast suite: tests/template lints it with each stage's parameters and the defaults)
    lints_per_stage = "def test_cfn_lint_is_clean_with_each_stages_parameters("
    assert lints_per_stage in (users_only / "tests/template/test_operations.py").read_text()
    bin_folder = Path(sys.executable).parent
    # When sam validate --lint checks its template
    result = run_in(
        users_only,
        *[str(bin_folder / "sam"), "validate", "--lint", "--region", "us-east-1", "--template"],
        "template.yaml",
    )
    # Then it finds nothing
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_keep_users_copy_passes_ruff_mypy_and_its_fast_suite(users_only):
    # Given a copy that kept only users (tests elsewhere that exercised the others went too),
    # with this repository's mypy cache
    copy_mypy_cache(users_only)
    # When the Python linters and the fast suite run there
    commands = [
        [sys.executable, "-m", "ruff", "check", "."],
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        [sys.executable, "-m", "mypy", "layers/shared", "functions", "scripts/rename"],
        [sys.executable, "-m", "pytest", *COPY_SUITE, "-x", "-q", "-p", "no:cacheprovider"],
    ]
    for command in commands:
        result = run_in(users_only, *command)
        # Then each passes
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_an_unknown_domain_to_keep_is_refused(renamed):
    # Given a domain the template does not have
    # When the rename is asked to keep it
    result = run_in(renamed, sys.executable, "-m", "scripts.rename", "--keep", "users invoices")
    # Then it refuses, naming the domains there are
    assert result.returncode == 2
    assert "users, products, telemetry, files" in result.stderr


def test_keeping_users_again_changes_nothing(users_only):
    # Given a copy that kept only users (its owners table now names users and Cognito only)
    git("add", "--all", cwd=users_only)
    before = git("write-tree", cwd=users_only)
    # When users is kept again
    result = run_in(users_only, sys.executable, "-m", "scripts.rename", "--keep", "users")
    # Then not one file differs
    assert result.returncode == 0, result.stderr
    git("add", "--all", cwd=users_only)
    assert git("write-tree", cwd=users_only) == before
