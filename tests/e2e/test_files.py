"""Files end to end: S3 objects under the caller's prefix, stored and read over HTTP.

`PUT /v1/files/{name}` goes straight to S3 (no Lambda) at `users/{sub}/{name}`, where `sub`
comes from the caller's verified Cognito token; `GET /v1/files/{name}` redirects (307) to a
presigned S3 URL of that key, which the client follows with no Authorization header (requests
drops it for another origin). So a reader gets the bytes whatever its Accept: through API
Gateway itself, a binary file read with `Accept: */*` would come base64-encoded.

A caller reaches only its own files, whatever it puts in the name: these tests try, as the
other user, every spelling of a way out (and, locally, look in the bucket behind the API for
anything written outside the two prefixes).
"""

import uuid

import boto3
import pytest
import requests

from tests.support.e2e import ADMIN, MEMBER, Api, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("files")]

EVERY_BYTE = bytes(range(256))
SECRET = b"the admin's own notes"
OVERWRITTEN = b"overwritten"


@pytest.fixture(scope="module")
def admins_file(api) -> str:
    """A file of the admin's: the one the other user tries to reach."""
    name = f"notes-{uuid.uuid4().hex[:8]}.txt"
    response = api.request(
        "PUT", f"/v1/files/{name}", user=ADMIN, data=SECRET, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    return name


@pytest.mark.parametrize("content_type", ["application/octet-stream", "image/png"])
def test_a_file_round_trips_every_byte_value_with_its_content_type(api, content_type):
    # Given a file holding every byte value
    name = f"blob-{uuid.uuid4().hex[:8]}.bin"

    # When a user stores it and reads it back as curl and requests do, accepting anything
    stored = api.request(
        "PUT",
        f"/v1/files/{name}",
        user=MEMBER,
        data=EVERY_BYTE,
        headers={"Content-Type": content_type},
    )
    read = api.request("GET", f"/v1/files/{name}", user=MEMBER, headers={"Accept": "*/*"})

    # Then the bytes and the Content-Type come back unchanged
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"name": name, "size": len(EVERY_BYTE)}
    assert read.status_code == 200, read.text
    assert read.content == EVERY_BYTE
    assert read.headers["Content-Type"] == content_type


def test_reading_a_file_redirects_to_a_short_lived_url_without_the_token(api, admins_file):
    # When the admin reads its file without following redirects
    response = api.request("GET", f"/v1/files/{admins_file}", user=ADMIN, allow_redirects=False)

    # Then it is sent elsewhere for the bytes, for minutes, and the URL carries no token
    assert response.status_code == 307, response.text
    assert response.json() == {"url": response.headers["Location"], "expiresIn": 300}
    assert api.id_token(ADMIN) not in response.headers["Location"]


def test_reading_a_file_without_a_token_is_401(api, admins_file):
    # When a file is read with no token
    response = api.request("GET", f"/v1/files/{admins_file}")

    # Then the Cognito authorizer refuses it
    assert_error(response, 401, "UNAUTHORIZED")


def test_another_user_reading_a_file_by_its_name_gets_404(api, admins_file):
    # When the other demo user asks for the admin's file by its name
    response = api.request("GET", f"/v1/files/{admins_file}", user=MEMBER)

    # Then it has no such file: the name is looked up under its own prefix
    assert_error(response, 404, "NOT_FOUND")


def ways_out(admin_sub: str, name: str) -> list[str]:
    """Spellings of `../{admin_sub}/{name}` (and of `..` itself) as a request path segment."""
    return [
        f"..%2F{admin_sub}%2F{name}",
        f"%2E%2E%2F{admin_sub}%2F{name}",
        f"..%252F{admin_sub}%252F{name}",
        f"%252E%252E%252F{admin_sub}%252F{name}",
        f"..%5C{admin_sub}%5C{name}",
        f"..%2F..%2Fusers%2F{admin_sub}%2F{name}",
        "%2E%2E",
        "%2E",
    ]


WAY_OUT_IDS = [
    "slash",
    "dots and slash",
    "double-encoded slash",
    "double-encoded all",
    "backslash",
    "two levels",
    "dot dot",
    "dot",
]


def write_as_member(api: Api, name: str) -> requests.Response:
    return api.request(
        "PUT",
        f"/v1/files/{name}",
        user=MEMBER,
        data=OVERWRITTEN,
        headers={"Content-Type": "text/plain"},
    )


@pytest.mark.parametrize("way_out", range(len(WAY_OUT_IDS)), ids=WAY_OUT_IDS)
def test_a_name_cannot_reach_another_users_file(api, admins_file, way_out):
    # Given a name that spells a way from the caller's prefix into the admin's
    name = ways_out(api.user_sub(ADMIN), admins_file)[way_out]

    # When the other user writes that name and reads it back
    written = write_as_member(api, name)
    read = api.request("GET", f"/v1/files/{name}", user=MEMBER)

    # Then the name is one of its own files (a single-encoded `/` splits the path, so no route
    # matches: 404 both ways; a dot segment is no name to download: 400), and the admin's file
    # is untouched
    if written.status_code == 200 and read.status_code == 400:
        assert_error(read, 400, "INVALID_FILE_NAME")
    elif written.status_code == 200:
        assert read.status_code == 200, read.text
        assert read.content == OVERWRITTEN
    else:
        assert_error(written, 404, "NOT_FOUND")
        assert_error(read, 404, "NOT_FOUND")
    assert api.request("GET", f"/v1/files/{admins_file}", user=ADMIN).content == SECRET


@pytest.mark.local_only(reason="lists the local S3 bucket behind the API")
def test_no_name_writes_outside_the_two_users_prefixes(api, admins_file, local):
    # Given the other user wrote every way out of its prefix
    admin_sub, member_sub = api.user_sub(ADMIN), api.user_sub(MEMBER)
    for name in ways_out(admin_sub, admins_file):
        write_as_member(api, name)

    # When the bucket behind the API is listed
    s3 = boto3.client(
        "s3", endpoint_url=local.session.aws_endpoint_url, region_name=local.session.region
    )
    bucket = local.session.resources["FilesBucket"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]

    # Then every object is under one of the two users' prefixes, and the admin's is as stored
    assert all(key.startswith((f"users/{member_sub}/", f"users/{admin_sub}/")) for key in keys), (
        keys
    )
    admins = s3.get_object(Bucket=bucket, Key=f"users/{admin_sub}/{admins_file}")
    assert admins["Body"].read() == SECRET
