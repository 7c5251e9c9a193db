"""SQS event source mappings: poll a local queue and deliver batches to a function, as Lambda does.

Lambda receives up to BatchSize messages (waiting up to MaximumBatchingWindowInSeconds to fill
the batch), invokes the function once with the SQS event, and deletes what was processed:
- the function succeeded: every message, except those it names in `batchItemFailures` when
  the mapping has `FunctionResponseTypes: [ReportBatchItemFailures]`;
- the function failed (or returned an invalid batchItemFailures): none.
Messages not deleted become visible again after the queue's visibility timeout, and the queue's
redrive policy moves them to the DLQ after maxReceiveCount receives (moto does this, as SQS).
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local_gateway.background import BackgroundPoller

log = logging.getLogger("local_gateway.sqs")

MAX_RECEIVE = 10  # SQS returns at most 10 messages per ReceiveMessage
DEFAULT_BATCH_SIZE = 10

Invoke = Callable[[str, dict[str, Any]], Any]
"""invoke(function_logical_id, event) -> the function's result; raises when the function fails."""


@dataclass(frozen=True)
class EventSourceMapping:
    """An `AWS::Lambda::EventSourceMapping` from an SQS queue to a function."""

    function: str  # what `invoke` takes: the function's logical id
    queue_url: str
    queue_arn: str
    batch_size: int = DEFAULT_BATCH_SIZE
    maximum_batching_window_seconds: float = 0.0
    report_batch_item_failures: bool = False
    enabled: bool = True

    @classmethod
    def from_properties(
        cls, properties: Mapping[str, Any], *, function: str, queue_url: str
    ) -> EventSourceMapping:
        """From the mapping's resolved Properties (EventSourceArn, BatchSize, ...)."""
        return cls(
            function=function,
            queue_url=queue_url,
            queue_arn=str(properties["EventSourceArn"]),
            batch_size=int(properties.get("BatchSize", DEFAULT_BATCH_SIZE)),
            maximum_batching_window_seconds=float(
                properties.get("MaximumBatchingWindowInSeconds", 0)
            ),
            report_batch_item_failures="ReportBatchItemFailures"
            in (properties.get("FunctionResponseTypes") or []),
            enabled=bool(properties.get("Enabled", True)),
        )

    @property
    def region(self) -> str:
        return self.queue_arn.split(":")[3]


@dataclass(frozen=True)
class BatchOutcome:
    """What one delivery did: the message ids sent, deleted, and left for redelivery."""

    delivered: tuple[str, ...]
    deleted: tuple[str, ...]
    returned: tuple[str, ...]


class SqsPoller(BackgroundPoller):
    """Delivers one mapping's messages to its function; `start()` polls in a background thread."""

    def __init__(
        self,
        sqs: Any,
        mapping: EventSourceMapping,
        invoke: Invoke,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sqs = sqs  # a boto3 SQS client for the local endpoint
        self.mapping = mapping
        self.invoke = invoke
        self.clock = clock
        self.sleep = sleep
        self.thread_name = f"sqs-poller-{mapping.function}"
        super().__init__()

    # -- background polling ----------------------------------------------------------------

    def start(self) -> None:
        if self.mapping.enabled:
            super().start()

    # -- one delivery ----------------------------------------------------------------------

    def poll_once(self, *, wait_seconds: int = 0) -> BatchOutcome | None:
        """Receive one batch and deliver it; None when the queue had nothing."""
        messages = self._collect_batch(wait_seconds)
        if not messages:
            return None
        event = sqs_event(messages, self.mapping.queue_arn, self.mapping.region)
        delivered = tuple(m["MessageId"] for m in messages)
        try:
            result = self.invoke(self.mapping.function, event)
        except Exception as error:
            log.warning(
                "%s failed on a batch of %d: %s", self.mapping.function, len(messages), error
            )
            return BatchOutcome(delivered, (), delivered)
        failed = self._failed_items(result, set(delivered))
        if failed is None:
            log.warning(
                "%s returned invalid batchItemFailures; the batch is retried", self.mapping.function
            )
            return BatchOutcome(delivered, (), delivered)
        processed = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(processed), MAX_RECEIVE):
            chunk = processed[start : start + MAX_RECEIVE]
            self.sqs.delete_message_batch(
                QueueUrl=self.mapping.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]}
                    for index, m in enumerate(chunk)
                ],
            )
        return BatchOutcome(
            delivered,
            tuple(m["MessageId"] for m in processed),
            tuple(m for m in delivered if m in failed),
        )

    def _collect_batch(self, wait_seconds: int) -> list[dict[str, Any]]:
        """Up to BatchSize messages, waiting up to the batching window to fill the batch."""
        window = self.mapping.maximum_batching_window_seconds
        deadline = self.clock() + window
        messages: list[dict[str, Any]] = []
        wait = wait_seconds
        while len(messages) < self.mapping.batch_size:
            received = self.sqs.receive_message(
                QueueUrl=self.mapping.queue_url,
                MaxNumberOfMessages=min(MAX_RECEIVE, self.mapping.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages += received
            wait = 0
            if not messages:
                break
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            if not received:
                self.sleep(min(0.2, remaining))
        return messages

    def _failed_items(self, result: Any, delivered: set[str]) -> set[str] | None:
        """Ids the function reported as failed; None when the report is invalid (batch fails)."""
        if not self.mapping.report_batch_item_failures:
            return set()
        if not isinstance(result, Mapping) or not result.get("batchItemFailures"):
            # No report, null or an empty list: the whole batch succeeded.
            return set()
        failures = result["batchItemFailures"]
        if not isinstance(failures, list):
            return None
        failed: set[str] = set()
        for failure in failures:
            item = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
            if not item or item not in delivered:
                return None
            failed.add(str(item))
        return failed


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The Lambda event for a batch of SQS messages, field for field as Lambda builds it."""
    return {"Records": [_record(message, queue_arn, region) for message in messages]}


def _record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    # Lambda's event spells SQS's message attribute fields in lower camel case.
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": list(value.get("BinaryListValues") or []),
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        raw = value["BinaryValue"]
        attribute["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
    return attribute
