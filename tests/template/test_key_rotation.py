"""Partner API keys that rotate themselves, as deployed: a secret per partner with a rotation
schedule, the rotation function's rights, and the one-time schedules that retire old keys."""

import pytest

from tests.template.conftest import resources_of_type

pytestmark = pytest.mark.domain("products")

SECRETS_PREFIX = (
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:"
    "secret:${AWS::StackName}/partners/*"
)


def function_statements(template):
    role = template["Resources"]["RotatePartnerKeyFunctionRole"]["Properties"]
    return [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_the_demo_partners_key_rotates_every_rotation_days_outside_prod(template):
    # Prod partners are onboarded with a secret and a schedule of their own.
    (schedule,) = resources_of_type(template, "AWS::SecretsManager::RotationSchedule").values()
    assert schedule["Condition"] == "IsNotProd"
    assert template["Resources"]["PartnerDemoApiKeySecret"]["Condition"] == "IsNotProd"
    properties = schedule["Properties"]
    assert properties["RotationLambdaARN"] == {"Fn::GetAtt": ["RotatePartnerKeyFunction", "Arn"]}
    assert properties["RotationRules"] == {"AutomaticallyAfterDays": {"Ref": "ApiKeyRotationDays"}}
    assert properties["SecretId"] == {"Ref": "PartnerDemoApiKeySecret"}


def test_rotation_and_grace_are_parameters_with_90_days_by_default(raw_template):
    parameters = raw_template["Parameters"]
    assert parameters["ApiKeyRotationDays"]["Default"] == 90
    assert parameters["ApiKeyGracePeriodSeconds"]["MinValue"] == 0
    variables = raw_template["Resources"]["RotatePartnerKeyFunction"]["Properties"]["Environment"]
    assert variables["Variables"]["API_KEY_GRACE_SECONDS"] == {"Ref": "ApiKeyGracePeriodSeconds"}


def test_the_secret_names_the_partner_plan_and_its_first_key(raw_template):
    secret = raw_template["Resources"]["PartnerDemoApiKeySecret"]["Properties"]
    text = secret["SecretString"]["Fn::Sub"]
    assert '"usagePlanId": "${PartnerUsagePlan}"' in text
    assert '"apiKeyId": "${PartnerDemoApiKey}"' in text


def test_secrets_manager_may_invoke_the_rotation_for_the_stacks_partner_secrets_only(template):
    permission = template["Resources"]["RotatePartnerKeyPermission"]["Properties"]
    assert permission["Principal"] == "secretsmanager.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::Sub": SECRETS_PREFIX}
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_the_rotation_function_holds_only_what_its_steps_call(template):
    grants = {
        action
        for statement in function_statements(template)
        for action in as_list(statement["Action"])
    }
    assert grants == {
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
        "apigateway:POST",
        "apigateway:GET",
        "apigateway:PATCH",
        "scheduler:CreateSchedule",
        "iam:PassRole",
    }
    (secrets,) = [
        s for s in function_statements(template) if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    assert secrets["Resource"] == {"Fn::Sub": SECRETS_PREFIX}
    (pass_role,) = [s for s in function_statements(template) if s["Action"] == "iam:PassRole"]
    assert pass_role["Resource"] == {"Fn::GetAtt": ["ApiKeyRetirementRole", "Arn"]}
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
    }


def test_only_the_partner_plan_takes_new_keys(template):
    (adds,) = [s for s in function_statements(template) if s["Action"] == "apigateway:POST"]
    plan_keys = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/usageplans/${PartnerUsagePlan}"
    assert adds["Resource"][1] == {"Fn::Sub": plan_keys + "/keys"}


def test_the_scheduler_may_invoke_the_rotation_function_only(template):
    role = template["Resources"]["ApiKeyRetirementRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    ((statement,),) = [p["PolicyDocument"]["Statement"] for p in role["Policies"]]
    assert statement["Action"] == "lambda:InvokeFunction"
    function = template["Resources"]["RotatePartnerKeyFunction"]["Properties"]["FunctionName"]
    assert function == {"Fn::Sub": "${AWS::StackName}-rotate-keys"}
    assert statement["Resource"]["Fn::Sub"].endswith(":function:${AWS::StackName}-rotate-keys")
