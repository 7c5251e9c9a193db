"""DynamoDB tables in moto, built from their ``AWS::DynamoDB::Table`` properties in template.yaml.

Keys, attribute definitions, indexes and TTL come from the template, so a test cannot pass
against a table shape that is not the one deployed. The ``table_from_template`` fixture
(tests/unit/conftest.py) hands :func:`create_table_from_template` to tests.
"""

import functools
from pathlib import Path
from typing import Any

import boto3
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
