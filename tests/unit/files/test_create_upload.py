"""POST /v1/uploads and the file key rule: a caller only ever reaches users/<own sub>/."""

import json
import urllib.parse
from collections.abc import Iterator

import boto3
import pytest

from functions.create_upload.app import handler
from sample_api import aws as aws_clients
from sample_api.files.logic import InvalidFileName, file_key
from sample_api.files.storage import get_upload_signer
from sample_api.settings import get_settings
from tests.unit.conftest import FakeLambdaContext, api_event

SUB = "0f4e8d2c-1b3a-4c5d-9e8f-7a6b5c4d3e2f"


def clear_caches():
    for cached in (get_settings, get_upload_signer, aws_clients.s3):
        cached.cache_clear()


@pytest.fixture
def files_bucket(aws, monkeypatch) -> Iterator[str]:
    boto3.client("s3").create_bucket(Bucket="files-bucket")
    monkeypatch.setenv("FILES_BUCKET_NAME", "files-bucket")
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield "files-bucket"
    clear_caches()


def post_event(body, sub=SUB):
    return api_event("POST", "/v1/uploads", body, authorizer={"claims": {"sub": sub}})


def test_upload_url_puts_into_the_callers_prefix(files_bucket):
    # Given a caller asking to upload a large video
    body = {"name": "holiday.mp4", "contentType": "video/mp4"}

    # When it asks for an upload URL
    response = handler(post_event(body), FakeLambdaContext())

    # Then the URL is a presigned PUT of users/<sub>/holiday.mp4 that expires
    assert response["statusCode"] == 201
    upload = json.loads(response["body"])
    assert upload["key"] == f"users/{SUB}/holiday.mp4"
    assert upload["expiresIn"] == 900
    url = urllib.parse.urlsplit(upload["url"])
    assert urllib.parse.unquote(url.path).endswith(f"/users/{SUB}/holiday.mp4")
    query = urllib.parse.parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"]
    assert "content-type" in query["X-Amz-SignedHeaders"][0]


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
