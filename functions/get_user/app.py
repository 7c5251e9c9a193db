"""GET /v1/users/{id}: one user."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.handlers import api_handler
from sample_api.users import logic
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.get("/v1/users/<user_id>")
def get_user(user_id: str) -> dict[str, Any]:
    return logic.get_user(user_id, get_user_repository()).to_json()


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
