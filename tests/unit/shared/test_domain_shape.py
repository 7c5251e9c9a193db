"""Every domain package has the same shape, and every handler stays a few lines around it.

A domain package under ``layers/shared/sample_api/`` is ``models.py``, ``errors.py``,
``logic.py`` (the rules), ``ports.py`` (the ``Protocol``s the rules depend on) and the AWS
adapters that provide them (any other module; each gets its clients from ``sample_api.aws``).
The rules never reach AWS themselves: ``logic.py`` imports its ports, never an adapter, boto3
or ``sample_api.aws``. Imports are read from the source; models, errors and ports are light
enough to import.
"""

import ast
import importlib
import inspect
import typing
from pathlib import Path

import pytest

from tests.support.functions import ROOT

pytestmark = pytest.mark.domain("core")

LAYER = ROOT / "layers" / "shared" / "sample_api"
PARTS = ("models", "errors", "logic", "ports")
AWS_MODULES = ("boto3", "botocore", "sample_api.aws")
HANDLER_MAX_LINES = 40
DOMAINS = sorted(path.parent for path in LAYER.glob("*/__init__.py"))
HANDLERS = sorted((ROOT / "functions").glob("*/app.py"))


def imported(module: Path) -> set[str]:
    """Every module name the file imports, ``from a.b import c`` as ``a.b`` and ``a.b.c``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaches(names: set[str], modules: tuple[str, ...]) -> set[str]:
    return {n for n in names if any(n == m or n.startswith(f"{m}.") for m in modules)}


def classes_of(module: str) -> list[type]:
    """The classes a module defines (not those it imports)."""
    loaded = importlib.import_module(module)
    return [c for c in vars(loaded).values() if inspect.isclass(c) and c.__module__ == module]


def adapters(domain: Path) -> list[Path]:
    return sorted(p for p in domain.glob("*.py") if p.stem not in (*PARTS, "__init__"))


def test_there_are_domain_packages_to_check():
    assert DOMAINS, f"no domain package under {LAYER}"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_a_domain_package_has_models_errors_logic_ports_and_an_adapter(domain: Path):
    # Given a domain package, When its modules are listed
    present = {path.stem for path in domain.glob("*.py")}

    # Then it has each part, and at least one AWS adapter besides
    assert set(PARTS) <= present, f"{domain.name} lacks {sorted(set(PARTS) - present)}"
    assert adapters(domain), f"{domain.name} has no AWS adapter"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_ports_are_protocols(domain: Path):
    defined = classes_of(f"sample_api.{domain.name}.ports")

    assert defined, f"{domain.name}/ports.py defines no port"
    assert [c.__name__ for c in defined if not typing.is_protocol(c)] == []


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_errors_are_exceptions(domain: Path):
    defined = classes_of(f"sample_api.{domain.name}.errors")

    assert defined, f"{domain.name}/errors.py defines no error"
    assert [c.__name__ for c in defined if not issubclass(c, Exception)] == []


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_logic_depends_on_its_ports_and_never_on_aws(domain: Path):
    # Given the rules of a domain
    names = imported(domain / "logic.py")
    package = f"sample_api.{domain.name}"

    # Then they are written against the ports, and reach no adapter, boto3 or client factory
    assert f"{package}.ports" in names, f"{domain.name}/logic.py does not use its ports"
    own_adapters = tuple(f"{package}.{path.stem}" for path in adapters(domain))
    assert reaches(names, (*AWS_MODULES, *own_adapters)) == set()


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_models_errors_and_ports_never_reach_aws(domain: Path):
    for part in ("models", "errors", "ports"):
        assert reaches(imported(domain / f"{part}.py"), AWS_MODULES) == set(), part


@pytest.mark.parametrize(
    "adapter", [a for d in DOMAINS for a in adapters(d)], ids=lambda a: f"{a.parent.name}/{a.name}"
)
def test_every_other_module_is_an_aws_adapter(adapter: Path):
    # Given a module of a domain that is none of its four parts
    # Then it is an adapter: its clients come from the one place that makes them
    assert "sample_api.aws" in imported(adapter), f"{adapter.name} is not an AWS adapter"


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda h: h.parent.name)
def test_a_handler_stays_a_few_lines_around_its_domain(handler: Path):
    lines = len(handler.read_text().splitlines())

    assert lines <= HANDLER_MAX_LINES, f"{handler.parent.name}: {lines} lines"
