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
    """What left the template: resources, routes ("POST /v1/products") and JWT scopes."""

    text: str
    resources: set[str] = field(default_factory=set)
    routes: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)


def resource_owners(body: yaml.Node) -> list[str]:
    """A resource's `Metadata: {Domain: users}` (or a list of owners); none means core."""
    domain = child(body, "Metadata", "Domain")
    if isinstance(domain, yaml.SequenceNode):
        return [str(item.value) for item in domain.value]
    return [domain.value] if isinstance(domain, yaml.ScalarNode) else []


def in_place(body: yaml.Node) -> bool:
    return scalar(child(body, "Type")) in EDITED_IN_PLACE_TYPES


def drop_from_template(text: str, known: frozenset[str], dropped: frozenset[str]) -> TemplateCut:
    original = compose(text)
    resources = entries(child(original, "Resources"))
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
    for logical_id in removed:
        cuts.cut_entry(resources[logical_id][0])
    for key, value in entries(child(original, "Outputs")).values():
        if references(value) & removed:
            cuts.cut_entry(key)
    routes = {route for logical_id in removed for route in event_routes(resources[logical_id][1])}
    for body in (body for _, body in resources.values() if in_place(body)):
        document = cut_document(cuts, child(body, "Properties", "DefinitionBody"), known, dropped)
        routes |= document.routes
        authorizers = entries(child(body, "Properties", "Auth", "Authorizers"))
        gone = {name for name, (_, value) in authorizers.items() if references(value) & removed}
        for name in gone:
            cuts.cut_entry(authorizers[name][0])
        if authorizers and set(authorizers) <= gone:
            cuts.cut_entry(entries(child(body, "Properties", "Auth"))["Authorizers"][0])
    _, scopes = prune_scope_routes(text, routes)  # of the original: the authorizer may go
    text, _ = prune_scope_routes(cuts.text(), routes)
    text = drop_unreferenced_api_parts(text, original, routes)
    return TemplateCut(drop_unused(text, before=original), removed, routes, scopes)


def event_routes(function: yaml.Node) -> set[str]:
    """The routes a SAM function's Api events declare: "GET /v1/users/{id}"."""
    routes = set()
    for _, event in entries(child(function, "Properties", "Events")).values():
        if scalar(child(event, "Type")) == "Api":
            method = scalar(child(event, "Properties", "Method")) or ""
            routes.add(f"{method.upper()} {scalar(child(event, 'Properties', 'Path'))}")
    return routes


def drop_unreferenced_api_parts(text: str, original: yaml.Node, routes: set[str]) -> str:
    """Second pass, on the cut template: models and examples nothing left refers to, method
    settings of paths no route has any more, a cache no method uses, dashboard rows of removed
    resources."""
    root = compose(text)
    resources = entries(child(root, "Resources"))
    before = entries(child(original, "Resources"))
    left = set(resources)
    cuts = LineCuts(text)
    for key, body in resources.values():
        if scalar(child(body, "Type")) == "AWS::CloudWatch::Dashboard":
            prune_dashboard(cuts, key, set(before) - left)
        if scalar(child(body, "Type")) != "AWS::Serverless::Api":
            continue
        api = child(body, "Properties")
        referenced = set().union(*(schema_references(v) for _, v in resources.values()))
        models = entries(child(api, "Models"))
        referenced_before = set().union(*(schema_references(v) for _, v in before.values()))
        gone_models = {
            name
            for name in models
            if name.lower() in referenced_before and name.lower() not in referenced
        }
        for name in gone_models:
            cuts.cut_entry(models[name][0])
        # Examples by model name, or by "<METHOD> <path> <status>" ({proxy} for {proxy+}).
        live = {path.replace("+}", "}") for path in live_paths(root)}
        for name, (key, _) in entries(child(body, "Metadata", "Examples")).items():
            path = name.split(" ")[1] if " /" in name else None
            if name in gone_models or (path is not None and path not in live):
                cuts.cut_entry(key)
        paths = {route.partition(" ")[2] for route in routes} - live_paths(root)
        settings = child(api, "MethodSettings")
        caching = False
        if isinstance(settings, yaml.SequenceNode):
            for item in settings.value:
                # "/" then the path with each "/" escaped as "~1": /~1v1~1products.
                path = (scalar(child(item, "ResourcePath")) or "")[1:].replace("~1", "/")
                if path in paths:
                    cuts.cut_item(item)
                elif "CachingEnabled" in entries(item):
                    caching = True
        for setting in ("CacheClusterEnabled", "CacheClusterSize"):
            if not caching and setting in entries(api):
                cuts.cut_entry(entries(api)[setting][0])
    return cuts.text()


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
