"""What can go wrong storing a reading."""


class InvalidReading(ValueError):
    """A queued body that is not a reading. Its message fails, is retried, and ends in the DLQ
    after the queue's maxReceiveCount (the gateway's model should have refused it first)."""
