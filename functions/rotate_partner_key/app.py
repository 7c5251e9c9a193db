"""A partner API key's rotation: Secrets Manager's four steps, and the retirement of the previous
key that a one-time schedule asks for once the grace period is over."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.handlers import lambda_handler
from sample_api.observability import logger
from sample_api.partner_keys.logic import Rotation
from sample_api.partner_keys.storage import aws_rotation


def rotation(context: LambdaContext) -> Rotation:
    # The retirement schedule invokes this same function (its unqualified ARN).
    prefix = context.invoked_function_arn.split(":function:")[0]
    return aws_rotation(retirement_target=f"{prefix}:function:{context.function_name}")


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
