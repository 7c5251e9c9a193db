"""The upload processor and GET /v1/files, on a moto bucket and the template's files table."""

import hashlib
import json
import urllib.parse
from collections.abc import Iterator

import boto3
import pytest

from functions.list_files.app import handler as list_handler
from functions.process_upload.app import handler as process_handler
from sample_api import aws as aws_clients
from sample_api.files.logic import owner_and_name
from sample_api.files.repository import get_file_records
from sample_api.files.storage import get_object_reader
from sample_api.settings import get_settings
from tests.support.dynamodb import ROOT
from tests.support.events import api_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.domain("files")

OWNER = "0f4e8d2c-1b3a-4c5d-9e8f-7a6b5c4d3e2f"
OTHER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
BUCKET = "files-bucket"
EVENTS_DIR = ROOT / "events"


def clear_caches():
    for cached in (get_settings, get_file_records, get_object_reader, aws_clients.s3):
        cached.cache_clear()
    aws_clients.dynamodb.cache_clear()


@pytest.fixture
def files_service(table_from_template, monkeypatch) -> Iterator[None]:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("TABLE_NAME", table_from_template("FilesTable"))
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield
    clear_caches()


def uploaded(owner: str, name: str, content: bytes, content_type: str) -> dict:
    """Store the object and build the S3 event for it (the sample event, key URL-encoded)."""
    key = f"users/{owner}/{name}"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=content, ContentType=content_type)
    event = json.loads((EVENTS_DIR / "process_upload.json").read_text())
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = BUCKET
    record["s3"]["object"].update({"key": urllib.parse.quote_plus(key), "size": len(content)})
    return event


def list_event(owner: str, **query: str) -> dict:
    event = api_event("GET", "/v1/files", authorizer={"claims": {"sub": owner}})
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return event


def listed(owner: str, **query: str) -> dict:
    event = list_event(owner, **query)
    response = list_handler(event, FakeLambdaContext())
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


def test_an_upload_is_recorded_with_its_size_type_and_sha256(files_service):
    # Given a file uploaded under its owner's prefix (a name with a space, as S3 encodes it)
    content = b"quarterly numbers" * 1000

    # When the processor gets its ObjectCreated event
    process_handler(
        uploaded(OWNER, "Q3 report.pdf", content, "application/pdf"), FakeLambdaContext()
    )

    # Then the owner's list holds it, processed, with the hash of its bytes
    (item,) = listed(OWNER)["items"]
    assert item["name"] == "Q3 report.pdf"
    assert item["size"] == len(content)
    assert item["sha256"] == hashlib.sha256(content).hexdigest()
    assert (item["contentType"], item["status"]) == ("application/pdf", "processed")
    assert item["createdAt"].endswith("Z")


def test_a_repeated_event_records_the_file_once(files_service):
    event = uploaded(OWNER, "a.txt", b"a", "text/plain")

    process_handler(event, FakeLambdaContext())
    process_handler(event, FakeLambdaContext())

    assert [item["name"] for item in listed(OWNER)["items"]] == ["a.txt"]


def test_the_list_holds_the_callers_files_only(files_service):
    # Given a file of each of two users
    process_handler(uploaded(OWNER, "mine.txt", b"1", "text/plain"), FakeLambdaContext())
    process_handler(uploaded(OTHER, "theirs.txt", b"2", "text/plain"), FakeLambdaContext())

    # When each lists its files, Then each sees its own
    assert [item["name"] for item in listed(OWNER)["items"]] == ["mine.txt"]
    assert [item["name"] for item in listed(OTHER)["items"]] == ["theirs.txt"]


def test_the_list_comes_a_page_at_a_time(files_service):
    # Given three files
    for name in ("a", "b", "c"):
        process_handler(uploaded(OWNER, name, b"x", "text/plain"), FakeLambdaContext())

    # When they are listed two by two
    first = listed(OWNER, limit="2")
    second = listed(OWNER, limit="2", next_token=first["next_token"])

    # Then the pages follow on by name, and the last says so
    assert [item["name"] for item in first["items"]] == ["a", "b"]
    assert [item["name"] for item in second["items"]] == ["c"]
    assert second["next_token"] is None


def test_a_forged_page_token_is_400(files_service):
    event = list_event(OWNER, next_token="!!")
    response = list_handler(event, FakeLambdaContext())
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["code"] == "INVALID_PAGE_TOKEN"


def test_an_object_outside_users_is_not_recorded(files_service):
    boto3.client("s3").put_object(Bucket=BUCKET, Key="exports/x.csv", Body=b"x")
    event = uploaded(OWNER, "x", b"x", "text/plain")
    event["Records"][0]["s3"]["object"]["key"] = "exports/x.csv"

    process_handler(event, FakeLambdaContext())

    assert listed(OWNER)["items"] == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (f"users/{OWNER}/a.txt", (OWNER, "a.txt")),
        (f"users/{OWNER}/dir/a.txt", None),
        (f"users/{OWNER}/..", None),
        ("users//a.txt", None),
        ("other/a.txt", None),
    ],
)
def test_only_a_key_of_one_users_prefix_names_an_owner(key, expected):
    assert owner_and_name(key) == expected
