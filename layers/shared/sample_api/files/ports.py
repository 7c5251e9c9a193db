"""What the files logic needs from S3 and DynamoDB; :mod:`sample_api.files.storage` (S3) and
:mod:`sample_api.files.repository` (DynamoDB) provide it."""

from typing import Protocol

from sample_api.files.models import FilePage, FileRecord, PresignedPost, StoredObject


class UploadSigner(Protocol):
    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> PresignedPost: ...


class ObjectReader(Protocol):
    def read(self, key: str) -> StoredObject: ...


class DownloadSigner(Protocol):
    def exists(self, key: str) -> bool: ...

    def presigned_get(self, key: str, expires_in: int) -> str: ...


class FileRecords(Protocol):
    def put(self, owner: str, record: FileRecord) -> None: ...

    def list_page(self, owner: str, limit: int, next_token: str | None) -> FilePage: ...
