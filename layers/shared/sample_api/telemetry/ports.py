"""What the telemetry logic needs from storage; :mod:`sample_api.telemetry.repository` has it."""

from typing import Protocol

from sample_api.telemetry.models import Reading


class ReadingRepository(Protocol):
    def add(self, reading: Reading) -> bool:
        """Store the reading; False if this message was stored before (a redelivery)."""
        ...

    def newest(self, device_id: str, limit: int) -> list[Reading]:
        """The device's readings, newest first."""
        ...
