"""GET /v1/internal/users/{id}: one user, for internal services that sign with IAM (SigV4).

API Gateway has already checked the signature and the caller's `execute-api:Invoke`
permission; the caller's IAM ARN is logged with the read.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.handlers import api_handler
from sample_api.observability import logger
from sample_api.users import logic
from sample_api.users.repository import get_user_repository

app = build_resolver()


@app.get("/v1/internal/users/<user_id>")
def get_internal_user(user_id: str) -> dict[str, Any]:
    caller = app.current_event.request_context.identity.user_arn
    logger.info("internal read", extra={"user_id": user_id, "caller": caller})
    return logic.get_user(user_id, get_user_repository()).to_json()


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
