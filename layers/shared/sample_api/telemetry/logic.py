"""Storing a queued reading once, and listing a device's readings."""

from datetime import UTC, datetime

from pydantic import ValidationError

from sample_api.telemetry.errors import InvalidReading
from sample_api.telemetry.models import Reading, TelemetryReading
from sample_api.telemetry.ports import ReadingRepository

DEFAULT_LIMIT = 20


def store_reading(body: str, message_id: str, repository: ReadingRepository) -> bool:
    """Validate a queued message body and store it; False when it was stored already.

    A body that is not a valid reading raises :class:`InvalidReading`: the message then
    fails, is retried, and lands in the DLQ after the queue's maxReceiveCount.
    """
    try:
        sent = TelemetryReading.model_validate_json(body)
    except ValidationError as error:
        raise InvalidReading(f"not a reading: {error.error_count()} problem(s)") from error
    reading = Reading(**sent.model_dump(), messageId=message_id, receivedAt=datetime.now(UTC))
    return repository.add(reading)


def newest_readings(device_id: str, limit: int, repository: ReadingRepository) -> list[Reading]:
    return repository.newest(device_id, limit)
