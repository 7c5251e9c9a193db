"""The files bucket: presigned POSTs signed with the upload function's (PutObject-only) role,
reading an uploaded object back to hash it, and presigned GETs signed with the download
function's (GetObject-only) role."""

import hashlib
from functools import cache
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from sample_api import aws
from sample_api.files.models import PresignedPost, StoredObject
from sample_api.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

READ_CHUNK_BYTES = 1024 * 1024
# Without s3:ListBucket, S3 answers a missing key with 403: within the caller's own prefix,
# both mean "no such file".
_MISSING = {"403", "404", "NoSuchKey", "NotFound"}


class S3UploadSigner:
    def __init__(self, bucket: str, client: "S3Client | None" = None) -> None:
        self._bucket = bucket
        self._client = client or aws.s3()

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> PresignedPost:
        # The policy fixes the key and the type and bounds the size; S3 refuses any upload
        # that breaks it (EntityTooLarge, AccessDenied), and an edited policy breaks its signature.
        post = self._client.generate_presigned_post(
            self._bucket,
            key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})


class S3ObjectReader:
    def __init__(self, bucket: str, client: "S3Client | None" = None) -> None:
        self._bucket = bucket
        self._client = client or aws.s3()

    def read(self, key: str) -> StoredObject:
        """Streams the object through SHA-256 (a large file never sits in memory whole)."""
        found = self._client.get_object(Bucket=self._bucket, Key=key)
        digest = hashlib.sha256()
        size = 0
        for chunk in found["Body"].iter_chunks(READ_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
        return StoredObject(
            size=size,
            content_type=found.get("ContentType") or "application/octet-stream",
            sha256=digest.hexdigest(),
        )


@cache
def get_upload_signer() -> S3UploadSigner:
    """The function's signer, made on first use and kept while the container is warm."""
    return S3UploadSigner(get_settings().require("files_bucket_name"))


@cache
def get_object_reader(bucket: str) -> S3ObjectReader:
    """A reader of the bucket a notification names (the function is subscribed to one)."""
    return S3ObjectReader(bucket)


class S3DownloadSigner:
    def __init__(self, bucket: str, client: "S3Client | None" = None) -> None:
        self._bucket = bucket
        self._client = client or aws.s3()

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True

    def presigned_get(self, key: str, expires_in: int) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
        )


@cache
def get_download_signer() -> S3DownloadSigner:
    """The function's signer, made on first use and kept while the container is warm."""
    return S3DownloadSigner(get_settings().require("files_bucket_name"))
