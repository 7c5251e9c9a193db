"""A telemetry reading as a device sends it, and as it is stored and read back."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

DeviceId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
]
MetricName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
MetricValue = Annotated[float, Field(allow_inf_nan=False)]


class TelemetryReading(BaseModel):
    """The body of ``POST /v1/telemetry``; the gateway's TelemetryReading model says the same."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deviceId: DeviceId  # noqa: N815 - the contract's field name
    timestamp: AwareDatetime
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
