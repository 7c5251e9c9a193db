"""Checks a template's APIs and functions before they are served, and picks the one to debug.

Every Lambda integration and authorizer must name a function of the template, and each
function's `Handler` must name a module in its code folder (or one of its layers) that
defines the attribute: a typo fails at start (or at a template reload) in one line naming the
function, the file and the attribute, not as a 502 at the first call. The module is read, not
run: whatever it does at import stays its worker's init, as in Lambda.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable
from pathlib import Path

from local_gateway.api import RestApi, check_mapping_templates, load_apis
from local_gateway.errors import TemplateError
from local_gateway.function_calls import function_arn, function_for_uri
from local_gateway.function_specs import FunctionSpec, load_functions
from local_gateway.template import LoadedTemplate


def _module_file(module: str, folders: Iterable[Path]) -> Path | None:
    parts = module.split(".")
    for folder in folders:
        for candidate in (
            folder.joinpath(*parts).with_suffix(".py"),
            folder.joinpath(*parts, "__init__.py"),
        ):
            if candidate.is_file():
                return candidate
    return None


def _defined_names(body: list[ast.stmt]) -> set[str] | None:
    """Top-level names a module binds; None when it cannot be told (star import, __getattr__)."""
    names: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            for alias in statement.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.partition(".")[0])
        elif isinstance(statement, ast.If | ast.Try | ast.With | ast.For | ast.While):
            nested = [
                *getattr(statement, "body", []),
                *getattr(statement, "orelse", []),
                *getattr(statement, "finalbody", []),
                *(s for h in getattr(statement, "handlers", []) for s in h.body),
            ]
            inner = _defined_names(nested)
            if inner is None:
                return None
            names |= inner
    return None if "__getattr__" in names else names


def _shown(path: Path) -> str:
    """A path relative to the working folder where it is under it (as people type them)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_handler(spec: FunctionSpec) -> None:
    where = f"Resources.{spec.logical_id}.Properties.Handler"
    module, dot, attribute = spec.handler.rpartition(".")
    if not dot or not module or not attribute:
        raise TemplateError(where, f"{spec.handler!r} is not module.function")
    folders = [spec.code_dir, *spec.layer_dirs]
    found = _module_file(module, folders)
    if found is None:
        expected = _shown(spec.code_dir.joinpath(*module.split(".")).with_suffix(".py"))
        raise TemplateError(
            where,
            f"{spec.handler}: no module {module!r} for {spec.logical_id} ({expected} is missing)",
        )
    try:
        names = _defined_names(ast.parse(found.read_bytes(), filename=str(found)).body)
    except (SyntaxError, ValueError):
        return  # its worker's init reports it on each call, as Lambda does
    if names is not None and attribute not in names:
        raise TemplateError(
            where,
            f"{spec.handler}: {_shown(found)} has no attribute {attribute!r} for {spec.logical_id}",
        )


def check_handlers(specs: Iterable[FunctionSpec]) -> None:
    for spec in specs:
        check_handler(spec)


def check_integrations(apis: list[RestApi], function_by_arn: dict[str, str]) -> None:
    """Fails at start, naming the method, for integrations that cannot run locally."""
    for api in apis:
        for method in api.methods:
            where = (
                f"Resources.{api.logical_id}.Properties.Body.paths."
                f"{method.resource_path}.{method.http_method.lower()}"
            )
            variables = api.stage_variables
            custom = function_arn(method.integration.uri or "") is not None
            if method.integration.kind == "aws_proxy" or custom:
                function_for_uri(function_by_arn, method.integration.uri, where, variables)
            if method.authorizer is not None and method.authorizer.kind in ("TOKEN", "REQUEST"):
                uri = method.authorizer.function_uri
                function_for_uri(function_by_arn, uri, f"{where} authorizer", variables)


def with_debug_port(
    functions: dict[str, FunctionSpec], debugged: str | None, port: int | None
) -> dict[str, FunctionSpec]:
    """The functions, the debugged one (if any) with its one worker under debugpy on `port`."""
    if debugged is None or port is None:
        return functions
    if debugged not in functions:
        known = ", ".join(sorted(functions)) or "none"
        raise TemplateError(
            "DEBUG", f"no function {debugged!r} in the template (functions: {known})"
        )
    debug_spec = dataclasses.replace(functions[debugged], debug_port=port, max_workers=1)
    return {**functions, debugged: debug_spec}


def apis_to_serve(template: LoadedTemplate, region: str) -> list[RestApi]:
    """The template's REST APIs in `region`, every mapping template parsed."""
    apis = load_apis(template)
    check_mapping_templates(apis)
    for api in apis:
        api.region = region
    return apis


def functions_to_serve(
    template: LoadedTemplate,
    apis: list[RestApi],
    *,
    endpoint_url: str,
    region: str,
    s3_url: str | None,
    debug: tuple[str | None, int | None] = (None, None),
) -> dict[str, FunctionSpec]:
    """The template's functions, checked: every handler exists, every Lambda integration and
    authorizer names one of them; `debug` (logical id, port) runs that one under debugpy."""
    functions = with_debug_port(
        load_functions(
            template,
            endpoint_url,
            region=region,
            service_endpoints={"S3": s3_url} if s3_url else None,
        ),
        *debug,
    )
    check_handlers(functions.values())
    check_integrations(apis, {spec.arn: key for key, spec in functions.items()})
    return functions
