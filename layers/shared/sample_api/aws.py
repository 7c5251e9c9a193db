"""The one place boto3 clients are made.

Each client is created on first use (so tests can start moto first, and a handler's import
stays below a bare ``import boto3``) and then reused across warm invocations; SnapStart
functions create them before their snapshot (:func:`warm_up`). Every client is traced: a span
per call (:func:`sample_api.tracing.instrument_client`). botocore's ``standard`` retry mode
with connect/read timeouts well under the functions' timeout: a slow dependency fails fast
enough for the function to answer with an error instead of being killed.
"""

from functools import cache
from typing import TYPE_CHECKING, Any

from sample_api.tracing import instrument_client

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 3
MAX_ATTEMPTS = 3


def client_config() -> "Config":
    """Retries and timeouts for every client: 3 attempts x (2 s + 3 s) stays under 29 s."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
    )


@cache
def dynamodb() -> "DynamoDBClient":
    import boto3

    return instrument_client(boto3.client("dynamodb", config=client_config()))


@cache
def s3() -> "S3Client":
    import boto3
    from botocore.config import Config

    # SigV4 everywhere: presigned URLs otherwise fall back to SigV2 in us-east-1.
    config = client_config().merge(Config(signature_version="s3v4"))
    return instrument_client(boto3.client("s3", config=config))


@cache
def sqs() -> "SQSClient":
    import boto3

    return instrument_client(boto3.client("sqs", config=client_config()))


@cache
def apigateway() -> Any:
    import boto3

    return instrument_client(boto3.client("apigateway", config=client_config()))


@cache
def secretsmanager() -> Any:
    import boto3

    return instrument_client(boto3.client("secretsmanager", config=client_config()))


@cache
def scheduler() -> Any:
    import boto3

    return instrument_client(boto3.client("scheduler", config=client_config()))


def warm_up() -> None:
    """Create every client now (before a SnapStart snapshot); no call is made."""
    for make in (dynamodb, s3, sqs):
        make()
