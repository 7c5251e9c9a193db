"""Telemetry tests: the readings table and the telemetry queues in moto, shaped as the template
declares them, and SQS events built the way Lambda's event source mapping builds them."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Lambda's SQS event for messages as ReceiveMessage returned them."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: {"stringValue": value.get("StringValue"), "dataType": value["DataType"]}
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


def reading(device: str = "d-1", timestamp: str = "2024-06-10T07:00:00Z", **metrics: float):
    return json.dumps({"deviceId": device, "timestamp": timestamp, "metrics": metrics or {"t": 1}})
