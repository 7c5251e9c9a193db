"""Edits of YAML as text, so every comment, anchor and blank line of the file stays as it was.

A block is inserted where a reader would put it by hand: at the end of the mapping a key path
names (``Resources``, then ``RestApi``, ...), or after a given line; it is written at its own
indentation and nothing else moves.
"""

import re


def is_content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def find_key(lines: list[str], keys: list[str]) -> tuple[int, int] | None:
    """The line of the last key of the path and the index after its block, or None."""
    start, end, parent, found = 0, len(lines), -1, -1
    for key in keys:
        pattern = re.compile(rf"^( *){re.escape(key)}:(\s|$)")
        found = next(
            (
                i
                for i in range(start, end)
                if (m := pattern.match(lines[i])) and len(m.group(1)) > parent
            ),
            -1,
        )
        if found < 0:
            return None
        parent = indent_of(lines[found])
        start = found + 1
        end = next(
            (
                i
                for i in range(start, end)
                if is_content(lines[i]) and indent_of(lines[i]) <= parent
            ),
            end,
        )
    return found, end


def end_of_mapping(lines: list[str], keys: list[str]) -> int:
    """The index after the last content line of the mapping (or list) at the key path."""
    located = find_key(lines, keys)
    if located is None:
        raise KeyError(f"no `{'.'.join(keys)}` in the file")
    key_line, end = located
    return max((i for i in range(key_line, end) if is_content(lines[i])), default=key_line) + 1


def insert_at_end_of(text: str, keys: list[str], block: str) -> str:
    lines = text.split("\n")
    at = end_of_mapping(lines, keys)
    return "\n".join([*lines[:at], *block.rstrip("\n").split("\n"), *lines[at:]])


def add_to_loop_collection(text: str, loop: str, item: str, line_length: int) -> str:
    """``item`` appended to the flow list that is the collection of the ``Fn::ForEach`` loop
    ``loop`` (its second entry, ``- [A, B, ...]``, over one line or several)."""
    lines = text.split("\n")
    header = next((i for i, line in enumerate(lines) if line.strip() == f"{loop}:"), None)
    if header is None:
        raise KeyError(f"no `{loop}` in the file")
    opening = next(i for i in range(header + 1, len(lines)) if "[" in lines[i])
    closing = next(i for i in range(opening, len(lines)) if lines[i].rstrip().endswith("]"))
    last = lines[closing].rstrip()[:-1].rstrip()
    if len(last) + len(item) + 3 <= line_length:
        lines[closing] = f"{last}, {item}]"
    else:
        continuation = lines[opening].index("[") + 1
        lines[closing] = last + ","
        lines.insert(closing + 1, " " * continuation + item + "]")
    return "\n".join(lines)
