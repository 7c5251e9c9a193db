"""Conformance: API keys, usage plans, throttling and quotas behave as in API Gateway.

AWS docs (developerguide): api-gateway-api-usage-plans.html, api-gateway-api-key-source.html,
api-gateway-request-throttling.html, supported-gateway-response-types.html.
"""

import datetime as dt
import json

import pytest

from local_gateway.api_keys import ApiKey, ApiKeyGate, UsagePlan, presented_key
from local_gateway.rejections import Rejection
from local_gateway.throttling import Limiter, QuotaSettings, stage_throttle

API_ID, STAGE = "abc123", "dev"
# Wednesday 2025-01-15 12:00:00 UTC
WEDNESDAY_NOON = dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC).timestamp()


class FakeClock:
    def __init__(self, now: float = WEDNESDAY_NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def free_plan(**overrides: object) -> UsagePlan:
    properties = {
        "UsagePlanName": "free",
        "ApiStages": [{"ApiId": API_ID, "Stage": STAGE}],
        "Throttle": {"RateLimit": 5, "BurstLimit": 10},
        "Quota": {"Limit": 1000, "Period": "DAY"},
        **overrides,
    }
    return UsagePlan.from_properties("plan-free", properties, ["key-1", "key-off"])


def a_gate(plan: UsagePlan | None = None, clock: FakeClock | None = None) -> ApiKeyGate:
    keys = [ApiKey("key-1", "secret-1"), ApiKey("key-off", "secret-off", enabled=False)]
    keys.append(ApiKey("key-orphan", "secret-orphan"))
    return ApiKeyGate(keys, [plan or free_plan()], Limiter(clock or FakeClock()))


def call(gate: ApiKeyGate, key: str | None, path: str = "/v1/products", method: str = "GET"):
    return gate.admit(key, api_id=API_ID, stage=STAGE, resource_path=path, http_method=method)


def rejection(gate: ApiKeyGate, key: str | None, **kwargs: str) -> Rejection:
    with pytest.raises(Rejection) as caught:
        call(gate, key, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    "key",
    [None, "not-a-key", "secret-off", "secret-orphan"],
    ids=["missing", "unknown", "disabled", "in-no-usage-plan"],
)
def test_key_missing_unknown_disabled_or_planless_is_403_forbidden(key):
    """A method requiring an API key answers 403 {"message":"Forbidden"} to a bad key.

    AWS doc: api-gateway-api-usage-plans.html; supported-gateway-response-types.html
    """
    # Given a gate with an enabled key, a disabled key and a key in no plan
    # When a request presents a missing, unknown, disabled or plan-less key
    refused = rejection(a_gate(), key)

    # Then it is 403 Forbidden
    assert (refused.status, json.loads(refused.default_body)) == (403, {"message": "Forbidden"})


def test_key_in_a_plan_of_another_stage_is_403():
    """A key whose usage plan covers another stage is refused on this one.

    AWS doc: api-gateway-api-usage-plans.html
    """
    # Given a plan covering only the prod stage
    gate = a_gate(free_plan(ApiStages=[{"ApiId": API_ID, "Stage": "prod"}]))

    # When its key calls the dev stage
    # Then it is 403
    assert rejection(gate, "secret-1").status == 403


def test_valid_key_is_admitted_with_its_id_and_plan():
    """A valid key in a plan of this stage is admitted; its id feeds requestContext.identity.

    AWS doc: api-gateway-api-usage-plans.html
    """
    # Given a valid key
    # When it calls
    admitted = call(a_gate(), "secret-1")

    # Then the key and plan are known
    assert (admitted.key.id, admitted.key.value, admitted.plan.name) == (
        "key-1",
        "secret-1",
        "free",
    )


def test_authorizer_key_source_reads_usage_identifier_key_not_the_header():
    """With apiKeySource AUTHORIZER the key is the authorizer's usageIdentifierKey.

    AWS doc: api-gateway-api-key-source.html
    """
    # Given a request with a header key and an authorizer-provided key
    headers = {"X-API-Key": "from-header"}

    # When the key is read under each source
    # Then HEADER reads the header (any case) and AUTHORIZER the authorizer's key
    assert presented_key("HEADER", headers, "from-authorizer") == "from-header"
    assert presented_key("AUTHORIZER", headers, "from-authorizer") == "from-authorizer"
    assert presented_key("AUTHORIZER", headers, None) is None


def test_burst_beyond_the_bucket_is_429_too_many_requests():
    """Requests beyond the burst at one instant are 429 {"message":"Too Many Requests"}.

    AWS doc: api-gateway-request-throttling.html (token bucket); THROTTLED in
    supported-gateway-response-types.html
    """
    # Given a plan with burst 10 and a clock that does not move
    gate = a_gate()
    for _ in range(10):
        call(gate, "secret-1")

    # When the 11th request arrives at the same instant
    refused = rejection(gate, "secret-1")

    # Then it is throttled
    assert (refused.response_type, refused.status, json.loads(refused.default_body)) == (
        "THROTTLED",
        429,
        {"message": "Too Many Requests"},
    )


def test_admitted_requests_match_rate_times_time_plus_burst():
    """Over T seconds a flood admits rate x T + burst requests (tolerance: 1 request).

    AWS doc: api-gateway-request-throttling.html (token bucket algorithm)
    """
    # Given the free plan (rate 5/s, burst 10) and a caller sending every 10 ms for 10 s
    clock = FakeClock()
    gate = a_gate(clock=clock)
    admitted = 0

    # When the flood runs on the fake clock
    for _ in range(1000):
        try:
            call(gate, "secret-1")
            admitted += 1
        except Rejection:
            pass
        clock.now += 0.01

    # Then admitted ~= 5 x 10 + 10
    assert abs(admitted - (5 * 10 + 10)) <= 1


def test_each_key_has_its_own_bucket():
    """Usage plan throttling applies per API key.

    AWS doc: api-gateway-api-usage-plans.html
    """
    # Given two keys in a plan with burst 1
    plan = UsagePlan.from_properties(
        "p",
        {
            "ApiStages": [{"ApiId": API_ID, "Stage": STAGE}],
            "Throttle": {"RateLimit": 1, "BurstLimit": 1},
        },
        ["a", "b"],
    )
    gate = ApiKeyGate([ApiKey("a", "key-a"), ApiKey("b", "key-b")], [plan], Limiter(FakeClock()))

    # When each key calls once at the same instant
    # Then both are admitted
    assert [call(gate, k).key.id for k in ("key-a", "key-b")] == ["a", "b"]


def test_per_method_throttle_overrides_the_plan_for_that_method():
    """ApiStages[].Throttle `/{path}/{METHOD}` limits that method with its own bucket.

    AWS doc: api-gateway-api-usage-plans.html (method-level throttling)
    """
    # Given a plan limiting GET /v1/products/{id} to burst 1
    gate = a_gate(
        free_plan(
            ApiStages=[
                {
                    "ApiId": API_ID,
                    "Stage": STAGE,
                    "Throttle": {"/v1/products/{id}/GET": {"RateLimit": 1, "BurstLimit": 1}},
                }
            ]
        )
    )

    # When that method is called twice, then another method
    call(gate, "secret-1", path="/v1/products/{id}")
    refused = rejection(gate, "secret-1", path="/v1/products/{id}")
    other = call(gate, "secret-1", path="/v1/products")

    # Then the second call is throttled and the other method still uses the plan's bucket
    assert (refused.status, other.key.id) == (429, "key-1")


def test_quota_over_the_limit_is_429_limit_exceeded_until_the_period_resets():
    """Beyond the quota a key gets 429 {"message":"Limit Exceeded"}; the next period resets it.

    AWS doc: api-gateway-api-usage-plans.html; QUOTA_EXCEEDED in
    supported-gateway-response-types.html
    """
    # Given a plan with a quota of 3 a day and no throttle
    clock = FakeClock()
    gate = a_gate(free_plan(Throttle=None, Quota={"Limit": 3, "Period": "DAY"}), clock)
    for _ in range(3):
        call(gate, "secret-1")

    # When a 4th request comes the same day, and another after UTC midnight
    refused = rejection(gate, "secret-1")
    clock.now += 12 * 3600
    next_day = call(gate, "secret-1")

    # Then the 4th is over quota and the next day is admitted again
    assert (refused.response_type, json.loads(refused.default_body)) == (
        "QUOTA_EXCEEDED",
        {"message": "Limit Exceeded"},
    )
    assert next_day.key.id == "key-1"


@pytest.mark.parametrize(
    ("period", "offset", "start"),
    [
        ("DAY", 0, dt.datetime(2025, 1, 15, tzinfo=dt.UTC)),
        ("WEEK", 0, dt.datetime(2025, 1, 12, tzinfo=dt.UTC)),  # Sunday
        ("WEEK", 1, dt.datetime(2025, 1, 13, tzinfo=dt.UTC)),  # Monday
        ("MONTH", 0, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
        ("MONTH", 20, dt.datetime(2024, 12, 21, tzinfo=dt.UTC)),
    ],
)
def test_quota_periods_start_at_utc_boundaries_moved_by_the_offset(period, offset, start):
    """Quota periods: DAY, WEEK (offset 0 = Sunday) and MONTH, shifted by Offset.

    AWS doc: API Gateway API reference, QuotaSettings (offset, period)
    """
    # Given a quota on a Wednesday noon
    quota = QuotaSettings(100, period, offset)

    # When its period start is computed
    # Then it is the expected UTC boundary
    assert quota.period_start(WEDNESDAY_NOON) == start


def test_stage_throttling_applies_star_star_and_a_specific_method_wins():
    """Stage MethodSettings throttle all callers; a method's own entry beats `*/*`.

    AWS doc: api-gateway-request-throttling.html (stage-level and method-level throttling)
    """
    # Given `*/*` at burst 100 and GET /v1/health at burst 1
    settings = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": 50,
            "ThrottlingBurstLimit": 100,
        },
        {
            "ResourcePath": "/~1v1~1health",
            "HttpMethod": "GET",
            "ThrottlingRateLimit": 1,
            "ThrottlingBurstLimit": 1,
        },
    ]
    limiter = Limiter(FakeClock())

    def admit(path: str) -> None:
        limiter.admit_stage(
            api_id=API_ID,
            stage=STAGE,
            method_settings=settings,
            resource_path=path,
            http_method="GET",
        )

    # When GET /v1/health is called twice and GET /v1/users twice
    admit("/v1/health")
    with pytest.raises(Rejection) as caught:
        admit("/v1/health")
    admit("/v1/users")
    admit("/v1/users")

    # Then only the health check's second call is throttled
    assert caught.value.status == 429
    assert stage_throttle(settings, "/v1/users", "GET") is not None
