"""What stops a key rotation."""


class RotationError(Exception):
    """The rotation cannot go on; Secrets Manager records the failure and retries later."""
