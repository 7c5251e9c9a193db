"""PUT /v1/files/{name}: the object key API Gateway builds, and the PUT response template.

(GET /v1/files/{name} is a function's redirect: tests/unit/files/test_download_file.py.)

API Gateway fills `{sub}` and `{name}` of the integration URI with the URL-encoded values of
their mappings, each as one path segment; S3 decodes the path back into the key. These tests
apply that rule to the URI read from the template and use the key against moto S3.
"""

import json
import urllib.parse

import boto3
import pytest

from tests.support.vtl import HOSTILE, integration, render_template, request

pytestmark = pytest.mark.domain("files")

ALICE = "11111111-1111-4111-8111-111111111111"
MALLORY = "22222222-2222-4222-8222-222222222222"
ESCAPES = ["../" + ALICE + "/secret.txt", "..%2F" + ALICE + "%2Fsecret.txt", "/../../x", "..", "."]


def object_key(api_body, method, sub, name):
    """The key S3 receives for this caller and name, following the integration's URI."""
    spec = integration(api_body, "/v1/files/{name}", method)
    mapped = {"sub": sub, "name": name}  # context.authorizer.claims.sub, method.request.path.name
    path = spec["uri"]["Fn::Sub"].split(":s3:path/", 1)[1]
    for placeholder, value in mapped.items():
        path = path.replace("{" + placeholder + "}", urllib.parse.quote(value, safe=""))
    bucket_part, _, key_part = path.partition("/")
    assert bucket_part == "${FilesBucket}"
    return urllib.parse.unquote(key_part)


@pytest.mark.parametrize("name", ESCAPES + HOSTILE)
def test_no_name_leaves_the_callers_prefix(api_body, name):
    key = object_key(api_body, "put", MALLORY, name)

    assert key == f"users/{MALLORY}/{name}"


@pytest.mark.parametrize("name", ESCAPES)
def test_another_users_file_cannot_be_overwritten(api_body, aws, name):
    # Given Alice's file
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="files")
    s3.put_object(Bucket="files", Key=f"users/{ALICE}/secret.txt", Body=b"alice only")

    # When Mallory stores a name that tries to climb into Alice's prefix
    s3.put_object(Bucket="files", Key=object_key(api_body, "put", MALLORY, name), Body=b"x")

    # Then Alice's file is as she stored it
    assert s3.get_object(Bucket="files", Key=f"users/{ALICE}/secret.txt")["Body"].read() == (
        b"alice only"
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_put_answer_names_the_file_and_its_size(api_body, name):
    spec = integration(api_body, "/v1/files/{name}", "put")["responses"]["2\\d{2}"]
    vtl_request = request(path={"name": name})
    vtl_request.headers["Content-Length"] = "1234"

    out = render_template(spec["responseTemplates"]["application/json"], vtl_request)

    assert json.loads(out.body) == {"name": name, "size": 1234}


def test_put_answer_without_a_length_has_no_size(api_body):
    spec = integration(api_body, "/v1/files/{name}", "put")["responses"]["2\\d{2}"]

    out = render_template(
        spec["responseTemplates"]["application/json"], request(path={"name": "a"})
    )

    assert json.loads(out.body) == {"name": "a"}


def test_put_stores_the_content_type_it_was_sent(api_body):
    assert (
        integration(api_body, "/v1/files/{name}", "put")["requestParameters"][
            "integration.request.header.Content-Type"
        ]
        == "method.request.header.Content-Type"
    )


@pytest.mark.parametrize(("pattern", "status", "code"), [
    ("4\\d{2}", "400", "BAD_REQUEST"), ("5\\d{2}", "502", "BAD_GATEWAY"),
])  # fmt: skip
def test_s3_errors_become_the_error_envelope(api_body, pattern, status, code):
    spec = integration(api_body, "/v1/files/{name}", "put")["responses"][pattern]

    out = render_template(spec["responseTemplates"]["application/json"], request())

    assert spec["statusCode"] == status
    assert json.loads(out.body)["error"] == {
        "code": code,
        "message": json.loads(out.body)["error"]["message"],
        "requestId": "req-1",
    }
