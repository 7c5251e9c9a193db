"""The rotation of a partner's API key, step by step as Secrets Manager drives it.

Secrets Manager calls the rotation function four times with the same ClientRequestToken (the
new version's id): createSecret (a new API key, stored as the AWSPENDING version), setSecret
(the key joins the partner's usage plan), testSecret (the key is enabled and in the plan) and
finishSecret (AWSCURRENT moves to the new version; the previous key is scheduled to be disabled
once the grace period ends). Every step may run again after a failure, so each one first
checks whether its work is already done.
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sample_api.partner_keys.errors import RotationError
from sample_api.partner_keys.models import CURRENT, PENDING
from sample_api.partner_keys.ports import ApiKeys, Retirements, Secrets

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


@dataclass(frozen=True)
class Rotation:
    secrets: Secrets
    keys: ApiKeys
    retirements: Retirements
    grace: timedelta
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run(self, step: str, secret_id: str, token: str) -> None:
        """One step of the rotation of `secret_id` to the version `token`."""
        if step not in STEPS:
            raise RotationError(f"unknown rotation step {step!r}")
        versions = self.secrets.stages(secret_id)
        # RotateSecret stages the new version id as AWSPENDING before createSecret; a tool
        # that cannot stage a version without a value leaves it to createSecret to add it.
        if token not in versions and step != "createSecret":
            raise RotationError(f"the secret has no version {token} to rotate to")
        stages = versions.get(token, [PENDING])
        if CURRENT in stages:
            return  # this rotation is finished
        if PENDING not in stages:
            raise RotationError(f"version {token} is not pending rotation")
        getattr(self, _STEP_METHODS[step])(secret_id, token, versions)

    def _create(self, secret_id: str, token: str, versions: Mapping[str, list[str]]) -> None:
        current = self.secrets.read(secret_id, stage=CURRENT)
        try:
            pending = self.secrets.read(secret_id, version_id=token, stage=PENDING)
            if pending.apiKey:
                return  # created by an earlier attempt
        except LookupError:
            pass
        key_id, value = self.keys.create(f"{current.partner}-{token[:8]}")
        new = current.model_copy(update={"apiKeyId": key_id, "apiKey": value})
        self.secrets.put_pending(secret_id, token, new)

    def _set(self, secret_id: str, token: str, versions: Mapping[str, list[str]]) -> None:
        pending = self.secrets.read(secret_id, version_id=token, stage=PENDING)
        self.keys.add_to_plan(pending.usagePlanId, pending.apiKeyId)

    def _test(self, secret_id: str, token: str, versions: Mapping[str, list[str]]) -> None:
        pending = self.secrets.read(secret_id, version_id=token, stage=PENDING)
        if not pending.apiKey or not self.keys.is_usable(
            pending.usagePlanId, pending.apiKeyId, pending.apiKey
        ):
            raise RotationError(f"the new key {pending.apiKeyId} is not usable in its plan")

    def _finish(self, secret_id: str, token: str, versions: Mapping[str, list[str]]) -> None:
        previous = next(v for v, stages in versions.items() if CURRENT in stages)
        old = self.secrets.read(secret_id, version_id=previous, stage=CURRENT)
        self.secrets.make_current(secret_id, token, previous)
        new = self.secrets.read(secret_id, stage=CURRENT)
        if old.apiKeyId != new.apiKeyId:
            self.retirements.schedule(secret_id, old.apiKeyId, self.clock() + self.grace)

    def retire(self, secret_id: str, key_id: str) -> bool:
        """Disable a previous key once its grace ended; never the secret's current key."""
        if self.secrets.read(secret_id, stage=CURRENT).apiKeyId == key_id:
            return False
        self.keys.disable(key_id)
        return True


_STEP_METHODS = {
    "createSecret": "_create",
    "setSecret": "_set",
    "testSecret": "_test",
    "finishSecret": "_finish",
}
