"""Request validators: required parameters and JSON Schema (draft 4) models, before integration.

A method's validator (`x-amazon-apigateway-request-validator`, else the API's default) says
whether to check parameters, the body, or both. A missing required query string, header or
path parameter is 400 "Missing required request parameters: [a, b]" (BAD_REQUEST_PARAMETERS,
headers first, then path, then query strings);
a body not valid against the model for its content type is 400 "Invalid request body"
(BAD_REQUEST_BODY) with the details in `$context.error.validationErrorString`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from local_gateway.rejections import Rejection

DEFAULT_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class ValidatedRequest:
    """The parts of a request a validator looks at."""

    headers: Mapping[str, str]
    query: Mapping[str, str]
    path_params: Mapping[str, str]
    body: bytes
    content_type: str | None


def validate_request(
    definition: Mapping[str, Any], operation: Mapping[str, Any], request: ValidatedRequest
) -> str | None:
    """Raise the Rejection API Gateway answers when `request` fails the method's validator.

    `definition` is the API's OpenAPI document (for validators and models), `operation` the
    method's operation object in it. Returns the name of the validator applied, if any.
    """
    validators = definition.get("x-amazon-apigateway-request-validators") or {}
    name = operation.get(
        "x-amazon-apigateway-request-validator",
        definition.get("x-amazon-apigateway-request-validator"),
    )
    if not name:
        return None
    validator = validators.get(name)
    if validator is None:
        raise ValueError(f"request validator {name!r} is not declared")
    if validator.get("validateRequestParameters"):
        missing = missing_parameters(operation, request)
        if missing:
            raise Rejection(
                "BAD_REQUEST_PARAMETERS",
                400,
                f"Missing required request parameters: [{', '.join(missing)}]",
            )
    if validator.get("validateRequestBody"):
        schema = body_schema(definition, operation, request.content_type)
        if schema is not None:
            problems = body_problems(schema, request.body)
            if problems:
                raise Rejection(
                    "BAD_REQUEST_BODY",
                    400,
                    "Invalid request body",
                    validation_error="[" + ", ".join(problems) + "]",
                )
    return str(name)


def missing_parameters(operation: Mapping[str, Any], request: ValidatedRequest) -> list[str]:
    """Required query strings, headers and path parameters the request lacks.

    Listed as API Gateway lists them: in the order of their `method.request.<location>.<name>`
    keys (headers, then path, then query strings, each by name), whatever the declared order.
    """
    # "Included and not blank": a parameter sent empty (`?q=`, `X-H:`) is missing too.
    headers = {name.lower() for name, value in request.headers.items() if value and value.strip()}
    query = {name for name, value in request.query.items() if value and value.strip()}
    missing: list[tuple[str, str]] = []
    for parameter in operation.get("parameters") or []:
        if not parameter.get("required"):
            continue
        name, location = str(parameter.get("name")), parameter.get("in")
        present = (
            (location == "query" and name in query)
            or (location == "header" and name.lower() in headers)
            or (location == "path" and bool(request.path_params.get(name)))
            or location not in ("query", "header", "path")
        )
        if not present:
            key_location = "querystring" if location == "query" else str(location)
            missing.append((f"method.request.{key_location}.{name}", name))
    return [name for _, name in sorted(missing)]


def body_schema(
    definition: Mapping[str, Any], operation: Mapping[str, Any], content_type: str | None
) -> dict[str, Any] | None:
    """The model's schema for the request's content type, resolvable against the document.

    Swagger 2 declares it as an `in: body` parameter for the types the method `consumes`
    (models under `definitions`); OpenAPI 3 as `requestBody.content[type].schema`, `$default`
    for any type (models under `components.schemas`). No model for the type: no validation.
    """
    media_type = (content_type or DEFAULT_CONTENT_TYPE).split(";")[0].strip().lower()
    schema: Any = None
    # Swagger 2: the body's model is the method's model for each type it consumes (API Gateway
    # imports it so); a request of another content type is not validated.
    consumes = operation.get("consumes") or definition.get("consumes") or [DEFAULT_CONTENT_TYPE]
    if media_type in {str(kind).lower() for kind in consumes}:
        for parameter in operation.get("parameters") or []:
            if parameter.get("in") == "body":
                schema = parameter.get("schema")
    content = (operation.get("requestBody") or {}).get("content") or {}
    if content:
        by_type = {str(k).lower(): v for k, v in content.items()}
        chosen = by_type.get(media_type) or by_type.get("$default")
        schema = (chosen or {}).get("schema")
    if not schema:
        return None
    # Local refs ("#/definitions/User") resolve against the document they were written in.
    return {
        **schema,
        "definitions": definition.get("definitions") or {},
        "components": definition.get("components") or {},
    }


def body_problems(schema: Mapping[str, Any], body: bytes) -> list[str]:
    """What is wrong with `body` against the draft-4 `schema`, worded as API Gateway words it."""
    try:
        # An empty body is validated as an empty object.
        document = json.loads(body) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"Invalid JSON in request body: {error}"]
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [_message(error) for error in errors]


def _message(error: jsonschema.ValidationError) -> str:
    """API Gateway's (java json-schema-validator's) wording for the common keywords."""
    instance, expected = error.instance, error.validator_value
    keyword = error.validator
    if keyword == "required":
        missing = sorted(name for name in expected if name not in instance)
        return f"object has missing required properties ({_json_list(missing)})"
    if keyword == "additionalProperties":
        declared = set((error.schema.get("properties") or {}).keys())
        extra = sorted(name for name in instance if name not in declared)
        return "object instance has properties which are not allowed by the schema: " + _json_list(
            extra
        )
    if keyword == "type":
        allowed = [expected] if isinstance(expected, str) else list(expected)
        return (
            f"instance type ({_json_type(instance)}) does not match any allowed primitive type "
            f"(allowed: {_json_list(allowed)})"
        )
    if keyword == "minLength":
        return (
            f"string {json.dumps(instance)} is too short "
            f"(length: {len(instance)}, required minimum: {expected})"
        )
    if keyword == "maxLength":
        return (
            f"string {json.dumps(instance)} is too long "
            f"(length: {len(instance)}, maximum allowed: {expected})"
        )
    if keyword == "minimum":
        return (
            "numeric instance is lower than the required minimum "
            f"(minimum: {expected}, found: {instance})"
        )
    if keyword == "maximum":
        return (
            "numeric instance is greater than the required maximum "
            f"(maximum: {expected}, found: {instance})"
        )
    if keyword == "enum":
        return (
            f"instance value ({json.dumps(instance)}) not found in enum "
            f"(possible values: {_json_list(expected)})"
        )
    if keyword == "pattern":
        return f"ECMA 262 regex {json.dumps(expected)} does not match input string " + json.dumps(
            instance
        )
    return str(error.message)


def _json_list(values: Any) -> str:
    return "[" + ",".join(json.dumps(value) for value in values) + "]"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
