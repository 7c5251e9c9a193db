"""A partner key's rotation, step by step, on moto's API Gateway and Secrets Manager."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from functions.rotate_partner_key.app import handler
from sample_api import aws as aws_clients
from sample_api.partner_keys.errors import RotationError
from sample_api.partner_keys.logic import STEPS, Rotation
from sample_api.partner_keys.storage import ApiGatewayKeys, PartnerSecrets, grace_seconds
from sample_api.settings import get_settings
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.domain("products")

EVENT = Path(__file__).resolve().parents[3] / "events" / "rotate_partner_key.json"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)


class RecordedRetirements:
    def __init__(self) -> None:
        self.scheduled: list[tuple[str, str, datetime]] = []

    def schedule(self, secret_id: str, key_id: str, at: datetime) -> None:
        self.scheduled.append((secret_id, key_id, at))


@pytest.fixture
def partner(aws) -> dict[str, str]:
    """A partner plan with the demo key in it, and the partner's secret naming that key."""
    apigateway = boto3.client("apigateway")
    key = apigateway.create_api_key(name="demo", value="k" * 40, enabled=True)
    plan = apigateway.create_usage_plan(name="partner")
    apigateway.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    value = {"partner": "demo", "usagePlanId": plan["id"], "apiKeyId": key["id"]}
    secret = boto3.client("secretsmanager").create_secret(
        Name="sample-api-dev/partners/demo/api-key", SecretString=json.dumps(value)
    )
    return {"secret": secret["ARN"], "plan": plan["id"], "key": key["id"]}


def rotation(retirements: RecordedRetirements) -> Rotation:
    return Rotation(PartnerSecrets(), ApiGatewayKeys(), retirements, GRACE, clock=lambda: NOW)


def current(secret: str) -> dict[str, str]:
    found = boto3.client("secretsmanager").get_secret_value(
        SecretId=secret, VersionStage="AWSCURRENT"
    )
    return json.loads(found["SecretString"])


def test_a_rotation_puts_a_new_key_in_the_plan_and_schedules_the_old_ones_retirement(partner):
    # Given the partner's secret, When its four steps run
    retirements = RecordedRetirements()
    token = str(uuid.uuid4())
    for step in STEPS:
        rotation(retirements).run(step, partner["secret"], token)

    # Then the secret's current key is a new, enabled key of the partner plan
    new = current(partner["secret"])
    assert new["apiKeyId"] != partner["key"]
    apigateway = boto3.client("apigateway")
    key = apigateway.get_api_key(apiKey=new["apiKeyId"], includeValue=True)
    assert key["enabled"]
    assert key["value"] == new["apiKey"]
    plans = apigateway.get_usage_plans(keyId=new["apiKeyId"])["items"]
    assert [plan["id"] for plan in plans] == [partner["plan"]]
    # And the old key is to be disabled when the grace period ends, not before
    assert retirements.scheduled == [(partner["secret"], partner["key"], NOW + GRACE)]
    assert apigateway.get_api_key(apiKey=partner["key"])["enabled"]


def test_each_step_run_again_does_nothing_more(partner):
    # Given a rotation whose every step runs twice (Secrets Manager retries a failed step)
    retirements = RecordedRetirements()
    token = str(uuid.uuid4())
    for step in STEPS:
        rotation(retirements).run(step, partner["secret"], token)
        rotation(retirements).run(step, partner["secret"], token)

    # Then one key was created and one retirement scheduled
    keys = boto3.client("apigateway").get_api_keys()["items"]
    assert len(keys) == 2
    assert len(retirements.scheduled) == 1


def test_a_retirement_disables_the_previous_key_but_never_the_current_one(partner):
    retirements = RecordedRetirements()
    token = str(uuid.uuid4())
    for step in STEPS:
        rotation(retirements).run(step, partner["secret"], token)
    new_key = current(partner["secret"])["apiKeyId"]

    assert rotation(retirements).retire(partner["secret"], partner["key"]) is True
    assert rotation(retirements).retire(partner["secret"], new_key) is False

    apigateway = boto3.client("apigateway")
    assert not apigateway.get_api_key(apiKey=partner["key"])["enabled"]
    assert apigateway.get_api_key(apiKey=new_key)["enabled"]


def test_a_step_for_a_version_that_is_not_pending_is_refused(partner):
    with pytest.raises(RotationError):
        rotation(RecordedRetirements()).run("setSecret", partner["secret"], str(uuid.uuid4()))


def test_an_unknown_step_is_refused(partner):
    with pytest.raises(RotationError):
        rotation(RecordedRetirements()).run("dropSecret", partner["secret"], str(uuid.uuid4()))


def test_the_handler_runs_the_step_secrets_manager_names(partner, monkeypatch):
    # Given the function's environment and the sample event aimed at the partner's secret
    monkeypatch.setenv("API_KEY_GRACE_SECONDS", "60")
    monkeypatch.setenv("RETIREMENT_ROLE_ARN", "arn:aws:iam::123456789012:role/retire")
    for cached in (get_settings, grace_seconds, aws_clients.apigateway, aws_clients.secretsmanager):
        cached.cache_clear()
    event = {**json.loads(EVENT.read_text()), "SecretId": partner["secret"]}

    # When createSecret runs
    handler(event, FakeLambdaContext())

    # Then the new key waits as the AWSPENDING version
    pending = boto3.client("secretsmanager").get_secret_value(
        SecretId=partner["secret"],
        VersionId=event["ClientRequestToken"],
        VersionStage="AWSPENDING",
    )
    assert json.loads(pending["SecretString"])["apiKey"]
    for cached in (get_settings, grace_seconds, aws_clients.apigateway, aws_clients.secretsmanager):
        cached.cache_clear()
