"""Payload limit: a request body over API Gateway's 10 MB is refused (413) once its method is
known, before any authorizer runs.
https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
"""

from __future__ import annotations

from local_gateway import gateway_responses
from local_gateway.http_messages import MAX_BODY_BYTES
from local_gateway.pipeline.context import ApiCall


def check_payload_size(call: ApiCall) -> None:
    """Raises REQUEST_TOO_LARGE for a body over the limit."""
    if len(call.request.body) > MAX_BODY_BYTES:
        raise gateway_responses.request_too_large()
