"""How a function behind a Lambda custom (non-proxy) integration reports a refused request.

API Gateway chooses the integration response by matching each ``selectionPattern`` against the
Lambda error's ``errorMessage``, and the function cannot set a status itself. So the message
carries the status first and then the API's error envelope, which the chosen response template
returns as it is::

    409 {"error":{"code":"EMAIL_TAKEN","message":"...","requestId":"..."}}

template.yaml selects ``400 \\{...``, ``409 \\{...`` and ``422 \\{...``; any other failure (a
bug, a timeout) matches only the catch-all response, which answers a fixed 500 envelope, so
the function's own text never reaches the caller.
"""

import json
from typing import Any

from pydantic import ValidationError

from sample_api.errors import ApiError, error_envelope

# The statuses template.yaml maps; anything else would fall to the catch-all 500.
MAPPED_STATUSES = frozenset({400, 409, 422})


class RefusedRequest(Exception):
    """Raised out of the handler; its message is what the selection patterns read."""

    def __init__(self, status: int, envelope: dict[str, Any]) -> None:
        if status not in MAPPED_STATUSES:
            raise ValueError(f"status {status} has no integration response")
        super().__init__(f"{status} {json.dumps(envelope, separators=(',', ':'))}")
        self.status = status
        self.envelope = envelope


def refused(error: ApiError, request_id: str) -> RefusedRequest:
    """An API error of the logic, in the form the integration responses select."""
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
    return RefusedRequest(400, envelope)
