"""The files bucket, for downloads: HEAD an object and presign its GET with the function's
own (GetObject-only) role."""

from functools import cache
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from sample_api import aws
from sample_api.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Without s3:ListBucket, S3 answers a missing key with 403: within the caller's own prefix,
# both mean "no such file".
_MISSING = {"403", "404", "NoSuchKey", "NotFound"}


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
