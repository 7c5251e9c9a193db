"""PUT/GET /v1/files/{name}: the object key API Gateway builds, and the PUT response template.

API Gateway fills `{sub}` and `{name}` of the integration URI with the URL-encoded values of
their mappings, each as one path segment; S3 decodes the path back into the key. These tests
apply that rule to the URI read from the template and use the key against moto S3.
"""

import json
import urllib.parse

import boto3
import pytest

from tests.unit.integrations.conftest import HOSTILE, integration, render_template, request

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
@pytest.mark.parametrize("method", ["put", "get"])
def test_no_name_leaves_the_callers_prefix(api_body, method, name):
    key = object_key(api_body, method, MALLORY, name)

    assert key == f"users/{MALLORY}/{name}"


@pytest.mark.parametrize("name", ESCAPES)
def test_another_users_file_cannot_be_read(api_body, aws, name):
    # Given Alice's file
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="files")
    s3.put_object(Bucket="files", Key=f"users/{ALICE}/secret.txt", Body=b"alice only")

    # When Mallory asks for a name that tries to climb into Alice's prefix
    key = object_key(api_body, "get", MALLORY, name)

    # Then S3 is asked for a key in Mallory's prefix, which holds nothing
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="files", Key=key)


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


def test_get_keeps_the_stored_content_type(api_body):
    spec = integration(api_body, "/v1/files/{name}", "get")

    assert (
        spec["responses"]["2\\d{2}"]["responseParameters"]["method.response.header.Content-Type"]
        == "integration.response.header.Content-Type"
    )
    assert (
        integration(api_body, "/v1/files/{name}", "put")["requestParameters"][
            "integration.request.header.Content-Type"
        ]
        == "method.request.header.Content-Type"
    )


@pytest.mark.parametrize(("pattern", "status", "code"), [
    ("40[34]", "404", "NOT_FOUND"), ("4(0[0-25-9]|[1-9]\\d)", "400", "BAD_REQUEST"),
    ("5\\d{2}", "502", "BAD_GATEWAY"),
])  # fmt: skip
def test_s3_errors_become_the_error_envelope(api_body, pattern, status, code):
    spec = integration(api_body, "/v1/files/{name}", "get")["responses"][pattern]

    out = render_template(spec["responseTemplates"]["application/json"], request())

    assert spec["statusCode"] == status
    assert json.loads(out.body)["error"] == {
        "code": code,
        "message": json.loads(out.body)["error"]["message"],
        "requestId": "req-1",
    }
