"""A pydantic request model as the JSON Schema draft 4 model API Gateway validates bodies with.

pydantic writes JSON Schema 2020-12; API Gateway's models are draft 4. The AWS sources:

- API Gateway developer guide, "Data models for REST APIs"
  (docs.aws.amazon.com/apigateway/latest/developerguide/how-to-create-model.html): "In API
  Gateway, models are defined using the JSON schema draft 4";
- the same guide, "Request validation for REST APIs" (api-gateway-method-request-validation.html):
  the body is checked against the method's model for its content type, a failure is a 400
  before the integration;
- CloudFormation's ``AWS::ApiGateway::Model``, ``Schema``: a draft 4 model for
  ``application/json``, with no ``*/`` in a description (it breaks the SDKs API Gateway
  generates); the API reference's GetModel: a model's name is alphanumeric (checked by
  scripts/models/__main__.py), and ``flatten`` resolves a model's references to other models,
  which are their URLs (``https://apigateway.amazonaws.com/restapis/{id}/models/{name}``).

So the rendering

- inlines ``$defs`` (a model's nested models): pydantic's ``#/$defs/...`` pointers mean
  nothing to API Gateway, whose references are other models' URLs, known only after the
  deploy; an inlined model is whole by itself;
- writes ``exclusiveMinimum``/``exclusiveMaximum`` as draft 4's booleans beside
  ``minimum``/``maximum``, and ``const`` as a one-value ``enum``;
- writes a nullable value (``str | None`` the model accepts as null) as ``type: [string, "null"]``;
  a field whose None only means "left out" is ``X | SkipJsonSchema[None]`` in the model, so no
  null reaches the schema;
- writes a ``Decimal`` as a JSON number, as every other number: the string form pydantic also
  lists is one of its coercions, not part of the API (floats take numeric strings too, and
  their schema says nothing of it);
- closes a map with patterned keys (``additionalProperties: false``): pydantic rejects a key
  that does not match, and says so in no schema keyword;
- drops pydantic's generated titles of fields, the docstring (code documentation, not the
  contract) and ``default: null``; keeps the model's title, descriptions given with
  ``Field(description=...)`` and other defaults (draft 4 annotations: the gateway ignores them);
- refuses what draft 4 cannot say (``propertyNames``, ``prefixItems``, ``examples``, ...), a
  recursive model, and an object that accepts unknown fields (``extra="forbid"`` on every model
  of a body: API Gateway would pass them to a handler that ignores them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

DRAFT_4 = "http://json-schema.org/draft-04/schema#"
# Draft 4's validation and annotation keywords (json-schema-validation-00 and -core-00), but
# `$ref` and `definitions`: models are inlined.
KEYWORD_ORDER = (
    "$schema", "title", "description", "type", "enum", "required", "minProperties",
    "maxProperties", "properties", "patternProperties", "additionalProperties", "dependencies",
    "items", "additionalItems", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength",
    "pattern", "format", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum",
    "multipleOf", "default", "allOf", "anyOf", "oneOf", "not",
)  # fmt: skip
DRAFT_4_KEYWORDS = frozenset(KEYWORD_ORDER)
SCHEMA_MAPS = ("properties", "patternProperties")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
SCHEMA_VALUES = ("additionalProperties", "items", "additionalItems", "not")


class DraftFourError(ValueError):
    """A model the gateway's draft 4 cannot check as pydantic does."""


class GatewaySchema(GenerateJsonSchema):
    """pydantic's JSON Schema, with the two types whose rendering the gateway needs told."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        json_schema: dict[str, Any] = {"type": "number"}
        self.update_with_validations(json_schema, schema, self.ValidationsMapping.numeric)
        return json_schema

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        json_schema = super().dict_schema(schema)
        if "patternProperties" in json_schema and "additionalProperties" not in json_schema:
            json_schema["additionalProperties"] = False
        return json_schema


def gateway_model(model: type[BaseModel]) -> dict[str, Any]:
    """The draft 4 model of a request body, titled as the pydantic model is."""
    generated = model.model_json_schema(schema_generator=GatewaySchema, mode="validation")
    definitions = generated.pop("$defs", {})
    title = generated.get("title", model.__name__)
    name = f"{model.__module__}.{model.__qualname__}"
    converted = _convert(generated, definitions, name, ())
    converted.pop("description", None)  # the docstring
    ordered: dict[str, Any] = _ordered({"$schema": DRAFT_4, **converted, "title": title})
    return ordered


def _convert(
    schema: dict[str, Any], definitions: dict[str, Any], where: str, seen: tuple[str, ...]
) -> dict[str, Any]:
    if "$ref" in schema:
        reference = str(schema["$ref"]).removeprefix("#/$defs/")
        if reference in seen:
            raise DraftFourError(f"{where}: {reference} contains itself; draft 4 inlines models")
        inlined = {**definitions[reference], **{k: v for k, v in schema.items() if k != "$ref"}}
        return _convert(inlined, definitions, where, (*seen, reference))
    converted: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword == "title":
            continue  # pydantic's "Name" for `name`; the model's own title is set by the caller
        if keyword in SCHEMA_MAPS:
            converted[keyword] = {
                key: _convert(item, definitions, f"{where}.{key}", seen)
                for key, item in value.items()
            }
        elif keyword in SCHEMA_LISTS:
            converted[keyword] = [_convert(item, definitions, where, seen) for item in value]
        elif keyword in SCHEMA_VALUES and isinstance(value, dict):
            converted[keyword] = _convert(value, definitions, where, seen)
        elif keyword == "const":
            converted["enum"] = [value]
        elif keyword in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            converted[keyword.replace("exclusiveM", "m")] = _number(value)
            converted[keyword] = True
        elif keyword == "default" and value is None:
            continue
        elif keyword not in DRAFT_4_KEYWORDS:
            raise DraftFourError(f"{where}: `{keyword}` is not JSON Schema draft 4")
        else:
            converted[keyword] = _number(value)
    if "*/" in str(converted.get("description", "")):
        raise DraftFourError(f"{where}: a description with `*/` breaks API Gateway's SDKs")
    converted = _null_as_type(converted)
    if "properties" in converted and converted.get("additionalProperties") is not False:
        raise DraftFourError(
            f"{where} accepts unknown fields: give it model_config = ConfigDict(extra='forbid')"
        )
    return converted


def _null_as_type(schema: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [{type: T, ...}, {type: "null"}]`` as draft 4 says it: ``type: [T, "null"]``."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "null"} not in branches:
        return schema
    (other,) = [branch for branch in branches if branch != {"type": "null"}]
    if not isinstance(other.get("type"), str) or set(other) & (set(schema) - {"anyOf"}):
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**rest, **other, "type": [other["type"], "null"]}


def _number(value: Any) -> Any:
    """Decimal bounds as JSON numbers; 1e9 written as 1000000000, not 1000000000.0."""
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return int(value) if value == int(value) else float(value)
    return value


def _ordered(schema: Any) -> Any:
    """Keywords in one reading order (type, then its constraints), nested schemas likewise."""
    if isinstance(schema, list):
        return [_ordered(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    rank = {keyword: index for index, keyword in enumerate(KEYWORD_ORDER)}
    ordered: dict[str, Any] = {}
    for keyword in sorted(schema, key=lambda key: rank.get(key, len(rank))):
        value = schema[keyword]
        if keyword in SCHEMA_MAPS:
            ordered[keyword] = {key: _ordered(item) for key, item in value.items()}
        else:
            ordered[keyword] = _ordered(value) if keyword != "enum" else value
    return ordered
