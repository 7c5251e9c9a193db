"""What a product is, as the API contract (docs/contract.md) spells it."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

ProductName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
# Lower-case slugs, so `?category=` matches what was written without case games.
Category = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class NewProduct(BaseModel):
    """The body of ``POST /v1/products``; `make models` renders it as the gateway's model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ProductName
    category: Category
    # Decimal in, so no binary rounding reaches DynamoDB; a JSON number out.
    price: Annotated[
        Decimal,
        # At most 4 decimals, the most any ISO 4217 currency has: a price like 9e-207 is
        # no amount of money, and below DynamoDB's smallest number (1e-130).
        Field(ge=0, le=1_000_000_000, decimal_places=4, allow_inf_nan=False),
        PlainSerializer(float, return_type=float, when_used="json"),
    ]
    currency: Currency


class Product(NewProduct):
    """A stored product: the new product and the id it was given."""

    id: str
