"""GET /v1/files/{name}: a redirect to a presigned GET URL of the caller's own file.

A redirect, because through API Gateway a binary file read with `Accept: */*` (curl, requests)
arrives base64-encoded (the developer guide's content type conversion table): S3 answers the
presigned URL with the bytes as stored, whatever the client accepts.
"""

import json
import urllib.parse
from collections.abc import Iterator

import boto3
import pytest
import requests

from functions.download_file.app import handler
from sample_api import aws as aws_clients
from sample_api.files.storage import get_download_signer
from sample_api.settings import get_settings
from tests.support.events import api_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.domain("files")

SUB = "0f4e8d2c-1b3a-4c5d-9e8f-7a6b5c4d3e2f"
OTHER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def clear_caches():
    for cached in (get_settings, get_download_signer, aws_clients.s3):
        cached.cache_clear()


@pytest.fixture
def files_bucket(aws, monkeypatch) -> Iterator[str]:
    boto3.client("s3").create_bucket(Bucket="files-bucket")
    monkeypatch.setenv("FILES_BUCKET_NAME", "files-bucket")
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield "files-bucket"
    clear_caches()


def get_event(name, sub=SUB):
    quoted = urllib.parse.quote(name, safe="")
    event = api_event("GET", f"/v1/files/{quoted}", authorizer={"claims": {"sub": sub}})
    event["resource"] = "/v1/files/{name}"
    event["pathParameters"] = {"name": name}
    return event


def test_a_stored_file_redirects_to_a_short_lived_url_of_its_key(files_bucket):
    # Given the caller's file
    boto3.client("s3").put_object(
        Bucket=files_bucket, Key=f"users/{SUB}/photo.png", Body=b"\x89PNG", ContentType="image/png"
    )

    # When it asks for the file
    response = handler(get_event("photo.png"), FakeLambdaContext())

    # Then it is sent to a presigned GET of users/<sub>/photo.png that expires in 300 s
    assert response["statusCode"] == 307
    location = response["multiValueHeaders"]["Location"][0]
    assert json.loads(response["body"]) == {"url": location, "expiresIn": 300}
    url = urllib.parse.urlsplit(location)
    assert urllib.parse.unquote(url.path).endswith(f"/users/{SUB}/photo.png")
    assert urllib.parse.parse_qs(url.query)["X-Amz-Expires"] == ["300"]


def test_the_url_serves_the_bytes_and_content_type_as_stored(files_bucket):
    # Given a binary file
    body = bytes(range(256))
    boto3.client("s3").put_object(
        Bucket=files_bucket, Key=f"users/{SUB}/blob.bin", Body=body, ContentType="image/png"
    )

    # When the redirect is followed (moto answers the presigned URL in-process)
    location = handler(get_event("blob.bin"), FakeLambdaContext())["multiValueHeaders"]["Location"]
    read = requests.get(location[0], headers={"Accept": "*/*"}, timeout=5)

    # Then every byte comes back, with the stored Content-Type
    assert read.content == body
    assert read.headers["Content-Type"] == "image/png"


def test_another_users_file_is_404(files_bucket):
    # Given a file of another user, under the same name
    boto3.client("s3").put_object(Bucket=files_bucket, Key=f"users/{OTHER}/notes.txt", Body=b"x")

    # When the caller asks for that name
    response = handler(get_event("notes.txt"), FakeLambdaContext())

    # Then it has no such file
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"]["code"] == "NOT_FOUND"


def test_a_name_with_a_backslash_is_one_of_the_callers_files(files_bucket):
    # Given a file the PUT stored under a name with backslashes (one path segment)
    name = "..\\..\\notes.txt"
    boto3.client("s3").put_object(Bucket=files_bucket, Key=f"users/{SUB}/{name}", Body=b"x")

    # When it is read
    response = handler(get_event(name), FakeLambdaContext())

    # Then it is that file of the caller's
    assert response["statusCode"] == 307
    location = urllib.parse.urlsplit(response["multiValueHeaders"]["Location"][0])
    assert urllib.parse.unquote(location.path).endswith(f"/users/{SUB}/{name}")


@pytest.mark.parametrize("name", ["..", ".", "nul\x00", "line\nbreak"])
def test_names_no_url_can_carry_are_400(files_bucket, name):
    # When a name is a dot segment (clients resolve it away) or holds a control character
    response = handler(get_event(name), FakeLambdaContext())

    # Then it is refused by name
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "INVALID_FILE_NAME"
