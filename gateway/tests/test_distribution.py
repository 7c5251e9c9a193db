"""The gateway is a distribution of its own (pyproject.toml beside this folder): its source
distribution builds a wheel that declares every third-party module the package uses, carries
every file of the package, imports nothing of the app around it, and runs installed alone.

Built offline with the build backend pyproject.toml names (no compiled parts, so no network).
"""

from __future__ import annotations

import ast
import email.message
import email.parser
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import local_gateway

GATEWAY = Path(__file__).resolve().parents[1]
PACKAGE = "local_gateway"
# The sample app around the gateway in this repository: none of it may reach the package.
APP_MODULES = {"sample_api", "functions", "authorizers", "tests", "stand_ins", "scripts"}
# Left out of a build: caches and what an earlier build or install wrote.
NOT_SOURCE = shutil.ignore_patterns(
    "__pycache__", "*.py[cod]", "*.egg-info", "build", "dist", ".pytest_cache"
)


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path

    def wheel_names(self) -> list[str]:
        with zipfile.ZipFile(self.wheel) as wheel:
            return wheel.namelist()

    def metadata(self) -> email.message.Message:
        with zipfile.ZipFile(self.wheel) as wheel:
            (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
            return email.parser.Parser().parsestr(wheel.read(name).decode())

    def sources(self) -> dict[str, str]:
        """Every Python module the wheel installs, by its path in the wheel."""
        with zipfile.ZipFile(self.wheel) as wheel:
            return {n: wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".py")}


def _build(backend_call: str, source: Path, out: Path) -> Path:
    """Calls the pyproject's build backend (PEP 517) in `source`; returns what it built."""
    backend = tomllib.loads((source / "pyproject.toml").read_text())["build-system"]
    module = backend["build-backend"]
    out.mkdir(exist_ok=True)
    built = subprocess.run(
        [sys.executable, "-c", f"import {module} as b; print(b.{backend_call}({str(out)!r}))"],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return out / built.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sdist from a clean copy of this folder, then the wheel from the unpacked sdist (as
    `python -m build` does, so a file the sdist misses fails the wheel too)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(GATEWAY, source, ignore=NOT_SOURCE)
    sdist = _build("build_sdist", source, work / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    (unpacked,) = (work / "unpacked").iterdir()
    return Built(sdist, _build("build_wheel", unpacked, work / "dist"))


def _modules_used(source: str) -> Iterator[str]:
    """Top-level modules a file imports, looks up or runs: `import x`, `from x import y`,
    `find_spec("x")`/`import_module("x")`, and `"-m", "x"` in an argument list."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in _LOOKUPS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value
        elif isinstance(node, ast.List | ast.Tuple):
            values = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
            yield from (
                str(values[i + 1])
                for i, value in enumerate(values[:-1])
                if value == "-m" and isinstance(values[i + 1], str)
            )


_LOOKUPS = {"find_spec", "import_module"}


def _third_party(modules: set[str]) -> set[str]:
    return {
        name
        for name in modules
        if name not in sys.stdlib_module_names and name != PACKAGE and name != "__future__"
    }


def _declared(metadata: email.message.Message) -> set[str]:
    """Distributions the wheel requires, with or without an extra."""
    return {canonicalize_name(Requirement(r).name) for r in metadata.get_all("Requires-Dist")}


def test_the_wheel_declares_every_third_party_module_the_package_uses(built: Built):
    # Given every top-level module the wheel's code imports, looks up or runs
    used = {name.split(".")[0] for text in built.sources().values() for name in _modules_used(text)}
    providers = importlib.metadata.packages_distributions()

    # When each third-party one is traced to the distribution that provides it here
    undeclared = {
        module: providers.get(module, ["<no distribution provides it>"])
        for module in sorted(_third_party(used))
        if not {canonicalize_name(d) for d in providers.get(module, [])}
        & _declared(built.metadata())
    }

    # Then the wheel's Requires-Dist names each of them (the scan did find the ones we know of)
    assert {"airspeed", "boto3", "h11", "moto", "swagger_ui", "debugpy"} <= used
    assert undeclared == {}, "add to gateway/pyproject.toml's dependencies"


def test_the_tests_need_only_the_dependencies_and_the_test_group(built: Built):
    # Given every top-level module the tests (and the code of their fixtures) use
    sources = [path.read_text() for path in (GATEWAY / "tests").rglob("*.py")]
    used = {name.split(".")[0] for text in sources for name in _modules_used(text)}
    local = {path.stem for path in (GATEWAY / "tests").rglob("*.py")}
    providers = importlib.metadata.packages_distributions()
    groups = tomllib.loads((GATEWAY / "pyproject.toml").read_text())["dependency-groups"]
    declared = _declared(built.metadata()) | {
        canonicalize_name(Requirement(r).name) for r in groups["test"]
    }

    # When each third-party one is traced to the distribution that provides it here
    undeclared = {
        module: providers.get(module, ["<no distribution provides it>"])
        for module in sorted(_third_party(used) - local)
        if not {canonicalize_name(d) for d in providers.get(module, [])} & declared
    }

    # Then `pytest` in this folder needs nothing but `pip install . --group test`
    assert undeclared == {}, "add to gateway/pyproject.toml's dependency group `test`"


def test_the_package_imports_nothing_of_the_app_around_it(built: Built):
    # Given the modules the wheel's code uses
    used = {
        (path, name.split(".")[0])
        for path, text in built.sources().items()
        for name in _modules_used(text)
    }

    # Then none is the sample app's (its layer package, functions, tests, scripts)
    assert sorted((path, name) for path, name in used if name in APP_MODULES) == []


def test_the_wheel_holds_every_file_of_the_package(built: Built):
    # Given the package's files in this folder: modules and the data read beside them
    package = GATEWAY / PACKAGE
    files = {
        path.relative_to(GATEWAY).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }

    # Then the wheel built from the sdist has each of them (py.typed: the types ship too)
    assert f"{PACKAGE}/py.typed" in files
    assert sorted(files - set(built.wheel_names())) == []


def test_the_distribution_is_versioned_once_and_the_changelog_names_the_version(built: Built):
    # Given the version the package says it is
    version = local_gateway.__version__

    # Then the wheel carries it, and the changelog has a section for it
    assert built.metadata()["Version"] == version
    assert built.wheel.name.startswith(f"local_gateway-{version}-")
    changelog = (GATEWAY / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(version)}\]", changelog, re.MULTILINE), changelog[:300]


def test_the_sdist_carries_the_readme_license_changelog_and_tests(built: Built):
    # Given the source distribution
    with tarfile.open(built.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    # Then it can document and test itself
    assert {"README.md", "LICENSE", "CHANGELOG.md", "pyproject.toml"} <= names
    assert "tests/test_distribution.py" in names
    assert not [name for name in names if "__pycache__" in name]


@pytest.fixture(scope="module")
def installed_alone(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed (unpacked into site-packages) and
    the third-party distributions of this environment visible, but no source tree: neither
    this folder nor the app's editable install."""
    root = tmp_path_factory.mktemp("alone")
    venv.create(root / "venv", with_pip=False)
    python = root / "venv" / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    with zipfile.ZipFile(built.wheel) as wheel:
        wheel.extractall(site)  # noqa: S202 - the wheel this module just built
    # This environment's site-packages as plain path entries: the .pth files there (the
    # editable installs of this folder and of the app) are not run.
    dependencies = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    return python


def _run(python: Path, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, *arguments], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_the_installed_wheel_is_the_package_and_the_app_is_out_of_reach(
    installed_alone: Path, tmp_path: Path
):
    # When the fresh environment imports the package and the app's layer package
    probe = (
        "import importlib.util, json, local_gateway; print(json.dumps("
        "[local_gateway.__file__, importlib.util.find_spec('sample_api') is None]))"
    )
    answer = _run(installed_alone, "-c", probe, cwd=tmp_path)

    # Then the package is the wheel's, and the app cannot be found
    assert answer.returncode == 0, answer.stderr
    location, app_is_missing = json.loads(answer.stdout)
    assert Path(location).is_relative_to(installed_alone.parents[1])
    assert app_is_missing


def test_every_module_of_the_installed_wheel_imports(installed_alone: Path, tmp_path: Path):
    # When the fresh environment imports each module of the package
    probe = (
        "import importlib, pkgutil, local_gateway; "
        "[importlib.import_module(m.name) for m in "
        "pkgutil.walk_packages(local_gateway.__path__, 'local_gateway.') "
        "if m.name != 'local_gateway.__main__']; print('ok')"
    )
    answer = _run(installed_alone, "-c", probe, cwd=tmp_path)

    # Then every import resolves without the source tree
    assert (answer.returncode, answer.stdout.strip()) == (0, "ok"), answer.stderr


MINIMAL_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: alone, version: "1"}
        paths:
          /ping:
            get:
              responses:
                "200": {description: pong}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
"""


def test_python_m_local_gateway_runs_from_the_installed_wheel(
    installed_alone: Path, tmp_path: Path
):
    # Given a template in a folder of its own
    (tmp_path / "template.yaml").write_text(MINIMAL_TEMPLATE)

    # When the installed gateway tells its version and exports the API's OpenAPI
    version = _run(installed_alone, "-m", PACKAGE, "--version", cwd=tmp_path)
    exported = _run(installed_alone, "-m", PACKAGE, "openapi", "--error-schema", "", cwd=tmp_path)

    # Then both answer as the package in this folder would
    assert version.stdout.strip() == f"local-gateway {local_gateway.__version__}", version.stderr
    assert exported.returncode == 0, exported.stderr
    assert list(json.loads(exported.stdout)["paths"]) == ["/ping"]
