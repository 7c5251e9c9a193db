"""Tests leave by their mark: `pytestmark = pytest.mark.domain("users")` on a module, or
`@pytest.mark.domain("products")` on a test, says what it needs (tests/conftest.py refuses a
test module without one). A module whose mark goes is deleted; in a module that stays, the
marked tests that go are cut, with the helpers and fixtures only they used, and whatever imports
a module that was removed."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from scripts.rename.ownership import goes

Statement = ast.stmt


def domain_marks(node: ast.AST) -> Iterator[str]:
    """The owners named by every `pytest.mark.domain(...)` call inside `node`."""
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "domain"
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "mark"
        ):
            for argument in call.args:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield argument.value


def module_owners(tree: ast.Module) -> list[str]:
    return [
        owner
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and any(getattr(target, "id", None) == "pytestmark" for target in statement.targets)
        for owner in domain_marks(statement.value)
    ]


def prune_module(
    source: str, dropped: frozenset[str], gone_modules: tuple[str, ...], *, is_test: bool
) -> str | None:
    """The module without what goes; None when the whole test module goes (its own mark goes,
    or no test is left in it)."""
    tree = ast.parse(source)
    if is_test and goes(module_owners(tree), dropped):
        return None
    if is_test and (without := cut_params(source, tree, dropped)) != source:
        return prune_module(without, dropped, gone_modules, is_test=is_test)
    statements = list(tree.body)
    doomed = {
        position
        for position, statement in enumerate(statements)
        if goes(marks_on(statement), dropped) or imports_a_gone_module(statement, gone_modules)
    }
    if not doomed:
        return source
    doomed = spread(statements, doomed, collect_helpers=is_test)
    remaining = [s for p, s in enumerate(statements) if p not in doomed]
    if is_test and not any(is_test_definition(s) for s in remaining):
        return None
    lines = source.splitlines(keepends=True)
    keep = [True] * len(lines)
    for position in doomed:
        statement = statements[position]
        for index in range(first_line(statement) - 1, statement.end_lineno or 0):
            keep[index] = False
    return "".join(line for index, line in enumerate(lines) if keep[index])


def marks_on(statement: Statement) -> list[str]:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return [owner for decorator in decorators for owner in domain_marks(decorator)]


def imports_a_gone_module(statement: Statement, gone_modules: tuple[str, ...]) -> bool:
    def gone(module: str) -> bool:
        return any(module == name or module.startswith(name + ".") for name in gone_modules)

    if isinstance(statement, ast.ImportFrom):
        return gone(statement.module or "")
    if isinstance(statement, ast.Import):
        return any(gone(alias.name) for alias in statement.names)
    return False


def spread(statements: list[Statement], doomed: set[int], *, collect_helpers: bool) -> set[int]:
    """What goes with the doomed statements: statements that use a name only they defined
    (imports included) and, in a test module, helpers and fixtures no remaining statement uses."""
    doomed = set(doomed)
    while True:
        gone_names = set().union(*(defined_names(statements[p]) for p in doomed))
        used_by_gone = set().union(*(used_names(statements[p]) for p in doomed))
        alive = [p for p in range(len(statements)) if p not in doomed]
        more = {p for p in alive if used_names(statements[p]) & gone_names}
        if collect_helpers:
            more |= {
                p
                for p in alive
                if not is_test_definition(statements[p])
                and not is_autouse_fixture(statements[p])
                and (names := defined_names(statements[p]))
                and names <= used_by_gone
                and not any(names & used_names(statements[q]) for q in alive if q != p)
            }
        if not more:
            return doomed
        doomed |= more


def is_test_definition(statement: Statement) -> bool:
    return isinstance(statement, ast.FunctionDef | ast.ClassDef) and statement.name.startswith(
        ("test_", "Test")
    )


def is_autouse_fixture(statement: Statement) -> bool:
    return any(
        isinstance(keyword, ast.keyword) and keyword.arg == "autouse"
        for decorator in getattr(statement, "decorator_list", [])
        for keyword in ast.walk(decorator)
    )


def used_names(statement: Statement) -> set[str]:
    """Names a statement reads, and the fixtures its functions take by parameter name."""
    used = {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}
    used |= {
        argument.arg
        for node in ast.walk(statement)
        if isinstance(node, ast.arguments)
        for argument in (*node.posonlyargs, *node.args, *node.kwonlyargs)
    }
    return used - defined_names(statement) if not is_function(statement) else used


def is_function(statement: Statement) -> bool:
    return isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)


def defined_names(statement: Statement) -> set[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    return {
        node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)
    }


def first_line(statement: Statement) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(decorator.lineno for decorator in decorators)])


def cut_params(source: str, tree: ast.Module, dropped: frozenset[str]) -> str:
    """Parameter sets marked with a dropped owner leave their list:
    `pytest.param("/v1/products", marks=pytest.mark.domain("products"))`."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "param"
        ):
            continue
        owners = [owner for k in node.keywords if k.arg == "marks" for owner in domain_marks(k)]
        if not goes(owners, dropped):
            continue
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        comma = re.match(r"[ \t]*,[ \t]*", source[end:])
        end += comma.end() if comma else 0
        line_start = source.rfind("\n", 0, start) + 1
        if not source[line_start:start].strip() and source[end : end + 1] == "\n":
            start, end = line_start, end + 1  # alone on its lines: the lines go
        spans.append((start, end))
    for start, end in sorted(spans, reverse=True):
        source = source[:start] + source[end:]
    return source
