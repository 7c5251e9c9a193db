"""Operations: tracing, log retention, alarms, dashboard, WAF and data protection, per stage.

Each stage's template is the SAM-transformed template with that stage's parameters as
`samconfig.toml` sets them for `sam deploy --config-env <stage>`; conditions and `Ref`s to
parameters are evaluated here the way CloudFormation would, so a threshold is checked as the
number the stage really gets.
"""

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from local_gateway import language_extensions
from local_gateway.template import parse_template_text, read_template
from scripts.rename.yaml_text import compose, references
from tests.template.conftest import (
    DEPLOYED_STAGES,
    ROOT,
    resources_of_type,
    transformed,
)

pytestmark = pytest.mark.domain("core")

SAMCONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text())
WORKFLOWS = ROOT / ".github" / "workflows"
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")


# --- where the operational resources live --------------------------------------------------


def test_template_yaml_names_nothing_its_included_operations_file_defines():
    # Given template.yaml as written (what cfn-lint, `sam validate` and `sam local` read: its
    # includes are not inlined) and ops/resources.yaml, which it includes among its resources
    template = compose((ROOT / "template.yaml").read_text())
    operations = included_logical_ids()
    assert "ListUsersLogGroup" in operations  # the file's loops count, unrolled
    # When every logical id the template refers to (Ref, GetAtt, Sub, DependsOn) is collected
    named = references(template)
    # Then none is defined only in the included file
    assert not named & operations, (
        f"template.yaml refers to {sorted(named & operations)}, defined in ops/resources.yaml: "
        "a reader (and every linter) of template.yaml cannot find them. Keep there only what "
        "template.yaml never names; move the rest back."
    )


def included_logical_ids() -> set[str]:
    """The logical ids ops/resources.yaml defines, its Fn::ForEach loops unrolled: those of
    the inlined template that template.yaml, as written and unrolled, does not."""
    written = parse_template_text((ROOT / "template.yaml").read_text(), "template.yaml")
    own = language_extensions.unroll(written, {})["Resources"]
    return set(read_template(ROOT / "template.yaml")["Resources"]) - set(own)


# --- evaluating the template the way CloudFormation does for one stage ----------------------


def stage_parameters(template: dict[str, Any], stage: str, **overrides: str) -> dict[str, Any]:
    """Template defaults, then the stage's samconfig overrides, then the given ones."""
    values = {name: p.get("Default") for name, p in template["Parameters"].items()}
    configured = SAMCONFIG[stage]["deploy"]["parameters"]["parameter_overrides"]
    for item in shlex.split(configured):
        key, _, value = item.partition("=")
        values[key] = value
    values.update(overrides)
    values["AWS::StackName"] = SAMCONFIG[stage]["global"]["parameters"]["stack_name"]
    return values


class Stack:
    """A transformed template with its parameter values: resolves intrinsics and conditions."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any]) -> None:
        self.template = template
        self.parameters = parameters
        self.conditions: dict[str, bool] = {}
        for name, expression in template.get("Conditions", {}).items():
            self.conditions[name] = bool(self.resolve(expression))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        ((function, argument),) = value.items()
        if function == "Ref":
            return self.parameters.get(argument, value)
        if function == "Condition":
            return self.conditions[argument]
        if function == "Fn::If":
            name, when_true, when_false = argument
            return self.resolve(when_true if self.conditions[name] else when_false)
        if function == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self.resolve(argument[0])
        if function == "Fn::Or":
            return any(self.resolve(item) for item in argument)
        if function == "Fn::And":
            return all(self.resolve(item) for item in argument)
        return {function: self.resolve(argument)}

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        """The resources of a type that this stage deploys (their Condition holds)."""
        return {
            name: resource
            for name, resource in resources_of_type(self.template, kind).items()
            if self.conditions.get(resource.get("Condition", ""), True)
        }

    def properties(self, name: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolve(self.template["Resources"][name]["Properties"])
        return resolved


@pytest.fixture(scope="session")
def stage_stack(stage_template) -> tuple[str, Stack]:
    stage, template = stage_template
    return stage, Stack(template, stage_parameters(template, stage))


def functions(stack: Stack) -> list[str]:
    return sorted(stack.resources("AWS::Lambda::Function"))


def alarms_on(stack: Stack, namespace: Any, metric: str) -> list[dict[str, Any]]:
    """Resolved properties of every alarm on one metric (plain or inside metric math)."""
    found = []
    for name in stack.resources("AWS::CloudWatch::Alarm"):
        properties = stack.properties(name)
        stats = [
            m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m
        ]
        plain = [properties] if "MetricName" in properties else []
        if any(s["Namespace"] == namespace and s["MetricName"] == metric for s in stats + plain):
            found.append(properties)
    return found


def dimensions(metric: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}


def lambda_dimensions(alarm: dict[str, Any], metric: str) -> dict[str, Any]:
    """The dimensions of the alarm's AWS/Lambda `metric`, plain or inside metric math."""
    for query in alarm.get("Metrics", []):
        stat = query.get("MetricStat", {}).get("Metric", {})
        if stat.get("Namespace") == "AWS/Lambda" and stat.get("MetricName") == metric:
            return dimensions(stat)
    return dimensions(alarm)


def names_function(value: Any, function: str) -> bool:
    """True if the value is the function's name: `!Ref X`, or `!Sub ${X}` as the loops write it."""
    return value in ({"Ref": function}, {"Fn::Sub": f"${{{function}}}"})


def alarm_topic(stack: Stack) -> Any:
    given = stack.parameters["AlarmTopicArn"]
    return given or {"Ref": "AlarmTopic"}


# --- functions -------------------------------------------------------------------------------


def test_every_function_is_traced_with_xray(stage_stack):
    _, stack = stage_stack

    untraced = [
        name
        for name in functions(stack)
        if stack.properties(name).get("TracingConfig", {}).get("Mode") != "Active"
    ]

    assert functions(stack)
    assert untraced == []


def test_every_function_keeps_its_logs_for_the_stage_retention(stage_stack):
    stage, stack = stage_stack
    retention_by_group = {
        json.dumps(props["LogGroupName"]): props.get("RetentionInDays")
        for props in map(stack.properties, stack.resources("AWS::Logs::LogGroup"))
    }
    expected = {"dev": "14", "staging": "30", "prod": "365"}[stage]

    for name in functions(stack):
        group = json.dumps({"Fn::Sub": f"/aws/lambda/${{{name}}}"})
        assert group in retention_by_group, f"{name} has no log group"
        assert str(retention_by_group[group]) == expected, name


def test_every_function_names_its_service_for_logs_and_metric_dimensions(stage_stack):
    _, stack = stage_stack

    for name in functions(stack):
        variables = stack.properties(name)["Environment"]["Variables"]
        assert variables.get("POWERTOOLS_SERVICE_NAME"), name
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "SampleApi"


@pytest.mark.domain("users")
def test_log_level_and_event_logging_follow_the_stage(stage_stack):
    stage, stack = stage_stack
    variables = stack.properties("CreateUserFunction")["Environment"]["Variables"]

    assert variables["POWERTOOLS_LOG_LEVEL"] == {
        "dev": "DEBUG", "staging": "INFO", "prod": "WARNING"
    }[stage]  # fmt: skip
    # Events carry personal data and tokens: no stage logs them.
    assert variables["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_its_own_alarm_to_the_alarm_topic(stage_stack, metric):
    stage, stack = stage_stack
    alarms = alarms_on(stack, "AWS/Lambda", metric)
    threshold = {"Errors": stack.parameters["FunctionErrorsThreshold"], "Throttles": 0}[metric]

    for name in functions(stack):
        (alarm,) = [
            a
            for a in alarms
            if set(lambda_dimensions(a, metric)) == {"FunctionName"}
            and names_function(lambda_dimensions(a, metric)["FunctionName"], name)
        ]
        assert str(alarm["Threshold"]) == str(threshold), name
        assert alarm.get("Statistic", "Sum") == "Sum"
        assert all(
            m["MetricStat"]["Stat"] == "Sum" for m in alarm.get("Metrics", []) if "MetricStat" in m
        )
        assert alarm["AlarmActions"] == [alarm_topic(stack)]
    if metric == "Errors":
        assert threshold == {"dev": "5", "staging": "3", "prod": "1"}[stage]


# --- the API ---------------------------------------------------------------------------------


def api_dimensions(stack: Stack) -> dict[str, Any]:
    (api,) = stack.resources("AWS::ApiGateway::RestApi")
    return {
        "ApiName": stack.properties(api)["Name"]
        .get("Fn::Sub", "")
        .replace("${AWS::StackName}", stack.parameters["AWS::StackName"]),
        "Stage": stack.parameters["Stage"],
    }


def resolved_dimensions(stack: Stack, metric: dict[str, Any]) -> dict[str, Any]:
    return {
        key: stack.parameters["AWS::StackName"] if value == {"Ref": "AWS::StackName"} else value
        for key, value in dimensions(metric).items()
    }


@pytest.mark.parametrize(
    ("metric", "parameter", "expected"),
    [
        ("5XXError", "Api5xxRateThresholdPercent", {"dev": 5, "staging": 2, "prod": 1}),
        ("4XXError", "Api4xxRateThresholdPercent", {"dev": 50, "staging": 25, "prod": 10}),
    ],
)
def test_api_error_rate_alarm_divides_errors_by_requests(stage_stack, metric, parameter, expected):
    stage, stack = stage_stack

    (alarm,) = alarms_on(stack, "AWS/ApiGateway", metric)

    by_id = {m["Id"]: m for m in alarm["Metrics"]}
    (rate,) = [m for m in alarm["Metrics"] if m.get("ReturnData", True)]
    errors = next(
        i
        for i, m in by_id.items()
        if m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == metric
    )
    requests = next(
        i
        for i, m in by_id.items()
        if m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "Count"
    )
    assert f"100 * {errors} / {requests}" in rate["Expression"]
    for metric_id in (errors, requests):
        stat = by_id[metric_id]["MetricStat"]
        assert stat["Stat"] == "Sum"
        assert resolved_dimensions(stack, stat["Metric"]) == api_dimensions(stack)
    assert float(alarm["Threshold"]) == expected[stage]
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [alarm_topic(stack)]


@pytest.mark.domain("users")
def test_api_and_critical_routes_alarm_on_p99_latency(stage_stack):
    stage, stack = stage_stack
    alarms = alarms_on(stack, "AWS/ApiGateway", "Latency")
    by_route = {(dimensions(a).get("Resource"), dimensions(a).get("Method")): a for a in alarms}

    whole_api = by_route[(None, None)]
    assert resolved_dimensions(stack, whole_api) == api_dimensions(stack)
    assert str(whole_api["Threshold"]) == {"dev": "3000", "staging": "1500", "prod": "1000"}[stage]
    for route in [("/v1/users/{id}", "GET"), ("/v1/users", "POST")]:
        alarm = by_route[route]
        assert alarm["ExtendedStatistic"] == "p99"
        assert str(alarm["Threshold"]) == {"dev": "1000", "staging": "300", "prod": "200"}[stage]
        assert alarm["AlarmActions"] == [alarm_topic(stack)]


def test_critical_route_alarms_name_routes_the_api_has(template):
    stack = Stack(template, stage_parameters(template, "dev"))
    (api,) = resources_of_type(template, "AWS::ApiGateway::RestApi")
    paths = template["Resources"][api]["Properties"]["Body"]["paths"]

    for alarm in alarms_on(stack, "AWS/ApiGateway", "Latency"):
        route = dimensions(alarm)
        if "Resource" in route:
            assert route["Method"].lower() in paths[route["Resource"]]


@pytest.mark.parametrize(
    ("metric", "log_line", "quiet_line"),
    [
        ("ThrottledRequests", {"status": "429"}, {"status": "200"}),
        ("AuthorizerErrors", {"errorType": "AUTHORIZER_FAILURE"}, {"errorType": "UNAUTHORIZED"}),
    ],
)
def test_access_log_metric_filter_feeds_an_alarm(stage_stack, metric, log_line, quiet_line):
    _, stack = stage_stack
    (metric_filter,) = [
        stack.properties(name)
        for name in stack.resources("AWS::Logs::MetricFilter")
        if stack.properties(name)["MetricTransformations"][0]["MetricName"] == metric
    ]
    (transformation,) = metric_filter["MetricTransformations"]

    assert metric_filter["LogGroupName"] == {"Ref": "ApiAccessLogGroup"}
    assert matches(metric_filter["FilterPattern"], log_line)
    assert not matches(metric_filter["FilterPattern"], quiet_line)
    (alarm,) = alarms_on(stack, transformation["MetricNamespace"], metric)
    assert alarm["Namespace"] == transformation["MetricNamespace"]
    assert alarm["AlarmActions"] == [alarm_topic(stack)]


def matches(pattern: str, log_line: dict[str, str]) -> bool:
    """CloudWatch's `{ $.field = "value*" }` JSON filter, for the one-condition patterns here."""
    found = re.fullmatch(r'\{ \$\.(\w+) = "([^"]*)" \}', pattern)
    assert found, pattern
    field, wanted = found.groups()
    return re.fullmatch(re.escape(wanted).replace(r"\*", ".*"), log_line.get(field, "")) is not None


@pytest.mark.domain("telemetry")
def test_every_dead_letter_queue_alarms_on_its_first_message(stage_stack):
    _, stack = stage_stack
    dead_letter_queues = {
        props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for props in map(stack.properties, stack.resources("AWS::SQS::Queue"))
        if "RedrivePolicy" in props
    }
    alarms = alarms_on(stack, "AWS/SQS", "ApproximateNumberOfMessagesVisible")

    assert dead_letter_queues
    for queue in dead_letter_queues:
        (alarm,) = [
            a for a in alarms
            if dimensions(a) == {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}
        ]  # fmt: skip
        # One message is enough: "> 0" either way it is written.
        assert (alarm["ComparisonOperator"], float(alarm["Threshold"])) in {
            ("GreaterThanThreshold", 0.0),
            ("GreaterThanOrEqualToThreshold", 1.0),
        }
        assert alarm["AlarmActions"] == [alarm_topic(stack)]


# --- where alarms go -------------------------------------------------------------------------


def test_alarm_topic_is_created_and_encrypted_with_a_key_cloudwatch_may_use(template):
    stack = Stack(template, stage_parameters(template, "prod"))

    topic = stack.properties("AlarmTopic")
    key = stack.properties(topic["KmsMasterKeyId"]["Ref"])
    grants = [s for s in key["KeyPolicy"]["Statement"] if s["Principal"].get("Service")]
    assert grants[0]["Principal"]["Service"] == "cloudwatch.amazonaws.com"
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(grants[0]["Action"])
    assert key["EnableKeyRotation"] is True


def test_a_given_alarm_topic_replaces_the_stack_one(template):
    given = "arn:aws:sns:us-east-1:123456789012:ops-pager"
    stack = Stack(template, stage_parameters(template, "prod", AlarmTopicArn=given))

    assert "AlarmTopic" not in stack.resources("AWS::SNS::Topic")
    for name in stack.resources("AWS::CloudWatch::Alarm"):
        assert stack.properties(name)["AlarmActions"] == [given], name


# --- dashboard -------------------------------------------------------------------------------


def dashboard_body(stack: Stack) -> dict[str, Any]:
    (dashboard,) = stack.resources("AWS::CloudWatch::Dashboard").values()
    body_template = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    stack_name = stack.parameters["AWS::StackName"]
    body: dict[str, Any] = json.loads(
        re.sub(r"\$\{[^}!]+\}", "x", body_template.replace("${AWS::StackName}", stack_name))
    )
    return body


@pytest.mark.domain("telemetry")
def test_dashboard_shows_the_api_and_every_function(template):
    # Given the dev stack's dashboard
    stack = Stack(template, stage_parameters(template, "dev"))
    # When its widgets' metric rows are read
    rows = [row for w in dashboard_body(stack)["widgets"] for row in w["properties"]["metrics"]]
    # Then the API and the DLQs have rows, and the functions' errors, throttles and duration
    # are each one search over the Lambda metrics of the functions named after the stack
    assert {"AWS/ApiGateway", "AWS/SQS"} <= {row[0] for row in rows if isinstance(row[0], str)}
    searches = [row[0]["expression"] for row in rows if isinstance(row[0], dict)]
    assert searches == [
        f'SEARCH(\'{{AWS/Lambda,FunctionName}} MetricName="{metric}" '
        f"FunctionName={stack.parameters['AWS::StackName']}', '{stat}', 60)"
        for metric, stat in (("Errors", "Sum"), ("Throttles", "Sum"), ("Duration", "p99"))
    ]


def test_every_function_is_named_after_the_stack_so_the_dashboard_finds_it(template):
    # Given every function of the stack
    stack = Stack(template, stage_parameters(template, "dev"))
    for name in functions(stack):
        # When its name is the one CloudFormation generates or the one the template sets
        given = stack.properties(name).get("FunctionName")
        # Then it starts with the stack's name (generated: "<stack>-<logical id>-<suffix>")
        assert given is None or given["Fn::Sub"].startswith("${AWS::StackName}-"), name


# --- WAF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "overrides", "protected"),
    [
        ("prod", {}, True),
        ("prod", {"EnableWaf": "false"}, True),  # prod cannot switch it off
        ("staging", {}, True),
        ("dev", {}, False),
        ("dev", {"EnableWaf": "true"}, True),
    ],
)
def test_waf_guards_the_stage_in_prod_and_where_enabled(stage, overrides, protected):
    template = transformed(stage)
    stack = Stack(template, stage_parameters(template, stage, **overrides))

    associations = [stack.properties(n) for n in stack.resources("AWS::WAFv2::WebACLAssociation")]

    assert bool(associations) is protected
    for association in associations:
        assert association["WebACLArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
        arn, variables = association["ResourceArn"]["Fn::Sub"]
        assert arn.endswith("/restapis/${RestApi}/stages/${StageName}")
        # SAM's stage resource, so the association waits for the stage to exist.
        (stage_resource,) = resources_of_type(template, "AWS::ApiGateway::Stage")
        assert variables["StageName"] == {"Ref": stage_resource}


def test_waf_has_managed_rule_groups_and_a_rate_rule(template):
    stack = Stack(template, stage_parameters(template, "prod"))

    rules = {r["Name"]: r for r in stack.properties("WebAcl")["Rules"]}
    managed = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in rules.values()
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
    (rate,) = [r for r in rules.values() if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert len({r["Priority"] for r in rules.values()}) == len(rules)


# --- data protection -------------------------------------------------------------------------

DATA = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Cognito::UserPool")


def test_data_is_retained_and_deletion_protected_in_prod_only(stage_stack):
    stage, stack = stage_stack
    prod = stage == "prod"

    for kind in DATA:
        for name, resource in stack.resources(kind).items():
            assert stack.resolve(resource.get("DeletionPolicy")) == ("Retain" if prod else "Delete")
            assert stack.resolve(resource.get("UpdateReplacePolicy")) == (
                "Retain" if prod else "Delete"
            ), name
            properties = stack.properties(name)
            if kind == "AWS::DynamoDB::Table":
                assert properties["DeletionProtectionEnabled"] is prod, name
            if kind == "AWS::Cognito::UserPool":
                assert properties["DeletionProtection"] == ("ACTIVE" if prod else "INACTIVE")


# --- stages differ only through parameters ---------------------------------------------------


@pytest.mark.parametrize("stage", DEPLOYED_STAGES)
def test_samconfig_sets_only_declared_parameters_with_allowed_values(raw_template, stage):
    declared = raw_template["Parameters"]
    configured = SAMCONFIG[stage]["deploy"]["parameters"]["parameter_overrides"]

    for item in shlex.split(configured):
        key, _, value = item.partition("=")
        spec = declared[key]
        if "AllowedValues" in spec:
            assert value in [str(v) for v in spec["AllowedValues"]], item
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), item
        if spec["Type"] == "Number":
            assert (
                float(spec.get("MinValue", "-inf"))
                <= float(value)
                <= float(spec.get("MaxValue", "inf"))
            ), item
    assert f"Stage={stage}" in configured


def test_cfn_lint_is_clean_with_each_stages_parameters(tmp_path):
    # Given each stage's parameters from samconfig.toml, as a parameter file named for the stage
    files = []
    for stage in DEPLOYED_STAGES:
        overrides = shlex.split(SAMCONFIG[stage]["deploy"]["parameters"]["parameter_overrides"])
        pairs = [item.partition("=") for item in overrides]
        path = tmp_path / f"{stage}.json"
        path.write_text(
            json.dumps([{"ParameterKey": key, "ParameterValue": value} for key, _, value in pairs])
        )
        files.append(str(path))
    # When cfn-lint checks the template with all of them in one run (it resolves each `Ref` to a
    # parameter once per file and names the file in a finding; then it checks the defaults)
    result = subprocess.run(
        [CFN_LINT, "--append-rules", "cfn_lint_serverless.rules",
         "--parameter-files", *files, "--", str(ROOT / "template.yaml")],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    # Then it finds nothing for any stage
    assert result.returncode == 0, result.stdout + result.stderr


# --- delivery: the workflows and Dependabot --------------------------------------------------


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml_parse((WORKFLOWS / name).read_text())
    return loaded


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))


def test_workflows_pass_actionlint():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "actionlint"), "-no-color"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_run_only_make_targets_that_exist():
    runs = [
        step["run"]
        for path in WORKFLOWS.glob("*.yml")
        for job in workflow(path.name)["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]
    used = {target for run in runs for target in re.findall(r"\bmake ([a-z][a-z-]*)", run)}

    assert used >= {"test", "build", "deploy"}
    assert used <= make_targets()


def test_every_action_is_pinned_to_a_commit():
    uses = [
        step["uses"]
        for path in WORKFLOWS.glob("*.yml")
        for job in workflow(path.name)["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]

    assert uses
    assert [u for u in uses if not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u)] == []


def promotion_order(jobs: dict[str, Any]) -> list[str]:
    """The deploy workflow's stage jobs in the order they run: the first needs no other, each
    next needs the one before it."""
    stages = [name for name, job in jobs.items() if name in DEPLOYED_STAGES]
    order = [name for name in stages if "needs" not in jobs[name]]
    assert len(order) == 1, f"more than one stage deploys first: {order}"
    while following := [name for name in stages if jobs[name].get("needs") == order[-1]]:
        assert len(following) == 1, f"{following} all follow {order[-1]}"
        order += following
    return order


def test_deploys_go_from_dev_to_prod_one_stage_at_a_time_with_oidc_and_approvals():
    jobs = workflow("deploy.yml")["jobs"]
    text = (WORKFLOWS / "deploy.yml").read_text()

    order = promotion_order(jobs)
    assert (order[0], order[-1]) == ("dev", "prod")
    assert sorted(order) == sorted(DEPLOYED_STAGES)  # every stage samconfig deploys, once
    for stage in order:
        job = jobs[stage]
        assert job["environment"] == stage  # its reviewers and its DEPLOY_ROLE_ARN
        assert job["permissions"] == {"id-token": "write", "contents": "read"}
        (credentials,) = [
            s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")
        ]
        assert credentials["with"]["role-to-assume"] == "${{ vars.DEPLOY_ROLE_ARN }}"
        (deploy,) = [s for s in job["steps"] if "make deploy" in s.get("run", "")]
        assert f"STAGE={stage}" in deploy["run"]
    # No long-lived AWS keys anywhere; the one secret is the e2e suite's OIDC client's.
    assert "aws-access-key-id" not in text
    assert set(re.findall(r"secrets\.(\w+)", text)) <= {"E2E_ISSUER_CLIENT_SECRET"}


@pytest.mark.domain("jwt-authorizer")
def test_dependabot_watches_every_requirements_folder_and_the_actions():
    config = yaml_parse((ROOT / ".github" / "dependabot.yml").read_text())
    watched = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}

    pip_folders = {d for ecosystem, d in watched if ecosystem == "pip"}
    # The authorizer's folder goes when a fork drops it (make rename).
    authorizers = {"/authorizers"} if (ROOT / "authorizers").is_dir() else set()
    assert pip_folders == {"/requirements", "/layers/shared", *authorizers}
    for folder in pip_folders:
        assert list((ROOT / folder.lstrip("/")).glob("*.txt")), folder
    assert ("github-actions", "/") in watched
