"""Who owns what: the sample domains and shared pieces `[tool.rename.domains]` in pyproject.toml
declares, and the marks that say which of them a folder or a document belongs to.

An owner is "core" (always kept), a sample domain (kept when KEEP names it) or a shared piece
(kept while one of the domains it serves is kept). A thing marked with several owners needs all
of them: it goes when any one goes.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CORE = "core"
# A Markdown document's mark: its first line (invisible once rendered).
DOCUMENT_MARK = re.compile(r"\A<!-- domain: ([\w-]+(?:, [\w-]+)*) -->\n")
TABLE_HEADER = "[tool.rename.domains]"


@dataclass(frozen=True)
class Owners:
    """The sample domains and the shared pieces with the domains each serves."""

    sample: tuple[str, ...]
    shared: dict[str, frozenset[str]]

    @classmethod
    def of(cls, root: Path) -> Owners:
        with (root / "pyproject.toml").open("rb") as pyproject:
            table = tomllib.load(pyproject)["tool"]["rename"]["domains"]
        return cls(
            sample=tuple(table["sample"]),
            shared={piece: frozenset(served) for piece, served in table["shared"].items()},
        )

    @property
    def known(self) -> frozenset[str]:
        return frozenset({CORE, *self.sample, *self.shared})

    def validated_keep(self, keep: Iterable[str]) -> set[str]:
        kept = set(keep)
        unknown = sorted(kept - set(self.sample))
        if unknown:
            raise ValueError(
                f"KEEP names the sample domains to keep ({', '.join(self.sample)}), not {unknown}"
            )
        return kept

    def dropped(self, keep: set[str]) -> frozenset[str]:
        """The owners that go when only `keep` stays: the other domains, and the shared pieces
        none of whose domains stays."""
        pieces = {piece for piece, served in self.shared.items() if not served & keep}
        return frozenset(set(self.sample) - keep) | pieces

    def unknown(self, owners: Iterable[str]) -> list[str]:
        return sorted(set(owners) - self.known)

    def kept(self, keep: set[str]) -> Owners:
        return Owners(
            sample=tuple(name for name in self.sample if name in keep),
            shared={piece: served & keep for piece, served in self.shared.items() if served & keep},
        )


def write_owners(root: Path, owners: Owners) -> None:
    """Rewrite pyproject.toml's `[tool.rename.domains]` tables (written by this tool, one shape)
    with what is left, so a second KEEP and the test suite's domain check know only those."""
    path = root / "pyproject.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(TABLE_HEADER + "\n")
    end = start + 1
    while end < len(lines) and not (
        lines[end].startswith("[") and not lines[end].startswith("[tool.rename.domains")
    ):
        end += 1
    table = [TABLE_HEADER + "\n", f"sample = {json.dumps(list(owners.sample))}\n", "\n"]
    table.append("[tool.rename.domains.shared]\n")
    table += [f"{name} = {json.dumps(sorted(served))}\n" for name, served in owners.shared.items()]
    trailing = ["\n"] if end < len(lines) else []
    path.write_text("".join(lines[:start] + table + trailing + lines[end:]), encoding="utf-8")


def package_owners(folder: Path) -> tuple[str, ...] | None:
    """What a Python package folder says it belongs to: `DOMAIN = "users"` (or a tuple of
    names) in its `__init__.py`; None when it says nothing (then it is not a domain's own)."""
    init = folder / "__init__.py"
    return module_owners(init) if init.is_file() else None


def module_owners(module: Path) -> tuple[str, ...] | None:
    """What a Python module says it belongs to: `DOMAIN = "users"` (or a tuple of names) among
    its top-level statements; None when it says nothing."""
    for statement in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.Assign) and [
            getattr(target, "id", None) for target in statement.targets
        ] == ["DOMAIN"]:
            value = ast.literal_eval(statement.value)
            return (value,) if isinstance(value, str) else tuple(value)
    return None


def document_owners(document: Path) -> tuple[str, ...] | None:
    """What a Markdown document says it belongs to: a first line `<!-- domain: files -->`."""
    match = DOCUMENT_MARK.match(document.read_text(encoding="utf-8"))
    return tuple(match.group(1).split(", ")) if match else None


def goes(owners: Iterable[str] | None, dropped: frozenset[str]) -> bool:
    return bool(owners) and any(owner in dropped for owner in owners or ())
