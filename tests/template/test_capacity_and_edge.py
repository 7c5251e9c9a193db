"""What a real account and real clients meet on the first deploy: Lambda concurrency (new
accounts may have 10 executions in all), devices that send no User-Agent through the WAF, and
the API cache's size only where the cache runs."""

from typing import Any

import pytest

from tests.template.conftest import STAGES

pytestmark = pytest.mark.domain("core")


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def for_stage(value: Any, stage: str) -> Any:
    """`value` with the stage's `Fn::If [IsProd, ...]` decided (None for AWS::NoValue)."""
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        assert condition == "IsProd", condition
        chosen = when_true if stage == "prod" else when_false
        return None if chosen == {"Ref": "AWS::NoValue"} else chosen
    return value


@pytest.mark.domain("telemetry")
def test_the_queue_consumer_is_capped_by_a_parameter(stage_template, raw_template):
    # Given the telemetry queue's event source mapping, in every stage
    _, template = stage_template
    (mapping,) = of_type(template, "AWS::Lambda::EventSourceMapping").values()

    # Then a backlog scales the consumer to the ConsumerMaximumConcurrency parameter, no further,
    # and the parameter allows what SQS allows (2 to 1000) with a default a new account fits
    assert mapping["Properties"]["ScalingConfig"] == {
        "MaximumConcurrency": {"Ref": "ConsumerMaximumConcurrency"}
    }
    parameter = raw_template["Parameters"]["ConsumerMaximumConcurrency"]
    assert (parameter["MinValue"], parameter["MaxValue"]) == (2, 1000)
    assert parameter["Default"] * 2 <= 10


@pytest.mark.domain("products")
@pytest.mark.parametrize("stage", STAGES)
def test_the_cache_size_is_set_only_where_the_cache_runs(stage):
    from tests.template.conftest import transformed

    # Given the stage's API stage
    (api_stage,) = of_type(transformed(stage), "AWS::ApiGateway::Stage").values()
    properties = api_stage["Properties"]

    # Then a cache size is there exactly when the cache is on
    enabled = for_stage(properties["CacheClusterEnabled"], stage)
    size = for_stage(properties.get("CacheClusterSize"), stage)
    assert enabled is (stage == "prod")
    assert (size is not None) is enabled


def web_acl_rules(template: dict[str, Any]) -> list[dict[str, Any]]:
    (acl,) = of_type(template, "AWS::WAFv2::WebACL").values()
    rules: list[dict[str, Any]] = acl["Properties"]["Rules"]
    return sorted(rules, key=lambda rule: rule["Priority"])


def test_a_missing_user_agent_is_blocked_only_without_an_api_key(raw_template):
    rules = web_acl_rules(raw_template)
    names = [rule["Name"] for rule in rules]

    # Given the core rule set, whose NoUserAgent_HEADER would block devices sending none
    common = rules[names.index("AWSManagedRulesCommonRuleSet")]
    overrides = {
        o["Name"]: o["ActionToUse"]
        for o in common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    }

    # Then that rule only counts (and labels), and a later rule blocks on its label unless the
    # request carries an API key (devices and partners do; API Gateway verifies it next)
    assert overrides["NoUserAgent_HEADER"] == {"Count": {}}
    label_rule = rules[names.index("NoUserAgentWithoutApiKey")]
    assert label_rule["Priority"] > common["Priority"]
    assert label_rule["Action"] == {"Block": {}}
    label, no_key = label_rule["Statement"]["AndStatement"]["Statements"]
    assert label["LabelMatchStatement"] == {
        "Scope": "LABEL",
        "Key": "awswaf:managed:aws:core-rule-set:NoUserAgent_Header",
    }
    key = no_key["NotStatement"]["Statement"]["SizeConstraintStatement"]
    assert key["FieldToMatch"] == {"SingleHeader": {"Name": "x-api-key"}}
    assert (key["ComparisonOperator"], key["Size"]) == ("GT", 0)


@pytest.mark.domain("telemetry")
def test_device_ingestion_requires_the_api_key_the_waf_lets_through(raw_template):
    # Given the route devices post readings to
    paths = raw_template["Resources"]["RestApi"]["Properties"]["DefinitionBody"]["paths"]

    # Then it takes an API key (so a device without a User-Agent passes the WAF) and a token
    (security,) = paths["/v1/telemetry"]["post"]["security"]
    assert set(security) == {"JwtAuthorizer", "api_key"}
