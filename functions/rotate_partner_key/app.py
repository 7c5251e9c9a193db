"""A partner API key's rotation: Secrets Manager's four steps, and the retirement of the previous
key that a one-time schedule asks for once the grace period is over."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.handlers import lambda_handler
from sample_api.observability import logger
from sample_api.partner_keys.logic import Rotation
from sample_api.partner_keys.storage import (
    ApiGatewayKeys,
    PartnerSecrets,
    ScheduledRetirements,
    grace_seconds,
)
from sample_api.settings import get_settings


def rotation(context: LambdaContext) -> Rotation:
    # The retirement schedule invokes this same function (its unqualified ARN).
    target = context.invoked_function_arn.split(":function:")[0] + ":function:"
    target += context.function_name
    return Rotation(
        secrets=PartnerSecrets(),
        keys=ApiGatewayKeys(),
        retirements=ScheduledRetirements(target, get_settings().require("retirement_role_arn")),
        grace=timedelta(seconds=grace_seconds()),
    )


@lambda_handler("api_key_grace_seconds", "retirement_role_arn")
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    if "retire" in event:
        retire = event["retire"]
        retired = rotation(context).retire(str(retire["secretId"]), str(retire["apiKeyId"]))
        logger.info(
            "previous key retired" if retired else "key is current; left enabled",
            extra={"apiKeyId": retire["apiKeyId"]},
        )
        return
    step, token = str(event["Step"]), str(event["ClientRequestToken"])
    logger.info("rotation step", extra={"step": step, "version": token})
    rotation(context).run(step, str(event["SecretId"]), token)
