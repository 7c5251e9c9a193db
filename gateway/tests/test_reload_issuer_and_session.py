"""Code reload without a restart, the local OIDC issuer, and the session files of make dev."""

import json
import os
import shutil
import stat
from pathlib import Path

import jwt
import pytest
import requests

from local_gateway.session_files import write_sam_env_vars, write_session
from local_gateway.testing import start_gateway

FIXTURE = Path(__file__).parent / "fixtures" / "basic"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the fixture project, so tests may edit its code."""
    root = tmp_path_factory.mktemp("project") / "basic"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", ".local"))
    return root


@pytest.fixture(scope="module")
def local(project):
    with start_gateway(project / "template.yaml") as running:
        yield running


def _rewrite(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))
    stat = path.stat()
    # A later mtime than before, whatever the file system's timestamp granularity.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_code_change_reloads_that_functions_workers(local, project):
    # Given the other function answering, warm
    url = local.api_url + "/other"
    assert requests.get(url, timeout=10).json() == {"who": "other"}
    # When its code changes and the watcher looks
    _rewrite(project / "functions/other/app.py", '"who": os.environ', '"who": "new " + os.environ')
    reloaded = local.gateway.watcher.check()
    # Then only that function reloads, and the next call runs the new code
    assert reloaded == ["OtherFunction"]
    assert requests.get(url, timeout=10).json() == {"who": "new other"}


def test_a_layer_change_reloads_every_function_using_it(local, project):
    # Given the echo function reporting the layer's version
    url = local.api_url + "/echo/1"
    before = requests.get(url, timeout=10).json()
    # When the layer changes
    _rewrite(project / "layer/fixture_layer.py", 'LAYER_VERSION = "1"', 'LAYER_VERSION = "2"')
    reloaded = local.gateway.watcher.check()
    after = requests.get(url, timeout=10).json()
    # Then every function with the layer reloaded, and a fresh worker sees the new layer
    assert set(reloaded) == {"EchoFunction", "OtherFunction", "FaultyFunction"}
    assert after["layer"] == "2"
    assert after["pid"] != before["pid"]


def test_nothing_reloads_when_nothing_changed(local):
    assert local.gateway.watcher.check() == []


def test_the_issuer_publishes_discovery_and_jwks(local):
    issuer = local.session.issuer["url"]
    discovery = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == issuer
    assert discovery["token_endpoint"] == local.session.issuer["token_endpoint"]
    keys = requests.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"


def test_the_client_credentials_grant_issues_a_token_the_jwks_verifies(local):
    # Given a partner asking for a token with two scopes
    issuer = local.session.issuer
    answer = requests.post(
        issuer["token_endpoint"],
        data={"grant_type": "client_credentials", "client_id": "partner-1", "scope": "a:read b"},
        timeout=10,
    ).json()
    # When the token is verified against the issuer's JWKS
    signing_key = jwt.PyJWKClient(
        issuer["url"] + "/.well-known/jwks.json"
    ).get_signing_key_from_jwt(answer["access_token"])
    claims = jwt.decode(
        answer["access_token"],
        signing_key.key,
        algorithms=["RS256"],
        issuer=issuer["url"],
        audience="local-api",
    )
    # Then the subject is the client and the scopes are the requested ones
    assert claims["sub"] == "partner-1"
    assert claims["scope"] == "a:read b"
    assert answer["token_type"] == "Bearer"


def test_another_grant_type_is_refused(local):
    response = requests.post(
        local.session.issuer["token_endpoint"],
        data={"grant_type": "password", "client_id": "x"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}


def test_the_session_names_every_resource_by_its_logical_id(local):
    resources = local.session.resources
    assert resources["ItemsTable"] == "local-ItemsTable"
    assert resources["UserPool"].startswith("us-east-1_")
    assert resources["JobsQueue"].startswith(local.session.aws_endpoint_url)


def test_session_json_holds_exactly_the_specified_facts_for_the_owner_only(local, tmp_path):
    # Given a running gateway's session
    # When it is written as make dev writes it
    path = write_session(tmp_path, local.session)
    document = json.loads(path.read_text())
    # Then it has the spec's keys, the users' tokens, and only its owner may read it
    assert set(document) == {
        "api_url",
        "stage",
        "aws_endpoint_url",
        "region",
        "api_keys",
        "users",
        "issuer",
        "resources",
        "iam_callers",
    }
    admin = document["users"]["admin@example.com"]
    assert set(admin) == {"password", "groups", "id_token", "access_token"}
    assert set(document["issuer"]) == {"url", "token_endpoint", "token"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_session_tokens_are_valid_for_at_least_an_hour(local):
    admin = local.session.users["admin@example.com"]
    for token in (admin["id_token"], admin["access_token"], local.session.issuer["token"]):
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] >= 3600


def test_the_sam_env_vars_file_points_every_function_at_the_same_moto(local, tmp_path):
    # Given the gateway's moto on this machine's loopback
    path = write_sam_env_vars(tmp_path, local.gateway, "host.docker.internal")
    document = json.loads(path.read_text())
    port = local.session.aws_endpoint_url.rsplit(":", 1)[-1]
    # Then containers reach it through the Docker host, and each function keeps its own values
    assert document["Parameters"]["AWS_ENDPOINT_URL"] == f"http://host.docker.internal:{port}"
    assert document["OtherFunction"]["WHO"] == "other"
    assert document["EchoFunction"]["TABLE_NAME"] == local.session.resources["ItemsTable"]
    assert "AWS_LAMBDA_FUNCTION_NAME" not in document["EchoFunction"]
