"""Telemetry readings as devices send them (the body of ``POST /v1/telemetry``)."""

import json

# Only the telemetry domain's tests use it: `make rename` removes it with them.
DOMAIN = "telemetry"


def reading(device: str = "d-1", timestamp: str = "2024-06-10T07:00:00Z", **metrics: float) -> str:
    """A reading's JSON body; ``metrics`` default to ``{"t": 1}``."""
    return json.dumps({"deviceId": device, "timestamp": timestamp, "metrics": metrics or {"t": 1}})
