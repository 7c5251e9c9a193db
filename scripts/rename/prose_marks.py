"""Markdown prose owned by a domain: a line ending in `<!-- domain: files -->` goes with that
owner. On a heading, the mark takes the whole section (to the next heading of the same level
or above); on a list item, the item with its indented continuation lines; on a table row (the
mark inside its last cell), the row; on the first line of a paragraph, the paragraph."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.rename.ownership import goes

LINE_MARK = re.compile(r"\s*<!-- domain: ([\w-]+(?:, [\w-]+)*) -->\s*\|?\s*$")
HEADING = re.compile(r"^(#+) ")
LIST_ITEM = re.compile(r"^(\s*)[-*] ")


def line_owners(line: str) -> tuple[str, ...] | None:
    mark = LINE_MARK.search(line)
    return tuple(mark.group(1).split(", ")) if mark else None


def block_end(lines: list[str], start: int) -> int:
    """The index after the block a marked line at `start` opens."""
    if heading := HEADING.match(lines[start]):
        level = len(heading.group(1))
        end = start + 1
        while end < len(lines) and not (
            (other := HEADING.match(lines[end])) and len(other.group(1)) <= level
        ):
            end += 1
        return end
    if item := LIST_ITEM.match(lines[start]):
        indent = len(item.group(1)) + 2
        end = start + 1
        while end < len(lines) and lines[end].strip() and lines[end].startswith(" " * indent):
            end += 1
        return end
    if lines[start].startswith("|"):
        return start + 1
    end = start + 1
    while end < len(lines) and lines[end].strip() and not HEADING.match(lines[end]):
        end += 1
    return end


def prune_marked_prose(text: str, dropped: frozenset[str]) -> str:
    """`text` without the blocks marked with a dropped owner, the others' marks left as written
    (a reader of the source sees what `make rename` keys on)."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if goes(line_owners(lines[index]), dropped):
            index = block_end(lines, index)
            # One blank line between what was around the block, not two.
            if kept and not kept[-1].strip() and index < len(lines) and not lines[index].strip():
                index += 1
            continue
        kept.append(lines[index])
        index += 1
    return "".join(kept)


def prune_documents(root: Path, dropped: frozenset[str]) -> None:
    """Every Markdown document of the repository, its dropped owners' marked prose cut."""
    for document in [root / "README.md", root / "CONTRIBUTING.md", *(root / "docs").rglob("*.md")]:
        if document.is_file():
            text = document.read_text(encoding="utf-8")
            if (pruned := prune_marked_prose(text, dropped)) != text:
                document.write_text(pruned, encoding="utf-8")
