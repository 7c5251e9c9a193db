"""`make route` on a copy of the repository: the scaffolded routes pass, as generated, what
`make test` checks of them.

The copy takes four routes that cover each thing the scaffold writes: a new domain with a
Cognito read, a create in the same domain (a new path), a delete on an existing path (a new
method there), and a JWT read in a domain of two words (its scope added to the authorizer's).
Then in the copy: the linters of `make lint` that judge the new code, template and contract,
the fast suite (unit, template, contract, docs: the new unit tests among them) and the new e2e
tests against a local gateway started from the copy's template.
"""

import os
import subprocess
from pathlib import Path

import pytest

from tests.guides.test_guides import link_tools
from tests.rename.test_rename import copy_of_repository, git

pytestmark = [pytest.mark.route, pytest.mark.domain("core")]

# (make variables, the e2e test file the route gets)
ROUTES = [
    ({"ROUTE": "GET /v1/invoices/{id}"}, "tests/e2e/test_get_invoice.py"),
    ({"ROUTE": "POST /v1/invoices"}, "tests/e2e/test_create_invoice.py"),
    ({"ROUTE": "DELETE /v1/invoices/{id}"}, "tests/e2e/test_delete_invoice.py"),
    (
        {
            "ROUTE": "GET /v1/purchase-orders/{orderId}",
            "AUTH": "jwt",
            "SCOPE": "purchase-orders:read",
        },
        "tests/e2e/test_get_purchase_order.py",
    ),
]
CHECKOV = ".venv/checkov/bin/checkov"
LINTERS = {
    "ruff": [".venv/bin/ruff", "check", "layers", "functions", "tests", "scripts"],
    "ruff format": [".venv/bin/ruff", "format", "--check", "layers", "functions", "tests"],
    "mypy": [".venv/bin/mypy", "layers/shared", "functions", "scripts/route"],
    "make models --check": [".venv/bin/python", "-m", "scripts.models", "--check"],
    "cfn-lint": [
        ".venv/bin/cfn-lint", "--append-rules", "cfn_lint_serverless.rules", "--", "template.yaml"
    ],
    "checkov": [CHECKOV, "--quiet", "--compact", "--skip-download", "--framework",
                "cloudformation", "-f", "template.yaml"],
    "spectral": ["node_modules/.bin/spectral", "lint", "--fail-severity=warn", "docs/openapi.json"],
    "redocly": ["node_modules/.bin/redocly", "lint", "docs/openapi.json"],
}  # fmt: skip


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


def make_route(copy: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assignments = [f"{name}={value}" for name, value in variables.items()]
    return run_in(copy, "make", "route", *assignments)


def failed(result: subprocess.CompletedProcess[str]) -> str:
    return f"`{' '.join(result.args)}` failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    """A copy of the repository, as a fork has it, with the four routes scaffolded."""
    copy = copy_of_repository(tmp_path_factory.mktemp("fork"))
    link_tools(copy)
    for variables, _ in ROUTES:
        result = make_route(copy, variables)
        assert result.returncode == 0, failed(result)
    return copy


def test_each_route_writes_its_handler_domain_event_tests_and_contract(scaffolded):
    # Given the copy after the four `make route` runs
    changed = git("status", "--porcelain", "--untracked-files=all", cwd=scaffolded)
    # When git lists what changed
    paths = {line[3:] for line in changed.splitlines()}
    # Then each route has its files, and the template and the contract took the routes
    for name in ("get_invoice", "create_invoice", "delete_invoice", "get_purchase_order"):
        assert f"functions/{name}/app.py" in paths
        assert f"events/{name}.json" in paths
    assert "layers/shared/sample_api/invoices/logic.py" in paths
    assert "layers/shared/sample_api/purchase_orders/repository.py" in paths
    assert "tests/unit/invoices/test_delete_invoice.py" in paths
    assert {"template.yaml", "docs/openapi.json", "docs/contract.md"} <= paths
    assert "layers/shared/sample_api/invoices/ports.py" in paths
    contract = (scaffolded / "docs" / "openapi.json").read_text()
    assert '"deleteInvoice"' in contract
    assert '"getPurchaseOrder"' in contract


@pytest.mark.parametrize("linter", list(LINTERS))
def test_the_scaffolded_copy_passes_the_linters(scaffolded, linter):
    # When a linter of `make lint` judges the copy's code, template and contract
    result = run_in(scaffolded, *LINTERS[linter])
    # Then it finds nothing
    assert result.returncode == 0, failed(result)


def test_the_scaffolded_copy_passes_the_tests_of_what_a_route_touches(scaffolded):
    # When the copy's tests of what a new route changes run there: the new unit tests, every
    # handler's imports, the template and contract tests, the docs' checks of the template
    touched = ["tests/unit/invoices", "tests/unit/purchase_orders", "tests/unit/shared"]
    touched += ["tests/template", "tests/contract", "tests/docs/test_project_files.py"]
    result = run_in(scaffolded, ".venv/bin/pytest", "-q", "-p", "no:cacheprovider", *touched)
    # Then every one passes
    assert result.returncode == 0, failed(result)


def test_the_scaffolded_routes_pass_their_e2e_tests_through_a_local_gateway(scaffolded):
    # When the generated e2e tests run against a local gateway of the copy's template
    files = [e2e for _, e2e in ROUTES]
    result = run_in(scaffolded, ".venv/bin/pytest", "-q", "-p", "no:cacheprovider", *files)
    # Then each route answers as its tests expect (none skipped: two tests per read and
    # delete, three for the create)
    assert result.returncode == 0, failed(result)
    assert "9 passed" in result.stdout


def test_a_route_the_copy_has_now_is_refused_and_nothing_changes(scaffolded):
    # Given the copy with its new routes
    before = git("status", "--porcelain", "--untracked-files=all", cwd=scaffolded)
    # When one of them is asked for again
    result = make_route(scaffolded, {"ROUTE": "POST /v1/invoices", "NAME": "add_invoice"})
    # Then make fails with the reason, and no file changed
    assert result.returncode != 0
    assert "POST /v1/invoices exists already" in result.stderr
    assert git("status", "--porcelain", "--untracked-files=all", cwd=scaffolded) == before
