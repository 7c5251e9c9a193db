"""Products, files and telemetry as deployed: roles, caching, queues, bucket, guards, plans."""

import json

import pytest

from tests.template.conftest import resources_of_type, rest_api_body

pytestmark = pytest.mark.domain("core")

KEY_ROUTES = [("/v1/products", "get"), ("/v1/products/{id}", "get"), ("/v1/telemetry", "post")]
JWT_ROUTES = [
    ("/v1/products", "post"),
    ("/v1/telemetry", "post"),
    ("/v1/telemetry/{deviceId}", "get"),
]
COGNITO_ROUTES = [("/v1/files/{name}", "put"), ("/v1/files/{name}", "get"), ("/v1/uploads", "post")]
INTEGRATION_ROLES = {
    "ProductsIntegrationRole": {
        ("dynamodb:GetItem", '{"Fn::GetAtt": ["ProductsTable", "Arn"]}'),
        ("dynamodb:Query", '{"Fn::Sub": "${ProductsTable.Arn}/index/ProductsByCategory"}'),
    },
    "TelemetryIntegrationRole": {("sqs:SendMessage", '{"Fn::GetAtt": ["TelemetryQueue", "Arn"]}')},
    "DirectoryIntegrationRole": {("dynamodb:GetItem", '{"Fn::GetAtt": ["UsersTable", "Arn"]}')},
    "FilesIntegrationRole": {
        ("s3:PutObject", '{"Fn::Sub": "${FilesBucket.Arn}/users/*"}'),
    },
}  # fmt: skip


def operation(template, path, method):
    return rest_api_body(template)["paths"][path][method]


def grants(role):
    return {
        (action, json.dumps(statement["Resource"]))
        for policy in role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }


@pytest.mark.domain("users", "products", "telemetry", "files")
@pytest.mark.parametrize(("role", "expected"), sorted(INTEGRATION_ROLES.items()))
def test_each_integration_role_holds_only_what_its_integrations_call(template, role, expected):
    resource = template["Resources"][role]

    assert grants(resource) == expected
    (statement,) = resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}


@pytest.mark.domain("users", "products", "telemetry", "files")
def test_every_service_integration_uses_its_familys_role(template):
    roles = {
        path: operation["x-amazon-apigateway-integration"]["credentials"]["Fn::GetAtt"][0]
        for path, item in rest_api_body(template)["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict)
        and operation.get("x-amazon-apigateway-integration", {}).get("type") == "aws"
        and ":lambda:path/" not in str(operation["x-amazon-apigateway-integration"]["uri"])
    }

    # The sample's integrations, each with its family's role...
    assert {
        "/v1/products": "ProductsIntegrationRole",
        "/v1/products/{id}": "ProductsIntegrationRole",
        "/v1/telemetry": "TelemetryIntegrationRole",
        "/v1/files/{name}": "FilesIntegrationRole",
        "/v1/directory/{id}": "DirectoryIntegrationRole",
    }.items() <= roles.items()
    # ...and any route added under a family (add-a-direct-integration.md) uses that family's
    # role: /v1/<family>/... -> <Family>IntegrationRole.
    for path, role in roles.items():
        family = path.split("/")[2]
        assert role == f"{family.capitalize()}IntegrationRole", path


@pytest.mark.domain("products", "telemetry")
@pytest.mark.parametrize(("path", "method"), KEY_ROUTES)
def test_catalog_reads_and_ingestion_require_an_api_key(template, path, method):
    security = operation(template, path, method)["security"]

    assert all("api_key" in requirement for requirement in security)
    assert "api_key" in rest_api_body(template)["components"]["securitySchemes"]


@pytest.mark.domain("products", "telemetry")
@pytest.mark.parametrize(("path", "method"), JWT_ROUTES)
def test_partner_and_device_routes_use_the_jwt_authorizer(template, path, method):
    security = operation(template, path, method)["security"]

    assert all("JwtAuthorizer" in requirement for requirement in security)


@pytest.mark.domain("files")
@pytest.mark.parametrize(("path", "method"), COGNITO_ROUTES)
def test_files_and_uploads_use_cognito(template, path, method):
    assert operation(template, path, method)["security"] == [{"CognitoAuthorizer": []}]


@pytest.mark.domain("jwt-authorizer")
def test_jwt_authorizer_is_a_cached_bearer_token_authorizer(template):
    scheme = rest_api_body(template)["components"]["securitySchemes"]["JwtAuthorizer"]
    authorizer = scheme["x-amazon-apigateway-authorizer"]

    assert scheme["name"] == "Authorization"
    assert authorizer["type"] == "token"
    assert authorizer["authorizerResultTtlInSeconds"] == 300
    assert authorizer["identityValidationExpression"].startswith("^Bearer ")
    variables = template["Resources"]["JwtAuthorizerFunction"]["Properties"]["Environment"]
    assert variables["Variables"]["OIDC_ISSUER"] == {"Ref": "OidcIssuerUrl"}
    assert variables["Variables"]["OIDC_JWKS_URL"] == {"Ref": "OidcJwksUrl"}


@pytest.mark.domain("products")
def test_products_gets_are_cached_encrypted_in_prod_only(stage_template):
    _, template = stage_template
    (stage,) = resources_of_type(template, "AWS::ApiGateway::Stage").values()
    settings = {s["ResourcePath"]: s for s in stage["Properties"]["MethodSettings"]}

    assert stage["Properties"]["CacheClusterEnabled"] == {"Fn::If": ["IsProd", True, False]}
    for path in ("/~1v1~1products", "/~1v1~1products~1{id}"):
        assert settings[path]["CachingEnabled"] == {"Fn::If": ["IsProd", True, False]}
        assert settings[path]["CacheTtlInSeconds"] == {"Ref": "ProductsCacheTtlSeconds"}
    assert all(s["CacheDataEncrypted"] is True for s in settings.values())
    keys = {
        path: operation(template, path, "get")["x-amazon-apigateway-integration"][
            "cacheKeyParameters"
        ]
        for path in ("/v1/products", "/v1/products/{id}")
    }
    assert keys == {
        "/v1/products": ["method.request.querystring.category"],
        "/v1/products/{id}": ["method.request.path.id"],
    }


@pytest.mark.domain("telemetry")
def test_queue_outlasts_six_consumer_timeouts_and_has_a_dlq(template):
    queue = template["Resources"]["TelemetryQueue"]["Properties"]
    consumer = template["Resources"]["StoreReadingsFunction"]["Properties"]

    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["TelemetryDeadLetterQueue", "Arn"]
    }
    assert 1 < queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    assert queue["SqsManagedSseEnabled"] is True
    assert template["Resources"]["TelemetryDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"]


@pytest.mark.domain("telemetry")
def test_consumer_reports_partial_batch_failures(template):
    (mapping,) = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()

    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.domain("telemetry")
def test_dlq_depth_raises_an_alarm(template):
    alarm = template["Resources"]["TelemetryDeadLetterAlarm"]["Properties"]

    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"][0]["Value"] == {
        "Fn::GetAtt": ["TelemetryDeadLetterQueue", "QueueName"]
    }
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
        1,
        "GreaterThanOrEqualToThreshold",
    )


@pytest.mark.domain("files")
def test_files_bucket_is_private_encrypted_versioned_and_tidied(template):
    bucket = template["Resources"]["FilesBucket"]["Properties"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any("NoncurrentVersionExpiration" in rule for rule in rules)
    assert any("AbortIncompleteMultipartUpload" in rule for rule in rules)


@pytest.mark.domain("files")
def test_files_bucket_refuses_requests_without_tls(template):
    statements = template["Resources"]["FilesBucketPolicy"]["Properties"]["PolicyDocument"]

    assert {
        "Effect": "Deny",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }.items() <= statements["Statement"][0].items()


@pytest.mark.domain("files")
def test_file_keys_come_from_the_cognito_sub(template):
    spec = operation(template, "/v1/files/{name}", "put")["x-amazon-apigateway-integration"]

    assert spec["uri"]["Fn::Sub"].endswith("/users/{sub}/{name}")
    assert spec["requestParameters"]["integration.request.path.sub"] == (
        "context.authorizer.claims.sub"
    )
    assert spec["requestParameters"]["integration.request.path.name"] == (
        "method.request.path.name"
    )


@pytest.mark.domain("products", "telemetry")
def test_usage_plans_match_the_contracts_numbers(raw_template):
    parameters = raw_template["Parameters"]
    defaults = {name: spec["Default"] for name, spec in parameters.items() if "Default" in spec}

    assert (defaults["FreePlanRateLimit"], defaults["FreePlanBurstLimit"]) == (5, 10)
    assert defaults["FreePlanQuotaPerDay"] == 1000
    assert (defaults["PartnerPlanRateLimit"], defaults["PartnerPlanBurstLimit"]) == (100, 200)
    assert defaults["PartnerPlanQuotaPerMonth"] == 1_000_000
    assert (defaults["DevicesPlanRateLimit"], defaults["DevicesPlanBurstLimit"]) == (500, 1000)
    resources = raw_template["Resources"]
    assert resources["FreeUsagePlan"]["Properties"]["Quota"]["Period"] == "DAY"
    assert resources["PartnerUsagePlan"]["Properties"]["Quota"]["Period"] == "MONTH"
    assert "Quota" not in resources["DevicesUsagePlan"]["Properties"]
    (stage,) = resources["DevicesUsagePlan"]["Properties"]["ApiStages"]
    assert set(stage["Throttle"]) == {"/v1/telemetry/POST"}


@pytest.mark.domain("products", "telemetry")
def test_every_usage_plan_has_one_demo_api_key_outside_prod_only(template):
    # CloudFormation evaluates the condition; SAM leaves it on the resources.
    plans = resources_of_type(template, "AWS::ApiGateway::UsagePlan")
    keys = resources_of_type(template, "AWS::ApiGateway::ApiKey")
    plan_keys = resources_of_type(template, "AWS::ApiGateway::UsagePlanKey")

    # One key per plan, whatever the plans are (a fork adds its own: add-a-usage-plan.md).
    assert sorted(k["Properties"]["UsagePlanId"]["Ref"] for k in plan_keys.values()) == sorted(
        plans
    )
    assert sorted(k["Properties"]["KeyId"]["Ref"] for k in plan_keys.values()) == sorted(keys)
    assert {r["Condition"] for r in [*keys.values(), *plan_keys.values()]} == {"IsNotProd"}
    # API Gateway generates the values: no key is written in the template.
    assert all("Value" not in key["Properties"] for key in keys.values())
