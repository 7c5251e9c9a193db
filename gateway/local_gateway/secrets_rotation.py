"""Secrets Manager secrets and their rotation, locally.

The template's `AWS::SecretsManager::Secret`s are created in moto (their `Ref` is the ARN).
A rotation runs as Secrets Manager runs it: a new version id (the ClientRequestToken) staged
AWSPENDING, then the `AWS::SecretsManager::RotationSchedule`'s function invoked with
`{"SecretId", "ClientRequestToken", "Step"}` for createSecret, setSecret, testSecret and
finishSecret in turn; a failing step stops the rotation.
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html
Locally a rotation runs when asked (`POST /_local/secrets/rotate`, `make rotate-keys`), not on
the schedule's clock, nor at once on creation (`RotateImmediatelyOnUpdate`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local_gateway.errors import TemplateError
from local_gateway.template import LoadedTemplate

ROTATE_PATH = "/_local/secrets/rotate"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")

Invoke = Callable[[str, dict[str, Any]], Any]


def provision_secrets(template: LoadedTemplate, secretsmanager: Any) -> dict[str, str]:
    """Creates the template's secrets in moto; returns (and registers as Ref) their ARNs."""
    arns: dict[str, str] = {}
    for logical_id in template.of_type("AWS::SecretsManager::Secret"):
        name = template.resolved_property(logical_id, "Name") or (
            f"{template.context.stack_name}-{logical_id}"
        )
        request: dict[str, Any] = {"Name": str(name)}
        value = template.resolved_property(logical_id, "SecretString")
        if value is not None:
            request["SecretString"] = str(value)
        try:
            arn = str(secretsmanager.create_secret(**request)["ARN"])
        except secretsmanager.exceptions.ResourceExistsException:  # kept by a template reload
            arn = str(secretsmanager.describe_secret(SecretId=request["Name"])["ARN"])
        template.context.resource_refs[logical_id] = arn
        arns[logical_id] = arn
    return arns


@dataclass(frozen=True)
class RotationSchedule:
    logical_id: str
    secret_id: str
    function: str  # the rotation function's logical id


def rotation_schedules(
    template: LoadedTemplate, function_by_arn: dict[str, str]
) -> list[RotationSchedule]:
    schedules = []
    for logical_id in template.of_type("AWS::SecretsManager::RotationSchedule"):
        where = f"Resources.{logical_id}.Properties"
        properties = template.resolve(template.properties(logical_id), where)
        arn = str(properties.get("RotationLambdaARN", ""))
        function = function_by_arn.get(arn)
        if function is None:
            raise TemplateError(
                f"{where}.RotationLambdaARN", f"{arn} is no function of the template"
            )
        schedules.append(RotationSchedule(logical_id, str(properties["SecretId"]), function))
    return schedules


def rotate(schedule: RotationSchedule, invoke: Invoke) -> str:
    """One rotation of the schedule's secret; returns the new version id (raises on a failure)."""
    token = str(uuid.uuid4())
    # RotateSecret would stage an empty AWSPENDING version under the token first; moto can
    # only stage a version with a value (its RotateSecret finishes a rotation by itself), so
    # createSecret adds the version, as the rotation function allows.
    for step in STEPS:
        invoke(
            schedule.function,
            {"SecretId": schedule.secret_id, "ClientRequestToken": token, "Step": step},
        )
    return token


def rotate_now(
    schedules: list[RotationSchedule],
    resource_refs: dict[str, str],
    invoke: Invoke,
    secret: str | None = None,
) -> dict[str, str]:
    """Rotates each scheduled secret (or the one whose logical id or ARN is `secret`) now;
    returns the new version id by secret logical id. `resource_refs`: logical id → ARN."""

    def logical_id(arn: str) -> str:
        return next((k for k, v in resource_refs.items() if v == arn), arn)

    chosen = [
        s for s in schedules if secret is None or secret in (s.secret_id, logical_id(s.secret_id))
    ]
    if secret is not None and not chosen:
        raise LookupError(f"no secret {secret!r} has a rotation schedule")
    return {logical_id(s.secret_id): rotate(s, invoke) for s in chosen}
