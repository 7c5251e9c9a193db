"""A pydantic request model rendered as API Gateway's draft 4 model (scripts/models/draft4.py):
what pydantic writes in JSON Schema 2020-12 is said in draft 4, or refused with the reason.

AWS doc: how-to-create-model.html ("models are defined using the JSON schema draft 4");
AWS::ApiGateway::Model (Schema: a draft 4 model; no `*/` in descriptions).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from scripts.models.draft4 import DRAFT_4, DraftFourError, gateway_model

pytestmark = pytest.mark.domain("core")

CLOSED = ConfigDict(extra="forbid")


class Line(BaseModel):
    model_config = CLOSED

    sku: str = Field(max_length=20)
    quantity: int = Field(gt=0, lt=1000)


class Order(BaseModel):
    """An order, with its lines."""

    model_config = CLOSED

    lines: list[Line] = Field(min_length=1, max_length=10)
    kind: Literal["standard"]
    note: str | None
    coupon: str | SkipJsonSchema[None] = None
    total: Annotated[Decimal, Field(ge=0, le=10_000)]
    tags: dict[Annotated[str, Field(pattern=r"^[a-z]{1,8}$")], str] = Field(max_length=5)


def test_a_model_is_a_draft_4_schema_titled_as_the_model():
    # When a model is rendered
    schema = gateway_model(Order)
    # Then it declares draft 4, carries the model's title and not its docstring, and draft 4's
    # own meta-schema accepts it
    assert schema["$schema"] == DRAFT_4
    assert schema["title"] == "Order"
    assert "description" not in schema
    jsonschema.Draft4Validator.check_schema(schema)


def test_nested_models_are_inlined_without_defs_and_closed():
    schema = gateway_model(Order)
    line = schema["properties"]["lines"]["items"]
    assert "$defs" not in schema
    assert "$ref" not in str(schema)
    assert line["additionalProperties"] is False
    assert line["required"] == ["sku", "quantity"]
    assert schema["properties"]["lines"]["minItems"] == 1


def test_exclusive_bounds_are_draft_4_booleans():
    quantity = gateway_model(Order)["properties"]["lines"]["items"]["properties"]["quantity"]
    assert quantity == {
        "type": "integer",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 1000,
        "exclusiveMaximum": True,
    }


def test_a_one_value_literal_is_an_enum_and_a_decimal_a_number():
    properties = gateway_model(Order)["properties"]
    assert properties["kind"] == {"type": "string", "enum": ["standard"]}
    assert properties["total"] == {"type": "number", "minimum": 0, "maximum": 10000}


def test_null_is_in_the_schema_only_where_the_model_accepts_it():
    properties = gateway_model(Order)["properties"]
    # `str | None` takes a null: draft 4 says it with a type list, not anyOf
    assert properties["note"] == {"type": ["string", "null"]}
    # `str | SkipJsonSchema[None] = None`: None means "left out", no null, no default
    assert properties["coupon"] == {"type": "string"}


def test_a_map_with_patterned_keys_refuses_other_keys():
    tags = gateway_model(Order)["properties"]["tags"]
    assert tags["patternProperties"] == {"^[a-z]{1,8}$": {"type": "string"}}
    assert tags["additionalProperties"] is False
    assert tags["maxProperties"] == 5


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({"lines": [{"sku": "a", "quantity": 1}], "kind": "standard", "note": None,
          "total": 5, "tags": {"gift": "yes"}}, True),
        ({"lines": [{"sku": "a", "quantity": 0}], "kind": "standard", "note": None,
          "total": 5, "tags": {}}, False),
        ({"lines": [{"sku": "a", "quantity": 1}], "kind": "standard", "note": None,
          "total": 5, "tags": {"NOT-LOWER": "x"}}, False),
        ({"lines": [{"sku": "a", "quantity": 1}], "kind": "standard", "note": None,
          "total": 5, "tags": {}, "coupon": None}, False),
        ({"lines": [{"sku": "a", "quantity": 1, "extra": 1}], "kind": "standard",
          "note": None, "total": 5, "tags": {}}, False),
    ],
    ids=["valid", "exclusive-minimum", "key-pattern", "null-coupon", "nested-extra"],
)  # fmt: skip
def test_the_rendered_model_decides_bodies_as_a_draft_4_validator(body, accepted):
    # When API Gateway's dialect judges a body against the rendered model
    verdict = jsonschema.Draft4Validator(gateway_model(Order)).is_valid(body)
    # Then it is the verdict the model's rules give
    assert verdict is accepted


class Open(BaseModel):
    name: str


class Node(BaseModel):
    model_config = CLOSED

    children: list[Node]


class Documented(BaseModel):
    model_config = CLOSED

    name: str = Field(description="Not */ this")


class Exemplified(BaseModel):
    model_config = CLOSED

    name: str = Field(examples=["Ada"])


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (Open, "accepts unknown fields: give it model_config = ConfigDict(extra='forbid')"),
        (Node, "Node contains itself"),
        (Documented, "a description with `*/`"),
        (Exemplified, "`examples` is not JSON Schema draft 4"),
    ],
    ids=["open-model", "recursive", "comment-closer", "not-draft-4"],
)
def test_what_draft_4_cannot_say_is_refused_with_the_reason(model, reason):
    # When a model the gateway could not check as pydantic does is rendered
    with pytest.raises(DraftFourError) as refused:
        gateway_model(model)
    # Then the error says why
    assert reason in str(refused.value)
