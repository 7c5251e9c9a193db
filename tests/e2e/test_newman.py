"""The Postman collection `make postman` writes passes under Newman against the local gateway.

As `make newman` does against `make dev`, with the session's gateway: the contract converted by
openapi-to-postmanv2, finished by scripts/postman.py with an environment written from this
gateway's session facts, then run by Newman (all pinned in package.json). Newman's exit code is
the verdict; its report is in the failure message.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from local_gateway.runtime import RunningGateway

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"

pytestmark = [
    pytest.mark.domain("core"),
    pytest.mark.e2e,
    pytest.mark.local_only(reason="the environment is written from the local session's facts"),
]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_postman_collection_passes_under_newman(local: RunningGateway, tmp_path: Path):
    # Given the pinned Node tools (`npm ci`, as make lint, postman and newman run it)
    if not (NODE_BIN / "newman").exists():
        pytest.fail("node_modules/ has no newman: run `npm ci` (make lint does)")
    # And the collection and an environment written from this gateway's session facts
    session = tmp_path / "session.json"
    session.write_text(json.dumps(local.session.to_json()))
    converted = tmp_path / "converted.json"
    converter = run(
        [
            str(NODE_BIN / "openapi2postmanv2"),
            *("-s", "docs/openapi.json", "-o", str(converted), "-p"),
            *("-O", "folderStrategy=Tags,parametersResolution=Example"),
        ]
    )
    assert converter.returncode == 0, converter.stdout + converter.stderr
    postman = run(
        [
            sys.executable,
            "scripts/postman.py",
            *("--converted", str(converted), "--session", str(session), "--out", str(tmp_path)),
        ]
    )
    assert postman.returncode == 0, postman.stderr
    # When Newman runs every request of it against the gateway
    newman = run(
        [
            str(NODE_BIN / "newman"),
            "run",
            str(tmp_path / "collection.postman_collection.json"),
            *("-e", str(tmp_path / "local.postman_environment.json"), "--color", "off"),
        ]
    )
    # Then every request answers its documented status and schema
    assert newman.returncode == 0, newman.stdout[-6000:] + newman.stderr
    assert "AssertionError" not in newman.stdout
