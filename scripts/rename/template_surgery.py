"""template.yaml cut by ownership: resources whose `Metadata: {Domain: ...}` names a dropped
owner go, with whatever cannot exist without them (a resource that refers to one by Ref,
GetAtt, Sub or DependsOn: its log group, alarms, permissions, keys in plans, outputs). The API
is edited in place: the dropped owners' operations (openapi_surgery), authorizers only they
used, models and examples nothing left refers to, their method settings and the cache that
only they used, their dashboard rows, their scopes in the JWT authorizer's SCOPE_ROUTES, and
the parameters and conditions nothing else reads."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)

from scripts.rename.openapi_surgery import cut_document, schema_references
from scripts.rename.ownership import goes
from scripts.rename.yaml_text import (
    SUB_REFERENCE,
    LineCuts,
    child,
    compose,
    drop_unused,
    entries,
    references,
    scalar,
)

# Resources edited inside rather than removed when something they mention goes.
EDITED_IN_PLACE_TYPES = ("AWS::Serverless::Api", "AWS::CloudWatch::Dashboard")
SCOPE_ROUTES = re.compile(r"( *)SCOPE_ROUTES: >-\n((?:\1  .*\n)+)")


@dataclass
class TemplateCut:
    """The cut template and the API documents it includes (by location), and what left:
    resources, routes ("POST /v1/products") and JWT scopes."""

    text: str
    documents: dict[str, str] = field(default_factory=dict)
    resources: set[str] = field(default_factory=set)
    routes: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)


def included_location(definition: yaml.Node | None) -> str | None:
    """Where a DefinitionBody's `Fn::Transform: {Name: AWS::Include}` reads the document from."""
    transform = child(definition, "Fn::Transform")
    if scalar(child(transform, "Name")) != "AWS::Include":
        return None
    return scalar(child(transform, "Parameters", "Location"))


def resource_includes(root: yaml.Node) -> list[str]:
    """The files included among the resources (`Resources: {Fn::Transform: AWS::Include}`):
    resources the template itself never names."""
    location = included_location(child(root, "Resources"))
    return [location] if location else []


def examples_files(root: yaml.Node) -> list[str]:
    """The files an API's `Metadata.Examples` names (`api/examples.yaml`), where it names one."""
    bodies = [body for _, body in entries(child(root, "Resources")).values() if in_place(body)]
    found = [child(body, "Metadata", "Examples") for body in bodies]
    return [str(node.value) for node in found if isinstance(node, yaml.ScalarNode)]


def api_definitions(root: yaml.Node) -> list[yaml.Node]:
    """The DefinitionBody of every API edited in place."""
    bodies = [body for _, body in entries(child(root, "Resources")).values() if in_place(body)]
    return [d for d in (child(body, "Properties", "DefinitionBody") for body in bodies) if d]


def resource_owners(body: yaml.Node) -> list[str]:
    """A resource's `Metadata: {Domain: users}` (or a list of owners); none means core."""
    domain = child(body, "Metadata", "Domain")
    if isinstance(domain, yaml.SequenceNode):
        return [str(item.value) for item in domain.value]
    return [domain.value] if isinstance(domain, yaml.ScalarNode) else []


def in_place(body: yaml.Node) -> bool:
    return scalar(child(body, "Type")) in EDITED_IN_PLACE_TYPES


def drop_from_template(
    text: str,
    known: frozenset[str],
    dropped: frozenset[str],
    documents: Mapping[str, str] | None = None,
) -> TemplateCut:
    """Cut the dropped owners out of the template and of the documents it includes with
    AWS::Include (`documents`: their text by Location, as written in the template): the API's,
    its examples, and files of resources."""
    documents = dict(documents or {})
    original = compose(text)
    template_resources = entries(child(original, "Resources"))
    resources = dict(template_resources)
    resource_files = {
        location: compose(documents[location])
        for location in resource_includes(original)
        if location in documents
    }
    file_of = {
        logical_id: location
        for location, tree in resource_files.items()
        for logical_id in entries(tree)
    }
    for tree in resource_files.values():
        resources.update(entries(tree))
    removed = {
        logical_id
        for logical_id, (_, body) in resources.items()
        if goes(resource_owners(body), dropped)
    }
    while True:
        more = {
            logical_id
            for logical_id, (_, body) in resources.items()
            if logical_id not in removed and not in_place(body) and references(body) & removed
        }
        if not more:
            break
        removed |= more
    cuts = LineCuts(text)
    file_cuts = {location: LineCuts(documents[location]) for location in resource_files}
    for logical_id in removed:
        where = file_cuts[file_of[logical_id]] if logical_id in file_of else cuts
        where.cut_entry(resources[logical_id][0])
    for file, tree in resource_files.items():
        for key, body in entries(tree).values():
            if scalar(child(body, "Type")) == "AWS::CloudWatch::Dashboard":
                prune_dashboard(file_cuts[file], key, removed)
    for key, value in entries(child(original, "Outputs")).values():
        if references(value) & removed:
            cuts.cut_entry(key)
    routes = {route for logical_id in removed for route in event_routes(resources[logical_id][1])}
    edited = dict(documents) | {
        file: prune_loop_collections(c.text(), removed, under=()) for file, c in file_cuts.items()
    }
    for body in (body for _, body in template_resources.values() if in_place(body)):
        definition = child(body, "Properties", "DefinitionBody")
        location = included_location(definition)
        if location in documents:
            document_cuts = LineCuts(documents[location])
            routes |= cut_document(
                document_cuts, compose(documents[location]), known, dropped
            ).routes
            edited[location] = document_cuts.text()
        else:
            routes |= cut_document(cuts, definition, known, dropped).routes
        authorizers = entries(child(body, "Properties", "Auth", "Authorizers"))
        gone = {name for name, (_, value) in authorizers.items() if references(value) & removed}
        for name in gone:
            cuts.cut_entry(authorizers[name][0])
        if authorizers and set(authorizers) <= gone:
            cuts.cut_entry(entries(child(body, "Properties", "Auth"))["Authorizers"][0])
    _, scopes = prune_scope_routes(text, routes)  # of the original: the authorizer may go
    text, _ = prune_scope_routes(cuts.text(), routes)
    text = prune_loop_collections(text, removed)
    text, edited = drop_unreferenced_api_parts(text, original, routes, documents, edited)
    included = ([compose(d) for d in documents.values()], [compose(d) for d in edited.values()])
    text = drop_unused(text, before=original, included=included)
    return TemplateCut(text, edited, removed, routes, scopes)


def prune_loop_collections(
    text: str, removed: set[str], under: tuple[str, ...] = ("Resources",)
) -> str:
    """Removed functions leave the lists of the Fn::ForEach loops over function names (their
    log groups and alarms), of the mapping at `under` (a file of resources is one): each list
    is written again, flowed as it was, without them."""
    edits = []
    for key, (_, loop) in entries(child(compose(text), *under)).items():
        if not key.startswith("Fn::ForEach::") or not isinstance(loop, yaml.SequenceNode):
            continue
        collection = loop.value[1]
        if not isinstance(collection, yaml.SequenceNode):
            continue
        names = [str(item.value) for item in collection.value]
        kept = [name for name in names if f"{name}Function" not in removed]
        if kept == names:
            continue
        indent = " " * (collection.start_mark.column + 1)
        lines, line = [], ""
        for position, name in enumerate(kept):
            item = f"{name}]" if position == len(kept) - 1 else f"{name}, "
            if line and collection.start_mark.column + len(line) + len(item) > 100:
                lines.append(line.rstrip())
                line = indent
            line += item
        lines.append(line or "]")
        edits.append((collection.start_mark.index, collection.end_mark.index, "\n".join(lines)))
    for start, end, flowed in sorted(edits, reverse=True):
        text = text[:start] + "[" + flowed + text[end:]
    return text


def event_routes(function: yaml.Node) -> set[str]:
    """The routes a SAM function's Api events declare: "GET /v1/users/{id}"."""
    routes = set()
    for _, event in entries(child(function, "Properties", "Events")).values():
        if scalar(child(event, "Type")) == "Api":
            method = scalar(child(event, "Properties", "Method")) or ""
            routes.add(f"{method.upper()} {scalar(child(event, 'Properties', 'Path'))}")
    return routes


def drop_unreferenced_api_parts(
    text: str,
    original: yaml.Node,
    routes: set[str],
    documents_before: Mapping[str, str],
    documents: dict[str, str],
) -> tuple[str, dict[str, str]]:
    """Second pass, on the cut template and documents: models and examples nothing left refers
    to, method settings of paths no route has any more, a cache no method uses, dashboard rows
    of removed resources."""
    root = compose(text)
    resources = entries(child(root, "Resources"))
    before = entries(child(original, "Resources"))
    trees = {location: compose(document) for location, document in documents.items()}
    nodes = [body for _, body in resources.values()] + list(trees.values())
    referenced = set().union(*(schema_references(node) for node in nodes))
    nodes_before = [body for _, body in before.values()]
    nodes_before += [compose(document) for document in documents_before.values()]
    referenced_before = set().union(*(schema_references(node) for node in nodes_before))

    def unreferenced(names: dict[str, tuple[yaml.Node, yaml.Node]]) -> set[str]:
        return {n for n in names if n.lower() in referenced_before and n.lower() not in referenced}

    gone_schemas: set[str] = set()  # lower-cased, as API Gateway names models
    for location, tree in trees.items():
        schemas = entries(child(tree, "components", "schemas"))
        if gone := unreferenced(schemas):
            document_cuts = LineCuts(documents[location])
            for name in gone:
                document_cuts.cut_entry(schemas[name][0])
            documents[location] = document_cuts.text()
            gone_schemas |= {name.lower() for name in gone}
    live = live_paths(root) | {p for tree in trees.values() for p in entries(child(tree, "paths"))}
    cuts = LineCuts(text)
    for key, body in resources.values():
        if scalar(child(body, "Type")) == "AWS::CloudWatch::Dashboard":
            prune_dashboard(cuts, key, set(before) - set(resources))
        if scalar(child(body, "Type")) != "AWS::Serverless::Api":
            continue
        api = child(body, "Properties")
        models = entries(child(api, "Models"))
        gone_models = unreferenced(models)
        for name in gone_models:
            cuts.cut_entry(models[name][0])
        gone_schemas |= {name.lower() for name in gone_models}
        # Examples by model name, or by "<METHOD> <path> <status>" ({proxy} for {proxy+}),
        # in the template or in the file it names.
        example_paths = {path.replace("+}", "}") for path in live}
        examples = child(body, "Metadata", "Examples")
        file = scalar(examples) if isinstance(examples, yaml.ScalarNode) else None
        example_cuts = cuts
        if file in documents:
            example_cuts = LineCuts(documents[file])
            examples = compose(documents[file])
        for name, (key, _) in entries(examples).items():
            path = name.split(" ")[1] if " /" in name else None
            if name.lower() in gone_schemas or (path is not None and path not in example_paths):
                example_cuts.cut_entry(key)
        if file in documents:
            documents[file] = example_cuts.text()
        gone_paths = {route.partition(" ")[2] for route in routes} - live
        settings = child(api, "MethodSettings")
        caching = False
        if isinstance(settings, yaml.SequenceNode):
            for item in settings.value:
                # "/" then the path with each "/" escaped as "~1": /~1v1~1products.
                path = (scalar(child(item, "ResourcePath")) or "")[1:].replace("~1", "/")
                if path in gone_paths:
                    cuts.cut_item(item)
                elif "CachingEnabled" in entries(item):
                    caching = True
        for setting in ("CacheClusterEnabled", "CacheClusterSize"):
            if not caching and setting in entries(api):
                cuts.cut_entry(entries(api)[setting][0])
    return cuts.text(), documents


def live_paths(root: yaml.Node) -> set[str]:
    """Every path a route of the template still has: the API's own and its functions' events."""
    found = set()
    for _, body in entries(child(root, "Resources")).values():
        found |= set(entries(child(body, "Properties", "DefinitionBody", "paths")))
        found |= {route.partition(" ")[2] for route in event_routes(body)}
    return found


def prune_scope_routes(text: str, routes: set[str]) -> tuple[str, set[str]]:
    """The JWT authorizer's SCOPE_ROUTES JSON without the cut routes; a scope left with none
    goes (returned, so the local issuer stops minting it)."""
    match = SCOPE_ROUTES.search(text)
    if not match:
        return text, set()
    indent = match.group(1) + "  "
    scopes: dict[str, list[str]] = json.loads(" ".join(match.group(2).split("\n")))

    def cut(route: str) -> bool:  # an ANY route covers every method of its path
        return route in routes or f"ANY {route.partition(' ')[2]}" in routes

    kept = {scope: [r for r in listed if not cut(r)] for scope, listed in scopes.items()}
    kept = {scope: listed for scope, listed in kept.items() if listed}
    body = ",\n".join(f"{indent}{json.dumps({s: r})[1:-1]}" for s, r in kept.items())
    replacement = f"{match.group(1)}SCOPE_ROUTES: >-\n{indent}{{{body.lstrip()}}}\n"
    return text[: match.start()] + replacement + text[match.end() :], set(scopes) - set(kept)


def prune_dashboard(cuts: LineCuts, dashboard_key: yaml.Node, removed: set[str]) -> None:
    """Metric rows of removed resources leave the dashboard; a widget left empty goes too."""
    lines = cuts.lines
    start = dashboard_key.start_mark.line
    end = cuts.block_end(start, dashboard_key.start_mark.column)
    gone = {
        i
        for i in range(start, end)
        if set(SUB_REFERENCE.findall(lines[i])) & removed and lines[i].lstrip().startswith("[")
    }
    # A widget whose every metric row went: from its `{"type"` line to its closing `]}}`.
    widget_start = None
    for i in range(start, end):
        stripped = lines[i].strip()
        if stripped.startswith('{"type"'):
            widget_start = i
        if widget_start is not None and stripped.startswith("]}}"):
            rows = [j for j in range(widget_start, i) if lines[j].lstrip().startswith("[")]
            if rows and all(j in gone for j in rows):
                gone.update(range(widget_start, i + 1))
            widget_start = None
    kept = [i for i in range(start, end) if i not in gone]
    # The last row of a list, or the last widget, carries no comma.
    for position, i in enumerate(kept[:-1]):
        following = lines[kept[position + 1]].strip()
        if following.startswith("]") and lines[i].rstrip().endswith(","):
            lines[i] = lines[i].rstrip()[:-1] + "\n"
    cuts.removed |= gone
