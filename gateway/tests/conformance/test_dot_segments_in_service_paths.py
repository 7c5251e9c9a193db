"""Conformance: a path parameter of `.` or `..` stays the caller's characters in the backend path.

API Gateway puts a path parameter into the integration URI (`s3:path/{bucket}/users/{sub}/{name}`)
as one URL-encoded segment; it does not resolve `.` or `..` against the segments before it, and
S3 keys are opaque strings. An HTTP client that removes dot segments (RFC 3986 section 5.2.4)
would turn `users/{sub}/..` into `users/`, a key outside the caller's prefix.
AWS doc: api-gateway-api-integration-types.html (S3 path override); S3 user guide,
object-keys.html ("." and ".." in keys).
"""

import pytest

from local_gateway.integrations.exchange import MethodRequest

from .integration_exchange import run_integration

REGION = "us-east-1"  # as conftest's moto environment
TIMEOUT = 29.0


def put_file(name: str) -> MethodRequest:
    return MethodRequest(
        http_method="PUT",
        headers={"Content-Type": "text/plain"},
        query={},
        path_params={"name": name},
        body=b"data",
        stage_variables={},
        context={"requestId": "r", "authorizer": {"claims": {"sub": "user-7"}}},
    )


def put_under_callers_prefix(bucket: str) -> dict[str, object]:
    return {
        "type": "aws",
        "httpMethod": "PUT",
        "uri": f"arn:aws:apigateway:{REGION}:s3:path/{bucket}/users/{{sub}}/{{name}}",
        "passthroughBehavior": "when_no_templates",
        "requestParameters": {
            "integration.request.path.sub": "context.authorizer.claims.sub",
            "integration.request.path.name": "method.request.path.name",
        },
        "responses": {"default": {"statusCode": "200"}},
    }


@pytest.mark.parametrize("name", ["..", "."])
def test_a_dot_segment_name_is_stored_under_the_callers_prefix(aws, aws_client, name):
    # Given a bucket whose objects live under users/{sub}/
    s3 = aws_client("s3")
    bucket = f"dot-segments-{len(name)}"
    s3.create_bucket(Bucket=bucket)

    # When a file named `..` or `.` is stored through the integration
    result = run_integration(
        put_under_callers_prefix(bucket), put_file(name), aws, timeout_seconds=TIMEOUT
    )

    # Then the object's key is the caller's prefix and that name, nothing above it
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert result.status == 200
    assert f"users/user-7/{name}" in keys
    assert all(key.startswith("users/user-7/") for key in keys)
