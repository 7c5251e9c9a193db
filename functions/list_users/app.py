"""GET /v1/users: one page of users, for members of the admins group."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.handlers import api_handler
from sample_api.identity import caller_from_claims
from sample_api.users import logic
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.get("/v1/users")
def list_users(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    next_token: Annotated[str | None, Query(min_length=1, max_length=1024)] = None,
) -> dict[str, Any]:
    caller = caller_from_claims(app.current_event.request_context.authorizer.claims)
    return logic.list_users(caller, limit, next_token, get_user_repository()).to_json()


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
