"""What the REST API and its stage must hold in every environment."""

import json
import re

import pytest

from local_gateway.vtl import VtlRequest, render
from tests.template.conftest import methods, resources_of_type, rest_api_body

pytestmark = pytest.mark.domain("core")

# Methods that answer without any credential, by design.
PUBLIC_METHODS = {("/v1/health", "GET")}

# Every error API Gateway itself can make; each must come out in the error envelope.
GATEWAY_RESPONSE_TYPES = {
    "DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN", "UNAUTHORIZED", "ACCESS_DENIED",
    "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_API_KEY", "EXPIRED_TOKEN",
    "INVALID_SIGNATURE", "WAF_FILTERED", "THROTTLED", "QUOTA_EXCEEDED", "BAD_REQUEST_BODY",
    "INCOMPLETE_SIGNATURE", "BAD_REQUEST_PARAMETERS", "REQUEST_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE",
    "RESOURCE_NOT_FOUND", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT",
}  # fmt: skip


def stage_of(template):
    (stage,) = resources_of_type(template, "AWS::ApiGateway::Stage").values()
    return stage["Properties"]


def test_stage_is_named_after_the_environment(stage_template):
    _stage, template = stage_template

    assert stage_of(template)["StageName"] == {"Ref": "Stage"}
    # And SAM made no extra stage called "Stage".
    assert len(resources_of_type(template, "AWS::ApiGateway::Stage")) == 1


def test_stage_has_tracing_and_json_access_logs(stage_template):
    _, template = stage_template
    properties = stage_of(template)

    assert properties["TracingEnabled"] is True
    log_format = properties["AccessLogSetting"]["Format"]
    fields = json.loads(re.sub(r"\$context\.[\w.]+", "x", log_format))
    for field in ("requestId", "principal", "apiKeyId", "route", "status", "latencyMs",
                  "integrationLatencyMs", "error"):  # fmt: skip
        assert field in fields
    assert properties["AccessLogSetting"]["DestinationArn"] == {
        "Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]
    }


def test_access_logs_are_kept_for_the_retention_parameter(template):
    group = template["Resources"]["ApiAccessLogGroup"]["Properties"]

    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_every_method_logs_errors_and_is_throttled(stage_template):
    _, template = stage_template
    all_settings = stage_of(template)["MethodSettings"]

    assert ("/*", "*") in {(s["ResourcePath"], s["HttpMethod"]) for s in all_settings}
    # Per-method entries (the cached catalog reads) repeat the stage-wide values.
    for settings in all_settings:
        assert settings["LoggingLevel"] == "ERROR"
        assert settings["DataTraceEnabled"] is False
        assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
        assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}


def test_stage_throttling_defaults_are_1000_and_500(raw_template):
    parameters = raw_template["Parameters"]

    assert parameters["ApiThrottlingRateLimit"]["Default"] == 1000
    assert parameters["ApiThrottlingBurstLimit"]["Default"] == 500


def test_health_is_a_public_mock_route(template):
    operation = rest_api_body(template)["paths"]["/v1/health"]["get"]
    integration = operation["x-amazon-apigateway-integration"]

    assert integration["type"] == "mock"
    assert json.loads(
        integration["responses"]["default"]["responseTemplates"]["application/json"]
    ) == {"status": "ok"}
    assert not operation.get("security")


def test_every_method_is_guarded_or_explicitly_public(stage_template):
    _, template = stage_template

    unguarded = [
        (path, method)
        for path, method, operation in methods(template)
        if method != "OPTIONS"  # CORS preflight answers without credentials, by design
        and not operation.get("security")
        and not operation.get("x-amazon-apigateway-api-key-required")
        and (path, method) not in PUBLIC_METHODS
    ]

    assert unguarded == []


@pytest.mark.parametrize("response_type", sorted(GATEWAY_RESPONSE_TYPES))
def test_gateway_response_renders_the_error_envelope_with_cors(template, response_type):
    # Given the gateway response the template declares for this error type
    responses = rest_api_body(template)["x-amazon-apigateway-gateway-responses"]
    response = responses[response_type]

    # When API Gateway renders it for an error with a hostile message
    message = 'He said "no" \\ twice'
    rendered = render(
        response["responseTemplates"]["application/json"],
        VtlRequest(
            body=b"",
            path_params={},
            query={},
            headers={},
            context={
                "requestId": "req-1",
                "error": {
                    "message": message,
                    "messageString": json.dumps(message),
                    "validationErrorString": '[object has missing required properties (["email"])]',
                    "responseType": response_type,
                },
            },
            stage_variables={},
        ),
    )

    # Then the body is the envelope, and a browser may read it
    error = json.loads(rendered.body)["error"]
    assert re.fullmatch(r"[A-Z][A-Z_]+", error["code"])
    assert error["message"]
    assert error["requestId"] == "req-1"
    headers = response["responseParameters"]
    assert "gatewayresponse.header.Access-Control-Allow-Origin" in headers


def test_unknown_route_answers_404_not_api_gateways_403(template):
    responses = rest_api_body(template)["x-amazon-apigateway-gateway-responses"]

    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
