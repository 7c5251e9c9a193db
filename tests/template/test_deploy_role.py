"""The account bootstrap stack (bootstrap/template.yaml): API Gateway's CloudWatch Logs role and
a deploy role complete by construction.

The deploy role must hold every action CloudFormation's handlers call to create, update and
delete each resource type of the stage template, in every stage (a rollback deletes and updates
what a failed deploy created: without, say, iam:ListRolePolicies the stack sits in
ROLLBACK_FAILED). The set comes from the resource schemas cfn-lint ships
(tests/template/deploy_actions.py), so a resource type added to template.yaml fails here until
the role grants what it needs.
"""

import json
import re
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.template.conftest import ROOT, STAGES, transformed
from tests.template.deploy_actions import (
    granted_actions,
    missing_actions,
    needed_actions,
    role_documents,
)

pytestmark = pytest.mark.domain("core")

BOOTSTRAP = ROOT / "bootstrap" / "template.yaml"
# IAM's quotas, whitespace not counted: a role's inline policies together, one managed policy.
ROLE_POLICY_CHARACTERS = 10_240
MANAGED_POLICY_CHARACTERS = 6_144

NEEDED = needed_actions([transformed(stage) for stage in STAGES])


@pytest.fixture(scope="module")
def bootstrap() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml_parse(BOOTSTRAP.read_text())
    return loaded


@pytest.fixture(scope="module")
def deploy_role(bootstrap) -> dict[str, Any]:
    role: dict[str, Any] = bootstrap["Resources"]["DeployRole"]
    return role


@pytest.fixture(scope="module")
def deploy_policies(bootstrap) -> list[dict[str, Any]]:
    """The deploy role's inline policies and the managed policies it attaches."""
    return role_documents(bootstrap, "DeployRole")


def test_the_deploy_role_grants_every_action_the_stage_templates_need(deploy_policies):
    # Given every action the handlers of every stage's resource types call
    # When it is compared with what the role grants
    missing = missing_actions(set(NEEDED), granted_actions(deploy_policies))

    # Then none is missing
    assert not missing, "\n".join(
        f"{action} (for {', '.join(sorted(NEEDED[action]))})" for action in sorted(missing)
    )


@pytest.mark.parametrize("action", sorted(NEEDED))
def test_the_check_fails_when_any_one_action_is_removed(deploy_policies, action):
    # Given the role without this one action
    granted = [a for a in granted_actions(deploy_policies) if a.lower() != action.lower()]

    # When the completeness check runs
    missing = missing_actions(set(NEEDED), granted)

    # Then it names exactly that action (no wildcard covers it in passing)
    assert missing == {action}


@pytest.mark.parametrize(
    "action", ["iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:UpdateAssumeRolePolicy"]
)
def test_a_failed_first_deploy_can_roll_back_the_roles_it_created(deploy_policies, action):
    # Given the actions CloudFormation calls to update or delete a role it created
    # When the deploy role is read
    # Then it holds them (else a rollback leaves the stack in ROLLBACK_FAILED)
    assert action in granted_actions(deploy_policies)


def test_the_deploy_role_uses_no_wildcard_action(deploy_policies):
    # Given the schemas name each action (no handler needs a wildcard)
    # When the role's actions are read
    wildcards = [action for action in granted_actions(deploy_policies) if "*" in action]

    # Then every one is spelled out
    assert not wildcards


def written_size(document: Any) -> int:
    return len(re.sub(r"\s", "", json.dumps(document)))


def test_the_deploy_roles_policies_fit_iams_size_quotas(bootstrap, deploy_role):
    # Given IAM counts policies without whitespace
    inline = written_size(deploy_role["Properties"]["Policies"])
    managed = {
        arn["Ref"]: written_size(bootstrap["Resources"][arn["Ref"]]["Properties"]["PolicyDocument"])
        for arn in deploy_role["Properties"]["ManagedPolicyArns"]
    }

    # Then the inline ones fit a role's 10,240 characters, each managed one its 6,144
    assert inline < ROLE_POLICY_CHARACTERS, inline
    assert all(size < MANAGED_POLICY_CHARACTERS for size in managed.values()), managed


def test_only_the_repositorys_github_environments_assume_the_deploy_role(deploy_role):
    (statement,) = deploy_role["Properties"]["AssumeRolePolicyDocument"]["Statement"]

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
    }
    assert statement["Condition"]["StringLike"] == {
        "token.actions.githubusercontent.com:sub": {
            "Fn::Sub": "repo:${GitHubRepository}:environment:*"
        }
    }


def test_the_bootstrap_sets_api_gateways_cloudwatch_logs_role(bootstrap):
    # Given a fresh account, where a stage with logging fails without API Gateway's account role
    resources = bootstrap["Resources"]
    account = resources["ApiGatewayAccount"]
    role = resources["ApiGatewayCloudWatchRole"]

    # Then the bootstrap sets it, with a role API Gateway may assume to push logs, and keeps
    # both if the bootstrap stack is deleted
    assert account["Type"] == "AWS::ApiGateway::Account"
    assert account["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]
    }
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert role["Properties"]["ManagedPolicyArns"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs"
        }
    ]
    assert account["DeletionPolicy"] == role["DeletionPolicy"] == "Retain"


def test_the_stage_template_leaves_the_account_setting_to_the_bootstrap(stage_template):
    # One setting per account and region: a stage's stack must not own (and delete) it
    _, template = stage_template
    assert "AWS::ApiGateway::Account" not in {r["Type"] for r in template["Resources"].values()}


@pytest.mark.parametrize(
    "action",
    [
        "lambda:GetAccountSettings",  # preflight: concurrency
        "apigateway:GET",  # preflight: API Gateway's account setting; stage-test: demo keys
        "cloudformation:DescribeStacks",  # stage-test: the stage's URL
    ],
)
def test_the_deploy_role_can_run_preflight_and_the_stage_test(deploy_policies, action):
    assert action in granted_actions(deploy_policies)
