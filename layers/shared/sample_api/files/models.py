"""The upload request, the presigned POST the API answers with, the record of a file, and the
download link; the shapes the S3 adapter hands the logic."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

ContentType = Annotated[str, StringConstraints(max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$")]


class NewUpload(BaseModel):
    """The body of ``POST /v1/uploads``; `make models` renders it as the gateway's model."""

    # Titled as the gateway's model has been named since the first release (``createupload``).
    model_config = ConfigDict(extra="forbid", frozen=True, title="CreateUpload")

    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    contentType: ContentType = "application/octet-stream"  # noqa: N815 - the contract's name


class Upload(BaseModel):
    """Where to POST the file (``url``, with ``fields`` as form fields before the file), the
    object key it becomes, for how long the policy holds and the largest size it admits."""

    url: str
    fields: dict[str, str]
    key: str
    expiresIn: int  # noqa: N815
    maxBytes: int  # noqa: N815


FileStatus = Literal["processed"]


class FileRecord(BaseModel):
    """What the processor recorded about one of a user's files."""

    model_config = ConfigDict(frozen=True)

    name: str
    size: int
    sha256: str
    contentType: str  # noqa: N815
    status: FileStatus
    createdAt: str  # noqa: N815


class FilePage(BaseModel):
    """One page of ``GET /v1/files``; ``next_token`` continues it, None on the last page."""

    items: list[FileRecord]
    next_token: str | None


class Download(BaseModel):
    """Where to GET the file's bytes, and for how long the URL works."""

    url: str
    expiresIn: int  # noqa: N815 - the contract's name


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    """An object as S3 holds it: its size, declared type and the SHA-256 of its bytes."""

    size: int
    content_type: str
    sha256: str
