"""Error types shared by every service, and the one error envelope of the API contract.

Domain code raises a subclass of one of the categories below (``EmailTaken(Conflict)``); the
resolver (:mod:`sample_api.api`) maps each category to one HTTP status, so logic never speaks
HTTP and every error leaves the API in the same shape::

    {"error": {"code": "UPPER_SNAKE_CASE", "message": "...", "requestId": "...", "details": [...]}}
"""

from typing import Any, ClassVar


class ApiError(Exception):
    """An error the caller may see. ``code`` is stable; ``message`` is for a person."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(ApiError):
    status = 400
    code = "BAD_REQUEST"


class Unauthorized(ApiError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(ApiError):
    status = 403
    code = "FORBIDDEN"


class NotFound(ApiError):
    status = 404
    code = "NOT_FOUND"


class Conflict(ApiError):
    status = 409
    code = "CONFLICT"


class PayloadTooLarge(ApiError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnprocessableEntity(ApiError):
    status = 422
    code = "UNPROCESSABLE_ENTITY"


def error_envelope(
    code: str,
    message: str,
    request_id: str,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The body of every error response the API returns."""
    error: dict[str, Any] = {"code": code, "message": message, "requestId": request_id}
    if details:
        error["details"] = details
    return {"error": error}
