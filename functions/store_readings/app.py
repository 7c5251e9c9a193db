"""The telemetry queue's consumer: stores each reading once, reports the ones that failed.

Powertools' batch processor runs ``store`` per message and returns ``batchItemFailures`` for
the failures only (the event source mapping has ``ReportBatchItemFailures``), so one poison
reading is retried and ends in the DLQ without holding back the rest of its batch.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.handlers import lambda_handler
from sample_api.observability import logger
from sample_api.telemetry.logic import store_reading
from sample_api.telemetry.repository import get_reading_repository

processor = BatchProcessor(event_type=EventType.SQS)


def store(record: SQSRecord) -> None:
    stored = store_reading(record.body, record.message_id, get_reading_repository())
    if not stored:
        logger.info("Reading already stored; redelivery ignored", message_id=record.message_id)


@lambda_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=store, processor=processor, context=context
    )
