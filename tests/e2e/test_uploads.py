"""Large files end to end: a size-bounded presigned POST, processing on upload, the owner's list.

`POST /v1/uploads` answers a form (url + fields) whose signed policy fixes the object key and
content type and bounds the size by `MaxUploadBytes`; S3 enforces it (locally, the local S3
endpoint checks the policy as S3 does, before moto stores anything). An S3 ObjectCreated
notification runs the processor, which hashes the object and records it for its owner;
`GET /v1/files` lists the caller's own records. Processing is asynchronous, so the listing is
polled until the record is there, within a deadline.
"""

import base64
import hashlib
import json
import os
import time
import uuid
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
import requests

from tests.support.e2e import ADMIN, HTTP_TIMEOUT_SECONDS, MEMBER, Api, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("files")]

# Notification delivery and a cold processor worker, with room to spare on a busy CI.
PROCESSING_DEADLINE_SECONDS = 30
POLL_INTERVAL_SECONDS = 0.2


def new_upload(api: Api, user: str, name: str, content_type: str) -> dict[str, Any]:
    answer = api.request(
        "POST", "/v1/uploads", user=user, json={"name": name, "contentType": content_type}
    )
    assert answer.status_code == 201, answer.text
    upload: dict[str, Any] = answer.json()
    return upload


def post_file(upload: dict[str, Any], content: bytes, content_type: str, **fields: str):
    """The browser's form POST: the answer's fields, then the file."""
    form = {**upload["fields"], **fields}
    return requests.post(
        upload["url"],
        data=form,
        files={"file": ("upload", content, content_type)},
        timeout=HTTP_TIMEOUT_SECONDS,
    )


def s3_error_code(response: requests.Response) -> str:
    # S3's own error document (the local endpoint writes the same shape).
    return ElementTree.fromstring(response.content).findtext("Code") or ""  # noqa: S314


def listed_when_processed(api: Api, user: str, name: str) -> dict[str, Any]:
    """The caller's record of `name` once the processor wrote it; fails after the deadline."""
    deadline = time.monotonic() + PROCESSING_DEADLINE_SECONDS
    while True:
        response = api.request("GET", "/v1/files", user=user, params={"limit": 100})
        assert response.status_code == 200, response.text
        found = [item for item in response.json()["items"] if item["name"] == name]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"{name} was not processed in time"
        time.sleep(POLL_INTERVAL_SECONDS)  # the processor runs asynchronously


def test_a_file_one_byte_over_max_upload_bytes_is_refused_by_s3(api):
    # Given an upload form for a file
    upload = new_upload(api, MEMBER, f"big-{uuid.uuid4().hex[:8]}.bin", "application/zip")

    # When a file one byte over the bound is posted with it
    response = post_file(upload, b"x" * (upload["maxBytes"] + 1), "application/zip")

    # Then S3 refuses it as too large
    assert response.status_code == 400, response.text
    assert s3_error_code(response) == "EntityTooLarge"


def test_a_file_within_the_bound_is_stored_processed_and_listed_for_its_owner_only(api):
    # Given a file within the bound and its upload form
    name = f"report-{uuid.uuid4().hex[:8]}.pdf"
    content = os.urandom(4096)
    upload = new_upload(api, MEMBER, name, "application/pdf")
    assert upload["key"].endswith(f"/{name}")

    # When it is posted
    response = post_file(upload, content, "application/pdf")

    # Then S3 stores it, the processor records it with its hash, and its owner sees it
    assert response.status_code == 204, response.text
    record = listed_when_processed(api, MEMBER, name)
    assert record["sha256"] == hashlib.sha256(content).hexdigest()
    assert record["size"] == len(content)
    assert record["contentType"] == "application/pdf"
    assert record["status"] == "processed"
    # And another user's list does not hold it
    others = api.request("GET", "/v1/files", user=ADMIN, params={"limit": 100})
    assert others.status_code == 200, others.text
    assert name not in {item["name"] for item in others.json()["items"]}


def test_the_policy_fixes_the_content_type(api):
    # Given an upload form for a PDF
    upload = new_upload(api, MEMBER, f"doc-{uuid.uuid4().hex[:8]}.pdf", "application/pdf")

    # When the form is sent claiming another type
    response = post_file(upload, b"%PDF-", "text/html", **{"Content-Type": "text/html"})

    # Then S3 refuses it: the policy names the type
    assert response.status_code == 403, response.text
    assert s3_error_code(response) == "AccessDenied"


def test_a_policy_edited_by_the_client_is_refused(api):
    # Given an upload form whose policy the client rewrote to a bound ten times larger
    upload = new_upload(api, MEMBER, f"edit-{uuid.uuid4().hex[:8]}.bin", "application/zip")
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    for condition in policy["conditions"]:
        if isinstance(condition, list) and condition[0] == "content-length-range":
            condition[2] = upload["maxBytes"] * 10
    forged = base64.b64encode(json.dumps(policy).encode()).decode()

    # When a file over the real bound is posted with it
    response = post_file(upload, b"x" * (upload["maxBytes"] + 1), "application/zip", policy=forged)

    # Then the signature no longer matches and S3 refuses it
    assert response.status_code == 403, response.text
    assert s3_error_code(response) == "SignatureDoesNotMatch"


def test_listing_files_without_a_token_is_401(api):
    assert_error(api.request("GET", "/v1/files"), 401, "UNAUTHORIZED")


def test_a_forged_page_token_is_400(api):
    response = api.request("GET", "/v1/files", user=MEMBER, params={"next_token": "%%%"})
    assert_error(response, 400, "INVALID_PAGE_TOKEN")
