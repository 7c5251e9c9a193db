"""Downloads: a short-lived presigned GET URL for one of the caller's own files.

The API answers `GET /v1/files/{name}` with a redirect to this URL instead of the bytes: S3
then serves them as stored, whatever the client's Accept (through API Gateway, a binary file
read with `Accept: */*` would arrive base64-encoded), with no 10 MB payload or 29 s limit.
"""

import re
from typing import Protocol

from pydantic import BaseModel

from sample_api.errors import NotFound
from sample_api.files.logic import InvalidFileName, user_prefix

DOWNLOAD_URL_SECONDS = 300
# A URL cannot carry a `.` or `..` segment to S3 (clients resolve them first), nor controls; any
# other one-segment name the PUT stored can be read back.
_UNREADABLE = re.compile(r"[/\x00-\x1f\x7f]")


class FileNotFound(NotFound):
    pass


class DownloadSigner(Protocol):
    def exists(self, key: str) -> bool: ...

    def presigned_get(self, key: str, expires_in: int) -> str: ...


class Download(BaseModel):
    """Where to GET the file's bytes, and for how long the URL works."""

    url: str
    expiresIn: int  # noqa: N815 - the contract's name


def download_key(sub: str, name: str) -> str:
    """The object key of the caller's file ``name``; refuses names no URL can carry."""
    if name in (".", "..") or _UNREADABLE.search(name):
        raise InvalidFileName("This file name cannot be read: no '.', '..' or control characters.")
    return user_prefix(sub) + name


def create_download(sub: str, name: str, signer: DownloadSigner) -> Download:
    """A presigned GET URL of the caller's file ``name``; FileNotFound if it has none."""
    key = download_key(sub, name)
    if not signer.exists(key):
        raise FileNotFound("You have no file of this name.")
    return Download(
        url=signer.presigned_get(key, DOWNLOAD_URL_SECONDS), expiresIn=DOWNLOAD_URL_SECONDS
    )
