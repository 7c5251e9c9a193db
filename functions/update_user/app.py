"""PUT /v1/users/{id}: change a user's name or email."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.handlers import api_handler
from sample_api.users import logic
from sample_api.users.models import UpdateUser
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.put("/v1/users/<user_id>")
def update_user(user_id: str, changes: Annotated[UpdateUser, Body()]) -> dict[str, Any]:
    return logic.update_user(user_id, changes, get_user_repository()).to_json()


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
