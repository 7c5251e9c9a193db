"""Conformance: SQS event source mappings deliver batches to functions as Lambda does.

Runs against a real moto server. AWS docs (Lambda developer guide): with-sqs.html (event shape,
batching), services-sqs-errorhandling.html (ReportBatchItemFailures, retries, DLQ).
"""

import json
import uuid
from typing import Any

import pytest

from local_gateway.sqs_poller import EventSourceMapping, SqsPoller


class Function:
    """Stands in for the consumer function: records events, answers as told."""

    def __init__(self, answer: Any = None, fails: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer
        self.fails = fails

    def __call__(self, function: str, event: dict[str, Any]) -> Any:
        self.events.append(event)
        if self.fails:
            raise RuntimeError("consumer crashed")
        return self.answer(event) if callable(self.answer) else self.answer


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


def a_queue(sqs, *, dlq_after: int | None = None, visibility: int = 0) -> tuple[str, str]:
    """A fresh queue (visibility timeout 0 by default: returned messages are visible at once)."""
    name = f"q-{uuid.uuid4().hex[:8]}"
    attributes = {"VisibilityTimeout": str(visibility)}
    if dlq_after is not None:
        dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"],
                "maxReceiveCount": dlq_after,
            }
        )
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def a_poller(sqs, queue: tuple[str, str], function: Function, **settings: Any) -> SqsPoller:
    url, arn = queue
    mapping = EventSourceMapping(
        function="ConsumerFunction", queue_url=url, queue_arn=arn, **settings
    )
    return SqsPoller(sqs, mapping, function)


def queued_bodies(sqs, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_sqs_event_record_fields_match_lambdas(sqs):
    """Each record has Lambda's fields for an SQS message, attributes in lower camel case.

    AWS doc: with-sqs.html (example Amazon SQS message event)
    """
    # Given a message with an attribute
    queue = a_queue(sqs)
    sqs.send_message(
        QueueUrl=queue[0],
        MessageBody='{"deviceId": "d1"}',
        MessageAttributes={"source": {"DataType": "String", "StringValue": "sensor"}},
    )
    function = Function()

    # When it is delivered
    a_poller(sqs, queue, function).poll_once()

    # Then the record is shaped as Lambda shapes it
    record = function.events[0]["Records"][0]
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "md5OfMessageAttributes",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert (
        record["body"],
        record["eventSource"],
        record["eventSourceARN"],
        record["awsRegion"],
    ) == (
        '{"deviceId": "d1"}',
        "aws:sqs",
        queue[1],
        "us-east-1",
    )
    assert record["messageAttributes"] == {
        "source": {
            "stringValue": "sensor",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
    }
    assert record["attributes"]["ApproximateReceiveCount"] == "1"


def test_batches_hold_at_most_batch_size_messages(sqs):
    """BatchSize caps the records per invocation.

    AWS doc: with-sqs.html (BatchSize)
    """
    # Given 7 messages and a batch size of 3
    queue = a_queue(sqs)
    for n in range(7):
        sqs.send_message(QueueUrl=queue[0], MessageBody=str(n))
    function = Function()
    poller = a_poller(sqs, queue, function, batch_size=3)

    # When the poller delivers until the queue is empty
    while poller.poll_once() is not None:
        pass

    # Then the function saw batches of 3, 3 and 1 and the queue is empty
    assert [len(e["Records"]) for e in function.events] == [3, 3, 1]
    assert queued_bodies(sqs, queue[0]) == []


def test_report_batch_item_failures_returns_only_failed_items(sqs):
    """With ReportBatchItemFailures, only the items named in batchItemFailures go back.

    AWS doc: services-sqs-errorhandling.html (Implementing partial batch responses)
    """
    # Given three messages and a function failing the one whose body is "bad"
    queue = a_queue(sqs)
    for body in ("ok-1", "bad", "ok-2"):
        sqs.send_message(QueueUrl=queue[0], MessageBody=body)

    def fail_bad(event: dict[str, Any]) -> dict[str, Any]:
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    poller = a_poller(sqs, queue, Function(fail_bad), report_batch_item_failures=True)

    # When the batch is delivered
    outcome = poller.poll_once()

    # Then the good ones were deleted and only the failed one is back on the queue
    assert outcome is not None
    assert (len(outcome.deleted), len(outcome.returned)) == (2, 1)
    assert queued_bodies(sqs, queue[0]) == ["bad"]


def test_function_error_returns_the_whole_batch(sqs):
    """A function error fails the whole batch: every message returns to the queue.

    AWS doc: services-sqs-errorhandling.html
    """
    # Given two messages and a crashing function
    queue = a_queue(sqs)
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=queue[0], MessageBody=body)

    # When the batch is delivered
    a_poller(sqs, queue, Function(fails=True), report_batch_item_failures=True).poll_once()

    # Then both are back
    assert queued_bodies(sqs, queue[0]) == ["a", "b"]


def test_invalid_item_identifier_fails_the_whole_batch(sqs):
    """A batchItemFailures entry with an unknown or empty itemIdentifier fails the whole batch.

    AWS doc: services-sqs-errorhandling.html (success and failure conditions)
    """
    # Given a function reporting an id that is not in the batch
    queue = a_queue(sqs)
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=queue[0], MessageBody=body)
    answer = {"batchItemFailures": [{"itemIdentifier": "not-a-message-id"}]}

    # When the batch is delivered
    a_poller(sqs, queue, Function(answer), report_batch_item_failures=True).poll_once()

    # Then nothing was deleted
    assert queued_bodies(sqs, queue[0]) == ["a", "b"]


def test_batch_item_failures_are_ignored_without_the_response_type(sqs):
    """Without ReportBatchItemFailures a successful invocation deletes the whole batch.

    AWS doc: services-sqs-errorhandling.html
    """
    # Given a function reporting a failure on a mapping without the response type
    queue = a_queue(sqs)
    sqs.send_message(QueueUrl=queue[0], MessageBody="a")

    def fail_all(event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    # When the batch is delivered
    a_poller(sqs, queue, Function(fail_all)).poll_once()

    # Then the message was deleted anyway
    assert queued_bodies(sqs, queue[0]) == []


def test_failing_message_reaches_the_dlq_after_max_receive_count(sqs):
    """A message failing maxReceiveCount times moves to the dead-letter queue.

    AWS doc: services-sqs-errorhandling.html; SQS developer guide sqs-dead-letter-queues.html
    """
    # Given a queue redriving to a DLQ after 2 receives and a function failing "poison"
    queue = a_queue(sqs, dlq_after=2)
    sqs.send_message(QueueUrl=queue[0], MessageBody="poison")

    def fail_poison(event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    function = Function(fail_poison)
    poller = a_poller(sqs, queue, function, report_batch_item_failures=True)

    # When the poller keeps delivering
    for _ in range(3):
        poller.poll_once()

    # Then the function saw it twice and it now sits in the DLQ
    dlq_url = sqs.get_queue_url(QueueName=queue[0].rsplit("/", 1)[1] + "-dlq")["QueueUrl"]
    assert len(function.events) == 2
    assert queued_bodies(sqs, dlq_url) == ["poison"]
    assert queued_bodies(sqs, queue[0]) == []


def test_batching_window_waits_to_fill_the_batch(sqs):
    """MaximumBatchingWindowInSeconds: messages arriving within the window join the batch.

    AWS doc: with-sqs.html (Batching behavior)
    """
    # Given one queued message, another arriving after the first receive, and a 5 s window
    queue = a_queue(sqs, visibility=30)
    sqs.send_message(QueueUrl=queue[0], MessageBody="early")

    class ArrivingLater:
        """The SQS client, with a message sent right after the first receive."""

        def __init__(self) -> None:
            self.receives = 0

        def receive_message(self, **kwargs: Any) -> Any:
            answer = sqs.receive_message(**kwargs)
            self.receives += 1
            if self.receives == 1:
                sqs.send_message(QueueUrl=queue[0], MessageBody="late")
            return answer

        def delete_message_batch(self, **kwargs: Any) -> Any:
            return sqs.delete_message_batch(**kwargs)

    now = [0.0]
    function = Function()
    mapping = EventSourceMapping(
        "ConsumerFunction", queue[0], queue[1], batch_size=10, maximum_batching_window_seconds=5
    )
    poller = SqsPoller(
        ArrivingLater(),
        mapping,
        function,
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
    )

    # When one batch is delivered
    poller.poll_once()

    # Then both messages were in it
    assert sorted(r["body"] for r in function.events[0]["Records"]) == ["early", "late"]
