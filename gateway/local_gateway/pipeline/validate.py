"""Validate: the method's request validator checks parameters and body (400 otherwise).

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
"""

from __future__ import annotations

from local_gateway.pipeline.context import ApiCall
from local_gateway.request_validation import ValidatedRequest, validate_request


def validate(call: ApiCall) -> None:
    """Raises the BAD_REQUEST_PARAMETERS / BAD_REQUEST_BODY Rejection a validator gives."""
    request = call.request
    validate_request(
        call.api.definition,
        call.method.operation,
        ValidatedRequest(
            headers=dict(request.headers),
            query=dict(request.query_items()),
            path_params=call.path_parameters,
            body=request.body,
            content_type=request.header("content-type"),
        ),
    )
