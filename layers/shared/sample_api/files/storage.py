"""The files bucket: presigned PUT URLs signed with the function's own (PutObject-only) role."""

from functools import cache
from typing import TYPE_CHECKING

from sample_api import aws
from sample_api.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3UploadSigner:
    def __init__(self, bucket: str, client: "S3Client | None" = None) -> None:
        self._bucket = bucket
        self._client = client or aws.s3()

    def presigned_put(self, key: str, content_type: str, expires_in: int) -> str:
        # Content-Type is signed: the upload must send the type it announced.
        return self._client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in,
        )


@cache
def get_upload_signer() -> S3UploadSigner:
    """The function's signer, made on first use and kept while the container is warm."""
    return S3UploadSigner(get_settings().require("files_bucket_name"))
