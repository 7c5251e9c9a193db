"""Throttling and quotas: usage-plan token buckets per API key, quotas per period, stage limits.

API Gateway throttles with a token bucket: `burst` tokens at most, refilled at `rate` per
second; a request finding no token is 429 "Too Many Requests" (THROTTLED). A usage plan
throttles each API key separately, with optional per-method overrides (`/{path}/{METHOD}` keys
of ApiStages[].Throttle), and counts requests per key against a quota per DAY/WEEK/MONTH (UTC,
moved by Offset); over it is 429 "Limit Exceeded" (QUOTA_EXCEEDED). Stage MethodSettings
throttle every caller of a method together.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from local_gateway.rejections import Rejection

Clock = Callable[[], float]
"""Seconds since the epoch (time.time); tests pass a fake one."""


@dataclass(frozen=True)
class ThrottleSettings:
    rate_limit: float  # requests per second, steady state
    burst_limit: int  # bucket capacity

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> ThrottleSettings:
        """From CloudFormation's `{RateLimit, BurstLimit}`."""
        return cls(float(properties["RateLimit"]), int(properties["BurstLimit"]))


@dataclass(frozen=True)
class QuotaSettings:
    limit: int
    period: str  # DAY, WEEK or MONTH
    offset: int = 0  # WEEK: 0 is Sunday; MONTH: days after the 1st

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> QuotaSettings:
        """From CloudFormation's `{Limit, Period, Offset}`."""
        period = str(properties["Period"]).upper()
        if period not in ("DAY", "WEEK", "MONTH"):
            raise ValueError(f"quota period must be DAY, WEEK or MONTH, not {period}")
        return cls(int(properties["Limit"]), period, int(properties.get("Offset", 0)))

    def period_start(self, now: float) -> dt.datetime:
        """When the quota period containing `now` began (UTC)."""
        today = dt.datetime.fromtimestamp(now, dt.UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        if self.period == "DAY":
            return today
        if self.period == "WEEK":
            # weekday(): Monday is 0; with Offset 0 the week starts on Sunday.
            days_since_start = (today.weekday() + 1 - self.offset) % 7
            return today - dt.timedelta(days=days_since_start)
        start = today.replace(day=1) + dt.timedelta(days=self.offset)
        if start > today:
            previous_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            start = previous_month + dt.timedelta(days=self.offset)
        return start


def throttled() -> Rejection:
    return Rejection("THROTTLED", 429, "Too Many Requests")


def quota_exceeded() -> Rejection:
    return Rejection("QUOTA_EXCEEDED", 429, "Limit Exceeded")


@dataclass
class TokenBucket:
    """`burst` tokens at most, refilled continuously at `rate` per second; starts full."""

    settings: ThrottleSettings
    tokens: float
    updated_at: float

    def take(self, now: float) -> bool:
        """Take one token if there is one."""
        elapsed = max(0.0, now - self.updated_at)
        self.tokens = min(
            float(self.settings.burst_limit), self.tokens + elapsed * self.settings.rate_limit
        )
        self.updated_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def method_key(resource_path: str, http_method: str) -> str:
    """A method as usage plans name it in ApiStages[].Throttle: `/{path}/{METHOD}`."""
    return f"{resource_path}/{http_method.upper()}"


@dataclass
class Limiter:
    """Every token bucket and quota counter of the running gateway."""

    clock: Clock = time.time
    _buckets: dict[tuple[str, ...], TokenBucket] = field(default_factory=dict)
    _quota_used: dict[tuple[str, str], tuple[dt.datetime, int]] = field(default_factory=dict)

    def admit(self, bucket_id: tuple[str, ...], settings: ThrottleSettings) -> None:
        """Take a token from the bucket `bucket_id`, or raise THROTTLED."""
        now = self.clock()
        bucket = self._buckets.get(bucket_id)
        if bucket is None or bucket.settings != settings:
            bucket = TokenBucket(settings, float(settings.burst_limit), now)
            self._buckets[bucket_id] = bucket
        if not bucket.take(now):
            raise throttled()

    def count_quota(self, plan_id: str, key_id: str, quota: QuotaSettings) -> None:
        """Count one request against the key's quota in this period, or raise QUOTA_EXCEEDED."""
        period_start = quota.period_start(self.clock())
        started, used = self._quota_used.get((plan_id, key_id), (period_start, 0))
        if started != period_start:
            used = 0
        if used >= quota.limit:
            raise quota_exceeded()
        self._quota_used[(plan_id, key_id)] = (period_start, used + 1)

    def admit_usage_plan(
        self,
        *,
        plan_id: str,
        key_id: str,
        throttle: ThrottleSettings | None,
        method_throttles: Mapping[str, ThrottleSettings],
        quota: QuotaSettings | None,
        resource_path: str,
        http_method: str,
    ) -> None:
        """A request by API key `key_id` under usage plan `plan_id`; raises 429s as API Gateway."""
        method = method_key(resource_path, http_method)
        if method in method_throttles:
            self.admit(("plan", plan_id, key_id, method), method_throttles[method])
        elif throttle is not None:
            self.admit(("plan", plan_id, key_id), throttle)
        if quota is not None:
            self.count_quota(plan_id, key_id, quota)

    def admit_stage(
        self,
        *,
        api_id: str,
        stage: str,
        method_settings: Sequence[Mapping[str, Any]],
        resource_path: str,
        http_method: str,
    ) -> None:
        """Stage-level throttling from the Stage's MethodSettings (`*/*` or one method)."""
        settings = stage_throttle(method_settings, resource_path, http_method)
        if settings is not None:
            method = method_key(resource_path, http_method)
            self.admit(("stage", api_id, stage, method), settings)


def stage_throttle(
    method_settings: Sequence[Mapping[str, Any]], resource_path: str, http_method: str
) -> ThrottleSettings | None:
    """The throttle a Stage's MethodSettings set for one method; a specific entry beats `*/*`.

    CloudFormation writes the resource path with `/` escaped as `~1` (`/~1v1~1users`), and
    `/*` with HttpMethod `*` for every method.
    """
    specific: ThrottleSettings | None = None
    everything: ThrottleSettings | None = None
    for entry in method_settings:
        if "ThrottlingRateLimit" not in entry and "ThrottlingBurstLimit" not in entry:
            continue
        settings = ThrottleSettings(
            float(entry.get("ThrottlingRateLimit", 10000)),
            int(entry.get("ThrottlingBurstLimit", 5000)),
        )
        path = str(entry.get("ResourcePath", "/*"))
        verb = str(entry.get("HttpMethod", "*")).upper()
        if path == "/*" and verb == "*":
            everything = settings
        elif path.removeprefix("/").replace("~1", "/") == resource_path and verb in (
            http_method.upper(),
            "*",
        ):
            specific = settings
    return specific or everything
