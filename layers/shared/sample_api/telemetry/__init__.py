"""Device telemetry: readings queued by the gateway (SQS), stored once each by the consumer,
listed newest first by ``GET /v1/telemetry/{deviceId}``."""

DOMAIN = "telemetry"  # its owner, for `make rename KEEP=` (README, "Make it yours")
