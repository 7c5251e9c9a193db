"""DELETE /v1/users/{id}: remove a user, for members of the admins group."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.handlers import api_handler
from sample_api.identity import caller_from_claims
from sample_api.users import logic
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.delete("/v1/users/<user_id>")
def delete_user(user_id: str) -> Response[None]:
    caller = caller_from_claims(app.current_event.request_context.authorizer.claims)
    logic.delete_user(user_id, caller, get_user_repository())
    return Response(status_code=204)


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
