"""The AWS side of key rotation: API Gateway keys and usage plans, the partner's secret in
Secrets Manager, and the one-time EventBridge Scheduler schedule that retires a previous key."""

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sample_api import aws
from sample_api.partner_keys.logic import Rotation
from sample_api.partner_keys.models import CURRENT, PENDING, PartnerKey
from sample_api.settings import get_settings


class ApiGatewayKeys:
    def __init__(self, client: Any = None) -> None:
        self._client = client or aws.apigateway()

    def create(self, name: str) -> tuple[str, str]:
        created = self._client.create_api_key(name=name, enabled=True, generateDistinctId=True)
        return str(created["id"]), str(created["value"])

    def add_to_plan(self, usage_plan_id: str, key_id: str) -> None:
        # Already in the plan is fine: a repeated setSecret.
        with contextlib.suppress(self._client.exceptions.ConflictException):
            self._client.create_usage_plan_key(
                usagePlanId=usage_plan_id, keyId=key_id, keyType="API_KEY"
            )

    def is_usable(self, usage_plan_id: str, key_id: str, value: str) -> bool:
        key = self._client.get_api_key(apiKey=key_id, includeValue=True)
        if not key.get("enabled") or key.get("value") != value:
            return False
        try:
            self._client.get_usage_plan_key(usagePlanId=usage_plan_id, keyId=key_id)
        except self._client.exceptions.NotFoundException:
            return False
        return True

    def disable(self, key_id: str) -> None:
        self._client.update_api_key(
            apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
        )


class PartnerSecrets:
    def __init__(self, client: Any = None) -> None:
        self._client = client or aws.secretsmanager()

    def stages(self, secret_id: str) -> Mapping[str, list[str]]:
        described = self._client.describe_secret(SecretId=secret_id)
        return dict(described.get("VersionIdsToStages") or {})

    def read(self, secret_id: str, *, version_id: str | None = None, stage: str) -> PartnerKey:
        request: dict[str, Any] = {"SecretId": secret_id, "VersionStage": stage}
        if version_id is not None:
            request["VersionId"] = version_id
        try:
            found = self._client.get_secret_value(**request)
        except self._client.exceptions.ResourceNotFoundException:
            raise LookupError(f"{secret_id} has no {stage} version {version_id}") from None
        if "SecretString" not in found:
            raise LookupError(f"{secret_id} {stage} has no value yet")
        return PartnerKey.model_validate_json(found["SecretString"])

    def put_pending(self, secret_id: str, token: str, key: PartnerKey) -> None:
        self._client.put_secret_value(
            SecretId=secret_id,
            ClientRequestToken=token,
            SecretString=key.model_dump_json(),
            VersionStages=[PENDING],
        )

    def make_current(self, secret_id: str, token: str, previous: str) -> None:
        self._client.update_secret_version_stage(
            SecretId=secret_id,
            VersionStage=CURRENT,
            MoveToVersionId=token,
            RemoveFromVersionId=previous,
        )


class ScheduledRetirements:
    """A one-time schedule per previous key, invoking this function when the grace ends."""

    def __init__(self, target_arn: str, role_arn: str, client: Any = None) -> None:
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._client = client or aws.scheduler()

    def schedule(self, secret_id: str, key_id: str, at: datetime) -> None:
        self._client.create_schedule(
            Name=f"retire-api-key-{key_id}",
            ScheduleExpression=f"at({at:%Y-%m-%dT%H:%M:%S})",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={
                "Arn": self._target_arn,
                "RoleArn": self._role_arn,
                "Input": json.dumps({"retire": {"secretId": secret_id, "apiKeyId": key_id}}),
            },
        )


@cache
def grace_seconds() -> int:
    return int(get_settings().require("api_key_grace_seconds"))


def aws_rotation(retirement_target: str) -> Rotation:
    """The rotation on Secrets Manager, API Gateway and Scheduler, whose retirement schedules
    invoke ``retirement_target`` (the rotation function's ARN) with the function's settings."""
    return Rotation(
        secrets=PartnerSecrets(),
        keys=ApiGatewayKeys(),
        retirements=ScheduledRetirements(
            retirement_target, get_settings().require("retirement_role_arn")
        ),
        grace=timedelta(seconds=grace_seconds()),
    )
