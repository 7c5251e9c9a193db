"""The API's contract for its clients: the transformed template's OpenAPI, as a client sees it.

API Gateway's definition (the `Body` the SAM transform writes into the `AWS::ApiGateway::RestApi`)
is the contract, plus what only the deployment needs. The client document keeps paths,
parameters, request bodies and responses; drops every `x-amazon-apigateway-*` extension and the
CORS preflight methods (browsers send those, clients do not); names the models after their
`title` (SAM lower-cases them) in the OpenAPI 3.0 schema dialect; describes each authorizer as
the header a client sends; and lists on each operation the errors API Gateway itself can
answer it with (401/403 of a guard, 400 of a validator, 413, 415, 429, 5xx), every error
response carrying the error schema; and shows an example of every body (openapi_examples).
What OpenAPI 3.0 cannot say of a draft-4 model is said in its terms: a one-pattern
`patternProperties` map becomes `additionalProperties` with the key pattern in the description,
and a bounded integer gets the int32/int64 `format` its bounds fit.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from local_gateway.errors import TemplateError
from local_gateway.openapi_errors import (
    REASONS,
    REFERENCE_PREFIX,
    error_content,
    gateway_errors,
    response_statuses,
)
from local_gateway.openapi_examples import add_examples
from local_gateway.template import LoadedTemplate, parse_template_text

EXTENSION_PREFIX = "x-amazon-apigateway-"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head")
ANY_METHOD = "x-amazon-apigateway-any-method"
GREEDY_PARAMETER = re.compile(r"\{([^/{}]+)\+\}")
DEPLOYED_SERVER = "https://{apiId}.execute-api.{region}.amazonaws.com/{stage}"


def _strip_extensions(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _strip_extensions(item)
            for key, item in value.items()
            if not str(key).startswith(EXTENSION_PREFIX)
        }
    if isinstance(value, list):
        return [_strip_extensions(item) for item in value]
    return value


def _client_security_scheme(name: str, scheme: dict[str, Any]) -> dict[str, Any]:
    """What the caller sends for one scheme: a bearer JWT, a raw token header, or an API key."""
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    header = str(scheme.get("name", "Authorization"))
    if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
        return {
            "type": "apiKey",
            "in": "header",
            "name": header,
            "description": "AWS Signature Version 4 for the service `execute-api`: sign the "
            "request with IAM credentials whose policies allow `execute-api:Invoke` on it.",
        }
    if authorizer is None:
        return {
            "type": "apiKey",
            "in": scheme.get("in", "header"),
            "name": header,
            "description": "An API key of a usage plan.",
        }
    kind = str(authorizer.get("type", "")).lower()
    if kind == "cognito_user_pools":
        return {
            "type": "apiKey",
            "in": "header",
            "name": header,
            "description": "A Cognito user pool ID token, sent as it is (no `Bearer ` prefix).",
        }
    if str(authorizer.get("identityValidationExpression", "")).startswith("^Bearer "):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            # The project's one verifier (authorizers/jwt_authorizer) follows RFC 8725.
            "description": (
                f"A JWT access token the {name} authorizer verifies as RFC8725 recommends "
                f"(allow-listed algorithms, issuer, audience, times): `{header}: Bearer <JWT>`."
            ),
        }
    return {
        "type": "apiKey",
        "in": "header",
        "name": header,
        "description": f"A token the {name} authorizer verifies.",
    }


def _schema_dialect(schema: Any) -> Any:
    """Draft-4 model -> OpenAPI 3.0 schema: no `$schema`, `[T, "null"]` becomes nullable T."""
    if isinstance(schema, list):
        return [_schema_dialect(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _schema_dialect(item) for key, item in schema.items() if key != "$schema"}
    if "patternProperties" in converted:
        _map_of_patterned_keys(converted)
    if converted.get("type") == "integer" and "format" not in converted:
        low, high = converted.get("minimum"), converted.get("maximum")
        if isinstance(low, int) and isinstance(high, int):
            converted["format"] = "int32" if low >= -(2**31) and high < 2**31 else "int64"
    kind = converted.get("type")
    if isinstance(kind, list):
        others = [k for k in kind if k != "null"]
        if len(others) != 1:
            raise TemplateError("components.schemas", f"type {kind} has no OpenAPI 3.0 spelling")
        converted["type"] = others[0]
        if "null" in kind:
            converted["nullable"] = True
    return converted


def _map_of_patterned_keys(schema: dict[str, Any]) -> None:
    """`patternProperties: {P: S}` (no other keys allowed) -> `additionalProperties: S`."""
    patterns = schema.pop("patternProperties")
    if len(patterns) != 1 or schema.get("additionalProperties", False) is not False:
        raise TemplateError(
            "components.schemas", "only one patternProperties pattern has an OpenAPI 3.0 spelling"
        )
    [(pattern, value)] = patterns.items()
    schema["additionalProperties"] = value
    described = f"{schema.get('description', '')} Keys match `{pattern}`."
    schema["description"] = described.strip()


def _rename_references(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        renamed = {key: _rename_references(item, names) for key, item in value.items()}
        reference = renamed.get("$ref")
        if isinstance(reference, str) and reference.startswith(REFERENCE_PREFIX):
            target = reference.removeprefix(REFERENCE_PREFIX)
            renamed["$ref"] = REFERENCE_PREFIX + names.get(target, target)
        return renamed
    if isinstance(value, list):
        return [_rename_references(item, names) for item in value]
    return value


def _titled_names(schemas: dict[str, Any]) -> dict[str, str]:
    """SAM's lower-cased model name -> the model's `title`, where titles are unique."""
    names: dict[str, str] = {}
    for name, schema in schemas.items():
        title = schema.get("title") if isinstance(schema, dict) else None
        if isinstance(title, str) and re.fullmatch(r"[A-Za-z0-9._-]+", title):
            names[name] = title
    if len(set(names.values())) != len(names) or set(names.values()) & (set(schemas) - set(names)):
        return {}
    return names


def _client_operation(
    operation: dict[str, Any],
    verb: str,
    schemes: dict[str, Any],
    statuses: dict[str, int],
    error_schema: str | None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(status): dict(response) for status, response in operation.get("responses", {}).items()
    }
    for kind in gateway_errors(operation, verb, schemes, statuses):
        status = str(statuses[kind])
        reason = REASONS.get(kind, kind)
        if status in responses:
            described = str(responses[status].get("description", ""))
            if reason not in described:
                responses[status]["description"] = f"{described} {reason}".strip()
        else:
            responses[status] = {"description": reason}
    for status, response in responses.items():
        if status[:1] in ("4", "5") and "content" not in response:
            response.update(error_content(error_schema))
    client = _strip_extensions(operation)
    if "parameters" in client:
        client["parameters"] = _schema_dialect(client["parameters"])
    client["responses"] = dict(sorted(_strip_extensions(responses).items()))
    return dict(client)


def _with_any_method_spelled_out(item: dict[str, Any]) -> dict[str, Any]:
    """API Gateway's ANY method as the methods a client can send (those not declared apart)."""
    any_method = item.get(ANY_METHOD)
    if any_method is None:
        return item
    spelled = {
        verb: {**any_method, "operationId": f"{any_method['operationId']}{verb.capitalize()}"}
        if "operationId" in any_method
        else any_method
        for verb in HTTP_METHODS
        if verb not in item
    }
    return {**item, **spelled}


def _client_path(path: str) -> str:
    """A greedy `{proxy+}` is `{proxy}` to OpenAPI (the `+` is API Gateway's own syntax)."""
    return GREEDY_PARAMETER.sub(r"{\1}", path)


def openapi_document(
    template: LoadedTemplate,
    *,
    api: str | None = None,
    error_schema: str | None = "ErrorEnvelope",
    local_url: str = "http://127.0.0.1:3000",
) -> dict[str, Any]:
    """The client-facing OpenAPI 3.0 document of the template's REST API `api` (or its only one).

    `error_schema` is the (titled) model every error response carries; None leaves error
    responses without a body schema.
    """
    apis = template.of_type("AWS::ApiGateway::RestApi")
    if api is None and len(apis) != 1:
        raise TemplateError(str(template.path), f"name the API to export, one of {apis}")
    logical_id = api or apis[0]
    if logical_id not in apis:
        raise TemplateError(str(template.path), f"no REST API {logical_id!r} (found {apis})")
    body = template.properties(logical_id).get("Body")
    if not isinstance(body, dict) or not str(body.get("openapi", "")).startswith("3."):
        raise TemplateError(
            f"Resources.{logical_id}.Properties.Body", "is not an OpenAPI 3 definition"
        )
    definition = copy.deepcopy(body)
    components = definition.get("components") or {}
    schemes: dict[str, Any] = components.get("securitySchemes") or {}
    statuses = response_statuses(definition)
    schemas = {
        name: _schema_dialect(schema) for name, schema in (components.get("schemas") or {}).items()
    }
    names = _titled_names(schemas)
    schemas = {names.get(name, name): schema for name, schema in schemas.items()}
    if error_schema is not None and error_schema not in schemas:
        raise TemplateError(
            f"Resources.{logical_id}.Properties.Body.components.schemas",
            f"has no model titled {error_schema!r} for the error responses",
        )
    paths: dict[str, Any] = {}
    for path, item in (definition.get("paths") or {}).items():
        client_item: dict[str, Any] = {}
        for key, value in _with_any_method_spelled_out(item).items():
            if key in HTTP_METHODS:
                client_item[key] = _client_operation(value, key, schemes, statuses, error_schema)
                if not definition.get("security"):  # no credentials is said, not left out
                    client_item[key].setdefault("security", [])
            elif key == "parameters":
                client_item[key] = _schema_dialect(value)
        if any(key in HTTP_METHODS for key in client_item):
            paths[_client_path(path)] = client_item
    document: dict[str, Any] = {
        "openapi": definition["openapi"],
        "info": definition.get("info") or {},
        "servers": [
            {
                "url": DEPLOYED_SERVER,
                "description": "A deployed stage.",
                "x-internal": False,
                "variables": {
                    "apiId": {"default": "api-id", "description": "The REST API's id."},
                    "region": {"default": template.context.region},
                    "stage": {"default": "dev", "description": "The stage: the environment."},
                },
            },
            {"url": local_url, "description": "The local gateway (make dev).", "x-internal": True},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                name: _client_security_scheme(name, scheme) for name, scheme in schemes.items()
            },
        },
    }
    if definition.get("security"):
        document["security"] = definition["security"]
    operations = [op for item in paths.values() for key, op in item.items() if key in HTTP_METHODS]
    declared = {tag["name"]: tag for tag in definition.get("tags") or []}
    used = sorted({tag for operation in operations for tag in operation.get("tags", [])})
    tags = [*declared.values(), *({"name": tag} for tag in used if tag not in declared)]
    if tags:
        document["tags"] = tags
    document = _rename_references(_strip_extensions(document), names)
    metadata = template.resources[logical_id].get("Metadata") or {}
    add_examples(document["paths"], read_examples(template, logical_id, metadata.get("Examples")))
    resolved: dict[str, Any] = template.resolve(document, f"Resources.{logical_id}.Properties.Body")
    return resolved


def read_examples(template: LoadedTemplate, logical_id: str, examples: Any) -> dict[str, Any]:
    """The API's `Metadata.Examples`: the examples themselves, or the path (from the template's
    folder) of a YAML file holding them."""
    where = f"Resources.{logical_id}.Metadata.Examples"
    if not isinstance(examples, str):
        return dict(examples or {})
    file = template.root / examples
    if not file.is_file():
        raise TemplateError(where, f"no such file: {examples}")
    return parse_template_text(file.read_text(encoding="utf-8"), examples)


def render(document: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, a trailing newline (diffs stay small)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
