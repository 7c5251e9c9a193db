"""`sam build` output imports the way Lambda imports it.

The build runs for this machine's architecture (the template says arm64, whose compiled
wheels cannot load on an x86_64 test machine); everything else is the real template. Each
handler is then imported by a fresh python3.13 with only what Lambda would give it on its
path: the function's own folder, the layer's ``python/`` folder (``/opt/python``), and the
runtime's boto3.
"""

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from local_gateway.template import read_template
from tests.support.environment import FUNCTION_ENVIRONMENT
from tests.template.conftest import ROOT

pytestmark = [pytest.mark.build, pytest.mark.domain("core")]

HOST_ARCH = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
# What the python3.13 Lambda runtime itself provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


def find_python313() -> str | None:
    for candidate in (shutil.which("python3.13"), sys.executable):
        if not candidate:
            continue
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if version.stdout.strip() == "True":
            return candidate
    return None


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    python313 = find_python313()
    if python313 is None:
        pytest.skip("sam build needs python3.13 (the Lambda runtime) on PATH")
    work = tmp_path_factory.mktemp("build")
    template = (ROOT / "template.yaml").read_text().replace("arm64", HOST_ARCH)
    (work / "template.yaml").write_text(template)
    # The files it includes, beside it as in the repository.
    for included in ("api", "ops"):
        shutil.copytree(ROOT / included, work / included)
    build = work / "build"
    sam = str(Path(sys.executable).with_name("sam"))
    result = subprocess.run(
        # samconfig.toml turns the language extensions on for the repository's own builds; from
        # here, beside no samconfig.toml, the flag does.
        [sam, "build", "--language-extensions", "--template-file", str(work / "template.yaml"),
         "--base-dir", str(ROOT),
         "--build-dir", str(build), "--cache-dir", str(ROOT / ".aws-sam" / "cache"), "--cached"],
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "SAM_CLI_TELEMETRY": "0",
            "PATH": os.pathsep.join([str(Path(python313).parent), os.environ["PATH"]]),
        },
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return build


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory) -> Path:
    """boto3 and its dependencies alone, as the Lambda runtime has them."""
    runtime = tmp_path_factory.mktemp("runtime")
    site = Path(__import__("boto3").__file__).parents[1]
    for name in RUNTIME_PACKAGES:
        source = site / name if (site / name).exists() else site / f"{name}.py"
        (runtime / source.name).symlink_to(source)
    return runtime


def built_functions(build: Path) -> dict[str, str]:
    """Logical id -> handler, for every function the build produced."""
    template = read_template(build / "template.yaml")  # the build keeps the Fn::ForEach loops
    globals_handler = template.get("Globals", {}).get("Function", {}).get("Handler")
    return {
        name: resource["Properties"].get("Handler", globals_handler)
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_layer_ships_the_shared_package_and_its_dependencies(build_dir):
    python = build_dir / "SharedLayer" / "python"

    assert (python / "sample_api" / "api.py").is_file()
    assert (python / "aws_lambda_powertools").is_dir()
    assert (python / "pydantic").is_dir()
    # boto3 comes from the runtime, not the layer.
    assert not (python / "boto3").exists()


def test_every_built_handler_imports_in_a_lambda_like_layout(build_dir, runtime_dir):
    python313 = find_python313()
    functions = built_functions(build_dir)
    failures = {}
    for name, handler in functions.items():
        module, _, attribute = handler.rpartition(".")
        path = os.pathsep.join(
            [str(build_dir / name), str(build_dir / "SharedLayer" / "python"), str(runtime_dir)]
        )
        result = subprocess.run(
            [python313, "-I", "-c",
             f"import sys; sys.path[:0] = {path.split(os.pathsep)!r}; "
             f"import {module}; assert callable({module}.{attribute})"],
            capture_output=True,
            text=True,
            check=False,
            cwd=build_dir / name,
            env={**FUNCTION_ENVIRONMENT, "AWS_DEFAULT_REGION": "us-east-1",
                 "PATH": os.environ["PATH"]},
        )  # fmt: skip
        if result.returncode != 0:
            failures[name] = result.stderr.strip().splitlines()[-1:]

    assert failures == {}


@pytest.mark.parametrize(
    ("file", "where"),
    [
        ("api/openapi.yaml", ("Resources", "RestApi", "Properties", "DefinitionBody")),
        ("ops/resources.yaml", ("Resources",)),
    ],
)
def test_the_built_template_includes_each_file_from_where_it_sits(build_dir, file, where):
    # Given the built template, which `sam deploy` packages from the build folder
    node = yaml_parse((build_dir / "template.yaml").read_text())
    for key in where:
        node = node[key]
    # When an include's location is read from there
    location = build_dir / node["Fn::Transform"]["Parameters"]["Location"]
    # Then it is the included file (sam build rewrote the path relative to the build folder)
    assert location.read_text() == (ROOT / file).read_text()
