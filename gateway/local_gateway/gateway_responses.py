"""Shapes the gateway's own answers with the template's gateway responses.

A rejection of type T uses the gateway response declared for T, else DEFAULT_4XX or
DEFAULT_5XX by its status, else API Gateway's default body. Templates are rendered by the
Velocity engine with `$context.error.*` set; header values are mapping expressions
(`'static'`, `method.request.header.X`, `stageVariables.X`, `context.X`).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
"""

from __future__ import annotations

import json
import logging
from typing import Any

from local_gateway import vtl
from local_gateway.api import GatewayResponse
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.rejections import Rejection

log = logging.getLogger("local_gateway")

# The x-amzn-ErrorType API Gateway sends with each of its own answers.
_ERROR_TYPES = {
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "UNAUTHORIZED": "UnauthorizedException",
    "ACCESS_DENIED": "AccessDeniedException",
    "INVALID_API_KEY": "ForbiddenException",
    "THROTTLED": "TooManyRequestsException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "BAD_REQUEST_BODY": "BadRequestException",
    "BAD_REQUEST_PARAMETERS": "BadRequestException",
    "REQUEST_TOO_LARGE": "RequestTooLargeException",
    "INTEGRATION_FAILURE": "InternalServerErrorException",
    "INTEGRATION_TIMEOUT": "InternalServerErrorException",
    "AUTHORIZER_FAILURE": "AuthorizerConfigurationException",
    "AUTHORIZER_CONFIGURATION_ERROR": "AuthorizerConfigurationException",
    "INVALID_SIGNATURE": "InvalidSignatureException",
    "INCOMPLETE_SIGNATURE": "IncompleteSignatureException",
}


def missing_authentication_token() -> Rejection:
    return Rejection("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token")


def request_too_large() -> Rejection:
    return Rejection("REQUEST_TOO_LARGE", 413, "Request Too Long")


def integration_failure(status: int = 502) -> Rejection:
    """A Lambda proxy function that raised or returned a malformed response (502), or one API
    Gateway could not invoke at all (500, e.g. an integration httpMethod other than POST)."""
    return Rejection("INTEGRATION_FAILURE", status, "Internal server error")


def integration_timeout() -> Rejection:
    return Rejection("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out")


def internal_error() -> Rejection:
    return Rejection("DEFAULT_5XX", 500, "Internal server error")


def _choose(rejection: Rejection, responses: dict[str, GatewayResponse]) -> GatewayResponse | None:
    if rejection.response_type in responses:
        return responses[rejection.response_type]
    fallback = "DEFAULT_5XX" if rejection.status >= 500 else "DEFAULT_4XX"
    return responses.get(fallback)


def _parameter_value(
    expression: str,
    request: HttpRequest,
    context: dict[str, Any],
    stage_variables: dict[str, str],
    path_parameters: dict[str, str],
) -> str | None:
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    source, _, name = expression.partition(".")
    if source == "method" and name.startswith("request.header."):
        return request.header(name.removeprefix("request.header."))
    if source == "method" and name.startswith("request.querystring."):
        wanted = name.removeprefix("request.querystring.")
        return next((v for k, v in reversed(request.query_items()) if k == wanted), None)
    if source == "method" and name.startswith("request.path."):
        return path_parameters.get(name.removeprefix("request.path."))
    if source == "stageVariables":
        return stage_variables.get(name)
    if source == "context":
        value: Any = context
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None else str(value)
    return None


def render_rejection(
    rejection: Rejection,
    responses: dict[str, GatewayResponse],
    request: HttpRequest,
    context: dict[str, Any],
    stage_variables: dict[str, str],
    path_parameters: dict[str, str],
) -> HttpResponse:
    """The HTTP answer for `rejection`, shaped as the template's gateway responses declare."""
    headers = [("Content-Type", "application/json")]
    error_type = rejection.headers.get("x-amzn-ErrorType") or _ERROR_TYPES.get(
        rejection.response_type
    )
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    headers += [(k, v) for k, v in rejection.headers.items() if k != "x-amzn-ErrorType"]
    chosen = _choose(rejection, responses)
    if chosen is None:
        return HttpResponse(rejection.status, headers, rejection.default_body)
    context = {
        **context,
        "error": {
            "message": rejection.message,
            "messageString": json.dumps(rejection.message),
            "responseType": rejection.response_type,
            "validationErrorString": rejection.validation_error,
        },
    }
    status = chosen.status or rejection.status
    body = rejection.default_body
    template = chosen.templates.get("application/json") or next(
        iter(chosen.templates.values()), None
    )
    if template is not None:
        variables = vtl.VtlRequest(
            body=request.body,
            path_params=path_parameters,
            query=dict(request.query_items()),
            headers=dict(request.headers),
            context=context,
            stage_variables=stage_variables,
        )
        try:
            rendered = vtl.render(
                template, variables, source=f"gateway response {chosen.response_type}"
            )
        except vtl.VtlError as error:
            log.error("gateway response template failed: %s", error)
        else:
            body = rendered.body.encode()
            status = rendered.status_override or status
            headers += list(rendered.header_overrides.items())
    for name, expression in chosen.parameters.items():
        if not name.startswith("gatewayresponse.header."):
            continue
        value = _parameter_value(expression, request, context, stage_variables, path_parameters)
        if value is not None:
            headers.append((name.removeprefix("gatewayresponse.header."), value))
    return HttpResponse(status, headers, body)
