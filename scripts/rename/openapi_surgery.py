"""The OpenAPI document of the REST API, cut by ownership: an operation belongs to the owners
its tags name (`tags: [products]`); one whose owner goes is cut, and a path left with no owned
operation goes whole. Tags of dropped owners, and security schemes only cut operations used,
go with them."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)

from scripts.rename.yaml_text import LineCuts, child, entries, scalar

METHODS = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}
)


@dataclass
class Cut:
    """What left the document: routes ("GET /v1/products"), whole paths, and the schema
    references and security schemes only the cut operations used."""

    routes: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)


def method_name(method: str) -> str:
    return "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()


def operation_owners(operation: yaml.Node, known: frozenset[str]) -> set[str]:
    tags = child(operation, "tags")
    names = {scalar(tag) for tag in tags.value} if isinstance(tags, yaml.SequenceNode) else set()
    return {name for name in names if name in known}


def security_schemes(operation: yaml.Node) -> set[str]:
    security = child(operation, "security")
    if not isinstance(security, yaml.SequenceNode):
        return set()
    return {name for requirement in security.value for name in entries(requirement)}


def cut_document(
    cuts: LineCuts, document: yaml.Node | None, known: frozenset[str], dropped: frozenset[str]
) -> Cut:
    """Cut the dropped owners' operations, paths, tags and now unused security schemes."""
    cut = Cut()
    used_by_kept: set[str] = set()
    used_by_cut: set[str] = set()
    for path, (path_key, item) in entries(child(document, "paths")).items():
        operations = {m: v for m, (_, v) in entries(item).items() if m in METHODS}
        going = {m for m, op in operations.items() if operation_owners(op, known) & dropped}
        owned = {m for m, op in operations.items() if operation_owners(op, known)}
        cut.routes |= {f"{method_name(m)} {path}" for m in going}
        for method, operation in operations.items():
            (used_by_cut if method in going else used_by_kept).update(security_schemes(operation))
        if going and going >= owned:
            cuts.cut_entry(path_key)
            cut.paths.add(path)
        else:
            for method in going:
                cuts.cut_entry(entries(item)[method][0])
    tags = child(document, "tags")
    if isinstance(tags, yaml.SequenceNode):
        for tag in tags.value:
            if scalar(child(tag, "name")) in dropped:
                cuts.cut_item(tag)
    cut.schemes = used_by_cut - used_by_kept
    for section in (("securityDefinitions",), ("components", "securitySchemes")):
        declared = entries(child(document, *section))
        if declared and set(declared) <= cut.schemes:
            parent = entries(child(document, *section[:-1])) if section[:-1] else entries(document)
            cuts.cut_entry(parent[section[-1]][0])
        else:
            for scheme in cut.schemes & set(declared):
                cuts.cut_entry(declared[scheme][0])
    return cut


def schema_references(node: yaml.Node) -> set[str]:
    """The model names a node refers to: `$ref: "#/components/schemas/user"` (SAM lower-cases
    a model's name there) and `Model: User` of a SAM Api event's RequestModel."""
    found: set[str] = set()
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            text = scalar(value)
            if key.value == "$ref" and text and text.startswith("#/"):
                found.add(text.rsplit("/", 1)[-1].lower())
            elif key.value == "Model" and text:
                found.add(text.lower())
            else:
                found |= schema_references(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found |= schema_references(item)
    return found
