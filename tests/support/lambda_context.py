"""A stand-in for the context object Lambda passes a handler."""

from dataclasses import dataclass


@dataclass
class FakeLambdaContext:
    """The parts of Lambda's context object the handlers and Powertools read."""

    function_name: str = "unit-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:unit-test"
    aws_request_id: str = "4d7c0a3e-0000-4000-8000-000000000001"
    remaining_millis: int = 10_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis
