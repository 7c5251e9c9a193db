"""The orders route as deployed: HTTP_PROXY to the on-premises orders system, guarded by scopes."""

import json
from pathlib import Path

import pytest

from authorizers.jwt_authorizer.policy import ScopeRoutes, build_policy
from authorizers.jwt_authorizer.verification import VerifiedToken
from local_gateway.template import load_template
from tests.template.conftest import ROOT, methods

pytestmark = pytest.mark.domain("orders")

ORDERS = "/v1/orders/{proxy+}"
STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:api/dev"


def orders_method(template):
    (operation,) = [
        op for path, verb, op in methods(template) if path == ORDERS and verb != "OPTIONS"
    ]
    return operation


# What a stage's samconfig section must set (the parameters without a default).
STAGE_SETTINGS = {
    "OidcIssuerUrl": "https://issuer.test",
    "OidcJwksUrl": "https://issuer.test/jwks.json",
    "OidcAudience": "sample-api",
    "OrdersBackendUrl": "https://orders.test/api/orders",
}


def resolved_integration(**overrides: str):
    """The orders integration with the template's parameters resolved as CloudFormation would."""
    loaded = load_template(
        Path(ROOT / "template.yaml"),
        {**STAGE_SETTINGS, **overrides},
        region="us-east-1",
        stack_name="sample-api-dev",
    )
    method = loaded.properties("RestApi")["Body"]["paths"][ORDERS]["x-amazon-apigateway-any-method"]
    return loaded.resolve(method["x-amazon-apigateway-integration"], "orders integration")


def scope_routes(template) -> ScopeRoutes:
    variables = template["Resources"]["JwtAuthorizerFunction"]["Properties"]["Environment"]
    return ScopeRoutes.from_json(variables["Variables"]["SCOPE_ROUTES"])


def test_orders_is_any_method_proxied_to_the_backend_url(template):
    # Given the orders method, When its integration is read
    integration = orders_method(template)["x-amazon-apigateway-integration"]

    # Then every method goes through as it came to <OrdersBackendUrl>/<proxy>
    assert integration["type"] == "http_proxy"
    assert integration["httpMethod"] == "ANY"
    assert integration["uri"] == {"Fn::Sub": "${OrdersBackendUrl}/{proxy}"}
    assert integration["requestParameters"]["integration.request.path.proxy"] == (
        "method.request.path.proxy"
    )
    assert integration["timeoutInMillis"] == {"Ref": "OrdersTimeoutMillis"}


def test_orders_go_over_the_internet_without_a_vpc_link():
    # Given no VPC link id, When the template is resolved
    integration = resolved_integration()

    # Then API Gateway calls the URL directly
    assert integration["connectionType"] == "INTERNET"
    assert "connectionId" not in integration


def test_orders_go_through_the_vpc_link_when_one_is_given():
    # Given a VPC link id, When the template is resolved
    integration = resolved_integration(OrdersVpcLinkId="a1b2c3")

    # Then the integration uses it
    assert integration["connectionType"] == "VPC_LINK"
    assert integration["connectionId"] == "a1b2c3"


def test_the_orders_timeout_stays_within_api_gateways_29_seconds(raw_template):
    parameter = raw_template["Parameters"]["OrdersTimeoutMillis"]
    assert 50 <= parameter["MinValue"] <= parameter["Default"] <= parameter["MaxValue"] <= 29000


def test_the_backend_is_told_the_caller_by_the_authorizer_only(template):
    # Given the orders integration, When its header mappings are read
    parameters = orders_method(template)["x-amazon-apigateway-integration"]["requestParameters"]

    # Then X-Caller-Id is the verified principal (a mapping replaces a client's own header)
    assert parameters["integration.request.header.X-Caller-Id"] == "context.authorizer.principalId"


def test_orders_are_guarded_by_the_jwt_authorizer(template):
    assert orders_method(template)["security"] == [{"JwtAuthorizer": []}]


@pytest.mark.parametrize(
    ("scope", "opened", "closed"),
    [
        ("orders:read", {"GET", "HEAD"}, {"POST", "PUT", "PATCH", "DELETE"}),
        ("orders:write", {"POST", "PUT", "PATCH", "DELETE"}, {"GET", "HEAD"}),
    ],
)
def test_orders_scopes_open_reads_or_writes_only(template, scope, opened, closed):
    # Given a token with one orders scope
    token = VerifiedToken(subject="partner-1", scopes=frozenset({scope}), tenant=None)

    # When the authorizer builds its policy
    policy = build_policy(token, STAGE_ARN, scope_routes(template))

    # Then it allows exactly those methods on every order path
    (statement,) = policy["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    allowed = {arn.split("/")[2] for arn in statement["Resource"] if "/v1/orders/" in arn}
    assert allowed == opened
    assert not allowed & closed
    assert all(arn.endswith("/v1/orders/*") for arn in statement["Resource"])


def test_samconfig_points_the_local_orders_route_at_the_stand_in():
    text = (ROOT / "samconfig.toml").read_text()
    assert "OrdersBackendUrl=http://127.0.0.1:3119/orders" in text
    assert json.dumps("orders:read")[1:-1] in text
