"""Where a user's file lives, presigned uploads into that place only, what an upload records,
and downloads.

Downloads: the API answers `GET /v1/files/{name}` with a redirect to a short-lived presigned
GET URL instead of the bytes: S3 then serves them as stored, whatever the client's Accept
(through API Gateway, a binary file read with `Accept: */*` would arrive base64-encoded), with
no 10 MB payload or 29 s limit.
"""

import re
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime

from sample_api.files.errors import FileNotFound, InvalidFileName
from sample_api.files.models import Download, FilePage, FileRecord, NewUpload, Upload
from sample_api.files.ports import DownloadSigner, FileRecords, ObjectReader, UploadSigner

UPLOAD_URL_SECONDS = 900
USERS_PREFIX = "users/"
# Names are one path segment: no separators, no control characters, not "." or "..".
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")
DOWNLOAD_URL_SECONDS = 300
# A URL cannot carry a `.` or `..` segment to S3 (clients resolve them first), nor controls; any
# other one-segment name the PUT stored can be read back.
_UNREADABLE = re.compile(r"[/\x00-\x1f\x7f]")


def user_prefix(sub: str) -> str:
    """The one place a user's files live: ``users/<sub>/``."""
    if not sub or "/" in sub:
        raise ValueError("a Cognito sub is a non-empty id without '/'")
    return f"{USERS_PREFIX}{sub}/"


def file_key(sub: str, name: str) -> str:
    """The object key of the caller's file ``name``; refuses names that are not one segment."""
    if name in (".", "..") or _UNSAFE_NAME.search(name):
        raise InvalidFileName("A file name is one path segment, without '/', '\\' or controls.")
    return user_prefix(sub) + name


def owner_and_name(key: str) -> tuple[str, str] | None:
    """``(sub, name)`` of a key ``users/<sub>/<name>``; None for any other key."""
    if not key.startswith(USERS_PREFIX):
        return None
    sub, separator, name = key.removeprefix(USERS_PREFIX).partition("/")
    if not sub or not separator or not name or name in (".", "..") or _UNSAFE_NAME.search(name):
        return None
    return sub, name


def create_upload(sub: str, new: NewUpload, signer: UploadSigner, max_bytes: int) -> Upload:
    """A presigned POST for the caller's file: its key, type and size bound fixed by the policy."""
    key = file_key(sub, new.name)
    post = signer.presigned_post(key, new.contentType, max_bytes, UPLOAD_URL_SECONDS)
    return Upload(
        url=post.url, fields=post.fields, key=key, expiresIn=UPLOAD_URL_SECONDS, maxBytes=max_bytes
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def record_upload(
    event_key: str,
    reader: ObjectReader,
    records: FileRecords,
    clock: Callable[[], datetime] = utc_now,
) -> FileRecord | None:
    """Read the uploaded object at ``event_key`` (as an S3 event spells it: URL-encoded, ``+``
    for space), hash it and record it for its owner; None for a key outside ``users/``."""
    key = urllib.parse.unquote_plus(event_key)
    owned = owner_and_name(key)
    if owned is None:
        return None
    owner, name = owned
    stored = reader.read(key)
    record = FileRecord(
        name=name,
        size=stored.size,
        sha256=stored.sha256,
        contentType=stored.content_type,
        status="processed",
        createdAt=clock().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    )
    records.put(owner, record)
    return record


def list_files(sub: str, limit: int, next_token: str | None, records: FileRecords) -> FilePage:
    """The caller's own files, a page at a time, by name."""
    user_prefix(sub)  # the same rule on the owner as on keys
    return records.list_page(sub, limit, next_token)


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
