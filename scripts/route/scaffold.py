"""Write the route's files and template entries, after checking that nothing is overwritten.

Every check runs before the first write: a refused route leaves the repository as it was.
"""

import ast
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_gateway.template import parse_template_text
from scripts.route.render import context, render
from scripts.route.spec import Route, RouteError
from scripts.route.template_entries import (
    INCLUDED_API,
    add_route,
    api_definition,
    included_resources,
    read_document,
    read_models,
    require_per_function_loops,
    resources_of,
)

TEMPLATE = "template.yaml"
DOMAIN_FILES = ("__init__", "models", "errors", "ports", "logic", "repository")


@dataclass(frozen=True)
class Scaffold:
    """What one route adds: new files by path, and the template's new text."""

    files: dict[str, str]
    edits: dict[str, str]  # the new text of template.yaml (and of the API definition's file)
    new_domain: bool


def package_name(root: Path) -> str:
    """The layer's package, named after the project (``make rename`` renames both)."""
    with (root / "pyproject.toml").open("rb") as pyproject:
        name: str = tomllib.load(pyproject)["project"]["name"]
    return name.replace("-", "_")


def existing_routes(template: dict[str, Any], document: dict[str, Any]) -> set[str]:
    """ "METHOD /path" of every route the API has: in its OpenAPI document and in functions'
    events."""
    paths = document.get("paths") or {}
    routes = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict):
            continue  # an Fn::ForEach loop
        for event in ((resource.get("Properties") or {}).get("Events") or {}).values():
            if event.get("Type") == "Api":
                properties = event.get("Properties") or {}
                routes.add(f"{str(properties.get('Method', '')).upper()} {properties.get('Path')}")
    return routes


def is_scaffolded_domain(domain: Path, route: Route) -> bool:
    """A domain package shaped as `make route` makes one: the models ``New<Item>`` and
    ``<Item>``, ``get/create/delete_<item>(<id or body>, repository)`` in its logic, and the
    cached repository factory; the new route's handler and tests call exactly these."""
    try:
        logic = ast.parse((domain / "logic.py").read_text())
        models = ast.parse((domain / "models.py").read_text())
        repository = ast.parse((domain / "repository.py").read_text())
    except (OSError, SyntaxError):
        return False
    functions = {
        node.name: [argument.arg for argument in node.args.args]
        for node in logic.body
        if isinstance(node, ast.FunctionDef)
    }
    expected = {
        f"get_{route.noun}": [f"{route.noun}_id", "repository"],
        f"create_{route.noun}": ["new", "repository"],
        f"delete_{route.noun}": [f"{route.noun}_id", "repository"],
    }
    classes = {node.name for node in models.body if isinstance(node, ast.ClassDef)}
    factories = {node.name for node in repository.body if isinstance(node, ast.FunctionDef)}
    return (
        all(functions.get(name) == arguments for name, arguments in expected.items())
        and {route.model, f"New{route.model}"} <= classes
        and f"get_{route.noun}_repository" in factories
    )


def plan(root: Path, route: Route) -> Scaffold:
    """The route's files and template text, or a RouteError when it would overwrite anything."""
    package = package_name(root)
    template = parse_template_text((root / TEMPLATE).read_text(), TEMPLATE)
    resources = template.get("Resources") or {}
    api = api_definition(root)
    if route.route_key in existing_routes(template, read_document(root, api)):
        raise RouteError(f"{route.route_key} exists already in {api.file}")
    texts = {file: (root / file).read_text() for file in (TEMPLATE, *included_resources(root))}
    for file, file_resources in resources_of(texts).items():
        for logical in (f"{route.logical}Function", f"{route.logical}LogGroup"):
            if logical in file_resources:
                raise RouteError(f"NAME={route.name}: {file} has a resource {logical} already")
        for key, loop in file_resources.items():
            if key.startswith("Fn::ForEach::") and route.logical in (
                loop[1] if len(loop) > 1 else []
            ):
                raise RouteError(f"NAME={route.name}: {file}'s {key} has {route.logical} already")
    require_per_function_loops(texts)
    domain = root / "layers" / "shared" / package / route.domain
    new_domain = not any(domain.glob("*.py"))  # a folder of bytecode left behind is no domain
    if new_domain:
        models = read_models(root, api)
        taken = [name for name in (route.table,) if name in resources]
        taken += [
            name for name in (route.model, f"New{route.model}") if api.model_key(name) in models
        ]
        if taken:
            raise RouteError(
                f"DOMAIN={route.domain} is new, but {TEMPLATE} has {', '.join(taken)} already"
            )
    elif not is_scaffolded_domain(domain, route) or route.table not in resources:
        raise RouteError(
            f"DOMAIN={route.domain}: {domain.relative_to(root)} was not made by make route (it "
            f"lacks the models, logic or {route.table} a scaffolded route calls); give a new "
            "DOMAIN, or add the route by hand (docs/how-to/add-a-lambda-route.md)"
        )
    values = context(route, package)
    files = {
        f"functions/{route.name}/__init__.py": "",
        f"functions/{route.name}/app.py": render("app.py.j2", values),
        f"events/{route.name}.json": json.dumps(sample_event(route), indent=2) + "\n",
        f"tests/unit/{route.domain}/test_{route.name}.py": render("test_unit.py.j2", values),
        f"tests/e2e/test_{route.name}.py": render("test_e2e.py.j2", values),
    }
    if new_domain:
        layer = f"layers/shared/{package}/{route.domain}"
        for module in DOMAIN_FILES:
            files[f"{layer}/{module}.py"] = render(f"domain/{module}.py.j2", values)
    present = [path for path in files if (root / path).exists()]
    if present:
        raise RouteError(f"these files exist already: {', '.join(present)}")
    edits = add_route(root, route, values, new_domain=new_domain)
    page = root / CONTRACT_PAGE
    if page.is_file():
        edits[CONTRACT_PAGE] = with_contract_row(page.read_text(), route)
    return Scaffold(files, edits, new_domain)


CONTRACT_PAGE = "docs/contract.md"
SUCCESS = {"GET": "200", "POST": "201", "DELETE": "204"}


def with_contract_row(page: str, route: Route) -> str:
    """docs/contract.md with the route's row first in its routes table (the header's rule)."""
    guard = "Cognito" if route.auth == "cognito" else f"custom authorizer, scope `{route.scope}`"
    row = f"| {route.method} | {route.path} | {guard} | Lambda | {SUCCESS[route.method]} |\n"
    rule = "|---|---|---|---|---|\n"
    if rule not in page:
        raise RouteError(f"{CONTRACT_PAGE} has no routes table to add {route.route_key} to")
    return page.replace(rule, rule + row, 1)


def write(root: Path, scaffold: Scaffold) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        raise RouteError("ruff is not installed here: run `make setup` first")
    for relative, content in scaffold.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    for relative, text in scaffold.edits.items():
        (root / relative).write_text(text)
    # Import order depends on the names (is the domain before `observability`?): ruff sorts
    # the imports and wraps long lines as `make fmt` would.
    python = [str(root / path) for path in scaffold.files if path.endswith(".py")]
    for command in (["check", "--quiet", "--fix", "--select", "I"], ["format", "--quiet"]):
        subprocess.run([ruff, *command, *python], check=True)  # noqa: S603 - the venv's ruff
    if (root / INCLUDED_API).is_file():
        render_request_models(root)


def render_request_models(root: Path) -> None:
    """`make models`: a create's body model, New<Item>, rendered into the API definition from
    the pydantic model just written (one source: the scaffold writes no schema of a body)."""
    models = [sys.executable, "-m", "scripts.models", "--root", str(root)]
    done = subprocess.run(models, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RouteError(f"the route is written, but {done.stderr.strip() or done.stdout}")


def sample_event(route: Route) -> dict[str, Any]:
    """A REST (v1) proxy event for the route, as API Gateway sends it (``sam local invoke``
    and the unit test both read it)."""
    path = route.collection + ("/3f0c9a4e-8d2b-4c71-9e5a-6b1d2c3e4f50" if route.parameter else "")
    if route.auth == "cognito":
        authorizer: dict[str, Any] = {
            "claims": {"sub": "0f4e8d2c-1b3a-4c5d-9e8f-7a6b5c4d3e2f", "token_use": "id"}
        }
    else:
        authorizer = {"principalId": "partner-1", "scope": route.scope}
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": route.method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {route.parameter: path.rsplit("/", 1)[1]} if route.parameter else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": route.method,
            "path": f"/dev{path}",
            "stage": "dev",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.10"},
            "authorizer": authorizer,
        },
        "body": json.dumps({"name": f"The first {route.noun}"}) if route.kind == "create" else None,
        "isBase64Encoded": False,
    }
