"""Releases: every function is published behind an alias that CodeDeploy shifts and rolls back.

Read on the transformed template, per stage: what AutoPublishAlias, DeploymentPreference and
SnapStart become (AWS::Lambda::Alias and ::Version, a CodeDeploy deployment group per
function, the function's SnapStart), and that everything invoking a function (the API's
integrations, the authorizer, the queue's event source mapping) invokes the alias.
"""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.template.conftest import resources_of_type, transformed
from tests.template.test_operations import Stack, stage_parameters

ALIAS = "live"
CANARY = "Canary10Percent10Minutes"
# Functions without SnapStart, and why (docs/operations.md says the same).
WITHOUT_SNAPSTART = {
    "StoreReadingsFunction": "a queue consumer: nobody waits on its cold start, and Python "
    "snapshots are billed per cached version and per restore",
    "ProcessUploadFunction": "an S3 notification consumer: nobody waits on its cold start",
    "RotatePartnerKeyFunction": "Secrets Manager's rotation calls it a few times a quarter",
}
CHECKOV = Path(sys.executable).parent.parent / "checkov" / "bin" / "checkov"
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")


@pytest.fixture(scope="module")
def stage_stack(stage_template) -> tuple[str, Stack]:
    stage, template = stage_template
    return stage, Stack(template, stage_parameters(template, stage))


def functions(stack: Stack) -> list[str]:
    return sorted(stack.resources("AWS::Lambda::Function"))


def alias_of(stack: Stack, function: str) -> str:
    """The logical id of the function's `live` alias (SAM names it <function>Alias<name>)."""
    aliases = [
        name
        for name, resource in stack.resources("AWS::Lambda::Alias").items()
        if resource["Properties"]["FunctionName"] == {"Ref": function}
        and resource["Properties"]["Name"] == ALIAS
    ]
    assert len(aliases) == 1, f"{function} has {len(aliases)} `{ALIAS}` aliases"
    return aliases[0]


def test_every_function_is_published_behind_the_live_alias(stage_stack):
    _, stack = stage_stack
    for function in functions(stack):
        alias = stack.template["Resources"][alias_of(stack, function)]
        version = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        assert stack.template["Resources"][version]["Type"] == "AWS::Lambda::Version"


def test_every_function_deploys_all_at_once_in_dev_and_by_canary_elsewhere(stage_stack):
    stage, stack = stage_stack
    expected = "AllAtOnce" if stage == "dev" else CANARY
    for function in functions(stack):
        group = stack.properties(f"{function}DeploymentGroup")
        assert group["DeploymentConfigName"] == {
            "Fn::Sub": ["CodeDeployDefault.Lambda${ConfigName}", {"ConfigName": expected}]
        }, function
        assert group["AutoRollbackConfiguration"]["Enabled"] is True
        assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
        # The alias moves only through CodeDeploy, so a failed deployment moves it back.
        update = stack.template["Resources"][alias_of(stack, function)]["UpdatePolicy"]
        assert update["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"] == {
            "Ref": f"{function}DeploymentGroup"
        }


def watches_errors_of(alarm: dict, function: str) -> bool:
    """The alarm reads the function's Errors metric, alone or in a metric-math expression."""
    metrics = [alarm] + [
        query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query
    ]
    # `!Ref X`, or `!Sub ${X}` as the template's loops write it: the function's name either way.
    names = ({"Ref": function}, {"Fn::Sub": f"${{{function}}}"})
    return any(
        metric.get("MetricName") == "Errors"
        and any(
            {"Name": "FunctionName", "Value": name} in metric.get("Dimensions", [])
            for name in names
        )
        for metric in metrics
    )


def test_a_deployment_rolls_back_when_the_functions_errors_alarm_fires(stage_stack):
    _, stack = stage_stack
    for function in functions(stack):
        configuration = stack.properties(f"{function}DeploymentGroup")["AlarmConfiguration"]
        assert configuration["Enabled"] is True
        alarms = [alarm["Name"]["Ref"] for alarm in configuration["Alarms"]]
        # Alarms of this stack (they exist before the first deployment, in a fresh account),
        # watching this function's errors.
        watched = [
            alarm
            for alarm in alarms
            if stack.template["Resources"][alarm]["Type"] == "AWS::CloudWatch::Alarm"
            and watches_errors_of(stack.properties(alarm), function)
        ]
        assert watched, f"{function} rolls back on {alarms}, none of them its errors alarm"


def test_codedeploy_gets_the_service_role_sam_creates(stage_stack):
    _, stack = stage_stack
    role = stack.properties("CodeDeployServiceRole")
    assert [str(arn).rsplit("/", 1)[-1] for arn in role["ManagedPolicyArns"]] == [
        "AWSCodeDeployRoleForLambda"
    ]
    for function in functions(stack):
        group = stack.properties(f"{function}DeploymentGroup")
        assert group["ServiceRoleArn"] == {"Fn::GetAtt": ["CodeDeployServiceRole", "Arn"]}


def test_snapstart_is_on_for_published_versions_where_it_shortens_cold_starts(stage_stack):
    _, stack = stage_stack
    for function in functions(stack):
        applied = stack.properties(function).get("SnapStart", {}).get("ApplyOn", "None")
        expected = "None" if function in WITHOUT_SNAPSTART else "PublishedVersions"
        assert applied == expected, function


def test_snapstart_functions_avoid_what_snapstart_does_not_support(stage_stack):
    # Lambda developer guide, SnapStart "Supported features and limitations": no provisioned
    # concurrency, no EFS, ephemeral storage of at most 512 MB; Python 3.12 and later.
    _, stack = stage_stack
    for function in functions(stack):
        if function in WITHOUT_SNAPSTART:
            continue
        properties = stack.properties(function)
        assert properties["Runtime"] in ("python3.12", "python3.13", "python3.14"), function
        assert "FileSystemConfigs" not in properties, function
        assert properties.get("EphemeralStorage", {}).get("Size", 512) <= 512, function
        alias = stack.properties(alias_of(stack, function))
        assert "ProvisionedConcurrencyConfig" not in alias, function


def invoked_arns(stack: Stack) -> list[str]:
    """The resource every integration or authorizer URI of the API body invokes."""
    (api,) = stack.resources("AWS::ApiGateway::RestApi").values()
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            sub = value.get("Fn::Sub")
            text, variables = (sub, {}) if isinstance(sub, str) else (sub or ["", {}])
            for name in re.findall(r"/functions/\$\{([^}]+)\}/invocations", str(text)):
                found.append(variables[name]["Ref"] if name in variables else name)
            for item in value.values():
                walk(item)

    walk(api["Properties"]["Body"])
    return found


def test_the_api_and_its_authorizer_invoke_the_alias(stage_stack):
    _, stack = stage_stack
    aliases = {alias_of(stack, function) for function in functions(stack)}
    named = invoked_arns(stack)
    assert named, "the API body names no function"
    assert set(named) <= aliases, f"not an alias: {set(named) - aliases}"
    authorizers = [
        resource["Properties"]["FunctionName"]
        for name, resource in stack.resources("AWS::Lambda::Permission").items()
        if "Authorizer" in name
    ]
    assert authorizers == [{"Ref": "JwtAuthorizerFunctionAliaslive"}]


# Secrets Manager keeps the rotation function's ARN it was given and calls that: the template
# gives it the function itself (the newest code), as AWS's rotation templates do, so rotation
# never waits on a canary; its permission names the function likewise.
UNQUALIFIED = {"RotatePartnerKeyFunction"}


def test_every_invoke_permission_and_event_source_is_on_an_alias(stage_stack):
    _, stack = stage_stack
    aliases = {alias_of(stack, function) for function in functions(stack)}
    targets = [
        resource["Properties"]["FunctionName"]
        for kind in ("AWS::Lambda::Permission", "AWS::Lambda::EventSourceMapping")
        for resource in stack.resources(kind).values()
        if resource["Properties"]["FunctionName"].get("Fn::GetAtt", [None])[0] not in UNQUALIFIED
    ]
    assert targets
    assert all(target.get("Ref") in aliases for target in targets), targets


def test_every_function_the_api_invokes_may_be_invoked_by_it_through_the_alias(stage_stack):
    _, stack = stage_stack
    permitted = {
        resource["Properties"]["FunctionName"]["Ref"]
        for resource in stack.resources("AWS::Lambda::Permission").values()
        if resource["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }
    assert set(invoked_arns(stack)) <= permitted


@pytest.fixture(scope="module")
def transformed_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("transformed") / "template.json"
    path.write_text(json.dumps(transformed("prod"), indent=1))
    return path


def test_the_transformed_template_passes_cfn_lint(transformed_file):
    # W1020: the test's transform fills in AWS::StackName, leaving a Sub with nothing to do.
    result = subprocess.run(
        [CFN_LINT, "--ignore-checks", "W1020", "--", str(transformed_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_transformed_template_passes_checkov(transformed_file):
    # The skips are declared beside each resource in template.yaml and the transform keeps
    # them, except the API's: its stage is a resource of the transform's own, so the RestApi's
    # skip (caching pays only on the catalog reads, enabled per method in prod) is given here.
    result = subprocess.run(
        [
            str(CHECKOV),
            "--skip-check",
            "CKV_AWS_120",
            "--quiet",
            "--compact",
            "--skip-download",
            "--framework",
            "cloudformation",
            "-f",
            str(transformed_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_resources_of_type_sees_the_codedeploy_resources(stage_template):
    _, template = stage_template
    assert resources_of_type(template, "AWS::CodeDeploy::Application")
