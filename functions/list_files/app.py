"""GET /v1/files: the caller's own files, as the upload processor recorded them, by page."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.files.logic import list_files
from sample_api.files.repository import get_file_records
from sample_api.handlers import api_handler
from sample_api.identity import caller_from_claims

app = build_resolver()


def get_files(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    next_token: Annotated[str | None, Query(min_length=1, max_length=1024)] = None,
) -> dict[str, Any]:
    caller = caller_from_claims(app.current_event.request_context.authorizer.claims)
    return list_files(caller.sub, limit, next_token, get_file_records()).model_dump()


app.get("/v1/files")(get_files)


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
