"""The telemetry consumer: partial batch failures, idempotent storage, nothing lost."""

import json
import random
from pathlib import Path

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.store_readings.app import handler
from tests.support.events import sqs_event
from tests.support.lambda_context import FakeLambdaContext
from tests.support.telemetry import reading

pytestmark = pytest.mark.domain("telemetry")

ROOT = Path(__file__).resolve().parents[3]


def record(message_id, body):
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "Body": body,
        "MD5OfBody": "x",
    }


def stored_items(table):
    return boto3.client("dynamodb").scan(TableName=table)["Items"]


def test_a_batch_is_stored_and_reports_no_failures(readings_table):
    # Given a batch of two valid readings
    event = sqs_event([record("m1", reading(t=1)), record("m2", reading(t=2))], "arn:q")

    # When the consumer runs
    result = handler(event, FakeLambdaContext())

    # Then both are stored and nothing is reported failed
    assert result == {"batchItemFailures": []}
    assert sorted(item["messageId"]["S"] for item in stored_items(readings_table)) == ["m1", "m2"]


def test_a_poison_message_alone_is_reported_failed(readings_table):
    # Given a batch with one message that is not a reading
    event = sqs_event(
        [record("m1", reading()), record("bad", "{not json"), record("m3", reading())], "arn:q"
    )

    # When the consumer runs
    result = handler(event, FakeLambdaContext())

    # Then only that message is reported, and the others are stored
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert len(stored_items(readings_table)) == 2


def test_a_redelivered_message_is_stored_once(readings_table):
    # Given a message the consumer already stored
    event = sqs_event([record("m1", reading(t=1))], "arn:q")
    handler(event, FakeLambdaContext())

    # When SQS delivers it again
    result = handler(event, FakeLambdaContext())

    # Then it succeeds and there is still one reading
    assert result == {"batchItemFailures": []}
    assert len(stored_items(readings_table)) == 1


def test_timestamps_are_stored_in_utc(readings_table):
    handler(
        sqs_event([record("m1", reading(timestamp="2024-06-10T09:00:00+02:00"))], "arn:q"),
        FakeLambdaContext(),
    )

    (item,) = stored_items(readings_table)
    assert item["timestamp"]["S"] == "2024-06-10T07:00:00.000000Z"


def drain(sqs, queues, rng):
    """Poll like Lambda's event source mapping until the queue is empty.

    Now and then the consumer's deletes are "lost" (as when a function times out after
    storing), so stored messages come back and must not be stored twice.
    """
    for _ in range(10_000):
        messages = sqs.receive_message(
            QueueUrl=queues.url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,  # failures come straight back instead of after 180 s
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        try:
            result = handler(sqs_event(messages, queues.arn), FakeLambdaContext())
        except BatchProcessingError:
            # Powertools fails the invocation when every record failed: all come back.
            continue
        failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
        if rng.random() < 0.2:
            continue  # the deletes are lost: every message of the batch comes back
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=queues.url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError("the queue never drained")


def test_no_message_is_lost_every_one_is_stored_once_or_in_the_dlq(
    readings_table, telemetry_queues
):
    # Given a few hundred messages, some of them poison
    rng = random.Random(7)
    sqs = boto3.client("sqs")
    valid, poison = set(), set()
    for n in range(300):
        is_poison = n % 17 == 0
        if is_poison:
            body = rng.choice(["{not json", '{"deviceId": "d"}', reading(t=float("1e400"))])
        else:
            at = f"2024-06-10T07:{n // 60:02}:{n % 60:02}Z"
            body = reading(device=f"d-{n % 5}", timestamp=at)
        sent = sqs.send_message(QueueUrl=telemetry_queues.url, MessageBody=body)["MessageId"]
        (poison if is_poison else valid).add(sent)

    # When the consumer drains the queue, with redeliveries along the way
    drain(sqs, telemetry_queues, rng)

    # Then every valid message is stored exactly once, and every poison one sits in the DLQ
    stored = [item["messageId"]["S"] for item in stored_items(readings_table)]
    assert len(stored) == len(set(stored))
    assert set(stored) == valid
    in_dlq = set()
    while batch := sqs.receive_message(
        QueueUrl=telemetry_queues.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=60
    ).get("Messages", []):
        in_dlq |= {message["MessageId"] for message in batch}
    assert in_dlq == poison
    assert len(stored) + len(in_dlq) == 300


def test_the_sample_event_is_stored(readings_table):
    # Given the SQS event `sam local invoke StoreReadingsFunction` uses
    event = json.loads((ROOT / "events" / "store_readings.json").read_text())

    # When the consumer runs it
    result = handler(event, FakeLambdaContext())

    # Then its reading is stored
    assert result == {"batchItemFailures": []}
    assert [item["deviceId"]["S"] for item in stored_items(readings_table)] == ["sensor-42"]
