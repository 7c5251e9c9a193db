"""How a function behind a Lambda custom (non-proxy) integration reports a refused request.

API Gateway chooses the integration response by matching each ``selectionPattern`` against the
Lambda error's ``errorMessage``, and the function cannot set a status itself. So the message
carries the status first and then the API's error envelope, which the chosen response template
returns as it is::

    409 {"error":{"code":"EMAIL_TAKEN","message":"...","requestId":"..."}}

api/openapi.yaml selects ``400 \\{...``, ``409 \\{...`` and ``422 \\{...``; any other failure (a
bug, a timeout) matches only the catch-all response, which answers a fixed 500 envelope, so
the function's own text never reaches the caller.

Lambda counts every raised error in its ``Errors`` metric, refusals included; each refusal is
also counted as ``RequestRefused`` (dimensions ``function`` and ``service``), which the
function's Errors alarm subtracts, so a taken email never pages anyone.
"""

import json
import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from pydantic import ValidationError

from sample_api.errors import ApiError, error_envelope

REFUSED_METRIC = "RequestRefused"

# The statuses api/openapi.yaml maps; anything else would fall to the catch-all 500.
MAPPED_STATUSES = frozenset({400, 409, 422})


class RefusedRequest(Exception):
    """Raised out of the handler; its message is what the selection patterns read."""

    def __init__(self, status: int, envelope: dict[str, Any]) -> None:
        if status not in MAPPED_STATUSES:
            raise ValueError(f"status {status} has no integration response")
        super().__init__(f"{status} {json.dumps(envelope, separators=(',', ':'))}")
        self.status = status
        self.envelope = envelope


def count_refusal() -> None:
    """One ``RequestRefused`` for this function, flushed at once (the handler is raising)."""
    with single_metric(name=REFUSED_METRIC, unit=MetricUnit.Count, value=1) as metric:
        metric.add_dimension(name="function", value=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""))


def refused(error: ApiError, request_id: str) -> RefusedRequest:
    """An API error of the logic, in the form the integration responses select."""
    count_refusal()
    return RefusedRequest(
        error.status, error_envelope(error.code, error.message, request_id, error.details)
    )


def invalid_input(error: ValidationError, request_id: str) -> RefusedRequest:
    """A body the model refused: 400 with each field's problem, without echoing the input."""
    details = [
        {"field": ".".join(map(str, problem["loc"])) or "body", "problem": problem["msg"]}
        for problem in error.errors(include_url=False, include_input=False)
    ]
    envelope = error_envelope("VALIDATION_FAILED", "The request is not valid.", request_id, details)
    count_refusal()
    return RefusedRequest(400, envelope)
