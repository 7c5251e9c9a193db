"""The client OpenAPI document exported from a REST API's definition (local_gateway.openapi)."""

from pathlib import Path
from typing import Any

import pytest

from local_gateway.errors import TemplateError
from local_gateway.intrinsics import ResolutionContext
from local_gateway.openapi import openapi_document, render
from local_gateway.openapi_examples import missing_examples
from local_gateway.template import LoadedTemplate

ERROR_MODEL = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "ErrorEnvelope",
    "type": "object",
}


def template_with(
    body: dict[str, Any], metadata: dict[str, Any] | None = None, folder: Path = Path()
) -> LoadedTemplate:
    context = ResolutionContext(
        region="eu-west-1",
        account_id="123456789012",
        stack_name="shop",
        parameters={},
        mappings={},
        conditions={},
    )
    resources: dict[str, dict[str, Any]] = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}}
    }
    if metadata is not None:
        resources["Api"]["Metadata"] = metadata
    return LoadedTemplate(folder / "template.yaml", resources, {}, context, {})


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


def test_examples_come_from_the_api_metadata_by_model_title_and_errors_get_the_envelope():
    # Given an example for the NewThing model in the API resource's Metadata
    metadata = {"Examples": {"NewThing": {"note": "hello"}}}
    # When the definition is exported
    operation = openapi_document(template_with(definition(), metadata))["paths"]["/v1/things"]
    responses = operation["post"]["responses"]
    # Then the request body shows it, and each error shows an envelope with its status's code
    assert operation["post"]["requestBody"]["content"]["application/json"]["example"] == {
        "note": "hello"
    }
    error = responses["413"]["content"]["application/json"]["example"]["error"]
    assert (error["code"], error["message"]) == (
        "PAYLOAD_TOO_LARGE",
        "The body is over the 10 MB limit.",
    )
    assert responses["502"]["content"]["application/json"]["example"]["error"]["code"] == (
        "BAD_GATEWAY"
    )


def test_examples_may_live_in_a_file_the_api_metadata_names(tmp_path: Path):
    # Given the examples in a YAML file beside the template, named by the API's Metadata
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "examples.yaml").write_text("NewThing: {note: from a file}\n")
    metadata = {"Examples": "api/examples.yaml"}
    # When the definition is exported
    document = openapi_document(template_with(definition(), metadata, tmp_path))
    # Then the request body shows the file's example
    post = document["paths"]["/v1/things"]["post"]
    assert post["requestBody"]["content"]["application/json"]["example"] == {"note": "from a file"}


def test_an_examples_file_that_is_not_there_is_named_in_the_error(tmp_path: Path):
    # Given Metadata naming an examples file that does not exist
    metadata = {"Examples": "api/missing.yaml"}
    # When the definition is exported, Then the error names the setting and the file
    with pytest.raises(TemplateError, match=r"Metadata\.Examples.*api/missing\.yaml"):
        openapi_document(template_with(definition(), metadata, tmp_path))


def test_a_body_without_a_model_takes_its_example_by_method_path_and_status():
    # Given a binary answer with an inline schema, and its example keyed by operation and status
    body = definition()
    body["paths"]["/v1/things"]["get"] = {
        "responses": {
            "200": {
                "description": "The bytes.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }
    metadata = {"Examples": {"GET /v1/things 200": "bytes"}}
    # When it is exported
    document = openapi_document(template_with(body, metadata))
    # Then the answer shows it, and the unguarded operation says it needs no credentials
    get = document["paths"]["/v1/things"]["get"]
    assert get["responses"]["200"]["content"]["*/*"]["example"] == "bytes"
    assert get["security"] == []


def test_a_body_without_an_example_is_left_without_one():
    # When a definition without Metadata is exported (fixtures, forks' first drafts)
    document = openapi_document(template_with(definition()))
    # Then no example is invented for the request body; the contract test names it as missing
    media = document["paths"]["/v1/things"]["post"]["requestBody"]["content"]["application/json"]
    assert "example" not in media
    assert "POST /v1/things request application/json" in missing_examples(document)


def test_pattern_properties_become_a_map_with_the_key_pattern_described():
    # Given a draft-4 map of patterned keys to numbers (OpenAPI 3.0 has no patternProperties)
    body = definition()
    body["components"]["schemas"]["newthing"]["properties"]["metrics"] = {
        "type": "object",
        "maxProperties": 5,
        "patternProperties": {"^[a-z]{1,8}$": {"type": "number"}},
        "additionalProperties": False,
    }
    # When it is exported
    schemas = openapi_document(template_with(body))["components"]["schemas"]
    metrics = schemas["NewThing"]["properties"]["metrics"]
    # Then it is a map of numbers whose description names the key pattern
    assert "patternProperties" not in metrics
    assert metrics["additionalProperties"] == {"type": "number"}
    assert metrics["description"] == "Keys match `^[a-z]{1,8}$`."


def test_two_key_patterns_have_no_openapi_3_spelling():
    # Given a map with two key patterns
    body = definition()
    body["components"]["schemas"]["newthing"]["patternProperties"] = {
        "^a": {"type": "number"},
        "^b": {"type": "string"},
    }
    # When it is exported, then the template is named as the problem
    with pytest.raises(TemplateError, match="patternProperties"):
        openapi_document(template_with(body))


@pytest.mark.parametrize(
    ("maximum", "expected"), [(100, "int32"), (2**31 - 1, "int32"), (2**31, "int64"), (None, None)]
)
def test_a_bounded_integer_gets_the_format_its_bounds_fit(maximum, expected):
    # Given an integer with a minimum and, maybe, a maximum
    body = definition()
    count: dict[str, Any] = {"type": "integer", "minimum": 0}
    if maximum is not None:
        count["maximum"] = maximum
    body["components"]["schemas"]["newthing"]["properties"]["count"] = count
    # When it is exported
    schemas = openapi_document(template_with(body))["components"]["schemas"]
    # Then its format is the narrowest that holds both bounds (none when unbounded)
    assert schemas["NewThing"]["properties"]["count"].get("format") == expected


def test_servers_say_who_they_are_for_and_bearer_tokens_name_rfc_8725():
    # When the definition is exported
    document = openapi_document(template_with(definition()))
    # Then the deployed stage is for clients, the local gateway is internal
    assert [server["x-internal"] for server in document["servers"]] == [False, True]
    assert "RFC8725" in document["components"]["securitySchemes"]["Jwt"]["description"]


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
