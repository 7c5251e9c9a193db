"""A telemetry reading as a device sends it, and as it is stored and read back."""

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

DeviceId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
]
MetricName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
MetricValue = Annotated[float, Field(allow_inf_nan=False)]

# RFC 3339 with seconds and a zone, as text: no Unix numbers, no zone-less or week dates.
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"
TIMESTAMP_MAX_LENGTH = 40
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN, re.ASCII)


def rfc3339_text(value: object) -> object:
    """A sent timestamp is RFC 3339 text; a datetime (a reading built in code) passes as it is."""
    if isinstance(value, datetime):
        return value
    if (
        not isinstance(value, str)
        or len(value) > TIMESTAMP_MAX_LENGTH
        or not _TIMESTAMP.fullmatch(value)
    ):
        raise ValueError("not an RFC 3339 date-time with seconds and a zone")
    return value


# The gateway checks the text's shape (the schema below); the handler parses it to a datetime.
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(rfc3339_text),
    WithJsonSchema(
        {"type": "string", "maxLength": TIMESTAMP_MAX_LENGTH, "pattern": TIMESTAMP_PATTERN}
    ),
]


class TelemetryReading(BaseModel):
    """The body of ``POST /v1/telemetry``; `make models` renders it as the gateway's model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deviceId: DeviceId  # noqa: N815 - the contract's field name
    timestamp: Timestamp
    metrics: Annotated[dict[MetricName, MetricValue], Field(min_length=1, max_length=50)]

    @field_validator("timestamp")
    @classmethod
    def in_utc(cls, value: datetime) -> datetime:
        # One zone for every stored timestamp, so the sort key orders them by time.
        return value.astimezone(UTC)


class Reading(TelemetryReading):
    """A stored reading: what the device sent, the queue's message id and when it was stored."""

    messageId: str  # noqa: N815
    receivedAt: datetime  # noqa: N815
