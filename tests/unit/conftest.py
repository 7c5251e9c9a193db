"""Fixtures for every unit test suite: DynamoDB tables in moto, built from template.yaml.

Each table is created from its ``AWS::DynamoDB::Table`` properties in the template (keys,
attribute definitions, indexes, TTL), so a test cannot pass against a table shape that is not
the one deployed. Products and readings tests reuse :func:`create_table_from_template`.
"""

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
# The key-shaping properties CreateTable takes as written; the rest (encryption, PITR,
# deletion protection) depend on the stage and change nothing a test can observe.
TABLE_SHAPE = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)


@functools.cache
def _template_resources() -> dict[str, Any]:
    # Parsing the template takes most of a second: once per test process, not once per table.
    resources: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())["Resources"]
    return resources


def table_properties(logical_id: str) -> dict[str, Any]:
    resource = _template_resources()[logical_id]
    assert resource["Type"] == "AWS::DynamoDB::Table", f"{logical_id} is not a DynamoDB table"
    return dict(resource["Properties"])


def create_table_from_template(logical_id: str) -> str:
    """Create the template's table ``logical_id`` in the active moto; its name is the id."""
    properties = table_properties(logical_id)
    client = boto3.client("dynamodb")
    request: dict[str, Any] = {name: properties[name] for name in TABLE_SHAPE if name in properties}
    client.create_table(TableName=logical_id, BillingMode="PAY_PER_REQUEST", **request)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=logical_id, TimeToLiveSpecification=ttl)
    return logical_id


@pytest.fixture
def aws() -> Iterator[None]:
    """Every AWS call in the test goes to moto."""
    with mock_aws():
        yield


@pytest.fixture
def table_from_template(aws) -> Callable[[str], str]:
    """``table_from_template("UsersTable")`` creates that table in moto and returns its name."""
    return create_table_from_template


@dataclass
class FakeLambdaContext:
    """The parts of Lambda's context object the handlers and Powertools read."""

    function_name: str = "unit-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:unit-test"
    aws_request_id: str = "4d7c0a3e-0000-4000-8000-000000000001"
    remaining_millis: int = 10_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


def api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    authorizer: dict[str, Any] | None = None,
    request_id: str = "req-1",
) -> dict[str, Any]:
    """A REST (v1) proxy event as API Gateway sends it, with a JSON body."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Origin": "http://localhost:3000"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": request_id,
            "stage": "dev",
            "httpMethod": method,
            "authorizer": authorizer or {},
        },
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }
