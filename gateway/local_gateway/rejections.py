"""A request the gateway itself turns away, as plain data the pipeline maps to a gateway response.

API Gateway answers some requests before any integration runs (bad credentials, throttling,
validation...). Each such answer has a gateway response *type* (which the template may
customise, falling back to DEFAULT_4XX/DEFAULT_5XX), a status, the `$context.error.message`
its templates see, and the body API Gateway sends when the template does not customise it.
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rejection(Exception):
    """The gateway's own answer: raise it, and the pipeline renders the gateway response."""

    response_type: str
    status: int
    # $context.error.message; None renders as `null` (API Gateway's `{"message": null}`).
    message: str | None
    # $context.error.validationErrorString, for BAD_REQUEST_BODY / BAD_REQUEST_PARAMETERS.
    validation_error: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # The body's key when no gateway response is customised: IAM policy denials say "Message".
    message_key: str = "message"

    def __str__(self) -> str:
        return f"{self.response_type} {self.status}: {self.message}"

    @property
    def default_body(self) -> bytes:
        """What API Gateway sends for this type when the template declares no gateway response."""
        return json.dumps({self.message_key: self.message}, separators=(",", ":")).encode()


def unauthorized() -> Rejection:
    return Rejection("UNAUTHORIZED", 401, "Unauthorized")


def forbidden() -> Rejection:
    """A missing, unknown or disabled API key (INVALID_API_KEY), as API Gateway answers it."""
    return Rejection("INVALID_API_KEY", 403, "Forbidden")
