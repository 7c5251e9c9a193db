"""Files and folders: what a dropped owner's marks say is its own goes, and what pointed at it
(links, tooling, the contract) follows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)

from scripts.rename.ownership import document_owners, goes, module_owners, package_owners
from scripts.rename.yaml_text import LineCuts, child

# Import roots: the repository (functions, authorizers, tests) and the layer's folder.
LAYER_ROOT = Path("layers") / "shared"


def owned_paths(root: Path, tracked: list[Path], dropped: frozenset[str]) -> list[Path]:
    """Python packages (their `DOMAIN`), test helper modules (a `DOMAIN` of their own), the
    events named after a removed function folder, and Markdown documents (their first-line
    mark) that belong to a dropped owner."""
    folders = sorted(
        {
            path.parent
            for path in tracked
            if path.name == "__init__.py"
            and not path.relative_to(root).as_posix().startswith(("gateway/", "scripts/"))
            and goes(package_owners(path.parent), dropped)
        }
    )
    # A package inside a removed one goes with it: keep the outermost.
    folders = [f for f in folders if not any(f != o and f.is_relative_to(o) for o in folders)]
    # An event is named after the function folder it is for, which may sit inside a removed
    # folder (authorizers/jwt_authorizer/).
    names = {f.name for folder in folders for f in (folder, *folder.rglob("*")) if f.is_dir()}
    events = [root / "events" / f"{name}.json" for name in sorted(names)]
    events = [event for event in events if event.is_file()]
    documents = [
        path
        for path in tracked
        if path.suffix == ".md" and path.is_file() and goes(document_owners(path), dropped)
    ]
    helpers = [
        path
        for path in tracked
        if path.suffix == ".py"
        and path.name != "__init__.py"
        and path.relative_to(root).parts[0] == "tests"
        and path.is_file()
        and goes(module_owners(path), dropped)
    ]
    return [*folders, *events, *documents, *helpers]


def module_name(root: Path, path: Path) -> str:
    """The dotted name a removed folder or .py file is imported by."""
    relative = path.relative_to(root)
    if relative.is_relative_to(LAYER_ROOT):
        relative = relative.relative_to(LAYER_ROOT)
    return ".".join(relative.with_suffix("").parts)


def remove(path: Path) -> bool:
    if path.is_dir():
        shutil.rmtree(path)
        return True
    if path.is_file():
        path.unlink()
        return True
    return False


def remove_emptied_test_folders(root: Path, removed: list[Path]) -> list[Path]:
    """A test folder whose test modules were all removed goes (its conftest served only them);
    a folder that never held any (tests/support) stays."""
    tests = root / "tests"
    emptied = []
    emptied_by = [path for path in removed if path.name.startswith("test_")]
    candidates = {f for path in emptied_by for f in path.parents if f.is_relative_to(tests)}
    for folder in sorted(candidates - {tests}, reverse=True):
        if folder.is_dir() and not any(folder.rglob("test_*.py")):
            shutil.rmtree(folder)
            emptied.append(folder)
    return emptied


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


def prune_samconfig(root: Path, parameters: set[str], scopes: set[str]) -> None:
    """Overrides of removed parameters and the local issuer's removed scopes go."""
    path = root / "samconfig.toml"
    text = path.read_text(encoding="utf-8")
    # A token goes with the space before it, or after it when it comes first.
    tokens = [rf"\b{name}=[^\s\"]+" for name in parameters]
    tokens += [rf"(?<![\w:]){re.escape(scope)}(?![\w:])" for scope in scopes]
    for token in tokens:
        text = re.sub(rf" {token}|{token} ?", "", text)
    path.write_text(text, encoding="utf-8")


def drop_gone_folders_from_tooling(root: Path, removed: list[Path]) -> None:
    """Dependabot watches no removed folder; make lint and pre-commit's mypy (kept the same by
    tests/docs) name no removed top-level folder."""
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
    top_level = [path.name for path in removed if path.parent == root and not path.exists()]
    for folder in top_level:
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


def tidy_python(paths: list[Path], root: Path, *, unused_imports: bool = False) -> None:
    """Re-sort imports and re-wrap lines: a new name can sort earlier or run longer (and imports
    of removed tests' helpers go unused)."""
    if not paths:
        return
    # The venv's own ruff (the pinned one), on files this tool has just written.
    ruff = [sys.executable, "-m", "ruff"]
    files = [str(path) for path in paths]
    rules = "I,F401" if unused_imports else "I"
    sort_imports = [*ruff, "check", "--quiet", "--select", rules, "--fix", *files]
    subprocess.run(sort_imports, cwd=root, check=True)  # noqa: S603
    subprocess.run([*ruff, "format", "--quiet", *files], cwd=root, check=True)  # noqa: S603
