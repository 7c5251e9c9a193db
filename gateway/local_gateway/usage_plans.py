"""The template's API keys and usage plans, read for the local API key gate.

Keys take the template's `Value` when it sets one, else a random 40-character value (as API
Gateway generates). A usage plan with no key in the template gets one, so every plan can be
tried locally; the session lists one key per plan.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from local_gateway.api_keys import ApiKey, UsagePlan
from local_gateway.template import LoadedTemplate

_KEY_ALPHABET = string.ascii_letters + string.digits


def _new_key_value() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(40))


@dataclass
class UsagePlans:
    keys: list[ApiKey]
    plans: list[UsagePlan]
    key_by_plan: dict[str, str]  # plan name -> a key value of it, for the banner and session


def plan_display_name(plan: UsagePlan, stack_name: str) -> str:
    """`sample-api-dev-free` reads as `free`: the stack prefix says nothing locally."""
    return plan.name.removeprefix(f"{stack_name}-") or plan.name


def load_usage_plans(template: LoadedTemplate, known: UsagePlans | None = None) -> UsagePlans:
    """`known`: the plans of an earlier load, whose generated key values are kept."""
    known_values = {key.id: key.value for key in known.keys} if known else {}

    def generated(key_id: str) -> str:
        return known_values.get(key_id) or _new_key_value()

    keys: dict[str, ApiKey] = {}
    for logical_id in template.of_type("AWS::ApiGateway::ApiKey"):
        key_id = template.context.resource_refs[logical_id]
        value = template.resolved_property(logical_id, "Value") or generated(key_id)
        enabled = str(template.resolved_property(logical_id, "Enabled", True)).lower() == "true"
        name = template.resolved_property(logical_id, "Name") or logical_id
        keys[key_id] = ApiKey(id=key_id, value=str(value), enabled=enabled, name=str(name))
    plan_keys: dict[str, list[str]] = {}
    for logical_id in template.of_type("AWS::ApiGateway::UsagePlanKey"):
        plan_id = str(template.resolved_property(logical_id, "UsagePlanId"))
        plan_keys.setdefault(plan_id, []).append(
            str(template.resolved_property(logical_id, "KeyId"))
        )
    plans: list[UsagePlan] = []
    key_by_plan: dict[str, str] = {}
    for logical_id in template.of_type("AWS::ApiGateway::UsagePlan"):
        plan_id = template.context.resource_refs[logical_id]
        properties = template.resolve(
            template.properties(logical_id), f"Resources.{logical_id}.Properties"
        )
        key_ids = [k for k in plan_keys.get(plan_id, []) if k in keys]
        if not key_ids:
            key_id = f"{plan_id}-local-key"
            keys[key_id] = ApiKey(id=key_id, value=generated(key_id), name=logical_id)
            key_ids = [key_id]
        plan = UsagePlan.from_properties(plan_id, properties, key_ids)
        plans.append(plan)
        usable = [keys[k] for k in key_ids if keys[k].enabled]
        if usable:
            key_by_plan[plan_display_name(plan, template.context.stack_name)] = usable[0].value
    return UsagePlans(list(keys.values()), plans, key_by_plan)
