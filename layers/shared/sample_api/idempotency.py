"""Run an operation once per ``Idempotency-Key`` (Powertools idempotency on DynamoDB).

The same caller sending the same key and body within :data:`WINDOW_SECONDS` gets the first
result again and nothing runs twice; the same key with another body is
:class:`IdempotencyKeyReused` (422); a retry while the first is still running is
:class:`RequestInProgress` (409). Keys are scoped to the caller, so one user's key can never
replay another user's response. Handlers call :func:`register_lambda_context` first, so a
timed-out attempt does not hold the key for the whole window.
"""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from sample_api import aws
from sample_api.errors import BadRequest, Conflict, UnprocessableEntity
from sample_api.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

WINDOW_SECONDS = 3600
KEY_MAX_LENGTH = 255


@cache
def config() -> "IdempotencyConfig":
    """Made on first use: Powertools' idempotency package imports boto3 as it loads."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="[caller, key]",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=WINDOW_SECONDS,
    )


class InvalidIdempotencyKey(BadRequest):
    code = "INVALID_IDEMPOTENCY_KEY"

    def __init__(self) -> None:
        super().__init__(f"Idempotency-Key must be 1 to {KEY_MAX_LENGTH} printable characters.")


class IdempotencyKeyReused(UnprocessableEntity):
    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used with a different body.")


class RequestInProgress(Conflict):
    code = "REQUEST_IN_PROGRESS"

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still running; retry shortly.")


def register_lambda_context(context: "LambdaContext") -> None:
    config().register_lambda_context(context)


@cache
def persistence_layer() -> "DynamoDBPersistenceLayer":
    """Made on first use: the client is created lazily and only by functions that need it."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=get_settings().require("idempotency_table_name"),
        boto3_client=aws.dynamodb(),
    )


def run_once(
    operation: Callable[[], dict[str, Any]],
    *,
    name: str,
    caller: str,
    key: str | None,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """``operation()``'s JSON result, computed at most once per (``name``, caller, key).

    Without a key the operation simply runs. ``payload`` is what must match on a replay.
    """
    if key is None:
        return operation()
    if not 0 < len(key) <= KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidIdempotencyKey

    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    def once(request: dict[str, Any]) -> dict[str, Any]:
        return operation()

    guarded = idempotent_function(
        data_keyword_argument="request",
        persistence_store=persistence_layer(),
        config=config(),
        key_prefix=name,
    )(once)
    try:
        result: dict[str, Any] = guarded(request={"caller": caller, "key": key, "payload": payload})
    except IdempotencyValidationError:
        raise IdempotencyKeyReused from None
    except IdempotencyAlreadyInProgressError:
        raise RequestInProgress from None
    return result
