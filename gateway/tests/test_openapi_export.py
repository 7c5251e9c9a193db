"""The client OpenAPI document exported from a REST API's definition (local_gateway.openapi)."""

from pathlib import Path
from typing import Any

import pytest

from local_gateway.errors import TemplateError
from local_gateway.intrinsics import ResolutionContext
from local_gateway.openapi import openapi_document, render
from local_gateway.template import LoadedTemplate

ERROR_MODEL = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "ErrorEnvelope",
    "type": "object",
}


def template_with(body: dict[str, Any]) -> LoadedTemplate:
    context = ResolutionContext(
        region="eu-west-1",
        account_id="123456789012",
        stack_name="shop",
        parameters={},
        mappings={},
        conditions={},
    )
    resources = {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}}}
    return LoadedTemplate(Path("template.yaml"), resources, {}, context, {})


def definition(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": {"Fn::Sub": "${AWS::StackName}"}, "version": "1.0"},
        "paths": {
            "/v1/things": {
                "post": {
                    "security": [{"Cognito": []}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/newthing"}
                            }
                        }
                    },
                    "x-amazon-apigateway-request-validator": "body-only",
                    "responses": {"201": {"description": "Made."}},
                    "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "arn:x"},
                },
                "options": {"responses": {"200": {"description": "CORS"}}},
            }
        },
        "components": {
            "schemas": {
                "newthing": {
                    "$schema": "http://json-schema.org/draft-04/schema#",
                    "title": "NewThing",
                    "type": "object",
                    "properties": {"note": {"type": ["string", "null"]}},
                },
                "errorenvelope": ERROR_MODEL,
            },
            "securitySchemes": {
                "Cognito": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools"},
                },
                "Jwt": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authorizer": {
                        "type": "token",
                        "identityValidationExpression": "^Bearer [^ ]+$",
                    },
                },
                "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            },
        },
        "x-amazon-apigateway-gateway-responses": {"INTEGRATION_FAILURE": {"statusCode": "502"}},
    }
    body.update(extra)
    return body


def test_the_export_drops_every_api_gateway_extension_and_the_preflight_methods():
    # When a definition with integrations, validators and an OPTIONS method is exported
    text = render(openapi_document(template_with(definition())))
    # Then nothing of the deployment is left
    assert "x-amazon-apigateway" not in text
    assert '"options"' not in text


def test_models_are_named_by_title_in_the_openapi_dialect():
    # When the lower-cased draft-4 models are exported
    document = openapi_document(template_with(definition()))
    schemas = document["components"]["schemas"]
    operation = document["paths"]["/v1/things"]["post"]
    # Then they carry their titles, references follow, and `[T, null]` is a nullable T
    assert set(schemas) == {"NewThing", "ErrorEnvelope"}
    assert "$schema" not in schemas["NewThing"]
    assert schemas["NewThing"]["properties"]["note"] == {"type": "string", "nullable": True}
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/NewThing"}


def test_security_schemes_say_what_a_client_sends():
    # When the authorizers are exported
    schemes = openapi_document(template_with(definition()))["components"]["securitySchemes"]
    # Then Cognito is the raw token header, a Bearer authorizer is http bearer, a key is x-api-key
    assert (schemes["Cognito"]["type"], schemes["Cognito"]["name"]) == ("apiKey", "Authorization")
    assert (schemes["Jwt"]["type"], schemes["Jwt"]["scheme"]) == ("http", "bearer")
    assert (schemes["api_key"]["type"], schemes["api_key"]["name"]) == ("apiKey", "x-api-key")


def test_an_operation_lists_the_gateways_own_errors_with_the_error_schema():
    # When a guarded, validated operation with a body is exported
    operation = openapi_document(template_with(definition()))["paths"]["/v1/things"]["post"]
    responses = operation["responses"]
    # Then its guard, validator, size limit, throttling and backend failures are documented,
    # with the template's status for each (502 here), and each error carries the envelope
    assert set(responses) == {"201", "400", "401", "403", "413", "429", "500", "502", "504"}
    for status in ("400", "401", "413", "502"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}


def test_intrinsics_outside_the_extensions_are_resolved():
    # When the title is a !Sub of the stack name
    document = openapi_document(template_with(definition()))
    # Then the client sees the value
    assert document["info"]["title"] == "shop"
    assert document["servers"][0]["variables"]["region"]["default"] == "eu-west-1"


def test_a_missing_error_model_is_an_error_of_the_template():
    # Given a definition without the error model
    body = definition()
    del body["components"]["schemas"]["errorenvelope"]
    # When it is exported, then the template is named as the problem
    with pytest.raises(TemplateError, match="ErrorEnvelope"):
        openapi_document(template_with(body))


def test_the_rendering_is_stable():
    # When the same definition is rendered twice
    first = render(openapi_document(template_with(definition())))
    second = render(openapi_document(template_with(definition())))
    # Then the text is the same, sorted, ending in a newline
    assert first == second
    assert first.endswith("}\n")


def test_an_any_method_is_every_method_a_client_sends_on_a_greedy_path_it_can_write():
    # Given a greedy path whose ANY method proxies, beside a GET declared on its own
    body = definition()
    body["paths"]["/v1/orders/{proxy+}"] = {
        "get": {"summary": "Read.", "responses": {"200": {"description": "An order."}}},
        "x-amazon-apigateway-any-method": {
            "summary": "Anything else.",
            "parameters": [{"name": "proxy", "in": "path", "required": True}],
            "responses": {"200": {"description": "The backend's answer."}},
            "x-amazon-apigateway-integration": {"type": "http_proxy", "uri": "https://x/{proxy}"},
        },
    }

    # When it is exported
    paths = openapi_document(template_with(body))["paths"]

    # Then the path is OpenAPI's `{proxy}`, and every other method is the ANY operation
    item = paths["/v1/orders/{proxy}"]
    assert set(item) == {"get", "put", "post", "delete", "patch", "head"}
    assert item["get"]["summary"] == "Read."
    assert {item[verb]["summary"] for verb in item if verb != "get"} == {"Anything else."}
