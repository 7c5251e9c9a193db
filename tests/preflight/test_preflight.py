"""`make preflight` / `make deploy`: a stage is refused before anything is built or uploaded when
its settings or the account would make the first deploy fail; each refusal says what to do.

Offline checks use samconfig files written by the tests; account checks run against moto, and
the OIDC issuer's JWKS against a local HTTP server.
"""

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

from scripts.preflight.__main__ import main
from scripts.preflight.account import (
    StageNeeds,
    cloudwatch_role_problems,
    concurrency_problems,
    jwks_problems,
)
from scripts.preflight.settings import settings_problems
from scripts.preflight.stages import deployable_stages

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "make"
OIDC = (
    "OidcIssuerUrl=https://login.acme-idp.net/ "
    "OidcJwksUrl=https://login.acme-idp.net/.well-known/jwks.json OidcAudience=orders-api"
)


# A template of the repository's shape: the issuer's three values have no default.
TEMPLATE = """\
Parameters:
  Stage: {Type: String, AllowedValues: [dev, staging, prod]}
  OidcIssuerUrl: {Type: String, Description: The OIDC issuer.}
  OidcJwksUrl: {Type: String, Description: Its signing keys.}
  OidcAudience: {Type: String, Description: The audience.}
  CorsAllowOrigin: {Type: String, Default: "http://localhost:3000"}
  LogLevel: {Type: String, Default: INFO}
Resources: {}
"""


@pytest.fixture
def template(tmp_path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


def samconfig(tmp_path: Path, overrides: str, stage: str = "dev") -> Path:
    path = tmp_path / "samconfig.toml"
    path.write_text(
        f'version = 0.1\n[default.global.parameters]\nregion = "us-east-1"\n'
        f'[{stage}.deploy.parameters]\nparameter_overrides = "Stage={stage} {overrides}"\n'
    )
    return path


def names(problems) -> set[str]:
    return {problem.parameter for problem in problems}


# --- the stage -------------------------------------------------------------------------------


def test_deploying_an_unknown_stage_is_refused_before_the_build_listing_the_stages():
    # When `make deploy` is asked for a stage samconfig.toml does not have
    result = subprocess.run(
        [MAKE, "deploy", "STAGE=nope"], capture_output=True, text=True, cwd=ROOT, check=False
    )

    # Then it stops at once, naming the stages, and nothing was built
    assert result.returncode != 0
    assert f"Stages: {', '.join(deployable_stages())}." in result.stderr
    assert "sam build" not in result.stdout + result.stderr
    assert "preflight" not in result.stdout


# --- the stage's settings, offline -----------------------------------------------------------


def test_a_stage_without_the_oidc_values_is_refused_naming_each_and_where(tmp_path, template):
    # Given a dev section that sets no OIDC issuer, for a template where they have no default
    config = samconfig(tmp_path, "LogLevel=DEBUG")

    # When its settings are checked
    problems = settings_problems("dev", template=template, samconfig=config)

    # Then each missing value is named, with where to set it
    assert names(problems) == {"OidcIssuerUrl", "OidcJwksUrl", "OidcAudience"}
    assert all("[dev.deploy.parameters] in samconfig.toml" in p.fix for p in problems)


def test_a_placeholder_value_is_refused(tmp_path, template):
    # Given a stage that kept the example origin
    config = samconfig(tmp_path, f"{OIDC} CorsAllowOrigin=https://app.example.com")

    # When its settings are checked
    (problem,) = settings_problems("dev", template=template, samconfig=config)

    # Then the placeholder is named
    assert problem.parameter == "CorsAllowOrigin"
    assert "placeholder" in problem.what


def test_a_parameter_the_template_lacks_is_refused(tmp_path, template):
    config = samconfig(tmp_path, f"{OIDC} OidcIssuer=https://login.acme-idp.net/")

    assert names(settings_problems("dev", template=template, samconfig=config)) == {"OidcIssuer"}


def test_no_template_parameter_defaults_to_a_placeholder():
    # Given every parameter default of template.yaml
    parameters = yaml_parse((ROOT / "template.yaml").read_text())["Parameters"]
    defaults = {
        name: str(spec["Default"]) for name, spec in parameters.items() if "Default" in spec
    }

    # Then none is on a reserved example domain, and the issuer's three have none at all
    assert not [name for name, value in defaults.items() if "example." in value]
    assert not {"OidcIssuerUrl", "OidcJwksUrl", "OidcAudience"} & set(defaults)


def test_make_dev_sets_every_parameter_without_a_default_and_keeps_its_local_issuer():
    # Given the `default` section `make dev` reads, and the parameters without a default
    from local_gateway.samconfig import load_settings

    settings = load_settings(ROOT / "samconfig.toml", "default", "http://127.0.0.1:3113")
    parameters = yaml_parse((ROOT / "template.yaml").read_text())["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}

    # Then it sets each (the issuer's to the local gateway's own issuer)
    overrides = settings.parameter_overrides
    assert required <= set(overrides)
    if "OidcIssuerUrl" in required:
        assert overrides["OidcIssuerUrl"] == "http://127.0.0.1:3113/_local/oidc"
        assert overrides["OidcJwksUrl"].startswith("http://127.0.0.1:3113/_local/oidc/")
        assert overrides["OidcAudience"] == settings.oidc_audience


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_a_complete_stage_passes_offline_and_skips_the_account_without_credentials(
    tmp_path, template, no_credentials, capsys
):
    # Given a stage with every value set, and no AWS credentials
    config = samconfig(tmp_path, OIDC)

    # When preflight runs
    code = main(["--stage", "dev", "--samconfig", str(config), "--template", str(template)])

    # Then the settings pass and the account checks are skipped, saying so
    assert code == 0
    assert "skip  account checks: no AWS credentials" in capsys.readouterr().out


def test_deploy_needs_the_account_checks(tmp_path, template, no_credentials, capsys):
    config = samconfig(tmp_path, OIDC)
    arguments = ["--samconfig", str(config), "--template", str(template), "--require-account"]

    code = main(["--stage", "dev", *arguments])

    assert code == 1
    assert "no AWS credentials" in capsys.readouterr().out


# --- the account, against moto ---------------------------------------------------------------


def test_an_account_without_api_gateways_cloudwatch_role_is_sent_to_make_bootstrap():
    with mock_aws():
        apigateway = boto3.client("apigateway", region_name="us-east-1")

        # Given a fresh account: API Gateway has no CloudWatch Logs role
        (problem,) = cloudwatch_role_problems(apigateway)
        assert "make bootstrap" in problem.fix

        # When the bootstrap has set it
        apigateway.update_account(
            patchOperations=[
                {
                    "op": "replace",
                    "path": "/cloudwatchRoleArn",
                    "value": "arn:aws:iam::123456789012:role/apigateway-logs",
                }
            ]
        )

        # Then the check passes
        assert cloudwatch_role_problems(apigateway) == []


def account_settings(limit: int, unreserved: int) -> dict:
    """Lambda's GetAccountSettings answer (moto 5 does not implement that call)."""
    return {
        "AccountLimit": {
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": unreserved,
        }
    }


def needs(consumer: int = 5, reserved: int = 0) -> StageNeeds:
    return StageNeeds("https://issuer/jwks", reserved, consumer)


def test_a_new_accounts_10_executions_fit_the_default_consumer_cap():
    assert concurrency_problems(account_settings(10, 10), needs(consumer=5)) == []


def test_a_consumer_cap_over_half_the_account_is_refused_with_what_to_do():
    (problem,) = concurrency_problems(account_settings(10, 10), needs(consumer=6))

    assert problem.parameter == "ConsumerMaximumConcurrency"
    assert "L-B99A9384" in problem.fix


def test_reserved_concurrency_must_leave_lambdas_100_unreserved():
    (problem,) = concurrency_problems(account_settings(1000, 150), needs(reserved=60))

    assert problem.parameter == "Lambda reserved concurrency"


@pytest.fixture
def issuer() -> Iterator[dict]:
    """A local HTTP server whose /jwks answers whatever `served["body"]` holds."""
    served = {"body": b""}

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(served["body"])

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served["url"] = f"http://127.0.0.1:{server.server_port}/jwks"
    yield served
    server.shutdown()
    server.server_close()


def test_a_jwks_with_keys_passes(issuer):
    issuer["body"] = json.dumps(
        {"keys": [{"kty": "RSA", "kid": "1", "n": "x", "e": "AQAB"}]}
    ).encode()

    assert jwks_problems(issuer["url"]) == []


@pytest.mark.parametrize("body", [b'{"keys": []}', b"<html>sign in</html>"])
def test_a_jwks_without_keys_is_refused(issuer, body):
    issuer["body"] = body

    (problem,) = jwks_problems(issuer["url"])

    assert problem.parameter == "OidcJwksUrl"


def test_an_unreachable_jwks_is_refused():
    # Given a port nothing listens on (bound, then closed)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}/jwks"
    server.server_close()

    (problem,) = jwks_problems(url)

    assert "cannot be read" in problem.what
