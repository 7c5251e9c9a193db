"""API keys and usage-plan membership kept in the local moto, read at request time.

The template's keys, plans and plan keys are created in moto at start (each key with the value
the session lists), and their moto ids become their `Ref`s, so a function that creates a key,
adds it to a plan or disables one (a key rotation) changes what the gateway admits at once, as
API Gateway reads its own keys. Throttles and quotas stay the template's, by plan.

A key found is remembered for `KEY_CACHE_SECONDS` (one second): without it, every keyed request
paid two moto calls (about 18 ms). API Gateway itself applies a key being disabled within about
ten seconds (an AWS answer on re:Post, "how can I deny authorization ... when the api key is
disabled"), so a second keeps the local gateway on the strict side of AWS. A value not found is
not remembered: a key created a moment ago works at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local_gateway.api_keys import ApiKey, UsagePlan
from local_gateway.template import LoadedTemplate
from local_gateway.usage_plans import UsagePlans

log = logging.getLogger("local_gateway")

KEY_CACHE_SECONDS = 1.0

KeyState = tuple[ApiKey, frozenset[str]]


@dataclass
class MotoApiKeys:
    """The moto side of the keys: `lookup(value)` is what API Gateway knows of a key now."""

    apigateway: Any  # a boto3 API Gateway client for the local moto
    local_plan_ids: dict[str, str]  # moto usage plan id -> the local plan's id (the same here)
    # What each key value was last seen as: API Gateway's key store is not the backends', so a
    # moto paused to play a backend outage (the fault tests) must not stall the key check.
    _last_seen: dict[str, KeyState | None] = field(default_factory=dict)
    # Keys found, with when they were read: reused for KEY_CACHE_SECONDS.
    _found: dict[str, tuple[float, KeyState]] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def provision(
        cls, apigateway: Any, usage_plans: UsagePlans, template: LoadedTemplate
    ) -> tuple[MotoApiKeys, UsagePlans]:
        """Creates the template's keys and plans in moto (a template reload keeps those there,
        found by key value and plan name); returns the store and the plans with moto's ids,
        which also become the resources' `Ref`s."""
        refs = template.context.resource_refs
        logical_ids = {ref: logical_id for logical_id, ref in refs.items()}
        existing_keys = {
            str(k.get("value")): str(k["id"])
            for k in apigateway.get_api_keys(includeValues=True, limit=500).get("items", [])
        }
        existing_plans = {
            str(p["name"]): str(p["id"])
            for p in apigateway.get_usage_plans(limit=500).get("items", [])
        }
        keys: dict[str, ApiKey] = {}
        for key in usage_plans.keys:
            key_id = existing_keys.get(key.value) or str(
                apigateway.create_api_key(name=key.name, value=key.value, enabled=key.enabled)["id"]
            )
            keys[key.id] = replace(key, id=key_id)
            if key.id in logical_ids:
                refs[logical_ids[key.id]] = key_id
        plans: list[UsagePlan] = []
        for plan in usage_plans.plans:
            plan_id = existing_plans.get(plan.name) or str(
                apigateway.create_usage_plan(name=plan.name)["id"]
            )
            if plan.id in logical_ids:
                refs[logical_ids[plan.id]] = plan_id
            in_plan = {
                str(k["id"])
                for k in apigateway.get_usage_plan_keys(usagePlanId=plan_id).get("items", [])
            }
            for key_id in sorted(plan.key_ids):
                if keys[key_id].id not in in_plan:
                    apigateway.create_usage_plan_key(
                        usagePlanId=plan_id, keyId=keys[key_id].id, keyType="API_KEY"
                    )
            plans.append(
                replace(plan, id=plan_id, key_ids=frozenset(keys[k].id for k in plan.key_ids))
            )
        store = cls(apigateway, {plan.id: plan.id for plan in plans})
        return store, UsagePlans(list(keys.values()), plans, dict(usage_plans.key_by_plan))

    def lookup(self, value: str) -> KeyState | None:
        """The key with this value and the local ids of the plans it is in; None if unknown.
        A key found is reused for KEY_CACHE_SECONDS; while moto does not answer, what the key
        was last seen as."""
        now = self.clock()
        cached = self._found.get(value)
        if cached is not None and now - cached[0] < KEY_CACHE_SECONDS:
            return cached[1]
        try:
            found = self._read(value)
        except (BotoCoreError, ClientError) as error:
            log.warning("API keys: moto did not answer (%s); using the keys last seen", error)
            return self._last_seen.get(value)
        self._last_seen[value] = found
        if found is None:
            self._found.pop(value, None)
        else:
            self._found[value] = (now, found)
        return found

    def _read(self, value: str) -> KeyState | None:
        keys = self.apigateway.get_api_keys(includeValues=True, limit=500).get("items", [])
        found = next((k for k in keys if k.get("value") == value), None)
        if found is None:
            return None
        key = ApiKey(
            id=str(found["id"]),
            value=value,
            enabled=bool(found.get("enabled")),
            name=str(found.get("name", "")),
        )
        plans = self.apigateway.get_usage_plans(keyId=key.id, limit=500).get("items", [])
        return key, frozenset(
            self.local_plan_ids[p["id"]] for p in plans if p["id"] in self.local_plan_ids
        )
