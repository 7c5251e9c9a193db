"""S3's check of a form upload against its POST policy (local_gateway.s3_post_policy).

AWS's answers, as recorded in LocalStack's AWS-validated snapshot
tests/aws/services/s3/test_s3.snapshot.json (TestS3PresignedPost): a file over the
content-length-range is EntityTooLarge with MaxSizeAllowed and ProposedSize, under it
EntityTooSmall with MinSizeAllowed; an expired policy is AccessDenied "Invalid according to
Policy: Policy expired."; a failed condition is AccessDenied "Invalid according to Policy: Policy
Condition failed: [...]". The policy's fields and conditions follow
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
"""

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config

from local_gateway.s3_endpoint import form_fields
from local_gateway.s3_post_policy import PostRejected, check_post

SECRET = "local-secret"
BUCKET = "files"
KEY = "users/abc/report.pdf"


def signed_form(*, expires_in: int = 900, max_bytes: int = 10) -> dict[str, str]:
    """A real presigned POST, signed by botocore as a function would sign it."""
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIDLOCAL",
        aws_secret_access_key=SECRET,
        endpoint_url="http://127.0.0.1:1",
        config=Config(signature_version="s3v4"),
    )
    post = s3.generate_presigned_post(
        BUCKET,
        KEY,
        Fields={"Content-Type": "application/pdf"},
        Conditions=[{"Content-Type": "application/pdf"}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_in,
    )
    return {name.lower(): str(value) for name, value in post["fields"].items()}


def check(fields: dict[str, str], size: int, *, now: datetime | None = None) -> None:
    check_post(BUCKET, fields, size, secret_for=lambda key: SECRET, now=now)


def rejection(fields: dict[str, str], size: int, **options) -> PostRejected:
    with pytest.raises(PostRejected) as refused:
        check(fields, size, **options)
    return refused.value


def test_a_file_within_the_range_is_accepted():
    check(signed_form(), 10)


def test_a_file_over_the_range_is_entity_too_large():
    refused = rejection(signed_form(), 11)
    assert (refused.status, refused.code) == (400, "EntityTooLarge")
    assert refused.message == "Your proposed upload exceeds the maximum allowed size"
    assert refused.extra == {"ProposedSize": "11", "MaxSizeAllowed": "10"}


def test_an_empty_file_under_the_range_is_entity_too_small():
    refused = rejection(signed_form(), 0)
    assert (refused.status, refused.code) == (400, "EntityTooSmall")
    assert refused.extra == {"ProposedSize": "0", "MinSizeAllowed": "1"}


def test_an_expired_policy_is_access_denied():
    later = datetime.now(UTC) + timedelta(seconds=901)
    refused = rejection(signed_form(), 5, now=later)
    assert (refused.status, refused.code) == (403, "AccessDenied")
    assert refused.message == "Invalid according to Policy: Policy expired."


def test_another_content_type_fails_its_condition():
    fields = {**signed_form(), "content-type": "text/html"}
    refused = rejection(fields, 5)
    assert (refused.status, refused.code) == (403, "AccessDenied")
    assert refused.message == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", '
        '"application/pdf"]'
    )


def test_another_key_fails_its_condition():
    refused = rejection({**signed_form(), "key": "users/someone-else/report.pdf"}, 5)
    assert refused.code == "AccessDenied"


def test_a_field_the_policy_does_not_name_is_refused():
    refused = rejection({**signed_form(), "acl": "public-read"}, 5)
    assert refused.message == "Invalid according to Policy: Extra input fields: acl"


def test_an_edited_policy_no_longer_matches_its_signature():
    fields = signed_form()
    fields["policy"] = signed_form(max_bytes=10_000)["policy"]
    refused = rejection(fields, 5)
    assert (refused.status, refused.code) == (403, "SignatureDoesNotMatch")


def test_a_form_is_read_up_to_its_file():
    # Given a multipart body with a field after the file (S3 ignores those)
    boundary = "XyZ"
    parts = [("key", b"users/abc/a.txt"), ("file", b"12345"), ("late", b"ignored")]
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
            for name, value in parts
        )
        + f"--{boundary}--\r\n".encode()
    )

    # When it is read, Then the fields before the file and the file's size come out
    assert form_fields(f"multipart/form-data; boundary={boundary}", body) == (
        {"key": "users/abc/a.txt"},
        5,
    )
