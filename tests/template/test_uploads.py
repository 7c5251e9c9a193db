"""Large files as deployed: a size-bounded presigned POST, S3 notifications to the processor, the
files table, and each function allowed only what its code calls."""

import copy
from typing import Any

import pytest

from tests.template.conftest import methods

pytestmark = pytest.mark.domain("files")

PREFIX_RULE = {"Name": "prefix", "Value": "users/"}


def role_statements(template, function: str) -> list[dict[str, Any]]:
    role = template["Resources"][f"{function}Role"]["Properties"]
    return [
        statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def references(value: Any) -> set[str]:
    """Logical ids a value refers to (Ref, Fn::GetAtt, ${...} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value:
            found.add(str(value["Ref"]))
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            found.add(str(target[0] if isinstance(target, list) else target.split(".")[0]))
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            found |= {part.split("}")[0].split(".")[0] for part in text.split("${")[1:]}
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def dependency_cycle(template) -> list[str] | None:
    """A cycle among the resources' references and DependsOn, as CloudFormation would find it."""
    resources = template["Resources"]
    edges = {
        name: (references(resource) | set(_as_list(resource.get("DependsOn", [])))) & set(resources)
        for name, resource in resources.items()
    }
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = "open"
        for target in sorted(edges[name]):
            if state.get(target) == "open":
                return [*path, name, target]
            if target not in state:
                cycle = visit(target, [*path, name])
                if cycle:
                    return cycle
        state[name] = "done"
        return None

    for name in sorted(resources):
        if name not in state:
            cycle = visit(name, [])
            if cycle:
                return cycle
    return None


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_the_processor_runs_on_every_object_created_under_users(template):
    # Given the files bucket as CloudFormation receives it
    bucket = template["Resources"]["FilesBucket"]["Properties"]

    # Then its notification invokes the processor for ObjectCreated under users/ only
    (configuration,) = bucket["NotificationConfiguration"]["LambdaConfigurations"]
    assert configuration["Event"] == "s3:ObjectCreated:*"
    # SAM points the notification at the function's `live` alias (AutoPublishAlias).
    assert configuration["Function"] == {"Ref": "ProcessUploadFunctionAliaslive"}
    assert configuration["Filter"]["S3Key"]["Rules"] == [PREFIX_RULE]


def test_the_stack_has_no_dependency_cycle(stage_template):
    # Given the notification (bucket -> invoke permission -> function) and the processor's read
    # access: granted through the role, it would close a cycle through the bucket
    _, template = stage_template

    # Then CloudFormation can order every resource
    assert dependency_cycle(template) is None


def test_the_processors_role_names_no_bucket_and_writes_only_the_files_table(template):
    # Given the processor's role
    statements = role_statements(template, "ProcessUploadFunction")

    # Then it may put file records, and send failures to its DLQ, nothing else
    grants = {(str(s["Action"]), str(s["Resource"])) for s in statements}
    assert ("dynamodb:PutItem", str({"Fn::GetAtt": ["FilesTable", "Arn"]})) in grants
    assert not any("FilesBucket" in resource for _, resource in grants)
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert actions == {"dynamodb:PutItem", "sqs:SendMessage"}


def test_the_processor_reads_uploads_through_the_bucket_policy_only_under_users(template):
    statements = template["Resources"]["FilesBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    (read,) = [s for s in statements if s.get("Sid") == "ProcessorReadsUploads"]
    assert read["Effect"] == "Allow"
    assert read["Principal"] == {"AWS": {"Fn::GetAtt": ["ProcessUploadFunctionRole", "Arn"]}}
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == {"Fn::Sub": "${FilesBucket.Arn}/users/*"}


def test_a_failed_processing_ends_in_an_alarmed_dead_letter_queue(template):
    (config,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig"
        and r["Properties"]["FunctionName"] == {"Ref": "ProcessUploadFunction"}
    ]
    assert config["MaximumRetryAttempts"] == 2
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["FilesProcessingDeadLetterQueue", "Arn"]}


def test_the_upload_function_signs_put_only_under_users_with_the_size_bound(raw_template):
    function = raw_template["Resources"]["CreateUploadFunction"]["Properties"]
    assert function["Environment"]["Variables"]["MAX_UPLOAD_BYTES"] == {"Ref": "MaxUploadBytes"}
    (statement,) = function["Policies"][0]["Statement"]
    assert (statement["Action"], statement["Resource"]) == (
        "s3:PutObject",
        {"Fn::Sub": "${FilesBucket.Arn}/users/*"},
    )


def test_max_upload_bytes_stays_within_one_s3_post(raw_template):
    parameter = raw_template["Parameters"]["MaxUploadBytes"]
    assert 1 <= parameter["MinValue"] <= parameter["Default"] <= parameter["MaxValue"]
    assert parameter["MaxValue"] <= 5 * 1024**3  # S3's largest single upload


def test_the_list_function_may_only_query_the_files_table(template):
    statements = role_statements(template, "ListFilesFunction")
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("dynamodb:Query", {"Fn::GetAtt": ["FilesTable", "Arn"]})
    ]


def test_files_are_listed_by_owner_and_name(raw_template):
    keys = raw_template["Resources"]["FilesTable"]["Properties"]["KeySchema"]
    assert [(k["AttributeName"], k["KeyType"]) for k in keys] == [
        ("owner", "HASH"),
        ("name", "RANGE"),
    ]


def test_browsers_may_post_uploads_and_follow_downloads_from_the_allowed_origin_only(
    raw_template,
):
    (rule,) = raw_template["Resources"]["FilesBucket"]["Properties"]["CorsConfiguration"][
        "CorsRules"
    ]
    # POST: the presigned form of POST /v1/uploads; GET: GET /v1/files/{name}'s redirect.
    assert rule["AllowedMethods"] == ["GET", "POST"]
    assert rule["AllowedOrigins"] == [{"Ref": "CorsAllowOrigin"}]


def test_listing_and_uploads_use_cognito(template):
    guarded = {
        (path, verb): operation.get("security")
        for path, verb, operation in methods(template)
        if path in ("/v1/files", "/v1/uploads") and verb != "OPTIONS"
    }
    assert guarded == {
        ("/v1/files", "GET"): [{"CognitoAuthorizer": []}],
        ("/v1/uploads", "POST"): [{"CognitoAuthorizer": []}],
    }


def test_granting_the_read_through_the_role_would_be_the_cycle(template):
    # Given the processor's role also naming the bucket (the usual way, and the trap)
    trapped = copy.deepcopy(template)
    role = trapped["Resources"]["ProcessUploadFunctionRole"]["Properties"]
    role["Policies"][0]["PolicyDocument"]["Statement"].append(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::GetAtt": ["FilesBucket", "Arn"]},
        }
    )

    # Then the check finds the loop CloudFormation would refuse
    cycle = dependency_cycle(trapped)
    assert cycle is not None
    assert {"FilesBucket", "ProcessUploadFunctionRole"} <= set(cycle)
