"""The route's entries in template.yaml and the API definition, each where a reader looks.

- the route in the API's OpenAPI document (under its path, new or existing), the domain's tag,
  and the answer's model ``<Item>`` with its example and, for a create, the body's example,
  each unless an earlier route of the domain added it (the body's model ``New<Item>`` is
  rendered from its pydantic model by `make models`, which the scaffold runs after writing).
  The document is ``api/openapi.yaml`` where the RestApi includes it, else the RestApi's
  inline ``DefinitionBody``; the examples are ``api/examples.yaml`` where it exists, else the
  RestApi's ``Metadata.Examples``;
- at the end of ``Resources``: for a new domain its table, then the function;
- its log group and errors and throttles alarms: the function's name added to each per-function
  ``Fn::ForEach`` loop, in template.yaml or in the file it includes among its resources
  (``ops/resources.yaml``); a template without loops declaring each function's log group and
  errors alarm is refused (the function's DeploymentPreference names the alarm);
- with ``AUTH=jwt``, the route under its scope in the authorizer's ``SCOPE_ROUTES``.
"""

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from local_gateway.template import parse_template_text
from scripts.route.render import render
from scripts.route.spec import Route, RouteError
from scripts.route.yaml_text import (
    add_to_loop_collection,
    find_key,
    indent_of,
    insert_at_end_of,
)

TEMPLATE = "template.yaml"
INCLUDED_API = "api/openapi.yaml"
INCLUDED_EXAMPLES = "api/examples.yaml"  # the RestApi's Metadata.Examples names it
REST_API = ["Resources", "RestApi"]
# What a loop over the functions must declare for each (`${Function}ErrorsAlarm`): the function's
# DeploymentPreference names its errors alarm, and every function keeps its logs for a while.
PER_FUNCTION = ("LogGroup", "ErrorsAlarm")
SCOPE_ROUTES = re.compile(r"^( *)SCOPE_ROUTES: >-\s*$")
LINE_LENGTH = 100


@dataclass(frozen=True)
class ApiDefinition:
    """Where the OpenAPI document is and how it spells things."""

    file: str
    document: list[str]  # the key path to the document in its file
    models: list[str]  # the key path to the models
    examples_file: str  # the file of the examples (by model title)
    examples: list[str]  # the key path to them in that file ([]: the file is the examples)
    long_form: bool  # intrinsics as `Fn::Sub:` (AWS::Include reads no short tags)
    lower_case_models: bool

    def model_key(self, title: str) -> str:
        return title.lower() if self.lower_case_models else title


INLINE = ApiDefinition(
    file=TEMPLATE,
    document=[*REST_API, "Properties", "DefinitionBody"],
    models=[*REST_API, "Properties", "Models"],
    examples_file=TEMPLATE,
    examples=[*REST_API, "Metadata", "Examples"],
    long_form=False,
    lower_case_models=False,
)
INCLUDED = ApiDefinition(
    file=INCLUDED_API,
    document=[],
    models=["components", "schemas"],
    examples_file=TEMPLATE,
    examples=[*REST_API, "Metadata", "Examples"],
    long_form=True,
    lower_case_models=True,
)


def api_definition(root: Path) -> ApiDefinition:
    api = INCLUDED if (root / INCLUDED_API).is_file() else INLINE
    if (root / INCLUDED_EXAMPLES).is_file():
        return replace(api, examples_file=INCLUDED_EXAMPLES, examples=[])
    return api


def read_document(root: Path, api: ApiDefinition) -> dict[str, Any]:
    """The OpenAPI document as parsed YAML (intrinsics left as they are)."""
    document = parse_template_text((root / api.file).read_text(), api.file)
    for key in api.document:
        document = document.get(key) or {}
    return document


def read_models(root: Path, api: ApiDefinition) -> dict[str, Any]:
    models = parse_template_text((root / api.file).read_text(), api.file)
    for key in api.models:
        models = models.get(key) or {}
    return models


def add_route(
    root: Path, route: Route, values: dict[str, Any], *, new_domain: bool
) -> dict[str, str]:
    """The new text of each file the route's entries go into, by path."""
    api = api_definition(root)
    values = {**values, "api": api}
    files = (TEMPLATE, api.file, api.examples_file, *included_resources(root))
    texts = {file: (root / file).read_text() for file in files}
    document = read_document(root, api)
    tags = {tag["name"] for tag in document.get("tags", [])}
    if route.domain not in tags:
        edit(texts, api.file, [*api.document, "tags"], render("template/tag.yaml.j2", values))
    # The models its answers and body name, unless the domain's earlier routes added them.
    needed = {"read": [route.model], "create": [f"New{route.model}", route.model], "delete": []}
    have = read_models(root, api)
    models = [title for title in needed[route.kind] if api.model_key(title) not in have]
    if models:
        values = {**values, "models": models}
        # The body's model (New<Item>) gets its example here, its schema from `make models`.
        if schemas := render("template/models.yaml.j2", values).strip():
            edit(texts, api.file, api.models, schemas)
        edit(texts, api.examples_file, api.examples, render("template/examples.yaml.j2", values))
    operation = render("template/operation.yaml.j2", values)
    paths = [*api.document, "paths"]
    if find_key(texts[api.file].split("\n"), [*paths, route.path]) is None:
        preflight = "options: *cors_preflight\n" if "&cors_preflight" in texts[api.file] else ""
        item = f"{route.path}:\n" + indent(preflight + operation, 2)
        edit(texts, api.file, paths, item)
    else:
        edit(texts, api.file, [*paths, route.path], operation)
    text = texts[TEMPLATE]
    resources = render("template/function.yaml.j2", values)
    if new_domain:
        resources = render("template/table.yaml.j2", values) + resources
    loops = per_function_loops(texts)
    text = insert_at_end_of(text, ["Resources"], indent(resources, 2))
    for file, loop in loops:
        if file == TEMPLATE:
            text = add_to_loop_collection(text, loop, route.logical, LINE_LENGTH)
        else:
            texts[file] = add_to_loop_collection(texts[file], loop, route.logical, LINE_LENGTH)
    if route.auth == "jwt":
        text = add_scope_route(text, route.scope, route.route_key)
    texts[TEMPLATE] = text
    return texts


def edit(texts: dict[str, str], file: str, keys: list[str], block: str) -> None:
    """Append ``block`` to the mapping at ``keys`` in ``file``, one level under its key (no
    keys: the file is the mapping, and the block goes at its end)."""
    if not keys:
        texts[file] = texts[file].rstrip("\n") + "\n" + block.strip("\n") + "\n"
        return
    lines = texts[file].split("\n")
    located = find_key(lines, keys)
    if located is None:
        raise KeyError(f"no `{'.'.join(keys)}` in {file}")
    texts[file] = insert_at_end_of(
        texts[file], keys, indent(block, indent_of(lines[located[0]]) + 2)
    )


def indent(block: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line if line.strip() else "" for line in block.split("\n"))


def included_resources(root: Path) -> list[str]:
    """The file template.yaml includes among its resources, where it includes one."""
    template = parse_template_text((root / TEMPLATE).read_text(), TEMPLATE)
    return included_resources_in(template.get("Resources") or {})


def resources_of(texts: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each file's resources by file: template.yaml's Resources, and the included file's whole
    mapping (``texts`` holds template.yaml and may hold other files)."""
    found = {TEMPLATE: parse_template_text(texts[TEMPLATE], TEMPLATE).get("Resources") or {}}
    for file in included_resources_in(found[TEMPLATE]):
        if file in texts:
            found[file] = parse_template_text(texts[file], file) or {}
    return found


def included_resources_in(resources: dict[str, Any]) -> list[str]:
    """The file a Resources mapping includes (its key ``Fn::Transform: AWS::Include``)."""
    transform = resources.get("Fn::Transform")
    if not isinstance(transform, dict) or transform.get("Name") != "AWS::Include":
        return []
    return [str((transform.get("Parameters") or {}).get("Location"))]


def require_per_function_loops(texts: dict[str, str]) -> None:
    """Refuses a template whose loops over the functions do not declare what each function
    needs (``PER_FUNCTION``): the route would name an errors alarm nothing declares."""
    files = resources_of(texts)
    declared = {
        name
        for file, loop in per_function_loops(texts)
        for name in declared_per_item(files[file][loop])
    }
    missing = [name for name in PER_FUNCTION if name not in declared]
    if missing:
        raise RouteError(
            f"no Fn::ForEach loop over the functions declares each one's {' or '.join(missing)} "
            f"(`${{Function}}{missing[0]}`) in {TEMPLATE} or the file it includes: make route "
            "adds a function's name to such loops (docs/how-to/add-a-lambda-route.md)"
        )


def declared_per_item(loop: list[Any]) -> list[str]:
    """What a loop declares for each item: ``LogGroup`` for ``${Function}LogGroup``."""
    variable, _, body = loop
    return [key.replace(f"${{{variable}}}", "") for key in body]


def per_function_loops(texts: dict[str, str]) -> list[tuple[str, str]]:
    """(file, key) of each ``Fn::ForEach`` loop, among template.yaml's resources or those of
    the file it includes, whose collection names functions (``GetUser`` for
    ``GetUserFunction``): each declares one function's log group or alarms."""
    files = resources_of(texts)
    functions = files[TEMPLATE]
    loops = []
    for file, resources in files.items():
        for key, value in resources.items():
            if key.startswith("Fn::ForEach::") and isinstance(value, list) and len(value) == 3:
                names = value[1]
                if (
                    isinstance(names, list)
                    and names
                    and all(f"{name}Function" in functions for name in names)
                ):
                    loops.append((file, key))
    return loops


def add_scope_route(text: str, scope: str, route_key: str) -> str:
    """The authorizer's ``SCOPE_ROUTES`` (a folded JSON object) with the route under its scope,
    written again one scope a line (wrapped between items: folding joins lines with spaces)."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if SCOPE_ROUTES.match(line)), None)
    if start is None:
        raise KeyError("no `SCOPE_ROUTES: >-` in template.yaml (the JWT authorizer's setting)")
    key_indent = indent_of(lines[start])
    end = start + 1
    while end < len(lines) and lines[end].strip() and indent_of(lines[end]) > key_indent:
        end += 1
    scope_routes: dict[str, list[str]] = json.loads(" ".join(lines[start + 1 : end]))
    scope_routes.setdefault(scope, []).append(route_key)
    prefix = " " * (key_indent + 2)
    entries = [f"{json.dumps(name)}: {json.dumps(routes)}" for name, routes in scope_routes.items()]
    body = "{" + ",\n".join(entries) + "}"
    wrapped = [prefix + piece for entry in body.split("\n") for piece in wrap(entry, prefix)]
    return "\n".join([*lines[: start + 1], *wrapped, *lines[end:]])


def wrap(line: str, prefix: str) -> list[str]:
    """A JSON line cut after its commas so that each piece fits the line length."""
    pieces: list[str] = []
    current = ""
    for part in re.split(r"(?<=,) ", line):
        if current and len(prefix) + len(current) + 1 + len(part) > LINE_LENGTH:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}" if current else part
    pieces.append(current)
    return pieces
