"""API keys and usage plans: which key a request presents and whether it may use this stage.

A method that requires an API key answers 403 "Forbidden" when the key is missing, unknown,
disabled, or in no usage plan of this API stage. The key comes from the `x-api-key` header
(apiKeySource HEADER) or from a Lambda authorizer's `usageIdentifierKey` (AUTHORIZER).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local_gateway.rejections import forbidden
from local_gateway.throttling import Limiter, QuotaSettings, ThrottleSettings

API_KEY_HEADER = "x-api-key"
KeyLookup = Callable[[str], "tuple[ApiKey, frozenset[str]] | None"]


@dataclass(frozen=True)
class ApiKey:
    id: str
    value: str
    enabled: bool = True
    name: str = ""


@dataclass(frozen=True)
class UsagePlan:
    id: str
    name: str
    # (api id, stage) pairs the plan covers, each with its per-method throttles.
    api_stages: dict[tuple[str, str], dict[str, ThrottleSettings]]
    key_ids: frozenset[str]
    throttle: ThrottleSettings | None = None
    quota: QuotaSettings | None = None

    @classmethod
    def from_properties(
        cls, plan_id: str, properties: Mapping[str, Any], key_ids: Iterable[str]
    ) -> UsagePlan:
        """From an `AWS::ApiGateway::UsagePlan`'s resolved Properties and its keys' ids."""
        stages: dict[tuple[str, str], dict[str, ThrottleSettings]] = {}
        for api_stage in properties.get("ApiStages") or []:
            stages[(str(api_stage["ApiId"]), str(api_stage["Stage"]))] = {
                method: ThrottleSettings.from_properties(settings)
                for method, settings in (api_stage.get("Throttle") or {}).items()
            }
        throttle = properties.get("Throttle")
        quota = properties.get("Quota")
        return cls(
            id=plan_id,
            name=str(properties.get("UsagePlanName", plan_id)),
            api_stages=stages,
            key_ids=frozenset(key_ids),
            throttle=ThrottleSettings.from_properties(throttle) if throttle else None,
            quota=QuotaSettings.from_properties(quota) if quota else None,
        )


@dataclass(frozen=True)
class AdmittedKey:
    """The key a request was admitted with: `requestContext.identity.apiKey`/`apiKeyId`."""

    key: ApiKey
    plan: UsagePlan


def presented_key(
    api_key_source: str, headers: Mapping[str, str], usage_identifier_key: str | None
) -> str | None:
    """The key value a request presents under the API's apiKeySource (HEADER or AUTHORIZER)."""
    if api_key_source.upper() == "AUTHORIZER":
        return usage_identifier_key or None
    wanted = API_KEY_HEADER
    return next((v for k, v in headers.items() if k.lower() == wanted), None) or None


@dataclass
class ApiKeyGate:
    """Checks API keys against the usage plans and applies each plan's throttle and quota."""

    keys: list[ApiKey]
    plans: list[UsagePlan]
    limiter: Limiter = field(default_factory=Limiter)
    # Where keys are read at request time (value -> the key and its plans' ids), when they
    # can change while the gateway runs; else `keys` and the plans' key ids.
    lookup: KeyLookup | None = None

    def admit(
        self,
        key_value: str | None,
        *,
        api_id: str,
        stage: str,
        resource_path: str,
        http_method: str,
    ) -> AdmittedKey:
        """Admit a request presenting `key_value`, or raise 403 Forbidden / 429 as API Gateway."""
        found = self._find(key_value) if key_value else None
        if found is None or not found[0].enabled:
            raise forbidden()
        key, plan_ids = found
        plan = next(
            (p for p in self.plans if p.id in plan_ids and (api_id, stage) in p.api_stages),
            None,
        )
        if plan is None:
            raise forbidden()
        self.limiter.admit_usage_plan(
            plan_id=plan.id,
            key_id=key.id,
            throttle=plan.throttle,
            method_throttles=plan.api_stages[(api_id, stage)],
            quota=plan.quota,
            resource_path=resource_path,
            http_method=http_method,
        )
        return AdmittedKey(key, plan)

    def _find(self, key_value: str) -> tuple[ApiKey, frozenset[str]] | None:
        if self.lookup is not None:
            return self.lookup(key_value)
        key = next((k for k in self.keys if k.value == key_value), None)
        if key is None:
            return None
        return key, frozenset(p.id for p in self.plans if key.id in p.key_ids)
