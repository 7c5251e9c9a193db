"""Device telemetry: readings queued by the gateway (SQS), stored once each by the consumer,
listed newest first by ``GET /v1/telemetry/{deviceId}``: models, errors, logic, the storage it
needs (ports) and DynamoDB's (repository, the AWS adapter)."""

DOMAIN = "telemetry"  # its owner, for `make rename KEEP=` (README, "Make it yours")
