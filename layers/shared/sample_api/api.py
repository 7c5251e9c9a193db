"""The REST resolver every API handler uses, and how each error becomes a response.

``build_resolver()`` gives a Powertools ``APIGatewayRestResolver`` with request validation on,
CORS from the stage's allowed origins, and one exception handler per error category, all
answering with :func:`sample_api.errors.error_envelope`. Handlers register their one route on
it and never build an error response themselves.
"""

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from sample_api.errors import ApiError, error_envelope
from sample_api.observability import logger
from sample_api.settings import get_settings

JSON = "application/json"


def build_resolver() -> APIGatewayRestResolver:
    """A resolver with validation, CORS and the error envelope wired in."""
    origins = get_settings().allowed_origins
    cors = (
        CORSConfig(allow_origin=origins[0], extra_origins=origins[1:], max_age=600)
        if origins
        else None
    )
    app = APIGatewayRestResolver(enable_validation=True, cors=cors)

    def error_response(status: int, code: str, message: str, details: Any = None) -> Response[Any]:
        request_id = app.current_event.request_context.request_id or ""
        body = error_envelope(code, message, request_id, details)
        return Response(status_code=status, content_type=JSON, body=json.dumps(body))

    def handle_api_error(error: ApiError) -> Response[Any]:
        return error_response(error.status, error.code, error.message, error.details)

    def handle_invalid_request(error: RequestValidationError) -> Response[Any]:
        return error_response(
            400, "VALIDATION_FAILED", "The request is not valid.", validation_details(error)
        )

    @app.not_found
    def handle_unknown_route(_: Exception) -> Response[Any]:
        return error_response(404, "NOT_FOUND", "No route matches this method and path.")

    def handle_fault(error: Exception) -> Response[Any]:
        # The traceback goes to the log, never to the caller.
        logger.exception("unhandled error")
        return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side.")

    # Registered by call rather than as decorators: Powertools' decorator is untyped.
    app.exception_handler(ApiError)(handle_api_error)
    app.exception_handler(RequestValidationError)(handle_invalid_request)
    app.exception_handler(Exception)(handle_fault)
    return app


def validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    """Field-level problems, without echoing the caller's input (it may be huge or personal)."""
    details = []
    for problem in error.errors():
        location = [str(part) for part in problem.get("loc", ()) if part != "body"]
        details.append({"field": ".".join(location) or "body", "problem": problem.get("msg", "")})
    return details
