"""Conformance: request validators and models answer as API Gateway does.

AWS doc (developerguide): api-gateway-method-request-validation.html, models-mappings-models.html
(JSON Schema draft 4), supported-gateway-response-types.html (BAD_REQUEST_*).
"""

import json
from typing import Any

import pytest

from local_gateway.rejections import Rejection
from local_gateway.request_validation import ValidatedRequest, validate_request

VALIDATORS = {
    "all": {"validateRequestBody": True, "validateRequestParameters": True},
    "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
}
USER_MODEL = {
    "type": "object",
    "required": ["name", "email"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "email": {"type": "string"},
        "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
    },
}


def swagger(validator: str | None = "all") -> tuple[dict[str, Any], dict[str, Any]]:
    """A Swagger 2 document (as SAM writes it) and its POST /v1/users operation."""
    operation: dict[str, Any] = {
        "parameters": [
            {"name": "tenant", "in": "query", "required": True, "type": "string"},
            {"name": "Idempotency-Key", "in": "header", "required": True, "type": "string"},
            {"name": "verbose", "in": "query", "required": False, "type": "string"},
            {
                "in": "body",
                "name": "User",
                "required": True,
                "schema": {"$ref": "#/definitions/User"},
            },
        ]
    }
    if validator:
        operation["x-amazon-apigateway-request-validator"] = validator
    document = {
        "swagger": "2.0",
        "x-amazon-apigateway-request-validators": VALIDATORS,
        "definitions": {"User": USER_MODEL},
        "paths": {"/v1/users": {"post": operation}},
    }
    return document, operation


def a_request(
    body: Any = None, *, query=None, headers=None, raw: bytes | None = None
) -> ValidatedRequest:
    return ValidatedRequest(
        headers={"idempotency-key": "k1"} if headers is None else headers,
        query={"tenant": "t1"} if query is None else query,
        path_params={},
        body=raw
        if raw is not None
        else json.dumps(body or {"name": "Ada", "email": "a@b.c"}).encode(),
        content_type="application/json",
    )


def refusal(document, operation, request) -> Rejection:
    with pytest.raises(Rejection) as caught:
        validate_request(document, operation, request)
    return caught.value


def test_missing_required_parameters_are_400_naming_them():
    """Missing required query strings and headers: 400 "Missing required request parameters: [..]".

    AWS doc: api-gateway-method-request-validation.html
    """
    # Given a method requiring a query string and a header
    document, operation = swagger()

    # When both are missing
    refused = refusal(document, operation, a_request(query={}, headers={}))

    # Then the answer names both, headers first (as recorded: gateway/tests/corpus)
    assert (refused.response_type, refused.status, json.loads(refused.default_body)) == (
        "BAD_REQUEST_PARAMETERS",
        400,
        {"message": "Missing required request parameters: [Idempotency-Key, tenant]"},
    )


def test_valid_request_passes_the_validator():
    """A request with its required parameters and a body matching the model passes.

    AWS doc: api-gateway-method-request-validation.html
    """
    # Given a valid request
    document, operation = swagger()

    # When it is validated
    # Then it passes the method's validator
    assert validate_request(document, operation, a_request()) == "all"


def test_body_missing_a_required_property_is_400_invalid_request_body():
    """A body failing its model is 400 "Invalid request body" with the validation error string.

    AWS doc: api-gateway-method-request-validation.html; $context.error.validationErrorString in
    api-gateway-mapping-template-reference.html
    """
    # Given a body without the required email
    document, operation = swagger()

    # When it is validated
    refused = refusal(document, operation, a_request({"name": "Ada"}))

    # Then the answer and the validation error string say so
    assert (refused.response_type, refused.status, refused.message) == (
        "BAD_REQUEST_BODY",
        400,
        "Invalid request body",
    )
    assert refused.validation_error == '[object has missing required properties (["email"])]'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"name": 7, "email": "a@b.c"},
            "instance type (integer) does not match any allowed primitive type"
            ' (allowed: ["string"])',
        ),
        ({"name": "", "email": "a@b.c"}, 'string "" is too short (length: 0, required minimum: 1)'),
        (
            {"name": "A", "email": "a@b.c", "role": "admin"},
            'object instance has properties which are not allowed by the schema: ["role"]',
        ),
    ],
    ids=["wrong-type", "too-short", "extra-property"],
)
def test_body_problems_are_worded_like_api_gateway(body, problem):
    """Type, length and additionalProperties violations are reported in API Gateway's wording.

    AWS doc: models-mappings-models.html (JSON Schema draft 4 models)
    """
    # Given a body with one problem
    document, operation = swagger()

    # When it is validated
    refused = refusal(document, operation, a_request(body))

    # Then the validation error string names it
    assert refused.validation_error == f"[{problem}]"


def test_schema_is_draft_4_boolean_exclusive_minimum():
    """Models are JSON Schema draft 4: `exclusiveMinimum: true` makes `minimum` exclusive.

    AWS doc: models-mappings-models.html
    """
    # Given a model with minimum 0 exclusive
    document, operation = swagger()

    # When age 0 is sent
    refused = refusal(document, operation, a_request({"name": "A", "email": "e", "age": 0}))

    # Then it is refused as a draft-4 validator would
    assert refused.status == 400


def test_body_that_is_not_json_is_400_invalid_request_body():
    """A body that is not JSON fails a JSON model: 400 "Invalid request body".

    AWS doc: api-gateway-method-request-validation.html
    """
    # Given a broken JSON body
    document, operation = swagger()

    # When it is validated
    refused = refusal(document, operation, a_request(raw=b'{"name": '))

    # Then it is an invalid body
    assert (refused.status, refused.message) == (400, "Invalid request body")


def test_parameters_only_validator_does_not_check_the_body():
    """A validator with validateRequestBody false lets any body through.

    AWS doc: api-gateway-method-request-validation.html
    """
    # Given the params-only validator
    document, operation = swagger("params-only")

    # When an invalid body is sent with valid parameters
    # Then it passes
    assert validate_request(document, operation, a_request({"bogus": True})) == "params-only"


def test_method_without_a_validator_is_not_validated():
    """Without a request validator nothing is checked.

    AWS doc: api-gateway-method-request-validation.html
    """
    # Given no validator on the method or the API
    document, operation = swagger(None)

    # When a request lacks everything
    # Then nothing is raised
    assert validate_request(document, operation, a_request(query={}, headers={}, raw=b"x")) is None


def test_openapi_3_request_body_model_under_components_is_validated():
    """OpenAPI 3 definitions: requestBody content model referenced under components.schemas.

    AWS doc: api-gateway-method-request-validation.html (OpenAPI definitions)
    """
    # Given an OpenAPI 3 document with the API's default validator
    operation = {
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}
        }
    }
    document = {
        "openapi": "3.0.1",
        "x-amazon-apigateway-request-validators": VALIDATORS,
        "x-amazon-apigateway-request-validator": "all",
        "components": {"schemas": {"User": USER_MODEL}},
    }

    # When a body misses a property
    refused = refusal(document, operation, a_request({"email": "e"}))

    # Then it is refused against the component model
    assert refused.validation_error == '[object has missing required properties (["name"])]'
