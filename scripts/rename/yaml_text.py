"""YAML edited as text: a parser finds the blocks, lines are cut, the rest stays as written.

A YAML round-trip library (ruamel.yaml) would re-indent the template's sequences, re-wrap its
folded scalars and drop or misplace the comments of what it removes; cutting whole lines at the
blocks PyYAML's composer located keeps comments, anchors, short tags (!Ref, !Sub) and layout.
"""

from __future__ import annotations

import re

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)

SEPARATOR = re.compile(r"^\s*# -{10,}\s*$")  # a section header's rule, above and below its text
ANCHOR = re.compile(r"&([A-Za-z_][\w-]*)")
HEADING = re.compile(r"^\s*# --- \S")  # a section header of one line: `# --- Users functions`
SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def compose(text: str) -> yaml.Node:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def entries(node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries by key: (key node, value node)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): (key, value) for key, value in node.value}


def child(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        found = entries(node).get(key)
        node = found[1] if found else None
    return node


def scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


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
        # The long forms too: a document included with AWS::Include allows no short tags.
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

    def block_end(self, line: int, column: int) -> int:
        end = line + 1
        while end < len(self.lines) and (
            self.is_comment_or_blank(end) or self.indent(self.lines[end]) > column
        ):
            end += 1
        return end

    def cut_block(self, line: int, column: int) -> None:
        """Remove the block whose key (or `- `) sits at `line`, `column`, with the comments just
        above it; a section's `# ---` header stays unless its whole section goes (tidy)."""
        end = self.block_end(line, column)
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
            and not is_section_header(self.lines[start - 1])
        ):
            start -= 1
        self.removed.update(range(start, end))

    def cut_entry(self, key: yaml.Node) -> None:
        self.cut_block(key.start_mark.line, key.start_mark.column)

    def cut_item(self, item: yaml.Node) -> None:
        # A block sequence item's node starts after its "- ".
        self.cut_block(item.start_mark.line, item.start_mark.column - 2)

    def text(self) -> str:
        rehome_anchors(self)
        kept = [line for index, line in enumerate(self.lines) if index not in self.removed]
        return tidy_yaml(kept)


def is_section_header(line: str) -> bool:
    return bool(SEPARATOR.match(line) or HEADING.match(line))


def tidy_yaml(lines: list[str]) -> str:
    """Drop section headers left with nothing under them and runs of blank lines."""
    result: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if HEADING.match(line):
            # The header and the comment lines that continue it, then what the section holds.
            header_indent = LineCuts.indent(line)
            after = index + 1
            while after < len(lines) and (
                not lines[after].strip()
                or (
                    lines[after].lstrip().startswith("#")
                    and not is_section_header(lines[after])
                    and LineCuts.indent(lines[after]) == header_indent
                )
            ):
                after += 1
            if (
                after >= len(lines)
                or is_section_header(lines[after])
                or LineCuts.indent(lines[after]) < header_indent
            ):
                index = after
                continue
            result.append(line)
            index += 1
            continue
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
                or is_section_header(lines[after])
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
    first surviving alias, so the YAML still resolves; one at a time, until none is left."""
    lines = cuts.lines
    while moved := next(
        (
            (index, anchor)
            for index in sorted(cuts.removed)
            for anchor in ANCHOR.finditer(lines[index])
            if surviving_aliases(cuts, anchor.group(1))
        ),
        None,
    ):
        index, anchor = moved
        name = anchor.group(1)
        target = surviving_aliases(cuts, name)[0]
        column = LineCuts.indent(lines[index])
        end = cuts.block_end(index, column)
        shift = LineCuts.indent(lines[target]) - column
        inline = lines[index][anchor.start() :].rstrip("\n")
        body = [
            (" " * shift + line if shift >= 0 else line[-shift:]) if line.strip() else line
            for line in lines[index + 1 : end]
        ]
        # The removed originals keep no anchor: what they defined now lives at the target.
        for original in range(index, end):
            lines[original] = ANCHOR.sub("", lines[original])
        at = re.search(rf"\*{re.escape(name)}\b", lines[target])
        if at and in_flow_collection(lines[target][: at.start()]):
            # `{Domain: files, checkov: *function_checkov}`: the value goes there, in flow.
            inline = f"&{name} {flow_style(inline[len(name) + 1 :], body)}"
            body = []
        lines[target] = lines[target].replace(f"*{name}", inline, 1)
        lines[target + 1 : target + 1] = body
        cuts.removed = {i + len(body) if i > target else i for i in cuts.removed}


def surviving_aliases(cuts: LineCuts, name: str) -> list[int]:
    """The lines outside removed blocks that use the anchor `name` (`*name`)."""
    alias = re.compile(rf"\*{re.escape(name)}\b")
    return [i for i, line in enumerate(cuts.lines) if i not in cuts.removed and alias.search(line)]


def in_flow_collection(before: str) -> bool:
    """Whether a line's text up to some point leaves a `{` or `[` open (quotes aside)."""
    depth = 0
    for character in re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", before):
        depth += character in "{["
        depth -= character in "}]"
    return depth > 0


def flow_style(rest: str, body: list[str]) -> str:
    """An anchored value written again on one line: the rest of its anchor's line and the
    block under it. An anchor inside it would be lost, so one is refused."""
    if any(re.search(r"&[A-Za-z_]", line) for line in body):
        raise ValueError(f"cannot move a block holding an anchor into a flow collection: {rest}")
    indent = min((LineCuts.indent(line) for line in body if line.strip()), default=0)
    value = "value:" + rest + "\n" + "".join("  " + line[indent:] for line in body)
    node = child(compose(value), "value")
    pending = [node]
    while pending:  # every collection in it written in flow style
        current = pending.pop()
        if isinstance(current, yaml.CollectionNode):
            current.flow_style = True
            pending += [
                v for pair in current.value for v in (pair if isinstance(pair, tuple) else (pair,))
            ]
    flowed: str = yaml.serialize(node, width=1_000_000)
    return flowed.removesuffix("\n...\n").strip()


def drop_unused(
    text: str,
    before: yaml.Node,
    included: tuple[list[yaml.Node], list[yaml.Node]] = ([], []),
) -> str:
    """Parameters and conditions only removed blocks used go too (conditions first: a
    parameter only a dropped condition read goes with it). `included` are the documents the
    template includes, before and after: their uses count as the template's."""
    included_before, included_now = included
    for section, uses in (("Conditions", condition_names), ("Parameters", references)):
        root = compose(text)
        declared = entries(child(root, section))
        used_before = set().union(*(uses(v) for k, v in before.value if k.value != section))
        used_now: set[str] = set().union(*(uses(v) for k, v in root.value if k.value != section))
        used_before |= set().union(*(uses(document) for document in included_before))
        used_now |= set().union(*(uses(document) for document in included_now))
        unused = [name for name in declared if name in used_before and name not in used_now]
        # A condition a kept condition reads (`WafEnabled: !Or [!Condition IsProd, ...]`) stays.
        while read := set().union(
            *(uses(value) for name, (_, value) in declared.items() if name not in unused)
        ) & set(unused):
            unused = [name for name in unused if name not in read]
        if unused:
            cuts = LineCuts(text)
            for name in unused:
                cuts.cut_entry(declared[name][0])
            text = cuts.text()
    return text
