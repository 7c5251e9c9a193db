"""Telemetry end to end: the gateway queues a reading in SQS, the consumer stores it, it is read.

`POST /v1/telemetry` needs both a device token with `telemetry:write` and the devices plan's
key; the gateway sends the body to SQS itself (no Lambda) and answers 202 with the message id.
The queue's consumer runs asynchronously (the gateway's SQS poller, as Lambda's event source
mapping), so the read-back polls until the reading is there, within a deadline.
"""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.e2e import Api, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("telemetry")]

# Long-poll wait, batching window and a cold consumer worker, with room to spare on a busy CI.
DELIVERY_DEADLINE_SECONDS = 30
POLL_INTERVAL_SECONDS = 0.2


def a_reading(device_id: str) -> dict[str, Any]:
    return {
        "deviceId": device_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "metrics": {"temperature": 21.5, "humidity": 40},
    }


@pytest.fixture(scope="module")
def device_token(api: Api) -> str:
    return api.issuer_token("telemetry:write", "telemetry:read")


def test_a_queued_reading_is_stored_and_read_back(api, device_token):
    # Given a device of its own
    device_id = f"e2e-{uuid.uuid4().hex[:12]}"
    reading = a_reading(device_id)

    # When it posts a reading with its token and the devices key
    queued = api.request(
        "POST", "/v1/telemetry", bearer=device_token, api_key="devices", json=reading
    )

    # Then the gateway answers 202 with the queue's message id
    assert queued.status_code == 202, queued.text
    message_id = queued.json()["messageId"]
    assert uuid.UUID(message_id)
    # And once the consumer ran, the reading is read back with that id
    items = readings_when_stored(api, device_token, device_id)
    assert len(items) == 1
    stored = items[0]
    assert stored["messageId"] == message_id
    assert stored["deviceId"] == device_id
    assert stored["metrics"] == reading["metrics"]
    assert datetime.fromisoformat(str(stored["timestamp"])) == datetime.fromisoformat(
        reading["timestamp"]
    )


def readings_when_stored(api: Api, token: str, device_id: str) -> list[dict[str, object]]:
    """The device's readings once there are any; fails after the delivery deadline."""
    deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
    while True:
        response = api.request("GET", f"/v1/telemetry/{device_id}", bearer=token)
        assert response.status_code == 200, response.text
        items: list[dict[str, object]] = response.json()["items"]
        if items:
            return items
        assert time.monotonic() < deadline, f"no reading of {device_id} stored in time"
        time.sleep(POLL_INTERVAL_SECONDS)  # the consumer runs asynchronously


def test_posting_without_the_devices_key_is_403(api, device_token):
    # When a device posts with its token but no API key
    response = api.request(
        "POST", "/v1/telemetry", bearer=device_token, json=a_reading("e2e-no-key")
    )

    # Then the gateway refuses it, as API Gateway does, with 403
    assert_error(response, 403, "INVALID_API_KEY")


def test_posting_without_a_token_is_401(api):
    # When a reading is posted with the devices key but no token
    response = api.request(
        "POST", "/v1/telemetry", api_key="devices", json=a_reading("e2e-no-token")
    )

    # Then the gateway refuses it before the authorizer runs
    assert_error(response, 401, "UNAUTHORIZED")


def test_posting_with_a_token_that_may_only_read_is_403(api):
    # Given a token that may read telemetry but not write it
    token = api.issuer_token("telemetry:read")

    # When it posts a reading with the devices key
    response = api.request(
        "POST", "/v1/telemetry", bearer=token, api_key="devices", json=a_reading("e2e-read-only")
    )

    # Then the authorizer's policy does not allow the route
    assert_error(response, 403, "FORBIDDEN")


def test_reading_with_a_token_that_may_only_write_is_403(api):
    # Given a device token that may write readings but not read them
    token = api.issuer_token("telemetry:write")

    # When it reads a device's readings
    response = api.request("GET", "/v1/telemetry/e2e-any", bearer=token)

    # Then the authorizer's policy does not allow the route
    assert_error(response, 403, "FORBIDDEN")


def test_a_reading_failing_the_model_is_400_and_not_queued(api, device_token):
    # Given a reading without metrics
    reading = {"deviceId": "e2e-invalid", "timestamp": datetime.now(UTC).isoformat()}

    # When it is posted
    response = api.request(
        "POST", "/v1/telemetry", bearer=device_token, api_key="devices", json=reading
    )

    # Then the request validator refuses it before SQS
    error = assert_error(response, 400, "VALIDATION_FAILED")
    assert error["details"]
