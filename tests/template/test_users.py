"""The users service in the template: guards, validation, least privilege, data safety."""

import pytest

from tests.template.conftest import resources_of_type, rest_api_body

pytestmark = pytest.mark.domain("users")

USERS_ROUTES = {
    ("/v1/users", "GET"): "ListUsersFunction",
    ("/v1/users", "POST"): "CreateUserFunction",
    ("/v1/users/{id}", "GET"): "GetUserFunction",
    ("/v1/users/{id}", "PUT"): "UpdateUserFunction",
    ("/v1/users/{id}", "DELETE"): "DeleteUserFunction",
    ("/v2/users/{id}", "GET"): "GetUserV2Function",
}
BODY_MODELS = {("/v1/users", "POST"): "createuser", ("/v1/users/{id}", "PUT"): "updateuser"}
# Exactly the actions each function's code calls, on exactly these resources.
ALLOWED = {
    "ListUsersFunction": {("dynamodb:Query", "UsersTable/index/UsersByCreatedAt")},
    "CreateUserFunction": {
        ("dynamodb:PutItem", "UsersTable"),
        ("dynamodb:GetItem", "IdempotencyTable"),
        ("dynamodb:PutItem", "IdempotencyTable"),
        ("dynamodb:UpdateItem", "IdempotencyTable"),
        ("dynamodb:DeleteItem", "IdempotencyTable"),
    },
    "GetUserFunction": {("dynamodb:GetItem", "UsersTable")},
    "GetUserV2Function": {("dynamodb:GetItem", "UsersTable")},
    "GetInternalUserFunction": {("dynamodb:GetItem", "UsersTable")},
    "CreateUserV2Function": {
        ("dynamodb:PutItem", "UsersTable"),
        ("dynamodb:GetItem", "IdempotencyTable"),
        ("dynamodb:PutItem", "IdempotencyTable"),
        ("dynamodb:UpdateItem", "IdempotencyTable"),
        ("dynamodb:DeleteItem", "IdempotencyTable"),
    },
    "UpdateUserFunction": {
        ("dynamodb:GetItem", "UsersTable"),
        ("dynamodb:UpdateItem", "UsersTable"),
        ("dynamodb:PutItem", "UsersTable"),
        ("dynamodb:DeleteItem", "UsersTable"),
    },
    "DeleteUserFunction": {
        ("dynamodb:GetItem", "UsersTable"),
        ("dynamodb:DeleteItem", "UsersTable"),
    },
}


def operation(template, path, method):
    return rest_api_body(template)["paths"][path][method.lower()]


@pytest.mark.parametrize(("path", "method"), sorted(USERS_ROUTES))
def test_users_route_is_guarded_by_the_cognito_authorizer(stage_template, path, method):
    _, template = stage_template

    assert operation(template, path, method)["security"] == [{"CognitoAuthorizer": []}]
    schemes = rest_api_body(template)["components"]["securitySchemes"]
    assert schemes["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [{"Fn::GetAtt": ["UserPool", "Arn"]}],
    }


@pytest.mark.parametrize(("path", "method"), sorted(USERS_ROUTES))
def test_users_route_proxies_to_its_own_function(template, path, method):
    integration = operation(template, path, method)["x-amazon-apigateway-integration"]

    assert integration["type"] == "aws_proxy"
    # The function's `live` alias (AutoPublishAlias), which CodeDeploy shifts.
    assert f"${{{USERS_ROUTES[path, method]}Aliaslive}}" in integration["uri"]["Fn::Sub"]


def test_each_function_may_be_invoked_by_the_api(template):
    permissions = resources_of_type(template, "AWS::Lambda::Permission").values()
    invokable = {
        p["Properties"]["FunctionName"].get("Ref")
        for p in permissions
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }

    assert {f"{function}Aliaslive" for function in USERS_ROUTES.values()} <= invokable


@pytest.mark.parametrize(("path", "method"), sorted(BODY_MODELS))
def test_bodies_are_validated_by_the_gateway_against_their_model(template, path, method):
    body = rest_api_body(template)
    op = operation(template, path, method)

    validator = body["x-amazon-apigateway-request-validators"][
        op["x-amazon-apigateway-request-validator"]
    ]
    assert validator["validateRequestBody"] is True
    assert op["requestBody"]["required"] is True
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{BODY_MODELS[path, method]}"
    assert BODY_MODELS[path, method] in body["components"]["schemas"]


def policy_grants(template, function):
    role = template["Resources"][f"{function}Role"]["Properties"]
    grants = set()
    for policy in role.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            resource = statement["Resource"]
            if "Fn::GetAtt" in resource:
                target = resource["Fn::GetAtt"][0]
            else:
                target = resource["Fn::Sub"].replace("${", "").replace(".Arn}", "")
            grants |= {(action, target) for action in actions}
    return grants


@pytest.mark.parametrize("function", sorted(ALLOWED))
def test_function_policy_holds_only_its_own_actions(stage_template, function):
    _, template = stage_template

    assert policy_grants(template, function) == ALLOWED[function]


@pytest.mark.parametrize("function", sorted(ALLOWED))
def test_function_has_its_log_group_and_service_name(raw_template, function):
    resources = raw_template["Resources"]
    variables = resources[function]["Properties"]["Environment"]["Variables"]
    log_group = resources[function.replace("Function", "LogGroup")]["Properties"]

    assert variables["POWERTOOLS_SERVICE_NAME"] == "users"
    assert log_group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("table", ["UsersTable", "IdempotencyTable"])
def test_tables_are_protected_in_prod(stage_template, table):
    _, template = stage_template
    resource = template["Resources"][table]
    properties = resource["Properties"]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    assert resource["DeletionPolicy"] == {"Fn::If": ["IsProd", "Retain", "Delete"]}
    assert resource["UpdateReplacePolicy"] == {"Fn::If": ["IsProd", "Retain", "Delete"]}


def test_idempotency_records_expire(raw_template):
    properties = raw_template["Resources"]["IdempotencyTable"]["Properties"]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_user_pool_has_a_password_policy_optional_mfa_and_prod_protection(raw_template):
    pool = raw_template["Resources"]["UserPool"]["Properties"]

    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["DeletionProtection"] == {"Fn::If": ["IsProd", "ACTIVE", "INACTIVE"]}


def test_app_client_allows_only_srp_and_refresh_with_short_tokens(raw_template):
    client = raw_template["Resources"]["UserPoolClient"]["Properties"]

    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["GenerateSecret"] is False
    assert client["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert client["AccessTokenValidity"] <= 60


def test_admins_group_exists(raw_template):
    group = raw_template["Resources"]["AdminsGroup"]["Properties"]

    assert group == {**group, "GroupName": "admins", "UserPoolId": {"Ref": "UserPool"}}


def test_outputs_name_the_pool_the_client_and_the_url(raw_template):
    assert {"ApiUrl", "UserPoolId", "UserPoolClientId"} <= set(raw_template["Outputs"])
