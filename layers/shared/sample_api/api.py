"""The REST resolver every API handler uses, and how each error becomes a response.

``build_resolver()`` gives a Powertools ``APIGatewayRestResolver`` with request validation on,
CORS from the stage's allowed origins, and one exception handler per error category, all
answering with :func:`sample_api.errors.error_envelope`. Handlers register their one route on
it and never build an error response themselves.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from sample_api.errors import ApiError, error_envelope
from sample_api.observability import logger
from sample_api.settings import get_settings

JSON = "application/json"


class JsonApiResolver(APIGatewayRestResolver):
    """A REST resolver whose routes read JSON bodies only, and match path parameters as API
    Gateway does.

    Powertools would also parse form and multipart bodies (and fail with a bare ValueError on a
    malformed multipart one); this API takes JSON, so a body declared as anything else is
    marked unsupported before validation runs, and answered 415 by the handler below.
    """

    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "^{}/*$") -> re.Pattern[str]:
        # A path parameter is one whole segment, whatever its characters, as API Gateway
        # matches `{id}`; Powertools' own pattern leaves out some (U+0086, private-use), and
        # answered such a path 404 "no route" although the gateway had routed it here.
        return re.compile(base_regex.format(re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", rule)))

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        headers = event.get("headers") or {}
        declared = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if event.get("body") and declared and not _is_json(declared):
            event = {
                **event,
                "headers": {**_without_content_type(headers), "Content-Type": UNSUPPORTED},
                "multiValueHeaders": {
                    **_without_content_type(event.get("multiValueHeaders") or {}),
                    "Content-Type": [UNSUPPORTED],
                },
            }
        return super().resolve(event, context)


UNSUPPORTED = "application/x-unsupported"  # a type Powertools refuses to parse


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _without_content_type(headers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in headers.items() if k.lower() != "content-type"}


def build_resolver() -> APIGatewayRestResolver:
    """A resolver with validation, CORS and the error envelope wired in."""
    origins = get_settings().allowed_origins
    cors = (
        CORSConfig(allow_origin=origins[0], extra_origins=origins[1:], max_age=600)
        if origins
        else None
    )
    app = JsonApiResolver(enable_validation=True, cors=cors)

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

    def handle_unsupported_content_type(_: RequestUnsupportedContentType) -> Response[Any]:
        # A body the route would read, sent as something other than JSON (text/plain, a form).
        return error_response(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.")

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
    app.exception_handler(RequestUnsupportedContentType)(handle_unsupported_content_type)
    app.exception_handler(Exception)(handle_fault)
    return app


def validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    """Field-level problems, without echoing the caller's input (it may be huge or personal)."""
    details = []
    for problem in error.errors():
        location = [str(part) for part in problem.get("loc", ()) if part != "body"]
        details.append({"field": ".".join(location) or "body", "problem": problem.get("msg", "")})
    return details
