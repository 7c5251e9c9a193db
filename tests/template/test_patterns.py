"""The routes of the seeds' patterns as deployed: IAM callers, the Lambda custom integration,
the masked directory and the catalog's graceful degradation."""

import json

import pytest

from tests.template.conftest import resources_of_type, rest_api_body


def operation(template, path, method):
    return rest_api_body(template)["paths"][path][method]


def invokable_functions(template):
    """The functions API Gateway may invoke (through their `live` alias)."""
    return {
        permission["Properties"]["FunctionName"].get("Ref").removesuffix("Aliaslive")
        for permission in resources_of_type(template, "AWS::Lambda::Permission").values()
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }


# --- GET /v1/internal/users/{id}: AWS_IAM ----------------------------------------------------


def test_the_internal_route_is_guarded_by_sigv4_only(stage_template):
    _, template = stage_template
    internal = operation(template, "/v1/internal/users/{id}", "get")

    assert internal["security"] == [{"sigv4": []}]
    scheme = rest_api_body(template)["components"]["securitySchemes"]["sigv4"]
    assert scheme == {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "awsSigv4",
    }
    integration = internal["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy"
    assert "${GetInternalUserFunctionAliaslive}" in integration["uri"]["Fn::Sub"]
    # The function is invoked by API Gateway's own permission, not with the caller's credentials
    assert "credentials" not in integration
    assert "GetInternalUserFunction" in invokable_functions(template)


def test_sigv4_guards_the_internal_routes_alone_and_each_has_its_invoke_policy(template):
    # Given every route of the API but the CORS preflights (a fork adds internal routes under
    # /v1/internal/: docs/how-to/add-an-iam-authorized-route.md)
    operations = [
        (path, method, op)
        for path, item in rest_api_body(template)["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and method != "options"
    ]
    guarded = {
        (path, method) for path, method, op in operations if {"sigv4": []} in op.get("security", [])
    }
    internal = {
        (path, method) for path, method, _ in operations if path.startswith("/v1/internal/")
    }
    # When the ones SigV4 guards are compared with the internal ones
    # Then they are the same routes, each guarded by SigV4 only, and a managed policy of the
    # template allows invoking each
    assert ("/v1/internal/users/{id}", "get") in guarded
    assert guarded == internal
    invokable = " ".join(
        json.dumps(statement["Resource"])
        for policy in resources_of_type(template, "AWS::IAM::ManagedPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "execute-api:Invoke"
    )
    for path, method, op in operations:
        if (path, method) in guarded:
            assert op["security"] == [{"sigv4": []}], path
            assert f"/{method.upper()}{path.split('{')[0]}" in invokable, path


def test_the_invoke_policy_allows_exactly_that_method_in_this_stage(raw_template):
    resource = raw_template["Resources"]["InternalUsersInvokePolicy"]
    (statement,) = resource["Properties"]["PolicyDocument"]["Statement"]

    assert resource["Type"] == "AWS::IAM::ManagedPolicy"
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
        "${RestApi}/${Stage}/GET/v1/internal/users/*"
    }
    assert raw_template["Outputs"]["InternalUsersInvokePolicyArn"]["Value"] == {
        "Ref": "InternalUsersInvokePolicy"
    }


# --- POST /v2/users: Lambda custom integration -----------------------------------------------


def test_v2_create_is_a_cognito_lambda_custom_integration_with_a_validated_body(stage_template):
    _, template = stage_template
    create = operation(template, "/v2/users", "post")
    integration = create["x-amazon-apigateway-integration"]

    assert create["security"] == [{"CognitoAuthorizer": []}]
    assert create["x-amazon-apigateway-request-validator"] == "body-only"
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/createuser"
    }
    assert integration["type"] == "aws"
    assert integration["httpMethod"] == "POST"
    assert "${CreateUserV2FunctionAliaslive}/invocations" in integration["uri"]["Fn::Sub"]
    assert integration["passthroughBehavior"] == "never"
    assert set(integration["requestTemplates"]) == {"application/json"}
    assert "CreateUserV2Function" in invokable_functions(template)


def test_v2_create_maps_each_refusal_and_a_catch_all_to_its_status(template):
    responses = operation(template, "/v2/users", "post")["x-amazon-apigateway-integration"][
        "responses"
    ]

    statuses = sorted(spec["statusCode"] for spec in responses.values())
    assert statuses == ["201", "400", "409", "422", "500"]
    assert responses["default"]["statusCode"] == "201"
    # No response template passes the function's error object (message, trace) through
    for pattern, spec in responses.items():
        if pattern != "default":
            template_text = spec["responseTemplates"]["application/json"]
            assert "stackTrace" not in template_text
            assert template_text == "$input.path('$.errorMessage').substring(4)" or (
                "errorMessage" not in template_text
            )


# --- GET /v1/directory/{id}: masking in the response template ---------------------------------


def test_the_directory_is_a_cognito_dynamodb_read_with_its_own_role(stage_template):
    _, template = stage_template
    directory = operation(template, "/v1/directory/{id}", "get")
    integration = directory["x-amazon-apigateway-integration"]

    assert directory["security"] == [{"CognitoAuthorizer": []}]
    assert integration["type"] == "aws"
    assert integration["uri"]["Fn::Sub"].endswith(":dynamodb:action/GetItem")
    assert integration["credentials"] == {"Fn::GetAtt": ["DirectoryIntegrationRole", "Arn"]}


def test_the_directory_template_writes_the_email_only_under_the_admins_check(template):
    text = operation(template, "/v1/directory/{id}", "get")["x-amazon-apigateway-integration"][
        "responses"
    ]["default"]["responseTemplates"]["application/json"]

    before, _, after = text.partition("$groups.matches(")
    assert "email" not in before
    assert "admins" in after.split("\n", 1)[0]


# --- graceful degradation ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/products", "/v1/products/{id}", "/v1/directory/{id}"])
def test_dynamodb_failures_are_503_with_retry_after_and_a_short_timeout(template, path):
    integration = operation(template, path, "get")["x-amazon-apigateway-integration"]
    failure = integration["responses"]["5\\d{2}"]

    assert failure["statusCode"] == "503"
    assert failure["responseParameters"]["method.response.header.Retry-After"] == "'5'"
    assert "$input" not in json.dumps(failure["responseTemplates"])  # none of AWS's text
    assert integration["timeoutInMillis"] == 5000
    method_response = operation(template, path, "get")["responses"]["503"]
    assert "Retry-After" in method_response["headers"]


def test_a_timed_out_integration_is_503_with_retry_after(template):
    timeout = rest_api_body(template)["x-amazon-apigateway-gateway-responses"][
        "INTEGRATION_TIMEOUT"
    ]

    assert timeout["statusCode"] == "503"
    assert timeout["responseParameters"]["gatewayresponse.header.Retry-After"] == "'5'"


def test_every_api_function_times_out_before_the_api_stops_waiting(raw_template):
    # So INTEGRATION_TIMEOUT (503, "retry") can only come from a service integration
    default = raw_template["Globals"]["Function"]["Timeout"]
    for name, resource in raw_template["Resources"].items():
        events = resource.get("Properties", {}).get("Events", {}).values()
        if any(event["Type"] == "Api" for event in events):
            assert resource["Properties"].get("Timeout", default) < 29, name


def test_v2_creates_errors_alarm_leaves_refused_requests_out(raw_template):
    properties = raw_template["Resources"]["CreateUserV2ErrorsAlarm"]["Properties"]
    queries = {query["Id"]: query for query in properties["Metrics"]}

    refused = queries["refused"]["MetricStat"]["Metric"]
    assert queries["faults"]["Expression"] == "errors - FILL(refused, 0)"
    assert queries["faults"]["ReturnData"] is True
    assert refused["MetricName"] == "RequestRefused"
    assert {d["Name"]: d["Value"] for d in refused["Dimensions"]} == {
        "function": {"Ref": "CreateUserV2Function"},
        "service": "users",
    }
