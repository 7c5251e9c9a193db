"""The local gateway's modules import only downward: no cycle, the pipeline's driver on top.

LAYERS below is the one place that says where each module of `local_gateway` sits, top layer
first. A module may import modules of its own layer or of a lower one; an import of a higher
layer, an import cycle (within a layer too), or a module in no layer fails the test, naming
the module and where to fix it. Imports under `if TYPE_CHECKING:` and inside functions count:
a cycle through type hints is still one a reader has to untangle.
"""

import ast
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = "local_gateway"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

# (layer, what belongs there, its modules), top first. A new module goes into the layer of
# what it is for; a module needing a higher one belongs higher, or the shared part lower.
LAYERS: tuple[tuple[str, str, frozenset[str]], ...] = (
    (
        "entry points",
        "command line and test harness",
        frozenset({"__main__", "cli", "session_commands", "testing"}),
    ),
    (
        "server",
        "HTTP front and the running process",
        frozenset({"runtime", "http_server", "session_files"}),
    ),
    (
        "gateway",
        "LocalGateway: starts, reloads and stops everything below",
        frozenset({"gateway"}),
    ),
    (
        "gateway parts",
        "what LocalGateway wires besides the pipeline",
        frozenset(
            {
                "api_reference",
                "event_sources",
                "local_endpoints",
                "reload",
                "session",
                "stack",
                "start_checks",
            }
        ),
    ),
    (
        "driver",
        "calls the steps in API Gateway's order",
        frozenset({"pipeline.driver"}),
    ),
    (
        "steps",
        "one module per API Gateway step, each taking the call's context",
        frozenset(
            {
                "pipeline.access_logging",
                "pipeline.api_key",
                "pipeline.authorize",
                "pipeline.gateway_response",
                "pipeline.integration",
                "pipeline.integration_request",
                "pipeline.integration_response",
                "pipeline.payload_limit",
                "pipeline.route",
                "pipeline.validate",
            }
        ),
    ),
    (
        "request context",
        "the per-request context and the deployment the steps read",
        frozenset({"pipeline.context"}),
    ),
    (
        "integrations",
        "one backend per integration type, and what passes between the integration steps",
        frozenset(
            {
                "integrations.aws_service",
                "integrations.exchange",
                "integrations.http",
                "integrations.http_client",
                "integrations.lambda_custom",
                "integrations.lambda_proxy",
                "integrations.mock",
                "integrations.parameters",
                "integrations.query_json",
            }
        ),
    ),
    (
        "services",
        "what the steps use: authorizers, keys, functions, local AWS, event sources",
        frozenset(
            {
                "api_key_store",
                "api_keys",
                "background",
                "botocore_warmup",
                "cognito",
                "demo_users",
                "forkserver",
                "function_calls",
                "function_specs",
                "functions",
                "iam_auth",
                "iam_callers",
                "lambda_authorizer",
                "local_aws",
                "oidc",
                "openapi",
                "openapi_errors",
                "openapi_examples",
                "processes",
                "provisioning",
                "request_validation",
                "resource_names",
                "s3_endpoint",
                "s3_notifications",
                "s3_post_policy",
                "schedules",
                "secrets_rotation",
                "signed_request",
                "sqs_poller",
                "throttling",
                "usage_plans",
                "worker",
                "worker_log",
            }
        ),
    ),
    (
        "API model",
        "the template and the API read from it, mapping templates, API Gateway's formats",
        frozenset(
            {
                "access_log",
                "api",
                "content_conversion",
                "gateway_responses",
                "intrinsics",
                "language_extensions",
                "method_response",
                "policy",
                "proxy",
                "routing",
                "samconfig",
                "template",
                "vtl",
                "vtl_util",
                "vtl_values",
            }
        ),
    ),
    (
        "foundation",
        "plain data and errors every layer may use",
        frozenset(
            {
                "__init__",
                "errors",
                "framing",
                "http_messages",
                "integrations.__init__",
                "pipeline.__init__",
                "rejections",
            }
        ),
    ),
)


def module_sources(package_dir: Path) -> dict[str, str]:
    """Each module's source by its name inside the package (`pipeline.route`, `__init__`)."""
    return {
        ".".join(path.relative_to(package_dir).with_suffix("").parts): path.read_text()
        for path in sorted(package_dir.rglob("*.py"))
    }


def _package_of(module: str) -> list[str]:
    parts = module.split(".")
    return parts[:-1]


def imported_modules(module: str, source: str, known: set[str]) -> Iterator[str]:
    """The package's modules `module` imports (an imported package counts as its __init__)."""

    def resolve(dotted: list[str]) -> str | None:
        if not dotted:
            return "__init__"
        name = ".".join(dotted)
        if name in known:
            return name
        if f"{name}.__init__" in known:
            return f"{name}.__init__"
        return None

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and (target := resolve(parts[1:])) is not None:
                    yield target
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module)[: len(_package_of(module)) - node.level + 1]
                parts = [*base, *(node.module or "").split(".")] if node.module else base
            elif node.module and node.module.split(".")[0] == PACKAGE:
                parts = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                # `from local_gateway import vtl` imports the module vtl itself.
                target = resolve([*parts, alias.name]) or resolve(parts)
                if target is not None:
                    yield target


def import_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    known = set(sources)
    return {
        module: set(imported_modules(module, source, known)) - {module}
        for module, source in sources.items()
    }


def layer_of() -> dict[str, int]:
    """Each declared module's layer index, 0 the top."""
    return {module: index for index, (_, _, modules) in enumerate(LAYERS) for module in modules}


def _layer_table() -> str:
    return "\n".join(
        f"  {index}. {name} ({purpose})" for index, (name, purpose, _) in enumerate(LAYERS)
    )


def unplaced_modules(graph: Mapping[str, set[str]]) -> list[str]:
    layers = layer_of()
    return [
        f"{PACKAGE}.{module} is in no layer: add it to LAYERS in gateway/tests/"
        f"test_import_graph.py, in the layer of what it is for (top first):\n{_layer_table()}"
        for module in sorted(graph)
        if module not in layers
    ]


def upward_imports(graph: Mapping[str, set[str]]) -> list[str]:
    """One line per import of a module in a higher layer than the importer's."""
    layers = layer_of()
    found = []
    for module in sorted(graph):
        for target in sorted(graph[module]):
            if module in layers and target in layers and layers[target] < layers[module]:
                found.append(
                    f"{PACKAGE}.{module} ({LAYERS[layers[module]][0]}) imports "
                    f"{PACKAGE}.{target} ({LAYERS[layers[target]][0]}), a higher layer: move "
                    f"what it needs down, or {module} up (LAYERS in gateway/tests/"
                    "test_import_graph.py)"
                )
    return found


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Every import cycle, as the modules around it (the first repeated last)."""
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                if (members := frozenset(cycle)) not in seen:
                    seen.add(members)
                    cycles.append(cycle)
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def problems(package_dir: Path) -> list[str]:
    graph = import_graph(module_sources(package_dir))
    return [
        *unplaced_modules(graph),
        *upward_imports(graph),
        *(
            "import cycle: " + " -> ".join(f"{PACKAGE}.{m}" for m in cycle)
            for cycle in import_cycles(graph)
        ),
    ]


def test_the_gateway_modules_import_only_downward_with_no_cycle():
    # Given the local_gateway package as it is
    # When its import graph is checked against the layers
    found = problems(PACKAGE_DIR)

    # Then every module has a layer, imports nothing above it and is in no cycle
    assert found == [], "\n".join(found)


def test_only_the_driver_calls_the_steps_and_only_the_gateway_calls_the_driver():
    # Given the import graph and the layers' steps
    graph = import_graph(module_sources(PACKAGE_DIR))
    steps = next(modules for name, _, modules in LAYERS if name == "steps")

    def importers(target: str) -> set[str]:
        return {module for module, targets in graph.items() if target in targets}

    # When we ask who imports each step, and who imports the driver
    step_importers = {step: importers(step) for step in steps}
    driver_importers = importers("pipeline.driver")

    # Then the driver imports every step and is their only importer, and the gateway alone
    # runs the driver
    assert steps <= graph["pipeline.driver"]
    assert all(found == {"pipeline.driver"} for found in step_importers.values()), step_importers
    assert driver_importers == {"gateway"}


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / PACKAGE
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_step_importing_the_gateway_is_named_as_an_upward_import(package_copy):
    # Given a step that imports the gateway above it
    route = package_copy / "pipeline" / "route.py"
    route.write_text(route.read_text() + "\nfrom local_gateway.gateway import LocalGateway\n")

    # When the graph is checked
    found = problems(package_copy)

    # Then the edge is named, with its layers, and so is the cycle it closes
    assert any(
        line.startswith(
            "local_gateway.pipeline.route (steps) imports local_gateway.gateway (gateway), "
            "a higher layer"
        )
        for line in found
    ), found
    assert any(line.startswith("import cycle: ") and "gateway" in line for line in found), found


def test_an_upward_import_under_type_checking_counts(package_copy):
    # Given the request context importing a step, for a type hint only
    context = package_copy / "pipeline" / "context.py"
    context.write_text(
        context.read_text()
        + "\nfrom typing import TYPE_CHECKING\n"
        + "if TYPE_CHECKING:\n    from local_gateway.pipeline import route\n"
    )

    # When the graph is checked
    found = problems(package_copy)

    # Then it is an upward import all the same
    assert any(
        "local_gateway.pipeline.context (request context) imports "
        "local_gateway.pipeline.route (steps)" in line
        for line in found
    ), found


def test_a_cycle_inside_one_layer_is_named(package_copy):
    # Given two integration modules that import each other (same layer, so no upward import)
    mock = package_copy / "integrations" / "mock.py"
    mock.write_text(mock.read_text() + "\nfrom local_gateway.integrations import http\n")
    http = package_copy / "integrations" / "http.py"
    http.write_text(http.read_text() + "\nfrom . import mock\n")

    # When the graph is checked
    found = problems(package_copy)

    # Then the cycle is named module by module
    http_first = "local_gateway.integrations.http -> local_gateway.integrations.mock"
    assert (
        f"import cycle: {http_first} -> local_gateway.integrations.http" in found
        or "import cycle: local_gateway.integrations.mock -> local_gateway.integrations.http"
        " -> local_gateway.integrations.mock"
        in found
    ), found
    assert not any("a higher layer" in line for line in found), found


def test_a_new_module_in_no_layer_is_told_where_to_go(package_copy):
    # Given a module nobody placed
    (package_copy / "pipeline" / "cors.py").write_text('"""CORS preflight."""\n')

    # When the graph is checked
    found = problems(package_copy)

    # Then the message names it and the file and layers to put it in
    assert len(found) == 1
    assert found[0].startswith("local_gateway.pipeline.cors is in no layer: add it to LAYERS in")
    assert "5. steps" in found[0]
