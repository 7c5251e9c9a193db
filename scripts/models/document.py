"""The request models' place in api/openapi.yaml: which models the request bodies name, and the
block of ``components.schemas`` that `make models` writes (every other line stays as it is)."""

from __future__ import annotations

import difflib
import re
from typing import Any

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)

API_FILE = "api/openapi.yaml"
BEGIN = "# BEGIN request models: `make models` writes them from the pydantic models; edit those"
END = "# END request models"
REFERENCE = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
LINE_WIDTH = 100
# A property's mapping on one line up to this long (the line adds its key and indentation).
FLOW_WIDTH = 72


class DocumentError(ValueError):
    """The API definition cannot take the rendered models as it is."""


def request_bodies(document: dict[str, Any]) -> dict[str, list[str]]:
    """Each model a request body names, with the routes ("POST /v1/users") whose body it is."""
    bodies: dict[str, list[str]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            route = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            for media_type, content in ((body or {}).get("content") or {}).items():
                reference = str(((content or {}).get("schema") or {}).get("$ref", ""))
                if not reference.startswith(REFERENCE):
                    raise DocumentError(
                        f"{API_FILE}: the {media_type} body of {route} is written in place; "
                        f'give it `$ref: "{REFERENCE}<model>"`, a model `make models` renders '
                        "from a pydantic model"
                    )
                bodies.setdefault(reference.removeprefix(REFERENCE), []).append(route)
    return bodies


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # (untyped base)
    """Block YAML, but a mapping or list of plain values on one line when it fits in one."""

    def represent_mapping(self, tag: str, mapping: Any, flow_style: Any = None) -> Any:
        return super().represent_mapping(tag, mapping, flow_style=_fits_one_line(mapping))

    def represent_sequence(self, tag: str, sequence: Any, flow_style: Any = None) -> Any:
        return super().represent_sequence(tag, sequence, flow_style=_fits_one_line(sequence))


def _fits_one_line(value: dict[str, Any] | list[Any]) -> bool:
    items = value.values() if isinstance(value, dict) else value
    if any(isinstance(item, dict | list) for item in items):
        return False
    one_line = yaml.safe_dump(value, default_flow_style=True, width=1_000_000).strip()
    return len(one_line) <= FLOW_WIDTH


def rendered_block(models: dict[str, dict[str, Any]], indent: int) -> list[str]:
    """The models as YAML lines at the schemas' indentation, short mappings on one line."""
    if not models:
        return []
    text = yaml.dump(
        models, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=LINE_WIDTH - indent
    )
    return [" " * indent + line if line else line for line in text.rstrip("\n").split("\n")]


def block_bounds(lines: list[str]) -> tuple[int, int]:
    """The indices of the BEGIN and END lines."""
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise DocumentError(
            f"{API_FILE} needs, under components.schemas, one line `{BEGIN}` and after it one "
            f"line `{END}`: `make models` writes the request models between them"
        )
    return begins[0], ends[0]


def with_models(text: str, models: dict[str, dict[str, Any]]) -> str:
    """The file's text with the block between its markers replaced by ``models``."""
    lines = text.split("\n")
    begin, end = block_bounds(lines)
    indent = len(lines[begin]) - len(lines[begin].lstrip(" "))
    outside = lines[:begin] + lines[end + 1 :]
    for name in models:
        key = re.compile(rf"^ {{{indent}}}{re.escape(name)}:(\s|$)")
        if any(key.match(line) for line in outside):
            raise DocumentError(
                f"{API_FILE}: `{name}` is written by hand beside the one `make models` renders "
                "from its pydantic model; delete the hand-written one"
            )
    # Blank lines part the markers from the models: a tool that cuts an entry with the comments
    # just above it (`make rename`) leaves the markers.
    block = rendered_block(models, indent)
    return "\n".join([*lines[: begin + 1], "", *block, *([""] if block else []), *lines[end:]])


def difference(current: str, rendered: str) -> str:
    """A unified diff from the committed file to the rendered one."""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            rendered.splitlines(keepends=True),
            fromfile=f"{API_FILE} (committed)",
            tofile=f"{API_FILE} (make models)",
        )
    )
