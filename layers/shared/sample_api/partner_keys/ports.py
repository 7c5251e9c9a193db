"""What a rotation needs from AWS; :mod:`sample_api.partner_keys.storage` provides it (Secrets
Manager, API Gateway's API keys, EventBridge Scheduler)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sample_api.partner_keys.models import PartnerKey


class Secrets(Protocol):
    def stages(self, secret_id: str) -> Mapping[str, list[str]]: ...

    def read(self, secret_id: str, *, version_id: str | None = None, stage: str) -> PartnerKey: ...

    def put_pending(self, secret_id: str, token: str, key: PartnerKey) -> None: ...

    def make_current(self, secret_id: str, token: str, previous: str) -> None: ...


class ApiKeys(Protocol):
    def create(self, name: str) -> tuple[str, str]: ...

    def add_to_plan(self, usage_plan_id: str, key_id: str) -> None: ...

    def is_usable(self, usage_plan_id: str, key_id: str, value: str) -> bool: ...

    def disable(self, key_id: str) -> None: ...


class Retirements(Protocol):
    def schedule(self, secret_id: str, key_id: str, at: datetime) -> None: ...
