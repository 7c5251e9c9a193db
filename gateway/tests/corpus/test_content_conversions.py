"""Content type conversions of non-proxy integrations, one case per row of both tables.

The tables are those of the developer guide's page "Content type conversions in API Gateway"
(api-gateway-payload-encodings-workflow.html): the request table (method request payload x
Content-Type x binaryMediaTypes x the integration's contentHandling) and the response table
(integration response payload x Accept x binaryMediaTypes x the integration response's
contentHandling). The fixture's routes are S3 integrations on the local moto: a PUT shows the
integration request's payload (the object it stored), a GET shows the method response's payload
(what the client got for an object stored beforehand). Two gateways serve the fixture: one with
binaryMediaTypes [application/octet-stream], one with none ("Undefined" rows).
"""

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from local_gateway.local_aws import LOCAL_CREDENTIALS
from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

from .recorded import recorded

TEMPLATE = Path(__file__).parent / "templates" / "content_conversions" / "template.yaml"
PAGE = "developer guide, Content type conversions in API Gateway"
REQUEST_TABLE = f"{PAGE}: the request table (Content-Type x binaryMediaTypes x contentHandling)"
RESPONSE_TABLE = f"{PAGE}: the response table (Accept x binaryMediaTypes x contentHandling)"
# LocalStack recorded the request direction against AWS with an S3 integration: bytes of a type
# the API does not list arrive as UTF-8 with U+FFFD for each invalid byte; CONVERT_TO_TEXT
# stores binary as base64.
LOCALSTACK_S3 = (
    "localstack tests/aws/services/apigateway/test_apigateway_s3.py::"
    "TestApiGatewayS3BinarySupport::test_apigw_s3_binary_support_request"
)

EVERY_BYTE = bytes(range(256))  # not valid UTF-8: shows whether bytes passed untouched
AS_UTF8_STRING = EVERY_BYTE.decode("utf-8", errors="replace").encode()
TEXT = "naïve café, plain text".encode()
BINARY, TEXT_TYPE = "application/octet-stream", "text/plain"
HANDLING = {None: "none", "CONVERT_TO_BINARY": "to-binary", "CONVERT_TO_TEXT": "to-text"}


def b64(payload: bytes) -> bytes:
    return base64.b64encode(payload)


@dataclass(frozen=True)
class Api:
    running: RunningGateway

    def _s3(self) -> Any:
        session = self.running.session
        return boto3.client(
            "s3",
            endpoint_url=session.aws_endpoint_url,
            region_name=session.region,
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    @property
    def bucket(self) -> str:
        return str(self.running.session.resources["Bucket"])

    def stored_by_put(self, handling: str | None, payload: bytes, content_type: str) -> bytes:
        """The object a PUT through the integration stored: the integration request payload."""
        route = HANDLING[handling]
        key = uuid.uuid4().hex
        response = requests.put(
            f"{self.running.api_url}/{route}/{key}",
            data=payload,
            headers={"Content-Type": content_type},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return bytes(self._s3().get_object(Bucket=self.bucket, Key=f"{route}/{key}")["Body"].read())

    def answered_by_get(
        self, handling: str | None, stored: bytes, content_type: str, accept: str
    ) -> bytes:
        """What a client accepting `accept` gets for an object: the method response payload."""
        route = HANDLING[handling]
        key = uuid.uuid4().hex
        self._s3().put_object(
            Bucket=self.bucket, Key=f"{route}/{key}", Body=stored, ContentType=content_type
        )
        response = requests.get(
            f"{self.running.api_url}/{route}/{key}", headers={"Accept": accept}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.content


@pytest.fixture(scope="module")
def with_binary_types() -> Iterator[Api]:
    with start_gateway(TEMPLATE, parameter_overrides={"Binary": "true"}) as running:
        yield Api(running)


@pytest.fixture(scope="module")
def without_binary_types() -> Iterator[Api]:
    with start_gateway(TEMPLATE, parameter_overrides={"Binary": "false"}) as running:
        yield Api(running)


# --- Request table: (method request payload, its Content-Type, contentHandling) -> stored -----

UNDEFINED_BINARY_TYPES_REQUESTS = {
    "text, any type, undefined: UTF8-encoded string": (None, EVERY_BYTE, BINARY, AS_UTF8_STRING),
    "text, any type, CONVERT_TO_BINARY: base64-decoded blob": (
        "CONVERT_TO_BINARY",
        b64(EVERY_BYTE),
        BINARY,
        EVERY_BYTE,
    ),
    "text, any type, CONVERT_TO_TEXT: UTF8-encoded string": (
        "CONVERT_TO_TEXT",
        EVERY_BYTE,
        BINARY,
        AS_UTF8_STRING,
    ),
}

MATCHING_BINARY_TYPES_REQUESTS = {
    "text, text type, undefined: text data": (None, TEXT, TEXT_TYPE, TEXT),
    "text, text type, CONVERT_TO_BINARY: base64-decoded blob": (
        "CONVERT_TO_BINARY",
        b64(EVERY_BYTE),
        TEXT_TYPE,
        EVERY_BYTE,
    ),
    "text, text type, CONVERT_TO_TEXT: text data": ("CONVERT_TO_TEXT", TEXT, TEXT_TYPE, TEXT),
    "binary, binary type, undefined: binary data": (None, EVERY_BYTE, BINARY, EVERY_BYTE),
    "binary, binary type, CONVERT_TO_BINARY: binary data": (
        "CONVERT_TO_BINARY",
        EVERY_BYTE,
        BINARY,
        EVERY_BYTE,
    ),
    "binary, binary type, CONVERT_TO_TEXT: base64-encoded string": (
        "CONVERT_TO_TEXT",
        EVERY_BYTE,
        BINARY,
        b64(EVERY_BYTE),
    ),
}


@recorded(
    f"{REQUEST_TABLE}, rows with binaryMediaTypes Undefined; {LOCALSTACK_S3}[None] "
    "(snapshot get-obj-no-binary-media-binary-raw)"
)
@pytest.mark.parametrize(
    ("handling", "sent", "content_type", "expected"),
    UNDEFINED_BINARY_TYPES_REQUESTS.values(),
    ids=UNDEFINED_BINARY_TYPES_REQUESTS.keys(),
)
def test_request_payload_without_binary_media_types(
    without_binary_types, handling, sent, content_type, expected
):
    # Given an API with no binaryMediaTypes
    # When a payload goes through the integration request with this contentHandling
    stored = without_binary_types.stored_by_put(handling, sent, content_type)

    # Then the integration request carried the table's payload
    assert stored == expected


@recorded(
    f"{REQUEST_TABLE}, rows with binaryMediaTypes set with matching media types; "
    f"{LOCALSTACK_S3}[None] and [CONVERT_TO_TEXT] (snapshots get-obj-binary-type-binary-raw, "
    "get-obj-text-type-binary-raw)"
)
@pytest.mark.parametrize(
    ("handling", "sent", "content_type", "expected"),
    MATCHING_BINARY_TYPES_REQUESTS.values(),
    ids=MATCHING_BINARY_TYPES_REQUESTS.keys(),
)
def test_request_payload_with_binary_media_types(
    with_binary_types, handling, sent, content_type, expected
):
    # Given an API whose binaryMediaTypes list application/octet-stream
    # When a payload of this Content-Type goes through the integration request
    stored = with_binary_types.stored_by_put(handling, sent, content_type)

    # Then the integration request carried the table's payload
    assert stored == expected


# --- Response table: (contentHandling, stored object, its Content-Type, Accept) -> answered ----

UNDEFINED_BINARY_TYPES_RESPONSES = {
    "text or binary, text Accept, undefined: UTF8-encoded string": (
        None,
        EVERY_BYTE,
        BINARY,
        "application/json",
        AS_UTF8_STRING,
    ),
    "text or binary, text Accept, CONVERT_TO_BINARY: base64-decoded blob": (
        "CONVERT_TO_BINARY",
        b64(EVERY_BYTE),
        BINARY,
        "application/json",
        EVERY_BYTE,
    ),
    "text or binary, text Accept, CONVERT_TO_TEXT: UTF8-encoded string": (
        "CONVERT_TO_TEXT",
        EVERY_BYTE,
        BINARY,
        "application/json",
        AS_UTF8_STRING,
    ),
}

MATCHING_BINARY_TYPES_RESPONSES = {
    "text, text Accept, undefined: text data": (None, TEXT, TEXT_TYPE, TEXT_TYPE, TEXT),
    "text, text Accept, CONVERT_TO_BINARY: base64-decoded blob": (
        "CONVERT_TO_BINARY",
        b64(EVERY_BYTE),
        TEXT_TYPE,
        TEXT_TYPE,
        EVERY_BYTE,
    ),
    "text, text Accept, CONVERT_TO_TEXT: text data": (
        "CONVERT_TO_TEXT",
        TEXT,
        TEXT_TYPE,
        TEXT_TYPE,
        TEXT,
    ),
    "text, binary Accept, undefined: base64-decoded blob": (
        None,
        b64(EVERY_BYTE),
        TEXT_TYPE,
        BINARY,
        EVERY_BYTE,
    ),
    "text, binary Accept, CONVERT_TO_BINARY: base64-decoded blob": (
        "CONVERT_TO_BINARY",
        b64(EVERY_BYTE),
        TEXT_TYPE,
        BINARY,
        EVERY_BYTE,
    ),
    "text, binary Accept, CONVERT_TO_TEXT: text data": (
        "CONVERT_TO_TEXT",
        TEXT,
        TEXT_TYPE,
        BINARY,
        TEXT,
    ),
    "binary, text Accept, undefined: base64-encoded string": (
        None,
        EVERY_BYTE,
        BINARY,
        "*/*",
        b64(EVERY_BYTE),
    ),
    "binary, text Accept, CONVERT_TO_BINARY: binary data": (
        "CONVERT_TO_BINARY",
        EVERY_BYTE,
        BINARY,
        "*/*",
        EVERY_BYTE,
    ),
    "binary, text Accept, CONVERT_TO_TEXT: base64-encoded string": (
        "CONVERT_TO_TEXT",
        EVERY_BYTE,
        BINARY,
        "*/*",
        b64(EVERY_BYTE),
    ),
    "binary, binary Accept, undefined: binary data": (
        None,
        EVERY_BYTE,
        BINARY,
        BINARY,
        EVERY_BYTE,
    ),
    "binary, binary Accept, CONVERT_TO_BINARY: binary data": (
        "CONVERT_TO_BINARY",
        EVERY_BYTE,
        BINARY,
        BINARY,
        EVERY_BYTE,
    ),
    "binary, binary Accept, CONVERT_TO_TEXT: base64-encoded string": (
        "CONVERT_TO_TEXT",
        EVERY_BYTE,
        BINARY,
        BINARY,
        b64(EVERY_BYTE),
    ),
}


@recorded(f"{RESPONSE_TABLE}, rows with binaryMediaTypes Undefined")
@pytest.mark.parametrize(
    ("handling", "stored", "content_type", "accept", "expected"),
    UNDEFINED_BINARY_TYPES_RESPONSES.values(),
    ids=UNDEFINED_BINARY_TYPES_RESPONSES.keys(),
)
def test_response_payload_without_binary_media_types(
    without_binary_types, handling, stored, content_type, accept, expected
):
    # Given an API with no binaryMediaTypes, and an object behind an integration response
    # When a client with this Accept reads it
    answered = without_binary_types.answered_by_get(handling, stored, content_type, accept)

    # Then the method response carried the table's payload
    assert answered == expected


@recorded(f"{RESPONSE_TABLE}, rows with binaryMediaTypes set with matching media types")
@pytest.mark.parametrize(
    ("handling", "stored", "content_type", "accept", "expected"),
    MATCHING_BINARY_TYPES_RESPONSES.values(),
    ids=MATCHING_BINARY_TYPES_RESPONSES.keys(),
)
def test_response_payload_with_binary_media_types(
    with_binary_types, handling, stored, content_type, accept, expected
):
    # Given an API whose binaryMediaTypes list application/octet-stream, and an object of this
    # Content-Type behind an integration response with this contentHandling
    # When a client with this Accept reads it
    answered = with_binary_types.answered_by_get(handling, stored, content_type, accept)

    # Then the method response carried the table's payload
    assert answered == expected


@recorded(f"{PAGE}: the Important note, only the first media type of Accept counts")
def test_only_the_first_accept_type_decides(with_binary_types):
    # Given a binary object, and a client listing a text type before the binary one
    # When it reads the object
    answered = with_binary_types.answered_by_get(
        None, EVERY_BYTE, BINARY, "text/html, application/octet-stream"
    )

    # Then the first type (text) decided: the payload came as a base64-encoded string
    assert answered == b64(EVERY_BYTE)
