"""`make stage-test`: the deploy workflow's check of a stage, with its URL and demo keys read
from the account (moto here)."""

import json

import boto3
from moto import mock_aws

from scripts.preflight.stage_e2e import stage_variables
from tests.template.test_operations import promotion_order

URL = "https://abc123.execute-api.us-east-1.amazonaws.com/dev"


def deployed_stack(cloudformation, name: str) -> None:
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"ApiUrl": {"Value": URL}},
    }
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_the_stage_url_and_its_demo_keys_become_the_suites_variables():
    with mock_aws():
        # Given a deployed dev stack with its three demo keys, and another stage's key
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        apigateway = boto3.client("apigateway", region_name="us-east-1")
        deployed_stack(cloudformation, "sample-api-dev")
        values = {}
        for plan in ("free", "partner", "devices"):
            key = apigateway.create_api_key(name=f"sample-api-dev-{plan}-demo", enabled=True)
            values[plan] = key["value"]
        apigateway.create_api_key(name="sample-api-staging-free-demo", enabled=True)

        # When the variables are read for dev
        variables = stage_variables("sample-api-dev", cloudformation, apigateway)

        # Then they name the stage's URL and its own keys
        assert variables == {
            "API_URL": URL,
            "E2E_API_KEY_FREE": values["free"],
            "E2E_API_KEY_PARTNER": values["partner"],
            "E2E_API_KEY_DEVICES": values["devices"],
        }


def test_prod_without_demo_keys_gives_the_url_alone():
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        apigateway = boto3.client("apigateway", region_name="us-east-1")
        deployed_stack(cloudformation, "sample-api-prod")

        assert stage_variables("sample-api-prod", cloudformation, apigateway) == {"API_URL": URL}


def test_each_stage_is_proved_end_to_end_before_the_next_is_deployed():
    from pathlib import Path

    from samtranslator.yaml_helper import yaml_parse

    workflow = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "deploy.yml"
    jobs = yaml_parse(workflow.read_text())["jobs"]

    # Given the deploy workflow's stage jobs, each promoted only after the one before
    order = promotion_order(jobs)
    for stage in order[:-1]:
        runs = [step.get("run", "") for step in jobs[stage]["steps"]]
        deploy = next(i for i, run in enumerate(runs) if f"make deploy STAGE={stage}" in run)

        # Then the suite runs against that same stage after its deploy, in the same job
        assert f"make stage-test STAGE={stage}" in runs[deploy + 1 :]
