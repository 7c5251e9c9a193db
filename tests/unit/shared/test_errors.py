import pytest

from sample_api.errors import ApiError, Conflict, NotFound, error_envelope

pytestmark = pytest.mark.domain("core")


def test_envelope_has_code_message_and_request_id():
    assert error_envelope("NOT_FOUND", "No such user.", "req-1") == {
        "error": {"code": "NOT_FOUND", "message": "No such user.", "requestId": "req-1"}
    }


def test_envelope_carries_details_only_when_there_are_some():
    details = [{"field": "email", "problem": "not an email address"}]

    assert error_envelope("VALIDATION_FAILED", "Bad.", "r", details)["error"]["details"] == details
    assert "details" not in error_envelope("VALIDATION_FAILED", "Bad.", "r", [])["error"]


def test_categories_carry_status_and_code():
    assert (NotFound.status, NotFound.code) == (404, "NOT_FOUND")
    assert (Conflict.status, Conflict.code) == (409, "CONFLICT")
    assert (ApiError.status, ApiError.code) == (500, "INTERNAL_ERROR")


def test_domain_error_keeps_its_message_and_details():
    class EmailTaken(Conflict):
        code = "EMAIL_TAKEN"

    error = EmailTaken("That email is in use.", details=[{"field": "email"}])

    assert (error.status, error.code, error.message) == (
        409,
        "EMAIL_TAKEN",
        "That email is in use.",
    )
    assert error.details == [{"field": "email"}]
