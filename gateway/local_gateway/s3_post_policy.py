"""S3's check of a browser-form upload (POST Object) against its signed POST policy.

moto stores whatever a form POST sends; S3 first verifies the policy's SigV4 signature, its
expiration and every condition, and refuses an upload that breaks one, before storing
anything. This module is that check, run by the local S3 endpoint (`s3_endpoint`) in front of
moto. The errors are S3's, as recorded in LocalStack's AWS-validated snapshots
(tests/aws/services/s3/test_s3.snapshot.json, TestS3PresignedPost: EntityTooLarge with
MaxSizeAllowed/ProposedSize, EntityTooSmall, "Invalid according to Policy: Policy expired.",
"... Policy Condition failed: [...]") and in
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
(conditions: exact match, `eq`, `starts-with`, `content-length-range`; every form field but
`policy`, `x-amz-signature`, `file` and `x-ignore-*` must be named by a condition).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Fields S3 never asks a condition for.
_UNCONDITIONED = {"policy", "x-amz-signature", "file"}


@dataclass
class PostRejected(Exception):
    """S3's answer to a refused POST: status, error code, message and extra error elements."""

    status: int
    code: str
    message: str
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def _denied(message: str) -> PostRejected:
    return PostRejected(403, "AccessDenied", message)


def _condition_failed(condition: Any) -> PostRejected:
    text = json.dumps([str(part) for part in condition]) if isinstance(condition, list) else ""
    if isinstance(condition, dict):
        ((name, value),) = condition.items()
        text = json.dumps(["eq", f"${name}", str(value)])
    return _denied(f"Invalid according to Policy: Policy Condition failed: {text}")


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key for one day, region and service."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def check_post(
    bucket: str,
    fields: Mapping[str, str],
    file_size: int,
    *,
    secret_for: Callable[[str], str | None],
    now: datetime | None = None,
) -> None:
    """Raise PostRejected unless S3 would accept this form (`fields` keyed in lower case)."""
    policy_b64 = fields.get("policy")
    if policy_b64 is None:
        return  # an unsigned form: only a public-write bucket takes it, and moto decides that
    _check_signature(policy_b64, fields, secret_for)
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
        expiration = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
        conditions = list(policy.get("conditions") or [])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise PostRejected(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if expiration <= (now or datetime.now(UTC)):
        raise _denied("Invalid according to Policy: Policy expired.")
    values = {**fields, "bucket": bucket}
    covered: set[str] = set()
    for condition in conditions:
        covered |= _check_condition(condition, values, file_size)
    extra = sorted(
        name
        for name in fields
        if name not in _UNCONDITIONED and not name.startswith("x-ignore-") and name not in covered
    )
    if extra:
        raise _denied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


def _check_signature(
    policy_b64: str, fields: Mapping[str, str], secret_for: Callable[[str], str | None]
) -> None:
    if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        raise PostRejected(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported here.")
    parts = fields.get("x-amz-credential", "").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise PostRejected(400, "InvalidArgument", "x-amz-credential is not valid.")
    access_key, date, region, service, _ = parts
    secret = secret_for(access_key)
    if secret is None:
        raise PostRejected(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        )
    key = signing_key(secret, date, region, service)
    expected = hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
        raise PostRejected(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )


def _check_condition(condition: Any, values: Mapping[str, str], file_size: int) -> set[str]:
    """Check one condition; return the field names it covers."""
    if isinstance(condition, dict) and len(condition) == 1:
        ((name, expected),) = condition.items()
        if values.get(name.lower()) != str(expected):
            raise _condition_failed(condition)
        return {name.lower()}
    if not isinstance(condition, list) or len(condition) != 3:
        raise PostRejected(400, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition.")
    operator = str(condition[0]).lower()
    if operator == "content-length-range":
        try:
            low, high = int(condition[1]), int(condition[2])
        except (TypeError, ValueError):
            raise _condition_failed(condition) from None
        if file_size > high:
            raise PostRejected(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                {"ProposedSize": str(file_size), "MaxSizeAllowed": str(high)},
            )
        if file_size < low:
            raise PostRejected(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                {"ProposedSize": str(file_size), "MinSizeAllowed": str(low)},
            )
        return set()
    target = str(condition[1])
    if operator not in ("eq", "starts-with") or not target.startswith("$"):
        raise _condition_failed(condition)
    name = target[1:].lower()
    actual = values.get(name)
    expected = str(condition[2])
    matched = actual is not None and (
        actual == expected if operator == "eq" else actual.startswith(expected)
    )
    if not matched:
        raise _condition_failed(condition)
    return {name}
