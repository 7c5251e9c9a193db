"""Telemetry tests: the readings table and the telemetry queues in moto, shaped as the template
declares them (SQS events: tests/support/events.py; reading bodies: tests/support/telemetry.py).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from sample_api import aws as aws_clients
from sample_api.settings import get_settings
from sample_api.telemetry.repository import get_reading_repository
from tests.template.conftest import _RAW as RAW_TEMPLATE


def clear_caches() -> None:
    for cached in (get_settings, get_reading_repository, aws_clients.dynamodb):
        cached.cache_clear()


@pytest.fixture
def readings_table(table_from_template, monkeypatch) -> Iterator[str]:
    name = table_from_template("ReadingsTable")
    monkeypatch.setenv("TABLE_NAME", name)
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield name
    clear_caches()


@dataclass
class Queues:
    url: str
    arn: str
    dlq_url: str
    max_receive_count: int


@pytest.fixture
def telemetry_queues(aws) -> Queues:
    """The queue and its DLQ with the template's redrive policy."""
    resources = RAW_TEMPLATE["Resources"]
    redrive = resources["TelemetryQueue"]["Properties"]["RedrivePolicy"]
    sqs = boto3.client("sqs")
    dlq_url = sqs.create_queue(QueueName="TelemetryDeadLetterQueue")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": redrive["maxReceiveCount"]}
    url = sqs.create_queue(
        QueueName="TelemetryQueue", Attributes={"RedrivePolicy": json.dumps(policy)}
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return Queues(url, arn, dlq_url, int(redrive["maxReceiveCount"]))
