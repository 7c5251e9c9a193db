"""The MOCK integration: no backend; the request template's `statusCode` is the status.

API Gateway reads the status from a template that is not strict JSON too (CDK's CORS
methods send `{statusCode: 200}`); a template with no integer status is 500.
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
"""

from __future__ import annotations

import json
import re

from local_gateway.integrations.exchange import (
    EndpointResponse,
    IntegrationRequest,
    configuration_error,
)

# `statusCode: 200` in an object that is not strict JSON (unquoted or single-quoted key).
_LOOSE_STATUS_CODE = re.compile(
    r"""^\s*\{.*?['"]?\bstatusCode['"]?\s*:\s*(\d{3})\b.*\}\s*$""", re.S
)


def call(request: IntegrationRequest) -> EndpointResponse:
    """An empty response with the status the rendered request template names (200 without)."""
    status = 200
    body = request.body
    if request.rendered is not None and body.strip():
        try:
            status = int(json.loads(body)["statusCode"])
        except (ValueError, KeyError, TypeError):
            loose = _LOOSE_STATUS_CODE.search(body.decode("utf-8", errors="replace"))
            if loose is None:
                raise configuration_error() from None
            status = int(loose.group(1))
    return EndpointResponse(status, {}, b"")
