"""Readings in DynamoDB: partition ``deviceId``, sort key ``<timestamp UTC>#<message id>``.

The message id in the key makes the write idempotent: SQS redelivers a message with the same
id, the conditional put finds the item already there, and the reading is stored once.
"""

from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from sample_api import aws
from sample_api.settings import get_settings
from sample_api.telemetry.models import Reading

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class DynamoDBReadingRepository:
    """The :class:`~sample_api.telemetry.ports.ReadingRepository` in DynamoDB."""

    def __init__(self, table_name: str, client: "DynamoDBClient | None" = None) -> None:
        self._table_name = table_name
        self._client = client or aws.dynamodb()

    def add(self, reading: Reading) -> bool:
        """Store the reading; False if this message was stored before (a redelivery)."""
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item=_item(reading),
                ConditionExpression="attribute_not_exists(readingKey)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def newest(self, device_id: str, limit: int) -> list[Reading]:
        """The device's latest readings, newest first."""
        page = self._client.query(
            TableName=self._table_name,
            KeyConditionExpression="deviceId = :device",
            ExpressionAttributeValues={":device": {"S": device_id}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_reading(item) for item in page.get("Items", [])]


def reading_key(reading: Reading) -> str:
    # Fixed-width UTC timestamps sort as strings in time order.
    return f"{reading.timestamp.strftime(TIMESTAMP_FORMAT)}#{reading.messageId}"


def _item(reading: Reading) -> dict[str, Any]:
    return {
        "deviceId": {"S": reading.deviceId},
        "readingKey": {"S": reading_key(reading)},
        "timestamp": {"S": reading.timestamp.strftime(TIMESTAMP_FORMAT)},
        "metrics": {"M": {name: {"N": repr(value)} for name, value in reading.metrics.items()}},
        "messageId": {"S": reading.messageId},
        "receivedAt": {"S": reading.receivedAt.strftime(TIMESTAMP_FORMAT)},
    }


def _reading(item: dict[str, Any]) -> Reading:
    return Reading(
        deviceId=item["deviceId"]["S"],
        timestamp=item["timestamp"]["S"],
        metrics={name: float(Decimal(value["N"])) for name, value in item["metrics"]["M"].items()},
        messageId=item["messageId"]["S"],
        receivedAt=item["receivedAt"]["S"],
    )


@cache
def get_reading_repository() -> DynamoDBReadingRepository:
    """The function's repository, made on first use and kept while the container is warm."""
    return DynamoDBReadingRepository(get_settings().require("table_name"))
