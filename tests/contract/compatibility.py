"""Which differences between two OpenAPI documents break a client of the older one.

Compared per operation of the old document: a removed path or method, a removed response
field (or one no longer required), a new required request field or parameter, a request field
removed where no other fields are accepted, and a type or constraint that now refuses what was
accepted. Operations whose version prefix (`/v1`, `/v2`) the old document did not have are new
and free to change; so a breaking change is made under a new prefix, beside the old one.
"""

import json
from typing import Any

REFERENCE_PREFIX = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "patch", "head")
# Constraints where a larger value accepts less (minimums), and where a smaller one does.
LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")


def _resolve(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].removeprefix(REFERENCE_PREFIX)]
    return schema if isinstance(schema, dict) else {}


def _json_schema(document: dict[str, Any], holder: dict[str, Any]) -> dict[str, Any]:
    return _resolve(
        document, ((holder.get("content") or {}).get("application/json") or {}).get("schema")
    )


def _response_breaks(old_doc: dict, old: dict, new_doc: dict, new: dict, where: str) -> list[str]:
    """A client reads responses: every field it could read must stay, with its type."""
    old, new = _resolve(old_doc, old), _resolve(new_doc, new)
    problems = []
    if old.get("type") and new.get("type") != old.get("type"):
        problems.append(f"{where}: type {old.get('type')} became {new.get('type')}")
    for name, old_property in (old.get("properties") or {}).items():
        new_property = (new.get("properties") or {}).get(name)
        if new_property is None:
            problems.append(f"{where}.{name}: response field removed")
            continue
        if name in (old.get("required") or []) and name not in (new.get("required") or []):
            problems.append(f"{where}.{name}: response field no longer always present")
        problems += _response_breaks(
            old_doc, old_property, new_doc, new_property, f"{where}.{name}"
        )
    if "items" in old:
        problems += _response_breaks(
            old_doc, old["items"], new_doc, new.get("items") or {}, f"{where}[]"
        )
    return problems


def _narrowed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The constraints of one request value that now refuse something the old ones accepted."""
    problems = []
    if old.get("type") != new.get("type"):
        widened = old.get("type") == "integer" and new.get("type") == "number"
        if not widened:
            problems.append(f"type {old.get('type')} became {new.get('type')}")
    for bound in LOWER_BOUNDS:
        if bound in new and (bound not in old or new[bound] > old[bound]):
            problems.append(f"{bound} raised to {new[bound]}")
    for bound in UPPER_BOUNDS:
        if bound in new and (bound not in old or new[bound] < old[bound]):
            problems.append(f"{bound} lowered to {new[bound]}")
    old_values = {json.dumps(v, sort_keys=True) for v in old.get("enum", [])}
    new_values = {json.dumps(v, sort_keys=True) for v in new.get("enum", [])}
    if "enum" in new and ("enum" not in old or not old_values <= new_values):
        problems.append("enum lost values")
    if new.get("pattern") not in (None, old.get("pattern")):
        problems.append(f"pattern became {new['pattern']!r}")
    return problems


def _request_breaks(old_doc: dict, old: dict, new_doc: dict, new: dict, where: str) -> list[str]:
    """A client sends requests: whatever it could send must still be accepted."""
    old, new = _resolve(old_doc, old), _resolve(new_doc, new)
    problems = [f"{where}: {problem}" for problem in _narrowed(old, new)]
    for name in set(new.get("required") or []) - set(old.get("required") or []):
        problems.append(f"{where}.{name}: new required request field")
    new_properties = new.get("properties") or {}
    for name, old_property in (old.get("properties") or {}).items():
        if name not in new_properties:
            if new.get("additionalProperties") is False:
                problems.append(f"{where}.{name}: request field no longer accepted")
            continue
        problems += _request_breaks(
            old_doc, old_property, new_doc, new_properties[name], f"{where}.{name}"
        )
    return problems


def _parameters(path_item: dict[str, Any], operation: dict[str, Any]) -> dict[tuple[str, str], Any]:
    found = {(p["in"], p["name"].lower()): p for p in path_item.get("parameters") or []}
    found.update({(p["in"], p["name"].lower()): p for p in operation.get("parameters") or []})
    return found


def _version(path: str) -> str:
    return path.strip("/").split("/", 1)[0]


def breaking_changes(old_doc: dict[str, Any], new_doc: dict[str, Any]) -> list[str]:
    """Every way `new_doc` breaks a client written against `old_doc`; empty when compatible."""
    problems: list[str] = []
    new_paths = new_doc.get("paths") or {}
    for path, old_item in (old_doc.get("paths") or {}).items():
        for method in (m for m in METHODS if m in old_item):
            where = f"{method.upper()} {path}"
            new_item = new_paths.get(path) or {}
            if method not in new_item:
                problems.append(f"{where}: removed")
                continue
            old_op, new_op = old_item[method], new_item[method]
            old_params, new_params = _parameters(old_item, old_op), _parameters(new_item, new_op)
            for key, parameter in new_params.items():
                if parameter.get("required") and not (old_params.get(key) or {}).get("required"):
                    problems.append(f"{where}: new required {key[0]} parameter {key[1]}")
            for key, parameter in old_params.items():
                if key in new_params:
                    problems += [
                        f"{where}: {key[0]} parameter {key[1]}: {problem}"
                        for problem in _narrowed(
                            _resolve(old_doc, parameter.get("schema")),
                            _resolve(new_doc, new_params[key].get("schema")),
                        )
                    ]
            if "requestBody" in old_op:
                problems += _request_breaks(
                    old_doc,
                    _json_schema(old_doc, old_op["requestBody"]),
                    new_doc,
                    _json_schema(new_doc, new_op.get("requestBody") or {}),
                    f"{where} body",
                )
            elif (new_op.get("requestBody") or {}).get("required"):
                problems.append(f"{where}: now requires a body")
            for status, old_response in (old_op.get("responses") or {}).items():
                if not status.startswith("2"):
                    continue
                new_response = (new_op.get("responses") or {}).get(status)
                if new_response is None:
                    problems.append(f"{where}: success status {status} removed")
                    continue
                problems += _response_breaks(
                    old_doc,
                    _json_schema(old_doc, old_response),
                    new_doc,
                    _json_schema(new_doc, new_response),
                    f"{where} {status}",
                )
    return problems


def new_version_prefixes(old_doc: dict[str, Any], new_doc: dict[str, Any]) -> set[str]:
    """Version prefixes only the new document has (where breaking changes belong)."""
    old = {_version(path) for path in old_doc.get("paths") or {}}
    return {_version(path) for path in new_doc.get("paths") or {}} - old
