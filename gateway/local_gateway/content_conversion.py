"""Payload conversions of non-proxy integrations: binaryMediaTypes x Content-Type/Accept x
contentHandling, in both directions, as the two tables of the developer guide's page "Content
type conversions in API Gateway" state them
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html).

A payload is binary when the API lists binaryMediaTypes and its Content-Type matches one of them
(the request's own on the way in, the integration response's on the way out); otherwise it is
text, a UTF-8 string. On the way out, what the client accepts counts too: only the first media
type of its Accept header (the page's "Important" note). Text that must become UTF-8 but is not
valid UTF-8 gets U+FFFD in place of each bad sequence, so text routes never pass raw bytes.
"""

from __future__ import annotations

import base64
import binascii

from local_gateway.proxy import accepts_binary, is_binary
from local_gateway.rejections import Rejection

CONVERT_TO_BINARY = "CONVERT_TO_BINARY"
CONVERT_TO_TEXT = "CONVERT_TO_TEXT"


def _undecodable() -> Rejection:
    # API Gateway answers a payload it cannot base64-decode as its own 500.
    return Rejection("API_CONFIGURATION_ERROR", 500, "Internal server error")


def _utf8(payload: bytes) -> bytes:
    return payload.decode("utf-8", errors="replace").encode("utf-8")


def _base64_decoded(payload: bytes) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _undecodable() from None


def integration_request_payload(
    payload: bytes,
    *,
    content_type: str | None,
    binary_media_types: list[str],
    content_handling: str | None,
) -> bytes:
    """The integration request's payload from the method request's (the request table)."""
    if not is_binary(content_type, binary_media_types):
        # Text data: CONVERT_TO_BINARY base64-decodes it; otherwise it stays a UTF-8 string.
        if content_handling == CONVERT_TO_BINARY:
            return _base64_decoded(payload)
        return _utf8(payload)
    # Binary data: CONVERT_TO_TEXT base64-encodes it; otherwise the bytes pass as they are.
    if content_handling == CONVERT_TO_TEXT:
        return base64.b64encode(payload)
    return payload


def method_response_payload(
    payload: bytes,
    *,
    content_type: str | None,
    accept: str | None,
    binary_media_types: list[str],
    content_handling: str | None,
) -> bytes:
    """The method response's payload from the integration response's (the response table).

    `content_type` is the integration response's Content-Type, None when a mapping template
    produced the payload (a template's output is text).
    """
    binary_payload = is_binary(content_type, binary_media_types)
    binary_accepted = accepts_binary(accept, binary_media_types)
    if content_handling == CONVERT_TO_BINARY:
        return payload if binary_payload else _base64_decoded(payload)
    if content_handling == CONVERT_TO_TEXT:
        return base64.b64encode(payload) if binary_payload else _utf8(payload)
    # Undefined: the client's first Accept type decides.
    if binary_payload:
        return payload if binary_accepted else base64.b64encode(payload)
    return _base64_decoded(payload) if binary_accepted else _utf8(payload)
