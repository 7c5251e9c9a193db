"""The errors API Gateway itself may answer an operation with, for the client OpenAPI: which
gateway response types apply (by the operation's guards, validator, body and integration), at
which status (the template's gateway responses or API Gateway's defaults), and why.
"""

from __future__ import annotations

from typing import Any

REFERENCE_PREFIX = "#/components/schemas/"

# API Gateway's own status for each gateway response type, when the template does not set one.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
DEFAULT_STATUSES = {
    "ACCESS_DENIED": 403,
    "API_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500,
    "BAD_REQUEST_BODY": 400,
    "BAD_REQUEST_PARAMETERS": 400,
    "INTEGRATION_FAILURE": 504,
    "INTEGRATION_TIMEOUT": 504,
    "INVALID_API_KEY": 403,
    "QUOTA_EXCEEDED": 429,
    "REQUEST_TOO_LARGE": 413,
    "THROTTLED": 429,
    "UNAUTHORIZED": 401,
    "UNSUPPORTED_MEDIA_TYPE": 415,
}

# Why API Gateway would answer with each type, for the response's description.
REASONS = {
    "ACCESS_DENIED": "The authorizer denied the call.",
    "API_CONFIGURATION_ERROR": "The API's configuration failed (e.g. a mapping template).",
    "AUTHORIZER_FAILURE": "The authorizer failed.",
    "BAD_REQUEST_BODY": "The body does not match the request model.",
    "BAD_REQUEST_PARAMETERS": "A required parameter is missing.",
    "INTEGRATION_FAILURE": "The backend failed.",
    "INTEGRATION_TIMEOUT": "The backend timed out.",
    "INVALID_API_KEY": "The API key is missing or not valid.",
    "QUOTA_EXCEEDED": "The API key's quota is used up.",
    "REQUEST_TOO_LARGE": "The body is over the 10 MB limit.",
    "THROTTLED": "Too many requests.",
    "UNAUTHORIZED": "The token is missing or not valid.",
    "UNSUPPORTED_MEDIA_TYPE": "The body's content type is not accepted.",
}


def gateway_errors(
    operation: dict[str, Any],
    verb: str,
    schemes: dict[str, Any],
    statuses: dict[str, int],
) -> list[str]:
    """The gateway response types API Gateway may answer this operation with."""
    types = ["THROTTLED", "API_CONFIGURATION_ERROR", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT"]
    for requirement in operation.get("security") or []:
        for scheme_name in requirement:
            scheme = schemes.get(scheme_name) or {}
            if "x-amazon-apigateway-authorizer" in scheme:
                types += ["UNAUTHORIZED", "ACCESS_DENIED", "AUTHORIZER_FAILURE"]
            elif scheme:
                types += ["INVALID_API_KEY", "QUOTA_EXCEEDED"]
    validator = operation.get("x-amazon-apigateway-request-validator")
    if validator is not None:
        types += ["BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS"]
    if "requestBody" in operation or verb in ("put", "post", "patch"):
        types.append("REQUEST_TOO_LARGE")
    integration = operation.get("x-amazon-apigateway-integration") or {}
    passthrough = str(integration.get("passthroughBehavior", "when_no_match")).lower()
    if integration.get("requestTemplates") and passthrough != "when_no_match":
        types.append("UNSUPPORTED_MEDIA_TYPE")
    return [kind for kind in dict.fromkeys(types) if kind in statuses]


def response_statuses(definition: dict[str, Any]) -> dict[str, int]:
    statuses = dict(DEFAULT_STATUSES)
    for kind, response in (definition.get("x-amazon-apigateway-gateway-responses") or {}).items():
        status = response.get("statusCode")
        if status not in (None, ""):
            statuses[kind] = int(status)
    return statuses


def error_content(error_schema: str | None) -> dict[str, Any]:
    if error_schema is None:
        return {}
    return {"content": {"application/json": {"schema": {"$ref": REFERENCE_PREFIX + error_schema}}}}
