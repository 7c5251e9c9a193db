"""S3 ObjectCreated under users/: hash the uploaded file and record it in the files table.

S3 invokes the function asynchronously, at least once per object: recording is a put of the
(owner, name) item, so a repeated event records the same thing again. A failure raises, so
Lambda retries and then hands the event to the function's dead-letter queue.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.files.logic import record_upload
from sample_api.files.repository import get_file_records
from sample_api.files.storage import get_object_reader
from sample_api.handlers import lambda_handler
from sample_api.observability import logger


@lambda_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    for record in S3Event(event).records:
        bucket, key = record.s3.bucket.name, record.s3.get_object.key
        recorded = record_upload(key, get_object_reader(bucket), get_file_records())
        if recorded is None:
            logger.warning("ignored an object outside users/<sub>/", extra={"key": key})
        else:
            logger.info("file recorded", extra={"size": recorded.size, "sha256": recorded.sha256})
