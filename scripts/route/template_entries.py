"""The route's entries in template.yaml, each where a reader looks for it.

- the route in the API's OpenAPI body (under its path, new or existing), the domain's tag, and
  the models (``<Item>``, and ``New<Item>`` for a create) with their examples, each unless an
  earlier route of the domain added it;
- at the end of ``Resources``: for a new domain its table, then the function, its log group
  and its errors and throttles alarms;
- the function's line in each of the dashboard's function widgets;
- with ``AUTH=jwt``, the route under its scope in the authorizer's ``SCOPE_ROUTES``.
"""

import json
import re
from typing import Any

from local_gateway.template import parse_template_text
from scripts.route.render import render
from scripts.route.spec import Route
from scripts.route.yaml_text import add_to_last_of_list, find_key, indent_of, insert_at_end_of

REST_API = ["Resources", "RestApi"]
PATHS = [*REST_API, "Properties", "DefinitionBody", "paths"]
TAGS = [*REST_API, "Properties", "DefinitionBody", "tags"]
MODELS = [*REST_API, "Properties", "Models"]
EXAMPLES = [*REST_API, "Metadata", "Examples"]
DASHBOARD_METRICS = ("Errors", "Throttles", "Duration")
SCOPE_ROUTES = re.compile(r"^( *)SCOPE_ROUTES: >-\s*$")
LINE_LENGTH = 100


def add_route(text: str, route: Route, values: dict[str, Any], *, new_domain: bool) -> str:
    """template.yaml's text with the route's entries added."""
    template = parse_template_text(text)
    api = template["Resources"]["RestApi"]["Properties"]
    if route.domain not in {tag["name"] for tag in api["DefinitionBody"].get("tags", [])}:
        text = insert_at_end_of(text, TAGS, render("template/tag.yaml.j2", values))
    # The models its answers and body name, unless the domain's earlier routes added them.
    needed = {"read": [route.model], "create": [f"New{route.model}", route.model], "delete": []}
    models = [name for name in needed[route.kind] if name not in api.get("Models", {})]
    if models:
        values = {**values, "models": models}
        text = insert_at_end_of(text, MODELS, render("template/models.yaml.j2", values))
        text = insert_at_end_of(text, EXAMPLES, render("template/examples.yaml.j2", values))
    operation = render("template/operation.yaml.j2", values)
    if find_key(text.split("\n"), [*PATHS, route.path]) is None:
        text = insert_at_end_of(text, PATHS, f"          {route.path}:\n{operation}")
    else:
        text = insert_at_end_of(text, [*PATHS, route.path], operation)
    resources = render("template/function.yaml.j2", values)
    resources += render("template/observability.yaml.j2", values)
    if new_domain:
        resources = render("template/table.yaml.j2", values) + resources
    text = insert_at_end_of(text, ["Resources"], resources)
    for metric in DASHBOARD_METRICS:
        pattern = re.compile(rf'\["AWS/Lambda", "{metric}", "FunctionName", "\$\{{\w+\}}"\]')
        line = f'["AWS/Lambda", "{metric}", "FunctionName", "${{{route.logical}Function}}"]'
        text = add_to_last_of_list(text, pattern, line)
    if route.auth == "jwt":
        text = add_scope_route(text, route.scope, route.route_key)
    return text


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
    indent = " " * (key_indent + 2)
    entries = [f"{json.dumps(name)}: {json.dumps(routes)}" for name, routes in scope_routes.items()]
    body = "{" + ",\n".join(entries) + "}"
    wrapped = [indent + piece for entry in body.split("\n") for piece in wrap(entry, indent)]
    return "\n".join([*lines[: start + 1], *wrapped, *lines[end:]])


def wrap(line: str, indent: str) -> list[str]:
    """A JSON line cut after its commas so that each piece fits the line length."""
    pieces: list[str] = []
    current = ""
    for part in re.split(r"(?<=,) ", line):
        if current and len(indent) + len(current) + 1 + len(part) > LINE_LENGTH:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}" if current else part
    pieces.append(current)
    return pieces
