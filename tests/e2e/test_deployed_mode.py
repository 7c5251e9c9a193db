"""The suite against a deployed stage, proven without AWS: a second local gateway plays the stage.

The stage's URL and credentials are exported as the variables docs/how-to/
run-against-a-deployed-stage.md names, and a slice of this suite runs in a subprocess with
`API_URL` set, as a reader would run it: it must pass, reach that stage (not start a gateway of
its own), and skip exactly its local-only tests, each with its reason.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator

import pytest

from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway
from tests.support.e2e import (
    ADMIN,
    API_KEY_VARIABLES,
    ID_TOKEN_VARIABLES,
    ISSUER_AUDIENCE_VARIABLE,
    ISSUER_VARIABLES,
    TEMPLATE,
    Api,
    Target,
    demo_id_tokens,
)

pytestmark = [
    pytest.mark.domain("core"),
    pytest.mark.e2e,
    pytest.mark.local_only(reason="starts a local gateway to play the deployed stage"),
]

ROOT = TEMPLATE.parent
HOW_TO = ROOT / "docs" / "how-to" / "run-against-a-deployed-stage.md"
# The modules run against the stage (those a `make rename` kept), each with its local-only tests.
SLICE: dict[str, set[str]] = {
    "tests/e2e/test_users_flow.py": set(),
    "tests/e2e/test_products.py": {
        "test_the_free_plan_is_throttled_with_429_once_its_burst_is_spent"
    },
    "tests/e2e/test_custom_authorizer.py": set(),
    "tests/e2e/test_telemetry.py": set(),
    "tests/e2e/test_files.py": {"test_no_name_writes_outside_the_two_users_prefixes"},
}
PRESENT = {module: local_only for module, local_only in SLICE.items() if (ROOT / module).exists()}
RUN_TIMEOUT_SECONDS = 300
# The user test_users_flow.py leaves behind (the member may not delete it).
LEFT_BY_THE_RUN = "alan@example.com"


def stage_environment(stage: RunningGateway) -> dict[str, str]:
    """The stage's URL and credentials in the variables the how-to tells a reader to set."""
    tokens, keys = demo_id_tokens(stage), stage.session.api_keys
    return {
        "API_URL": stage.api_url,
        **{ID_TOKEN_VARIABLES[role]: token for role, token in tokens.items()},
        **{API_KEY_VARIABLES[plan]: keys[plan] for plan in API_KEY_VARIABLES if plan in keys},
        "E2E_ISSUER_TOKEN_URL": stage.session.issuer["token_endpoint"],
        "E2E_ISSUER_CLIENT_ID": "partner-deployed-run",
        "E2E_ISSUER_CLIENT_SECRET": "a-secret-the-local-issuer-ignores",
    }


@pytest.fixture(scope="module")
def stage() -> Iterator[RunningGateway]:
    # The telemetry consumer runs, as on a stage, so a queued reading can be read back.
    with start_gateway(TEMPLATE, poll_event_sources=True) as running:
        yield running


@pytest.fixture(scope="module")
def deployed_run(
    stage: RunningGateway, tmp_path_factory: pytest.TempPathFactory
) -> ElementTree.Element:
    """The slice's JUnit report, run in a subprocess against the stage; fails if pytest did."""
    report = tmp_path_factory.mktemp("deployed-run") / "report.xml"
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name != "API_URL" and not name.startswith(("E2E_", "PYTEST_"))
    }
    assert PRESENT, "no module of the slice is left to run"
    command = [sys.executable, "-m", "pytest", *PRESENT, "-m", "e2e", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*command, "-q", f"--junitxml={report}"],
        cwd=ROOT,
        env={**inherited, **stage_environment(stage)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # The report is the subprocess's own file, written just now: nothing untrusted to defuse.
    return ElementTree.parse(report).getroot()  # noqa: S314


def test_the_suite_passes_against_a_stage_given_by_api_url(deployed_run):
    # Given a slice of the suite run with API_URL and the E2E_* credentials of a stage
    # When its report's totals are read
    suite = deployed_run.find("testsuite")
    assert suite is not None
    total, skipped = int(suite.get("tests", "0")), int(suite.get("skipped", "0"))
    # Then nothing failed, and the tests that ran are far more than those that skipped
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0")
    assert total - skipped > 3 * skipped


@pytest.mark.domain("users")
def test_the_run_reached_the_stage_not_a_gateway_of_its_own(deployed_run, stage):
    # Given the run went through (deployed_run)
    # When the stage's users are listed over its API
    admin = Api(Target.from_local(stage))
    listed = admin.request("GET", "/v1/users?limit=100", user=ADMIN)
    admin.http.close()
    # Then the user the run created is there
    assert listed.status_code == 200, listed.text
    assert LEFT_BY_THE_RUN in [item["email"] for item in listed.json()["items"]]


def test_local_only_tests_skip_against_the_stage_with_their_reason(deployed_run):
    # When the skipped tests of the run are read, with their messages
    skipped = {
        case.get("name", "").split("[")[0]: skip.get("message", "")
        for case in deployed_run.iter("testcase")
        if (skip := case.find("skipped")) is not None
    }
    # Then exactly the local-only ones skipped, each saying why
    assert set(skipped) == set().union(*PRESENT.values())
    for message in skipped.values():
        assert "local only, not run against API_URL: " in message


def test_a_missing_credential_skips_naming_its_variable():
    # Given a stage with a URL and no free-plan key
    api = Api(Target.from_environment({"API_URL": "https://stage.example/dev"}))
    # When a test asks for the free plan's key
    with pytest.raises(pytest.skip.Exception) as skipped:
        api.api_key("free")
    # Then it skips, naming the variable to set
    assert "E2E_API_KEY_FREE" in str(skipped.value)


def test_the_how_to_names_every_variable_the_suite_reads():
    # Given the how-to for running against a deployed stage
    text = HOW_TO.read_text()
    # When the variables the suite reads are looked up in it
    variables = [
        "API_URL",
        *ID_TOKEN_VARIABLES.values(),
        *API_KEY_VARIABLES.values(),
        *ISSUER_VARIABLES,
        ISSUER_AUDIENCE_VARIABLE,
    ]
    # Then each one is documented
    assert [name for name in variables if f"`{name}`" not in text] == []


def test_the_subprocess_is_given_every_credential_of_the_stage(stage):
    # Given the environment this test exports for the stage
    exported = stage_environment(stage)
    # When it is read as the suite reads a deployed target
    deployed = Target.from_environment(exported)
    # Then it has every credential the suite would use locally (else the run skips, not tests)
    local = Target.from_local(stage)
    assert (deployed.api_url, deployed.id_tokens) == (local.api_url, local.id_tokens)
    assert deployed.api_keys == local.api_keys
    assert deployed.issuer is not None
    assert local.issuer is not None
    assert deployed.issuer.token_url == local.issuer.token_url
