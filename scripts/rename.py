"""Make the template yours: give the service your name everywhere it appears, and keep only
the sample domains you want.

`make rename NAME=orders-api [KEEP="users products"]` runs this. The current name is read from
`pyproject.toml` (`[project] name`), so a renamed repository can be renamed again. Every
spelling is replaced in the tracked text files: `sample-api` (stack names, S3 prefixes, the
OIDC audience, prose), `sample_api` (the layer package, its imports, mypy and setuptools
settings) and `SampleApi` (metric namespaces), and the layer package's folder is moved. The
local gateway (`gateway/`) knows nothing of the service, so it is left as it is.

`--keep` names the sample domains (users, products, telemetry, files, orders) that stay; each
other one leaves with what is only its own: its routes, models, functions, tables, queues and
buckets, everything in the template that refers to them (log groups, alarms, integration roles,
usage plans and their keys, outputs, dashboard rows, parameters nothing else uses), its
`functions/<action>/`, layer package, events and tests, and the tests elsewhere that exercise it.
Cognito stays while users or files are kept; the JWT authorizer while products, telemetry or
orders are, and API keys while products or telemetry are. The template and the API definition it
includes (api/openapi.yaml: routes, tags, models, security schemes) are cut line by line at
blocks a YAML parser located, so their comments, anchors, short tags (!Ref, !Sub) and layout
survive as written. The client contract (docs/openapi.json) is exported again and becomes the
new baseline of the drift test.

    python scripts/rename.py [--name orders-api] [--keep "users products"] [--root .]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)

# A CloudFormation stack name allows letters, digits and hyphens; a Python package name needs
# the snake spelling to be an identifier, so the name is lowercase words joined by hyphens.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
# Room for "-staging" and the longest suffix CloudFormation adds to physical names.
MAX_NAME_LENGTH = 40
# Generic code that must not learn the service's name (this script reads it from pyproject).
UNTOUCHED = ("gateway/", "scripts/rename.py")


@dataclass(frozen=True)
class Spellings:
    """The three ways the service's name is written in the repository."""

    kebab: str
    snake: str
    pascal: str

    @classmethod
    def of(cls, name: str) -> Spellings:
        words = name.split("-")
        return cls(
            kebab=name,
            snake="_".join(words),
            pascal="".join(word.capitalize() for word in words),
        )


def validated_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"NAME must be lowercase words joined by hyphens, at most {MAX_NAME_LENGTH} "
            f"characters (like orders-api), not {name!r}"
        )
    return name


def current_name(root: Path) -> str:
    with (root / "pyproject.toml").open("rb") as pyproject:
        name: str = tomllib.load(pyproject)["project"]["name"]
    return name


def tracked_files(root: Path) -> list[Path]:
    """The files git tracks (nothing built, cached or git-ignored is rewritten)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 (git from PATH, as a developer runs it)
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [root / path for path in listing.split("\0") if path]


def replace_spellings(text: str, old: Spellings, new: Spellings) -> str:
    """Replace whole-word spellings only: `SampledRequests` or `my_sample_api_x` stay."""
    for before, after in (
        (old.kebab, new.kebab),
        (old.snake, new.snake),
        (old.pascal, new.pascal),
    ):
        # No letter or digit before; after, no lowercase letter, digit or underscore, so
        # `SampleApiTests` and `sample-api-dev` are renamed but `sample_apis` is not.
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(before)}(?![a-z0-9_])"
        text = re.sub(pattern, after, text)
    return text


def rename(root: Path, name: str) -> list[Path]:
    """Rename the service in place; return the files whose content changed."""
    new = Spellings.of(validated_name(name))
    old = Spellings.of(current_name(root))
    if old == new:
        return []
    changed = []
    for path in tracked_files(root):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(UNTOUCHED) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (the diagram's PNG): no name inside to rename
        renamed = replace_spellings(text, old, new)
        if renamed != text:
            path.write_text(renamed, encoding="utf-8")
            changed.append(path)
    old_package = root / "layers" / "shared" / old.snake
    new_package = root / "layers" / "shared" / new.snake
    if old_package.is_dir():
        old_package.rename(new_package)
        changed = [moved(path, old_package, new_package) for path in changed]
    tidy_python([path for path in changed if path.suffix == ".py"], root)
    return changed


def moved(path: Path, old_folder: Path, new_folder: Path) -> Path:
    if path.is_relative_to(old_folder):
        return new_folder / path.relative_to(old_folder)
    return path


def tidy_python(paths: list[Path], root: Path, *, unused_imports: bool = False) -> None:
    """Re-sort imports and re-wrap lines: a new name can sort earlier or run longer (and imports
    of removed tests' helpers go unused)."""
    if not paths:
        return
    # The venv's own ruff (the pinned one), on files this script has just written.
    ruff = [sys.executable, "-m", "ruff"]
    files = [str(path) for path in paths]
    rules = "I,F401" if unused_imports else "I"
    sort_imports = [*ruff, "check", "--quiet", "--select", rules, "--fix", *files]
    subprocess.run(sort_imports, cwd=root, check=True)  # noqa: S603
    subprocess.run([*ruff, "format", "--quiet", *files], cwd=root, check=True)  # noqa: S603


# ---------------------------------------------------------------------------------------------
# KEEP: the sample domains a fork keeps; the others leave with everything that is only theirs.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    """One sample domain and what in the repository is only its own."""

    # Route prefixes in the OpenAPI definition (and the scopes' routes of the JWT authorizer).
    routes: tuple[str, ...]
    # functions/<action>/ folders; their template functions are found by CodeUri.
    functions: tuple[str, ...]
    # Template resources besides the functions (what refers to them goes with them).
    resources: tuple[str, ...]
    # Models (titles) of the API definition only its routes use.
    models: tuple[str, ...]
    # Files and folders of tests, beside the layer's package and the functions' events.
    tests: tuple[str, ...]
    # Spellings in the remaining tests that mean a test exercises this domain.
    markers: tuple[str, ...]
    # Tests elsewhere that assume this domain exists without spelling it (generic checks that
    # would find nothing to check, like "every DLQ alarms").
    assuming_tests: tuple[str, ...] = ()
    # Layer packages besides the one named after the domain.
    layer_packages: tuple[str, ...] = ()


# They count the plans and keys of products and telemetry together.
USAGE_PLAN_TESTS = (
    "test_every_usage_plan_has_one_demo_api_key_outside_prod_only",
    "test_usage_plans_match_the_contracts_numbers",
    "test_the_usage_plan_guide_names_the_condition_the_demo_keys_use",
)

DOMAINS: dict[str, Domain] = {
    "users": Domain(
        routes=("/v1/users", "/v2/users", "/v1/internal/users", "/v1/directory"),
        functions=(
            "list_users",
            "create_user",
            "get_user",
            "update_user",
            "delete_user",
            "get_user_v2",
            "create_user_v2",
            "get_internal_user",
        ),
        resources=(
            "UsersTable",
            "IdempotencyTable",
            "DirectoryIntegrationRole",
            "InternalUsersInvokePolicy",
        ),
        models=("CreateUser", "UpdateUser", "User", "UserPage", "UserV2", "DirectoryEntry"),
        tests=(
            "tests/unit/users/",
            "tests/unit/integrations/test_directory_vtl.py",
            "tests/unit/integrations/test_users_v2_vtl.py",
            "tests/e2e/test_users_flow.py",
            "tests/e2e/test_users_v2_create.py",
            "tests/e2e/test_internal_users.py",
            "tests/e2e/test_directory.py",
            "tests/template/test_users.py",
        ),
        markers=(
            "/v1/users",
            "/v2/users",
            "/v1/internal/users",
            "/v1/directory",
            "UsersTable",
            "CreateUserFunction",
            "CreateUserV2",
            "InternalUsersInvokePolicy",
            "create_user",
            "integration_errors",
        ),
    ),
    "products": Domain(
        routes=("/v1/products",),
        # The partner plan's keys rotate themselves (Secrets Manager): they go with the plan.
        functions=("create_product", "rotate_partner_key"),
        resources=(
            "ProductsTable",
            "ProductsIntegrationRole",
            "FreeUsagePlan",
            "FreeDemoApiKey",
            "PartnerUsagePlan",
            "PartnerDemoApiKey",
            "PartnerDemoApiKeySecret",
            "ApiKeyRetirementRole",
        ),
        models=("NewProduct", "Product", "ProductList"),
        tests=(
            "tests/unit/products/",
            "tests/unit/integrations/test_products_vtl.py",
            "tests/e2e/test_products.py",
            "tests/e2e/test_key_rotation.py",
            "tests/unit/partner_keys/",
            "tests/template/test_key_rotation.py",
        ),
        markers=("/v1/products", "Product", "create_product", "products:", "partner_keys"),
        # The API cache serves the catalog reads only.
        assuming_tests=(*USAGE_PLAN_TESTS, "test_the_cache_size_is_set_only_where_the_cache_runs"),
        layer_packages=("partner_keys",),
    ),
    "telemetry": Domain(
        routes=("/v1/telemetry",),
        functions=("store_readings", "get_telemetry"),
        resources=(
            "TelemetryQueue",
            "TelemetryDeadLetterQueue",
            "ReadingsTable",
            "TelemetryIntegrationRole",
            "DevicesUsagePlan",
            "DevicesDemoApiKey",
        ),
        models=("TelemetryReading", "TelemetryQueued", "ReadingList"),
        tests=(
            "tests/unit/telemetry/",
            "tests/support/telemetry.py",
            "tests/unit/integrations/test_telemetry_vtl.py",
            "tests/e2e/test_telemetry.py",
        ),
        markers=(
            "/v1/telemetry",
            "Telemetry",
            "telemetry:",
            "ReadingsTable",
            "store_readings",
            "get_telemetry",
        ),
        assuming_tests=(
            "test_every_dead_letter_queue_alarms_on_its_first_message",
            "test_consumer_reports_partial_batch_failures",
            "test_the_queue_consumer_is_capped_by_a_parameter",
            "test_dashboard_shows_the_api_and_every_function",
            *USAGE_PLAN_TESTS,
        ),
    ),
    "files": Domain(
        routes=("/v1/files", "/v1/uploads"),
        functions=("create_upload", "process_upload", "list_files", "download_file"),
        resources=(
            "FilesBucket",
            "FilesIntegrationRole",
            "FilesTable",
            "FilesProcessingDeadLetterQueue",
        ),
        models=("CreateUpload", "Upload", "Download", "StoredFile", "FilePage"),
        tests=(
            "tests/unit/files/",
            "tests/unit/integrations/test_files_vtl.py",
            "tests/e2e/test_files.py",
            "tests/e2e/test_uploads.py",
            "tests/template/test_uploads.py",
        ),
        markers=(
            "/v1/files",
            "/v1/uploads",
            "FilesBucket",
            "files_bucket",
            "FILES_BUCKET",
            "upload",
        ),
    ),
    # The on-premises orders system behind HTTP_PROXY: no function or table of its own here,
    # its route, parameters and the stand-in `make dev` runs in its place.
    "orders": Domain(
        routes=("/v1/orders",),
        functions=(),
        resources=(),
        models=(),
        tests=("tests/e2e/test_orders.py", "tests/template/test_orders.py", "stand_ins/"),
        markers=("/v1/orders", "orders:"),
    ),
}


@dataclass(frozen=True)
class SharedPiece:
    """What several domains lean on: it stays while one of them is kept."""

    needed_by: frozenset[str]
    resources: tuple[str, ...]
    authorizer: str | None
    paths: tuple[str, ...]
    markers: tuple[str, ...] = ()


# Cognito signs in end users: the users routes and the files of a user (keys under their sub).
# The JWT authorizer serves partners and devices: product writes and telemetry. API keys and
# usage plans meter catalog reads and ingestion; the plans themselves belong to their domain.
SHARED: dict[str, SharedPiece] = {
    "cognito": SharedPiece(
        needed_by=frozenset({"users", "files"}),
        resources=("UserPool",),
        authorizer="CognitoAuthorizer",
        paths=(),
    ),
    "jwt-authorizer": SharedPiece(
        needed_by=frozenset({"products", "telemetry", "orders"}),
        resources=("JwtAuthorizerFunction",),
        authorizer="JwtAuthorizer",
        paths=(
            "authorizers/",
            "tests/unit/authorizers/",
            "tests/e2e/test_custom_authorizer.py",
            "events/jwt_authorizer.json",
        ),
        markers=("JwtAuthorizer", "jwt_authorizer"),
    ),
    "api-keys": SharedPiece(
        needed_by=frozenset({"products", "telemetry"}), resources=(), authorizer=None, paths=()
    ),
}

# Resources edited inside rather than removed when something they mention goes.
EDITED_IN_PLACE = ("RestApi", "Dashboard")
SEPARATOR = re.compile(r"^\s*# -{10,}\s*$")
SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def validated_keep(keep: list[str]) -> set[str]:
    unknown = sorted(set(keep) - set(DOMAINS))
    if unknown:
        raise ValueError(
            f"KEEP names the sample domains to keep ({', '.join(DOMAINS)}), not {unknown}"
        )
    return set(keep)


def references(node: yaml.Node) -> set[str]:
    """The logical ids a template node names: Ref, GetAtt, Sub, DependsOn, in any spelling."""
    found: set[str] = set()
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        if node.tag in ("!Ref", "!GetAtt"):
            found.add(value.split(".")[0])
        elif node.tag == "!Sub":
            found.update(SUB_REFERENCE.findall(value))
        return found
    if isinstance(node, yaml.SequenceNode):
        if node.tag == "!GetAtt" and node.value:
            found.add(str(node.value[0].value))
        for item in node.value:
            found |= references(item)
        if node.tag == "!Sub" and node.value and isinstance(node.value[0], yaml.ScalarNode):
            found.update(SUB_REFERENCE.findall(str(node.value[0].value)))
        return found
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value in ("Ref", "DependsOn", "Fn::GetAtt") and isinstance(
                value, yaml.ScalarNode
            ):
                found.add(str(value.value).split(".")[0])
            elif key.value == "Fn::GetAtt" and isinstance(value, yaml.SequenceNode) and value.value:
                found.add(str(value.value[0].value))
            elif key.value == "Fn::Sub":
                text = value.value[0] if isinstance(value, yaml.SequenceNode) else value
                if isinstance(text, yaml.ScalarNode):
                    found.update(SUB_REFERENCE.findall(str(text.value)))
            found |= references(value)
    return found


def entries(node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): (key, value) for key, value in node.value}


def child(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        found = entries(node).get(key)
        node = found[1] if found else None
    return node


class LineCuts:
    """Lines to remove from a YAML text, each cut a whole block found by indentation."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.removed: set[int] = set()

    @staticmethod
    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def is_comment_or_blank(self, index: int) -> bool:
        stripped = self.lines[index].strip()
        return not stripped or stripped.startswith("#")

    def cut_block(self, line: int, column: int) -> None:
        """Remove the block whose key (or `- `) sits at `line`, `column`, with the comments just
        above it; a section's `# ---` header stays unless its whole section goes (tidy)."""
        end = line + 1
        while end < len(self.lines) and (
            self.is_comment_or_blank(end) or self.indent(self.lines[end]) > column
        ):
            end += 1
        # Blank lines and comments at the block's own depth at its end belong to what follows.
        while end - 1 > line and (
            not self.lines[end - 1].strip()
            or (
                self.lines[end - 1].lstrip().startswith("#")
                and self.indent(self.lines[end - 1]) <= column
            )
        ):
            end -= 1
        start = line
        while (
            start - 1 >= 0
            and self.lines[start - 1].lstrip().startswith("#")
            and self.indent(self.lines[start - 1]) == column
            and not SEPARATOR.match(self.lines[start - 1])
        ):
            start -= 1
        self.removed.update(range(start, end))

    def cut_entry(self, key: yaml.Node) -> None:
        self.cut_block(key.start_mark.line, key.start_mark.column)

    def cut_item(self, item: yaml.Node) -> None:
        # A block sequence item's node starts after its "- ".
        self.cut_block(item.start_mark.line, item.start_mark.column - 2)

    def text(self) -> str:
        kept = [line for index, line in enumerate(self.lines) if index not in self.removed]
        return tidy_yaml(kept)


def tidy_yaml(lines: list[str]) -> str:
    """Drop section headers left with nothing under them and runs of blank lines."""
    result: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if SEPARATOR.match(line):
            closing = index + 1
            while closing < len(lines) and not SEPARATOR.match(lines[closing]):
                closing += 1
            after = closing + 1
            while after < len(lines) and not lines[after].strip():
                after += 1
            header_indent = LineCuts.indent(line)
            empty = (
                after >= len(lines)
                or SEPARATOR.match(lines[after])
                or LineCuts.indent(lines[after]) < header_indent
            )
            if closing < len(lines) and empty:
                index = after
                continue
            result.extend(lines[index : closing + 1])
            index = closing + 1
            continue
        if not line.strip() and (not result or not result[-1].strip()):
            index += 1
            continue
        result.append(line)
        index += 1
    # A blank line between a mapping's key and its first remaining child says nothing.
    text = "".join(result)
    return re.sub(r"(:\n)\n+", r"\1", text)


def rehome_anchors(cuts: LineCuts) -> None:
    """An anchor (`&name`) inside a removed block whose alias (`*name`) survives moves to the
    first surviving alias, so the YAML still resolves."""
    lines = cuts.lines
    for index in sorted(cuts.removed):
        for anchor in re.finditer(r"&([A-Za-z_][\w-]*)", lines[index]):
            name = anchor.group(1)
            alias = re.compile(rf"\*{re.escape(name)}\b")
            users = [
                i for i, line in enumerate(lines) if i not in cuts.removed and alias.search(line)
            ]
            if not users:
                continue
            target = users[0]
            column = LineCuts.indent(lines[index])
            end = index + 1
            while end < len(lines) and (
                cuts.is_comment_or_blank(end) or LineCuts.indent(lines[end]) > column
            ):
                end += 1
            shift = LineCuts.indent(lines[target]) - column
            inline = lines[index][anchor.start() :].rstrip("\n")
            body = [
                (" " * shift + line if shift >= 0 else line[-shift:]) if line.strip() else line
                for line in lines[index + 1 : end]
            ]
            lines[target] = lines[target].replace(f"*{name}", inline, 1)
            lines[target + 1 : target + 1] = body
            cuts.removed = {i + len(body) if i > target else i for i in cuts.removed}


def prune_scope_routes(text: str, dropped_routes: tuple[str, ...]) -> str:
    """The JWT authorizer's SCOPE_ROUTES JSON without the dropped routes and empty scopes."""
    match = re.search(r"( *)SCOPE_ROUTES: >-\n((?:\1  .*\n)+)", text)
    if not match:
        return text
    indent = match.group(1) + "  "
    scopes: dict[str, list[str]] = json.loads(" ".join(match.group(2).split("\n")))
    kept = {
        scope: [route for route in routes if not route.split(" ")[-1].startswith(dropped_routes)]
        for scope, routes in scopes.items()
    }
    kept = {scope: routes for scope, routes in kept.items() if routes}
    body = ",\n".join(f"{indent}{json.dumps({s: r})[1:-1]}" for s, r in kept.items())
    replacement = f"{match.group(1)}SCOPE_ROUTES: >-\n{indent}{{{body.lstrip()}}}\n"
    return text[: match.start()] + replacement + text[match.end() :]


def prune_dashboard(cuts: LineCuts, dashboard_key: yaml.Node, removed: set[str]) -> None:
    """Metric rows of removed resources leave the dashboard; a widget left empty goes too."""
    lines = cuts.lines
    start = dashboard_key.start_mark.line
    column = dashboard_key.start_mark.column
    end = start + 1
    while end < len(lines) and (cuts.is_comment_or_blank(end) or cuts.indent(lines[end]) > column):
        end += 1
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


def prune_loop_collections(text: str, removed: set[str]) -> str:
    """Functions removed leave the lists of the Fn::ForEach loops over function names (their
    log groups and alarms): each list is written again, flowed as it was, without them."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    edits = []
    for key, (_, loop) in entries(child(root, "Resources")).items():
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
        for name in kept:
            item = f"{name}, " if name != kept[-1] else f"{name}]"
            if line and collection.start_mark.column + len(line) + len(item) > 100:
                lines.append(line.rstrip())
                line = indent
            line += item
        lines.append(line or "]")
        edits.append((collection.start_mark.index, collection.end_mark.index, "\n".join(lines)))
    for start, end, flowed in sorted(edits, reverse=True):
        text = text[:start] + "[" + flowed + text[end:]
    return text


def drop_from_template(
    text: str, dropped: set[str], kept: set[str], api_texts: tuple[str, str] = ("", "")
) -> tuple[str, set[str]]:
    """The template without the dropped domains; also the logical ids removed. `api_texts` are
    the API definition (api/openapi.yaml) before and after `drop_from_api_definition`: a
    parameter or condition only it used goes when it no longer does."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    resources = entries(child(root, "Resources"))
    routes = tuple(route for name in sorted(dropped) for route in DOMAINS[name].routes)
    actions = {action for name in dropped for action in DOMAINS[name].functions}
    seeds = {resource for name in dropped for resource in DOMAINS[name].resources}
    for logical_id, (_, body) in resources.items():
        code = child(body, "Properties", "CodeUri")
        if (
            isinstance(code, yaml.ScalarNode)
            and code.value.startswith("functions/")
            and code.value.rstrip("/").split("/")[-1] in actions
        ):
            seeds.add(logical_id)
    gone_shared = [piece for piece in SHARED.values() if not piece.needed_by & kept]
    for piece in gone_shared:
        seeds.update(piece.resources)
    removed = seeds & set(resources)
    # Whatever names a removed resource goes too (log groups, alarms, policies, keys in plans),
    # or names a dropped route (the critical-route latency alarms).
    while True:
        more = {
            logical_id
            for logical_id, (_, body) in resources.items()
            if logical_id not in removed
            and logical_id not in EDITED_IN_PLACE
            and (references(body) & removed or names_a_route(body, routes))
        }
        if not more:
            break
        removed |= more
    cuts = LineCuts(text)
    for logical_id in removed:
        cuts.cut_entry(resources[logical_id][0])
    for key, value in entries(child(root, "Outputs")).values():
        if references(value) & removed:
            cuts.cut_entry(key)
    api = child(resources["RestApi"][1], "Properties")
    models = {model for name in dropped for model in DOMAINS[name].models}
    # The contract's examples of those models and routes ("GET /v1/files/{name} 200"), and the
    # dropped domains' tags.
    examples = entries(child(resources["RestApi"][1], "Metadata", "Examples"))
    for name, (key, _) in examples.items():
        if name in models or name.partition(" ")[2].startswith(routes):
            cuts.cut_entry(key)
    settings = child(api, "MethodSettings")
    if isinstance(settings, yaml.SequenceNode):
        for item in settings.value:
            resource_path = child(item, "ResourcePath")
            # "/" then the path with each "/" escaped as "~1": /~1v1~1products.
            if isinstance(resource_path, yaml.ScalarNode) and resource_path.value[1:].replace(
                "~1", "/"
            ).startswith(routes):
                cuts.cut_item(item)
    if "products" in dropped:
        # The cache served the catalog reads only.
        for setting in ("CacheClusterEnabled", "CacheClusterSize"):
            if setting in entries(api):
                cuts.cut_entry(entries(api)[setting][0])
    if "Dashboard" in resources:
        prune_dashboard(cuts, resources["Dashboard"][0], removed)
    rehome_anchors(cuts)
    pruned = prune_loop_collections(prune_scope_routes(cuts.text(), routes), removed)
    api_before, api_after = (yaml.compose(t, Loader=yaml.SafeLoader) for t in api_texts)
    return drop_unused_parameters(pruned, before=root, also=(api_before, api_after)), removed


def drop_from_api_definition(text: str, dropped: set[str], kept: set[str]) -> str:
    """The API definition (api/openapi.yaml) without the dropped domains' routes, tags and
    models, and without the security schemes of the shared pieces no kept domain needs: the
    authorizers, the API key scheme with the API keys, SigV4 with the users' internal read."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    routes = tuple(route for name in sorted(dropped) for route in DOMAINS[name].routes)
    cuts = LineCuts(text)
    for path, (key, _) in entries(child(root, "paths")).items():
        if path.startswith(routes):
            cuts.cut_entry(key)
    tags = child(root, "tags")
    if isinstance(tags, yaml.SequenceNode):
        for item in tags.value:
            tag = child(item, "name")
            if isinstance(tag, yaml.ScalarNode) and tag.value in dropped:
                cuts.cut_item(item)
    # API Gateway's model names are the lower-cased model titles.
    models = {model.lower() for name in dropped for model in DOMAINS[name].models}
    for model, (key, _) in entries(child(root, "components", "schemas")).items():
        if model in models:
            cuts.cut_entry(key)
    gone_shared = [piece for piece in SHARED.values() if not piece.needed_by & kept]
    gone_schemes = {piece.authorizer for piece in gone_shared if piece.authorizer}
    if SHARED["api-keys"] in gone_shared:
        gone_schemes.add("api_key")
    if "users" in dropped:
        gone_schemes.add("sigv4")
    for scheme, (key, _) in entries(child(root, "components", "securitySchemes")).items():
        if scheme in gone_schemes:
            cuts.cut_entry(key)
    rehome_anchors(cuts)
    return cuts.text()


def names_a_route(node: yaml.Node, routes: tuple[str, ...]) -> bool:
    """True if a plain string of the node is one of the routes (as an alarm's dimension is)."""
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return node.tag == "tag:yaml.org,2002:str" and value.startswith(routes) and " " not in value
    if isinstance(node, yaml.SequenceNode):
        return any(names_a_route(item, routes) for item in node.value)
    if isinstance(node, yaml.MappingNode):
        return any(names_a_route(value, routes) for _, value in node.value)
    return False


def drop_unused_parameters(
    text: str, before: yaml.Node, also: tuple[yaml.Node | None, yaml.Node | None] = (None, None)
) -> str:
    """Parameters and conditions only the removed pieces used go too (conditions first: a
    parameter only a dropped condition read goes with it). `also` is a document the template
    includes (api/openapi.yaml), before and after: its uses count as the template's."""
    included_before, included_now = also
    for section, uses in (("Conditions", condition_names), ("Parameters", references)):
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        declared = entries(child(root, section))
        used_before = set().union(*(uses(v) for k, v in before.value if k.value != section))
        used_now: set[str] = set().union(*(uses(v) for k, v in root.value if k.value != section))
        if included_before is not None and included_now is not None:
            used_before |= uses(included_before)
            used_now |= uses(included_now)
        unused = [name for name in declared if name in used_before and name not in used_now]
        if unused:
            cuts = LineCuts(text)
            for name in unused:
                cuts.cut_entry(declared[name][0])
            text = cuts.text()
    return text


def condition_names(node: yaml.Node) -> set[str]:
    """The conditions a node uses: `Condition: X`, `!Condition X` and `!If [X, ...]`."""
    found: set[str] = set()
    if isinstance(node, yaml.ScalarNode) and node.tag == "!Condition":
        found.add(str(node.value))
    elif isinstance(node, yaml.SequenceNode):
        if node.tag == "!If" and node.value and isinstance(node.value[0], yaml.ScalarNode):
            found.add(str(node.value[0].value))
        for item in node.value:
            found |= condition_names(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "Condition" and isinstance(value, yaml.ScalarNode):
                found.add(str(value.value))
            elif key.value == "Fn::If" and isinstance(value, yaml.SequenceNode) and value.value:
                found.add(str(value.value[0].value))
            found |= condition_names(value)
    return found


def prune_test_module(
    source: str, markers: tuple[str, ...], assuming_tests: frozenset[str] = frozenset()
) -> str | None:
    """A test module without the top-level statements that exercise a dropped domain (they
    spell one of its markers, or use a name such a statement defined); None if no test is left."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    statements = list(tree.body)
    doomed: set[int] = set()
    removed_names: set[str] = set()
    while True:
        more = set()
        for position, statement in enumerate(statements):
            if position in doomed or isinstance(statement, ast.Import | ast.ImportFrom):
                continue
            segment = "".join(lines[first_line(statement) - 1 : statement.end_lineno])
            used = {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}
            used |= {
                arg.arg
                for node in ast.walk(statement)
                if isinstance(node, ast.arguments)
                for arg in node.args
            }
            named = getattr(statement, "name", None) in assuming_tests
            if named or any(marker in segment for marker in markers) or used & removed_names:
                more.add(position)
        if not more:
            break
        doomed |= more
        for position in more:
            removed_names |= defined_names(statements[position])
    imports = [
        position
        for position, statement in enumerate(statements)
        if isinstance(statement, ast.ImportFrom)
        and any(marker in (statement.module or "") for marker in markers)
    ]
    doomed.update(imports)
    if not doomed:
        return source
    remaining = [s for p, s in enumerate(statements) if p not in doomed]
    if not any(
        isinstance(s, ast.FunctionDef | ast.ClassDef) and s.name.startswith(("test_", "Test"))
        for s in remaining
    ):
        return None
    keep = [True] * len(lines)
    for position in doomed:
        statement = statements[position]
        for index in range(first_line(statement) - 1, statement.end_lineno or 0):
            keep[index] = False
    return "".join(line for index, line in enumerate(lines) if keep[index])


def first_line(statement: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(decorator.lineno for decorator in decorators)])


def defined_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    return {
        node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)
    }


def remove_path(root: Path, relative: str) -> bool:
    path = root / relative
    if path.is_dir():
        shutil.rmtree(path)
        return True
    if path.is_file():
        path.unlink()
        return True
    return False


def unlink_removed_docs(root: Path) -> None:
    """Markdown links to removed files become plain text; security-model rows naming a removed
    test go (tests/docs checks every test the model names exists)."""
    link = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)]*)?\)")
    for document in [root / "README.md", root / "CONTRIBUTING.md", *(root / "docs").rglob("*.md")]:
        if not document.is_file():
            continue
        text = document.read_text(encoding="utf-8")

        def plain_if_gone(match: re.Match[str], folder: Path = document.parent) -> str:
            target = match.group(2)
            if "://" in target or (folder / target).exists():
                return match.group(0)
            return match.group(1)

        document.write_text(link.sub(plain_if_gone, text), encoding="utf-8")
    security = root / "docs" / "security.md"
    if not security.is_file():
        return
    sources = "\n".join(p.read_text(encoding="utf-8") for p in root.glob("**/tests/**/test_*.py"))
    rows = []
    for line in security.read_text(encoding="utf-8").splitlines(keepends=True):
        files = re.findall(r"`((?:gateway/)?tests/[\w/]+\.py)`", line)
        names = re.findall(r"`(test_[\w*]+)`", line)
        missing = [f for f in files if not (root / f).is_file()] + [
            n for n in names if not re.search("def " + n.replace("*", r"\w*") + r"\(", sources)
        ]
        if not (line.startswith("|") and missing):
            rows.append(line)
    security.write_text("".join(rows), encoding="utf-8")


def prune_samconfig(root: Path, parameters: set[str], dropped: set[str]) -> None:
    """Overrides of removed parameters and the local issuer's scopes of dropped domains go."""
    path = root / "samconfig.toml"
    text = path.read_text(encoding="utf-8")
    # A token goes with the space before it, or after it when it comes first.
    tokens = [rf"\b{name}=[^\s\"]+" for name in parameters]
    tokens += [rf"\b{name}:\w+" for name in dropped]
    for token in tokens:
        text = re.sub(rf" {token}|{token} ?", "", text)
    path.write_text(text, encoding="utf-8")


def keep_domains(root: Path, keep: set[str]) -> list[str]:
    """Remove every sample domain not in `keep`; return the removed paths."""
    dropped = set(DOMAINS) - keep
    if not dropped:
        return []
    package = root / "layers" / "shared" / Spellings.of(current_name(root)).snake
    template = root / "template.yaml"
    original = template.read_text(encoding="utf-8")
    api = root / "api" / "openapi.yaml"
    api_original = api.read_text(encoding="utf-8")
    api_pruned = drop_from_api_definition(api_original, dropped, keep)
    api.write_text(api_pruned, encoding="utf-8")
    pruned, _ = drop_from_template(original, dropped, keep, (api_original, api_pruned))
    template.write_text(pruned, encoding="utf-8")
    before = set(entries(child(yaml.compose(original, Loader=yaml.SafeLoader), "Parameters")))
    after = set(entries(child(yaml.compose(pruned, Loader=yaml.SafeLoader), "Parameters")))
    prune_samconfig(root, before - after, dropped)
    paths = [
        path
        for name in sorted(dropped)
        for path in (
            *(f"functions/{action}/" for action in DOMAINS[name].functions),
            *(f"events/{action}.json" for action in DOMAINS[name].functions),
            f"{package.relative_to(root).as_posix()}/{name}/",
            *(f"{package.relative_to(root).as_posix()}/{p}/" for p in DOMAINS[name].layer_packages),
            *DOMAINS[name].tests,
        )
    ]
    paths += [
        path for piece in SHARED.values() if not piece.needed_by & keep for path in piece.paths
    ]
    removed = [path for path in paths if remove_path(root, path)]
    markers = tuple(marker for name in sorted(dropped) for marker in DOMAINS[name].markers)
    markers += tuple(
        marker
        for piece in SHARED.values()
        if not piece.needed_by & keep
        for marker in piece.markers
    )
    assuming = frozenset(test for name in dropped for test in DOMAINS[name].assuming_tests)
    for module in sorted((root / "tests").rglob("*.py")):
        if module.is_relative_to(root / "tests" / "rename"):
            continue
        pruned_module = prune_test_module(module.read_text(encoding="utf-8"), markers, assuming)
        if pruned_module is None and module.name.startswith("test_"):
            module.unlink()
            removed.append(module.relative_to(root).as_posix())
        elif pruned_module is not None:
            module.write_text(pruned_module, encoding="utf-8")
    # A folder left without tests goes, but tests/support: it holds the tests' helpers.
    support = root / "tests" / "support"
    for folder in sorted((root / "tests").rglob("*"), reverse=True):
        if (
            folder.is_dir()
            and not any(folder.rglob("test_*.py"))
            and folder.name != "__pycache__"
            and not folder.is_relative_to(support)
        ):
            shutil.rmtree(folder)
            removed.append(folder.relative_to(root).as_posix() + "/")
    unlink_removed_docs(root)
    drop_gone_folders_from_tooling(root)
    regenerate_openapi(root)
    tidy_python(sorted((root / "tests").rglob("*.py")), root, unused_imports=True)
    return removed


def drop_gone_folders_from_tooling(root: Path) -> None:
    """Dependabot watches no removed folder; make lint and pre-commit's mypy (kept the same by
    tests/docs) name no removed folder."""
    dependabot = root / ".github" / "dependabot.yml"
    if dependabot.is_file():
        text = dependabot.read_text(encoding="utf-8")
        updates = child(yaml.compose(text, Loader=yaml.SafeLoader), "updates")
        if isinstance(updates, yaml.SequenceNode):
            cuts = LineCuts(text)
            for item in updates.value:
                folder = child(item, "directory")
                if (
                    isinstance(folder, yaml.ScalarNode)
                    and not (root / folder.value.lstrip("/")).exists()
                ):
                    cuts.cut_item(item)
            dependabot.write_text(cuts.text(), encoding="utf-8")
    for folder in ("authorizers", "stand_ins"):
        if (root / folder).exists():
            continue
        for name in (".pre-commit-config.yaml", "Makefile"):
            path = root / name
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace(f" {folder} ", " "), encoding="utf-8")


def regenerate_openapi(root: Path) -> None:
    """The client contract from the pruned template; dropping routes is a deliberate breaking
    change, so the previous contract the drift test compares with starts over from it."""
    contract = root / "docs" / "openapi.json"
    command = [sys.executable, "-m", "local_gateway", "openapi", "--template", "template.yaml"]
    command += ["--config-env", "default", "-o", str(contract)]
    subprocess.run(command, cwd=root, check=True)  # noqa: S603
    shutil.copyfile(contract, root / "docs" / "openapi.previous.json")
    prune_contract_page(
        root / "docs" / "contract.md", set(json.loads(contract.read_text())["paths"])
    )


# A row of the contract page's routes table: `| GET | /v1/users/{id} | ...`.
CONTRACT_ROUTE_ROW = re.compile(r"^\| [A-Z]+ \| (/\S*) \|")


def prune_contract_page(page: Path, paths: set[str]) -> None:
    """The routes table of docs/contract.md without the rows of routes the API no longer has
    (its prose about a dropped domain is for the fork to edit)."""
    if not page.is_file():
        return
    kept = [
        line
        for line in page.read_text(encoding="utf-8").splitlines(keepends=True)
        if not (row := CONTRACT_ROUTE_ROW.match(line)) or row.group(1).replace("+}", "}") in paths
    ]
    page.write_text("".join(kept), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", help="the new service name, like orders-api")
    parser.add_argument(
        "--keep",
        help=f'the sample domains to keep, like "users products" (of: {" ".join(DOMAINS)})',
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root")
    arguments = parser.parse_args(argv)
    if arguments.name is None and arguments.keep is None:
        parser.error("give --name, --keep or both")
    root = arguments.root.resolve()
    try:
        if arguments.name is not None:
            validated_name(arguments.name)
        if arguments.keep is not None:
            keep = validated_keep(arguments.keep.replace(",", " ").split())
            removed = keep_domains(root, keep)
            kept = " ".join(sorted(keep)) or "no sample domain"
            print(f"Kept {kept}: {len(removed)} paths removed.")
        if arguments.name is not None:
            changed = rename(root, arguments.name)
            print(f"Renamed to {arguments.name}: {len(changed)} files changed.")
    except ValueError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
