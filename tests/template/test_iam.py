"""Least privilege: no wildcard actions, and `Resource: "*"` only where AWS allows nothing else."""

import pytest

from tests.template.conftest import resources_of_type

pytestmark = pytest.mark.domain("core")

# Actions that have no resource type, so "*" is the only possible Resource.
ACTIONS_WITHOUT_RESOURCES = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
}


def statements(template):
    for name, role in resources_of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield name, statement
    for name, policy in resources_of_type(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            yield name, statement


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_no_statement_allows_a_wildcard_action(stage_template):
    _, template = stage_template

    wildcards = [
        (name, action)
        for name, statement in statements(template)
        for action in as_list(statement.get("Action", []))
        if "*" in action
    ]

    assert wildcards == []


@pytest.mark.domain("telemetry")
def test_wildcard_resources_only_for_actions_without_resource_types(stage_template):
    _, template = stage_template

    too_broad = [
        (name, statement["Action"])
        for name, statement in statements(template)
        if "*" in as_list(statement.get("Resource", []))
        and not set(as_list(statement["Action"])) <= ACTIONS_WITHOUT_RESOURCES
    ]

    assert too_broad == []
