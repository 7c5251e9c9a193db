"""Partner API keys that rotate themselves, end to end on a gateway of the module's own.

The demo partner's key is held in a Secrets Manager secret with a rotation schedule. A
rotation (`make rotate-keys`, which runs `python -m local_gateway rotate-secrets`) creates a
new key in the partner plan: it works at once, because the gateway reads keys and plan
membership from the local moto at request time. The previous key keeps working for the grace
period (15 s here, `ApiKeyGracePeriodSeconds`); a one-time schedule then has the rotation
function disable it, and it gets 403. That happens asynchronously, so the test polls for it.
"""

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import pytest
import requests

from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway
from tests.support.e2e import HTTP_TIMEOUT_SECONDS, TEMPLATE, assert_error

pytestmark = [
    pytest.mark.domain("products"),
    pytest.mark.e2e,
    pytest.mark.local_only(reason="starts a gateway with a short grace period and reads its moto"),
]

GRACE_SECONDS = 15
# The grace period, the scheduler's half-second checks and a cold function, with room to spare.
RETIREMENT_DEADLINE_SECONDS = GRACE_SECONDS + 45
POLL_INTERVAL_SECONDS = 0.5
SECRET = "PartnerDemoApiKeySecret"


@pytest.fixture(scope="module")
def stage() -> Iterator[RunningGateway]:
    overrides = {"ApiKeyGracePeriodSeconds": str(GRACE_SECONDS)}
    with start_gateway(TEMPLATE, poll_event_sources=True, parameter_overrides=overrides) as running:
        yield running


def catalog_read(stage: RunningGateway, key: str) -> requests.Response:
    return requests.get(
        f"{stage.api_url}/v1/products",
        params={"category": "rotation"},
        headers={"x-api-key": key},
        timeout=HTTP_TIMEOUT_SECONDS,
    )


def current_key(stage: RunningGateway) -> dict[str, str]:
    """What a partner reads from its secret."""
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=stage.session.aws_endpoint_url,
        region_name=stage.session.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    arn = stage.session.resources[SECRET]
    # The stage named: moto answers a bare GetSecretValue with the value last put as current,
    # not the version AWSCURRENT was moved to (AWS answers with the latter).
    found = secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
    value: dict[str, str] = json.loads(found["SecretString"])
    return value


def rotate_keys(stage: RunningGateway) -> str:
    """What `make rotate-keys` runs, pointed at this gateway."""
    command = [sys.executable, "-m", "local_gateway", "rotate-secrets", "--api-url", stage.api_url]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_rotated_key_works_at_once_and_the_old_one_until_its_grace_ends(stage):
    # Given the partner's key, working
    old = stage.session.api_keys["partner"]
    assert catalog_read(stage, old).status_code == 200

    # When the keys are rotated
    printed = rotate_keys(stage)

    # Then the secret holds a new key, which works at once
    assert f"{SECRET}: rotated to version" in printed
    new = current_key(stage)
    assert new["apiKey"] != old
    assert new["partner"] == "demo"
    assert catalog_read(stage, new["apiKey"]).status_code == 200
    # And the old key still works during the grace period
    assert catalog_read(stage, old).status_code == 200
    # And once the grace period is over, the old key is refused
    deadline = time.monotonic() + RETIREMENT_DEADLINE_SECONDS
    while (refused := catalog_read(stage, old)).status_code == 200:
        assert time.monotonic() < deadline, "the previous key was not retired in time"
        time.sleep(POLL_INTERVAL_SECONDS)  # the retirement runs asynchronously
    assert_error(refused, 403, "INVALID_API_KEY")
    assert catalog_read(stage, new["apiKey"]).status_code == 200


def test_rotating_an_unknown_secret_is_refused(stage):
    command = [sys.executable, "-m", "local_gateway", "rotate-secrets", "--api-url", stage.api_url]
    result = subprocess.run(
        [*command, "--secret", "NoSuchSecret"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "no secret 'NoSuchSecret' has a rotation schedule" in result.stderr
