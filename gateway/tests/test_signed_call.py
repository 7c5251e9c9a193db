"""`python -m local_gateway signed` and the banner's signed call, against a SigV4 route."""

import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_gateway.runtime import RunningGateway
from local_gateway.session_files import banner, write_session
from local_gateway.testing import start_gateway

TEMPLATE = Path(__file__).parent / "corpus" / "templates" / "iam" / "template.yaml"


@pytest.fixture(scope="module")
def local() -> Iterator[RunningGateway]:
    with start_gateway(TEMPLATE) as running:
        yield running


@pytest.fixture
def project(local, tmp_path) -> Path:
    """A project folder whose .local/session.json is this gateway's, as `make dev` writes it."""
    write_session(tmp_path / ".local", local.session)
    return tmp_path


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_banner_lists_the_iam_caller_and_a_signed_call_that_works(local, project):
    # Given the banner make dev prints
    text = banner(local.gateway, local.session, sys.executable)
    caller = local.session.iam_callers["local-AllowedInvokePolicy"]
    assert f"access key {caller['access_key_id']}" in text
    (line,) = [x.strip() for x in text.splitlines() if " -m local_gateway signed " in x]

    # When its signed call is run from the project folder
    result = run(shlex.split(line), project)

    # Then it reached the route as the IAM caller
    assert result.returncode == 0, result.stderr
    assert "HTTP 200" in result.stderr
    assert caller["user_arn"] in result.stdout


def test_a_signed_call_to_a_route_the_caller_may_not_invoke_fails_with_apis_answer(local, project):
    url = f"{local.api_url}/denied"

    result = run([sys.executable, "-m", "local_gateway", "signed", "GET", url], project)

    assert result.returncode == 1
    assert "HTTP 403" in result.stderr
    assert "is not authorized to perform: execute-api:Invoke" in result.stdout


def test_a_signed_call_without_a_session_says_to_start_the_gateway(tmp_path):
    result = run(
        [sys.executable, "-m", "local_gateway", "signed", "GET", "http://127.0.0.1:1/x"], tmp_path
    )

    assert result.returncode == 2
    assert "start the gateway first" in result.stderr
