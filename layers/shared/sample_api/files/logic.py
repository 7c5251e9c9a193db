"""Where a user's file lives, and presigned uploads into that place only."""

import re
from typing import Protocol

from sample_api.errors import BadRequest
from sample_api.files.models import NewUpload, Upload

UPLOAD_URL_SECONDS = 900
# Names are one path segment: no separators, no control characters, not "." or "..".
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


class InvalidFileName(BadRequest):
    code = "INVALID_FILE_NAME"


class UploadSigner(Protocol):
    def presigned_put(self, key: str, content_type: str, expires_in: int) -> str: ...


def user_prefix(sub: str) -> str:
    """The one place a user's files live: ``users/<sub>/``."""
    if not sub or "/" in sub:
        raise ValueError("a Cognito sub is a non-empty id without '/'")
    return f"users/{sub}/"


def file_key(sub: str, name: str) -> str:
    """The object key of the caller's file ``name``; refuses names that are not one segment."""
    if name in (".", "..") or _UNSAFE_NAME.search(name):
        raise InvalidFileName("A file name is one path segment, without '/', '\\' or controls.")
    return user_prefix(sub) + name


def create_upload(sub: str, new: NewUpload, signer: UploadSigner) -> Upload:
    """A presigned PUT URL for the caller's file, valid for UPLOAD_URL_SECONDS."""
    key = file_key(sub, new.name)
    url = signer.presigned_put(key, new.contentType, UPLOAD_URL_SECONDS)
    return Upload(url=url, key=key, expiresIn=UPLOAD_URL_SECONDS)
