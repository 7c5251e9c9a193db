"""POST /v1/users: create a user; a repeated Idempotency-Key replays the first answer."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import JSON, build_resolver
from sample_api.handlers import api_handler
from sample_api.idempotency import register_lambda_context, run_once
from sample_api.identity import caller_from_claims
from sample_api.users import logic
from sample_api.users.models import CreateUser
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.post("/v1/users")
def create_user(user: Annotated[CreateUser, Body()]) -> Response[dict[str, Any]]:
    caller = caller_from_claims(app.current_event.request_context.authorizer.claims)
    created = run_once(
        lambda: logic.create_user(user, get_user_repository()).to_json(),
        name="create_user",
        caller=caller.sub,
        key=app.current_event.headers.get("Idempotency-Key"),
        payload=user.model_dump(),
    )
    return Response(status_code=201, content_type=JSON, body=created)


@api_handler("table_name", "idempotency_table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_lambda_context(context)
    return app.resolve(event, context)
