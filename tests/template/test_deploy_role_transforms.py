"""The transforms template.yaml declares, and the deploy role allowed to use each.

CloudFormation runs a template's transforms while it creates the change set, and checks that
the caller may `cloudformation:CreateChangeSet` on each transform's ARN,
`arn:<partition>:cloudformation:<region>:aws:transform/<name>` (the name without `AWS::`), as it
checks the stack's own. A transform added to template.yaml (AWS::LanguageExtensions for its
Fn::ForEach loops, beside AWS::Serverless) fails here until bootstrap/template.yaml grants it.
"""

import fnmatch
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from local_gateway.template import parse_template_text
from tests.template.conftest import ROOT
from tests.template.deploy_actions import role_documents

BOOTSTRAP = ROOT / "bootstrap" / "template.yaml"
PARTITION, REGION = "aws", "eu-west-1"


def declared_transforms() -> list[str]:
    transform = parse_template_text((ROOT / "template.yaml").read_text())["Transform"]
    return transform if isinstance(transform, list) else [transform]


def transform_arn(transform: str) -> str:
    name = transform.removeprefix("AWS::")
    return f"arn:{PARTITION}:cloudformation:{REGION}:aws:transform/{name}"


def resources_allowed(documents: list[dict[str, Any]], action: str) -> list[str]:
    """The resource patterns the documents allow `action` on, `${AWS::...}` filled in."""
    allowed = []
    for document in documents:
        for statement in document["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            if statement["Effect"] != "Allow" or not any(
                fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions
            ):
                continue
            resources = statement["Resource"]
            for resource in [resources] if not isinstance(resources, list) else resources:
                text = resource["Fn::Sub"] if isinstance(resource, dict) else resource
                allowed.append(
                    text.replace("${AWS::Partition}", PARTITION).replace("${AWS::Region}", REGION)
                )
    return allowed


def may_create_change_set_on(documents: list[dict[str, Any]], arn: str) -> bool:
    patterns = resources_allowed(documents, "cloudformation:CreateChangeSet")
    return any(fnmatch.fnmatchcase(arn, pattern) for pattern in patterns)


@pytest.fixture(scope="module")
def deploy_policies() -> list[dict[str, Any]]:
    return role_documents(yaml_parse(BOOTSTRAP.read_text()), "DeployRole")


def test_template_yaml_declares_the_language_extensions_before_the_sam_transform():
    # Given the transforms template.yaml declares
    # When their order is read (CloudFormation runs them in the order listed)
    # Then the loops are unrolled before the SAM transform reads the template
    assert declared_transforms() == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


@pytest.mark.parametrize("transform", declared_transforms())
def test_the_deploy_role_may_create_change_sets_with_each_declared_transform(
    deploy_policies, transform
):
    # Given a transform template.yaml declares
    arn = transform_arn(transform)
    # When the deploy role's policies are searched for CreateChangeSet on its ARN
    # Then one allows it
    assert may_create_change_set_on(deploy_policies, arn), arn


def test_the_check_fails_when_the_transform_is_not_granted(deploy_policies):
    # Given the deploy role without the LanguageExtensions transform's ARN
    arn = transform_arn("AWS::LanguageExtensions")
    stripped = [
        {
            **document,
            "Statement": [
                {
                    **statement,
                    "Resource": [
                        r
                        for r in (
                            statement["Resource"]
                            if isinstance(statement["Resource"], list)
                            else [statement["Resource"]]
                        )
                        if "transform/LanguageExtensions" not in str(r)
                    ],
                }
                for statement in document["Statement"]
            ],
        }
        for document in deploy_policies
    ]
    # When the check runs
    # Then it refuses
    assert not may_create_change_set_on(stripped, arn)


def test_intrinsics_in_deletion_and_replace_policies_come_with_the_language_extensions():
    # Given the resources whose DeletionPolicy or UpdateReplacePolicy is an intrinsic
    # (`!If [IsProd, Retain, Delete]`), which CloudFormation accepts only under
    # AWS::LanguageExtensions ("Intrinsic function references in DeletionPolicy and
    # UpdateReplacePolicy attributes", CloudFormation User Guide)
    resources = parse_template_text((ROOT / "template.yaml").read_text())["Resources"]
    computed = [
        name
        for name, resource in resources.items()
        if isinstance(resource, dict)
        and any(
            isinstance(resource.get(p), dict) for p in ("DeletionPolicy", "UpdateReplacePolicy")
        )
    ]
    # When the template's transforms are read
    # Then the language extensions are among them
    assert computed
    assert "AWS::LanguageExtensions" in declared_transforms()
