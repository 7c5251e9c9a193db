"""PUT /v1/users/{id}: change a user's name or email."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.observability import logger, metrics, tracer
from sample_api.users import logic
from sample_api.users.models import UpdateUser
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.put("/v1/users/<user_id>")
def update_user(user_id: str, changes: Annotated[UpdateUser, Body()]) -> dict[str, Any]:
    return logic.update_user(user_id, changes, get_user_repository()).to_json()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
