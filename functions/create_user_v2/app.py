"""POST /v2/users behind a Lambda custom integration: the event is the request template's output.

API Gateway's template maps the v1 body to ``{"user": {"firstName", "lastName", "email"}}`` and
adds the caller's ``sub``, the ``Idempotency-Key`` header ("" when absent) and its request id.
The UserV2 returned is the 201 body; a refused request leaves as
:class:`sample_api.integration_errors.RefusedRequest` for the integration responses to select.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from sample_api.errors import ApiError
from sample_api.handlers import lambda_handler
from sample_api.idempotency import register_lambda_context, run_once
from sample_api.integration_errors import invalid_input, refused
from sample_api.users import logic
from sample_api.users.models import CreateUserV2Event
from sample_api.users.repository import get_user_repository


@lambda_handler("table_name", "idempotency_table_name", correlation_id_path="requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_lambda_context(context)
    request_id = str(event.get("requestId", "")) if isinstance(event, dict) else ""
    try:
        request = CreateUserV2Event.model_validate(event)
        return run_once(
            lambda: logic.create_user_v2(request.user, get_user_repository()).to_json(),
            name="create_user_v2",
            caller=request.caller,
            key=request.idempotency_key or None,
            payload=request.user.model_dump(by_alias=True),
        )
    except ValidationError as error:
        raise invalid_input(error, request_id) from None
    except ApiError as error:
        raise refused(error, request_id) from None
