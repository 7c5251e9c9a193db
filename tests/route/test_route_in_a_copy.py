"""`make route` on a copy of the repository: the scaffolded routes pass, as generated, what
`make test` checks of them.

The copy takes four routes that cover each thing the scaffold writes: a new domain with a
Cognito read, a create in the same domain (a new path), a delete on an existing path (a new
method there), and a JWT read in a domain of two words (its scope added to the authorizer's).
Then in the copy: the linters of `make lint` that judge the new code, template and contract,
the fast suite's tests of what a route touches (unit, template, contract, docs: the new unit
tests among them) and the new e2e tests against a local gateway started from the copy's
template. The copy is the one tests/guides follows every how-to guide in (their domains differ:
the route guide adds invoices), and the checks of both suites run once there
(tests/support/fork_copy.py).
"""

import subprocess
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import pytest

from tests.support.fork_copy import ForkCopy, failed, git, run_in

pytestmark = [pytest.mark.route, pytest.mark.domain("core")]

# (make variables, the e2e test file the route gets, the tests it has: two per read and delete,
# three for the create)
ROUTES = [
    ({"ROUTE": "GET /v1/shipments/{id}"}, "tests/e2e/test_get_shipment.py", 2),
    ({"ROUTE": "POST /v1/shipments"}, "tests/e2e/test_create_shipment.py", 3),
    ({"ROUTE": "DELETE /v1/shipments/{id}"}, "tests/e2e/test_delete_shipment.py", 2),
    (
        {
            "ROUTE": "GET /v1/purchase-orders/{orderId}",
            "AUTH": "jwt",
            "SCOPE": "purchase-orders:read",
        },
        "tests/e2e/test_get_purchase_order.py",
        2,
    ),
]
# The copy's tests of what a new route changes: the new unit tests, every handler's imports, the
# template and contract tests, the docs' checks of the template.
TOUCHED = ["tests/unit/shipments", "tests/unit/purchase_orders", "tests/unit/shared"]
TOUCHED += ["tests/template", "tests/contract", "tests/docs/test_project_files.py"]
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


def make_route(copy: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assignments = [f"{name}={value}" for name, value in variables.items()]
    return run_in(copy, "make", "route", *assignments)


def test_each_route_writes_its_handler_domain_event_tests_and_contract(fork_copy: ForkCopy):
    # Given the copy after the four `make route` runs
    changed = git("status", "--porcelain", "--untracked-files=all", cwd=fork_copy.path)
    # When git lists what changed
    paths = {line[3:] for line in changed.splitlines()}
    # Then each route has its files, and the template and the contract took the routes
    for name in ("get_shipment", "create_shipment", "delete_shipment", "get_purchase_order"):
        assert f"functions/{name}/app.py" in paths
        assert f"events/{name}.json" in paths
    assert "layers/shared/sample_api/shipments/logic.py" in paths
    assert "layers/shared/sample_api/purchase_orders/repository.py" in paths
    assert "tests/unit/shipments/test_delete_shipment.py" in paths
    assert {"template.yaml", "docs/openapi.json", "docs/contract.md"} <= paths
    assert "layers/shared/sample_api/shipments/ports.py" in paths
    contract = (fork_copy.path / "docs" / "openapi.json").read_text()
    assert '"deleteShipment"' in contract
    assert '"getPurchaseOrder"' in contract


@pytest.mark.parametrize("linter", list(LINTERS))
def test_the_scaffolded_copy_passes_the_linters(fork_copy: ForkCopy, linter):
    # When a linter of `make lint` judges the copy's code, template and contract
    result = fork_copy.results[tuple(LINTERS[linter])]
    # Then it finds nothing
    assert result.returncode == 0, failed(result)


def test_the_scaffolded_copy_passes_the_tests_of_what_a_route_touches(fork_copy: ForkCopy):
    # When the copy's tests of what a new route changes run there (with the guides' tests)
    assert set(TOUCHED) <= set(fork_copy.test_paths)
    # Then every one passes
    assert fork_copy.tests.returncode == 0, failed(fork_copy.tests)


def test_the_scaffolded_routes_pass_their_e2e_tests_through_a_local_gateway(fork_copy: ForkCopy):
    # When the generated e2e tests run against a local gateway of the copy's template
    assert {e2e for _, e2e, _ in ROUTES} <= set(fork_copy.test_paths)
    # Then each route answers as its tests expect, none skipped
    assert fork_copy.tests.returncode == 0, failed(fork_copy.tests)
    assert passed_per_module(fork_copy.report) >= Counter(
        {e2e.removesuffix(".py").replace("/", "."): count for _, e2e, count in ROUTES}
    )


def passed_per_module(report: Path) -> Counter[str]:
    """How many tests of each module passed (not failed, errored or skipped), by the JUnit
    report's class names (`tests.e2e.test_get_shipment`)."""
    outcomes = ("failure", "error", "skipped")
    # The report the copy's pytest wrote just now, not data from outside.
    cases = ElementTree.parse(report).iter("testcase")  # noqa: S314
    return Counter(
        case.get("classname", "")
        for case in cases
        if not any(case.find(outcome) is not None for outcome in outcomes)
    )


def test_a_route_the_copy_has_now_is_refused_and_nothing_changes(fork_copy: ForkCopy):
    # Given the copy with its new routes
    before = git("status", "--porcelain", "--untracked-files=all", cwd=fork_copy.path)
    # When one of them is asked for again
    result = make_route(fork_copy.path, {"ROUTE": "POST /v1/shipments", "NAME": "add_shipment"})
    # Then make fails with the reason, and no file changed
    assert result.returncode != 0
    assert "POST /v1/shipments exists already" in result.stderr
    assert git("status", "--porcelain", "--untracked-files=all", cwd=fork_copy.path) == before
