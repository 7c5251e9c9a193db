"""The REST API's definition lives in api/openapi.yaml, which template.yaml's RestApi includes
(`DefinitionBody: Fn::Transform: AWS::Include`); docs/architecture.md, "The API definition".

Each tool on the deploy and local paths is run here with its own code on the real files:
aws-sam-translator on the template as written (what `sam validate` runs), SAM CLI's packager
(what `sam deploy` uploads, and whether the deploy role may read it back), SAM CLI's route
discovery (`sam local start-api`).
"""

import copy
import fnmatch
import re
from typing import Any

import boto3
import pytest
from moto import mock_aws
from samcli.lib.bootstrap.bootstrap import SAM_CLI_STACK_NAME
from samcli.lib.package.artifact_exporter import Template
from samcli.lib.package.code_signer import CodeSigner
from samcli.lib.package.s3_uploader import S3Uploader
from samcli.lib.package.uploaders import Uploaders
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.yaml_helper import yaml_parse

from local_gateway import language_extensions
from tests.template.conftest import (
    ROOT,
    _NoManagedPolicyLookups,
    methods,
    rest_api_body,
    transform,
    with_code_in_s3,
)
from tests.template.deploy_actions import role_documents

pytestmark = pytest.mark.domain("core")

TEMPLATE = ROOT / "template.yaml"
INCLUDE = {
    "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "api/openapi.yaml"}}
}
PARAMETERS = {
    "Stage": "dev",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::StackName": "sample-api-dev",
}
# The bucket `resolve_s3` makes: SAM CLI's managed stack's SamCliSourceBucket, named by
# CloudFormation <stack>-<logical id>-<suffix>.
ARTIFACT_BUCKET = f"{SAM_CLI_STACK_NAME}-samclisourcebucket-1x2y3z4w5v6u"
LAMBDA_URI = re.compile(r"/functions/\$\{(\w+)Aliaslive\}/invocations$")


def as_written() -> dict[str, Any]:
    """template.yaml as the tools read it: the include not inlined (the Fn::ForEach loops
    unrolled, as SAM CLI does with `language_extensions` on, samconfig.toml)."""
    return language_extensions.unroll(yaml_parse(TEMPLATE.read_text()), {})


def test_the_rest_api_takes_its_whole_definition_from_api_openapi_yaml():
    # Given the template as written
    api = as_written()["Resources"]["RestApi"]["Properties"]
    # Then its body is the included file, and no SAM property edits that body (SAM can only
    # edit a body it can read: Auth, Cors, Models, GatewayResponses, BinaryMediaTypes)
    assert api["DefinitionBody"] == INCLUDE
    editing = {"Auth", "Cors", "Models", "GatewayResponses", "BinaryMediaTypes", "DefinitionUri"}
    assert editing.isdisjoint(api)


def test_the_sam_transform_accepts_the_template_as_written():
    # Given the template with its include not inlined (what `sam validate` and any tool that
    # runs aws-sam-translator on template.yaml sees)
    # When the SAM transform runs on it
    transformed = transform(with_code_in_s3(as_written()), PARAMETERS, _NoManagedPolicyLookups())
    # Then it succeeds and hands the include on to CloudFormation untouched
    assert transformed["Resources"]["RestApi"]["Properties"]["Body"] == INCLUDE


def test_sams_cors_property_beside_an_included_body_fails_the_transform_as_written():
    # Given the template with SAM's Cors property beside the include (the other design)
    template = as_written()
    template["Resources"]["RestApi"]["Properties"]["Cors"] = {"AllowOrigin": "'*'"}
    # When the SAM transform runs on it as written
    with pytest.raises(InvalidDocumentException) as raised:
        transform(with_code_in_s3(template), PARAMETERS, _NoManagedPolicyLookups())
    # Then it refuses (aws/serverless-application-model#664): why the file is complete
    assert "does not contain a valid Swagger definition" in str(raised.value)


def test_every_path_answers_the_cors_preflight_with_the_stages_origin(template):
    # Given the deployed API's body (after the SAM transform, which post-processes OPTIONS)
    body = rest_api_body(template)
    for path, item in body["paths"].items():
        preflight = item["options"]
        # Then each path has the mock preflight, its headers OpenAPI 3 header objects
        headers = preflight["responses"]["200"]["headers"]
        assert headers == {
            "Access-Control-Allow-Origin": {"schema": {"type": "string"}},
            "Access-Control-Allow-Methods": {"schema": {"type": "string"}},
            "Access-Control-Allow-Headers": {"schema": {"type": "string"}},
            "Access-Control-Max-Age": {"schema": {"type": "integer"}},
        }, path
        integration = preflight["x-amazon-apigateway-integration"]
        origin = integration["responses"]["default"]["responseParameters"]
        assert integration["type"] == "mock"
        assert origin["method.response.header.Access-Control-Allow-Origin"] == {
            "Fn::Sub": "'${CorsAllowOrigin}'"
        }
        assert "security" not in preflight


def lambda_routes(template: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(path, METHOD) -> the function its integration invokes, from the deployed body."""
    routes = {}
    for path, method, operation in methods(template):
        uri = operation.get("x-amazon-apigateway-integration", {}).get("uri", {})
        found = LAMBDA_URI.search(uri.get("Fn::Sub", "")) if isinstance(uri, dict) else None
        if found:
            routes[path, method] = found.group(1)
    return routes


@pytest.fixture(scope="module")
def sam_local_routes() -> dict[tuple[str, str], str]:
    """What `sam local start-api` serves, found by SAM CLI's own providers on template.yaml."""
    # language_extensions = true in samconfig.toml: SAM CLI unrolls the Fn::ForEach loops.
    stacks, _ = SamLocalStackProvider.get_stacks(
        template_file=str(TEMPLATE), language_extensions_enabled=True
    )
    api = ApiProvider(stacks, cwd=str(ROOT)).api
    return {
        (route.path, method): route.function_name
        for route in api.routes
        for method in route.methods
        if route.function_name
    }


def test_sam_local_start_api_finds_every_lambda_route_with_its_function(template, sam_local_routes):
    # Given every Lambda route of the API definition and the function it invokes
    expected = lambda_routes(template)
    assert expected, "the API definition names no Lambda route"
    # When SAM CLI discovers the routes of template.yaml
    # Then each is served by its function
    missing = {route: f for route, f in expected.items() if sam_local_routes.get(route) != f}
    assert not missing, f"sam local start-api would not serve: {missing}"


@pytest.fixture(scope="module")
def packaged() -> tuple[dict[str, Any], dict[str, bytes]]:
    """`sam deploy`'s packaging (SAM CLI's exporter) into a moto S3 artifact bucket: the
    template it hands CloudFormation, and the objects it uploaded."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
        uploader = S3Uploader(s3, ARTIFACT_BUCKET, "sample-api-dev", no_progressbar=True)
        exported = Template(
            str(TEMPLATE), str(ROOT), Uploaders(uploader, None), CodeSigner(None, None)
        ).export()
        objects = {
            item["Key"]: s3.get_object(Bucket=ARTIFACT_BUCKET, Key=item["Key"])["Body"].read()
            for item in s3.list_objects_v2(Bucket=ARTIFACT_BUCKET)["Contents"]
        }
    return exported, objects


# Where the template includes each file: the API's definition into the RestApi's body, the
# stack's operations (alarms, dashboard, WAF) among the resources.
INCLUDED_FILES = {
    "api/openapi.yaml": ("Resources", "RestApi", "Properties", "DefinitionBody"),
    "ops/resources.yaml": ("Resources",),
}


def included_location(exported: dict[str, Any], file: str = "api/openapi.yaml") -> str:
    node = exported
    for key in INCLUDED_FILES[file]:
        node = node[key]
    location: str = node["Fn::Transform"]["Parameters"]["Location"]
    return location


@pytest.mark.parametrize("file", INCLUDED_FILES)
def test_sam_deploy_uploads_each_included_file_and_includes_it_from_s3(packaged, file):
    # Given the template as `sam deploy` packages it
    exported, objects = packaged
    # When an include's location is read
    location = included_location(exported, file)
    # Then it is the artifact bucket's copy of the file, byte for byte
    bucket, _, key = location.removeprefix("s3://").partition("/")
    assert bucket == ARTIFACT_BUCKET
    assert objects[key] == (ROOT / file).read_bytes()


def _resolved(value: Any, parameters: dict[str, str]) -> str | None:
    """A policy's Resource as a pattern: a string, or a Sub of known names; None otherwise."""
    if isinstance(value, str):
        return value
    text = value.get("Fn::Sub") if isinstance(value, dict) else None
    if not isinstance(text, str):
        return None
    names = set(re.findall(r"\$\{([\w:]+)\}", text))
    if not names <= set(parameters):
        return None
    return re.sub(r"\$\{([\w:]+)\}", lambda m: parameters[m.group(1)], text)


def allows(documents: list[dict[str, Any]], action: str, resource: str) -> bool:
    """True if an Allow statement of the documents matches the action and the resource ARN."""
    pseudo = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}
    for document in documents:
        for statement in document["Statement"]:
            actions = statement["Action"]
            resources = statement.get("Resource", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = resources if isinstance(resources, list) else [resources]
            patterns = [p for r in resources if (p := _resolved(r, pseudo)) is not None]
            if (
                statement["Effect"] == "Allow"
                and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions)
                and any(fnmatch.fnmatchcase(resource, p) for p in patterns)
            ):
                return True
    return False


@pytest.fixture(scope="module")
def deploy_role_documents() -> list[dict[str, Any]]:
    bootstrap = yaml_parse((ROOT / "bootstrap" / "template.yaml").read_text())
    return role_documents(bootstrap, "DeployRole")


def object_arn(location: str) -> str:
    return "arn:aws:s3:::" + location.removeprefix("s3://")


@pytest.mark.parametrize("file", INCLUDED_FILES)
def test_the_deploy_role_may_read_each_included_file_cloudformation_fetches(
    packaged, deploy_role_documents, file
):
    # Given an uploaded included file, which CloudFormation fetches with the deploying
    # principal's credentials when it runs AWS::Include
    arn = object_arn(included_location(packaged[0], file))
    # When the deploy role's policies are asked for s3:GetObject on it
    # Then one allows it
    assert allows(deploy_role_documents, "s3:GetObject", arn)


def test_the_read_check_fails_without_the_artifact_buckets_grant(packaged, deploy_role_documents):
    # Given the deploy role without the statement on SAM's artifact bucket
    documents = copy.deepcopy(deploy_role_documents)
    for document in documents:
        document["Statement"] = [
            s for s in document["Statement"] if "s3:GetObject" not in str(s["Action"])
        ]
    # When the same check runs
    # Then it finds no grant: a deploy would fail to include the file
    assert not allows(documents, "s3:GetObject", object_arn(included_location(packaged[0])))


def transforms_used(template: Any) -> set[str]:
    """The transforms a template names: its Transform section and every Fn::Transform."""
    found: set[str] = set()
    if isinstance(template, dict):
        for key, value in template.items():
            if key == "Transform":
                found.update([value] if isinstance(value, str) else value)
            elif key == "Fn::Transform":
                found.add(value["Name"])
            else:
                found |= transforms_used(value)
    elif isinstance(template, list):
        for item in template:
            found |= transforms_used(item)
    return found


def test_the_deploy_role_may_create_change_sets_with_every_transform_the_template_uses(
    deploy_role_documents,
):
    # Given the transforms template.yaml uses (a change set is authorised on each one's ARN,
    # arn:<partition>:cloudformation:<region>:aws:transform/<name without AWS::>)
    used = transforms_used(as_written())
    assert {"AWS::Serverless-2016-10-31", "AWS::Include"} <= used
    # When the deploy role is asked for cloudformation:CreateChangeSet on each
    missing = [
        name
        for name in sorted(used)
        if not allows(
            deploy_role_documents,
            "cloudformation:CreateChangeSet",
            f"arn:aws:cloudformation:us-east-1:aws:transform/{name.removeprefix('AWS::')}",
        )
    ]
    # Then none is missing
    assert missing == []
