"""GET /v1/telemetry/{deviceId}: a device's readings, newest first."""

import json

import pytest

from functions.get_telemetry.app import handler
from functions.store_readings.app import handler as store
from tests.support.events import sqs_event
from tests.support.lambda_context import FakeLambdaContext
from tests.support.telemetry import reading

pytestmark = pytest.mark.domain("telemetry")


def get_event(device_id, query=None):
    return {
        "resource": "/v1/telemetry/{deviceId}",
        "path": f"/v1/telemetry/{device_id}",
        "httpMethod": "GET",
        "headers": {"Origin": "http://localhost:3000"},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": {"deviceId": device_id},
        "stageVariables": None,
        "requestContext": {"requestId": "req-9", "stage": "dev", "httpMethod": "GET",
                           "authorizer": {"principalId": "partner-1", "sub": "partner-1"}},
        "body": None,
        "isBase64Encoded": False,
    }  # fmt: skip


def store_readings(*bodies):
    records = [
        {"MessageId": f"m{n}", "ReceiptHandle": f"r{n}", "Body": body, "MD5OfBody": "x"}
        for n, body in enumerate(bodies)
    ]
    assert store(sqs_event(records, "arn:q"), FakeLambdaContext()) == {"batchItemFailures": []}


def test_readings_come_newest_first(readings_table):
    # Given three readings of one device, stored out of order, and one of another device
    store_readings(
        reading(timestamp="2024-06-10T07:00:01Z", t=2),
        reading(timestamp="2024-06-10T07:00:00Z", t=1),
        reading(timestamp="2024-06-10T07:00:02Z", t=3),
        reading(device="d-2"),
    )

    # When the device's readings are read
    response = handler(get_event("d-1"), FakeLambdaContext())

    # Then they are that device's, newest first
    assert response["statusCode"] == 200
    items = json.loads(response["body"])["items"]
    assert [item["metrics"]["t"] for item in items] == [3, 2, 1]
    assert {item["deviceId"] for item in items} == {"d-1"}


def test_limit_caps_the_number_of_readings(readings_table):
    store_readings(*(reading(timestamp=f"2024-06-10T07:00:0{n}Z", t=n) for n in range(5)))

    response = handler(get_event("d-1", {"limit": "2"}), FakeLambdaContext())

    assert [item["metrics"]["t"] for item in json.loads(response["body"])["items"]] == [4, 3]


def test_limit_out_of_range_is_400_envelope(readings_table):
    response = handler(get_event("d-1", {"limit": "101"}), FakeLambdaContext())

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "VALIDATION_FAILED"
