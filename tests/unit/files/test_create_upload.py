"""POST /v1/uploads and the file key rule: a caller only ever reaches users/<own sub>/."""

import base64
import json
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from functions.create_upload.app import handler
from sample_api import aws as aws_clients
from sample_api.files.errors import InvalidFileName
from sample_api.files.logic import file_key
from sample_api.files.storage import get_upload_signer
from sample_api.settings import get_settings
from tests.support.events import api_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.domain("files")

SUB = "0f4e8d2c-1b3a-4c5d-9e8f-7a6b5c4d3e2f"
MAX_BYTES = 5 * 1024 * 1024


def clear_caches():
    for cached in (get_settings, get_upload_signer, aws_clients.s3):
        cached.cache_clear()


@pytest.fixture
def files_bucket(aws, monkeypatch) -> Iterator[str]:
    boto3.client("s3").create_bucket(Bucket="files-bucket")
    monkeypatch.setenv("FILES_BUCKET_NAME", "files-bucket")
    monkeypatch.setenv("MAX_UPLOAD_BYTES", str(MAX_BYTES))
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield "files-bucket"
    clear_caches()


def post_event(body, sub=SUB):
    return api_event("POST", "/v1/uploads", body, authorizer={"claims": {"sub": sub}})


def test_upload_is_a_presigned_post_into_the_callers_prefix_bounded_in_size(files_bucket):
    # Given a caller asking to upload a large video
    body = {"name": "holiday.mp4", "contentType": "video/mp4"}

    # When it asks for an upload
    response = handler(post_event(body), FakeLambdaContext())

    # Then it gets a form for users/<sub>/holiday.mp4 whose signed policy fixes the key and the
    # type, bounds the size by MAX_UPLOAD_BYTES and expires
    assert response["statusCode"] == 201
    upload = json.loads(response["body"])
    key = f"users/{SUB}/holiday.mp4"
    assert upload["key"] == key
    assert (upload["expiresIn"], upload["maxBytes"]) == (900, MAX_BYTES)
    url = urllib.parse.urlsplit(upload["url"])
    assert "files-bucket" in (url.netloc + url.path)  # virtual-hosted on AWS, path-style locally
    fields = upload["fields"]
    assert (fields["key"], fields["Content-Type"]) == (key, "video/mp4")
    assert {"x-amz-signature", "x-amz-credential", "x-amz-algorithm", "x-amz-date"} <= set(fields)
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, MAX_BYTES] in policy["conditions"]
    assert {"Content-Type": "video/mp4"} in policy["conditions"]
    assert {"key": key} in policy["conditions"]
    assert {"bucket": "files-bucket"} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(seconds=900)


def test_an_upload_without_a_content_type_is_octet_stream(files_bucket):
    response = handler(post_event({"name": "blob"}), FakeLambdaContext())

    assert response["statusCode"] == 201
    assert json.loads(response["body"])["fields"]["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("name", ["..", ".", "../other/x", "a/b", "a\\b", "nul\x00", "line\nbreak"])
def test_names_that_are_not_one_segment_are_400(files_bucket, name):
    response = handler(post_event({"name": name}), FakeLambdaContext())

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "INVALID_FILE_NAME"


@pytest.mark.parametrize("name", ["report.pdf", "ünïcödé 😀.txt", "%2F..%2Fx", "'quoted\"", "...x"])
def test_every_accepted_name_stays_in_the_callers_prefix(name):
    assert file_key(SUB, name) == f"users/{SUB}/{name}"


def test_dot_segments_are_refused_by_the_key_rule():
    with pytest.raises(InvalidFileName):
        file_key(SUB, "..")
