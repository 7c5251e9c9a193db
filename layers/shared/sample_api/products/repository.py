"""Products in DynamoDB: one item per product, keyed by ``id`` (the category index serves the
gateway's reads, so it is not used here)."""

from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from sample_api import aws
from sample_api.products.errors import ProductIdTaken
from sample_api.products.models import Product
from sample_api.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBProductRepository:
    """The :class:`~sample_api.products.ports.ProductRepository` in DynamoDB: writes products
    in the item shape the gateway's mapping templates read."""

    def __init__(self, table_name: str, client: "DynamoDBClient | None" = None) -> None:
        self._table_name = table_name
        self._client = client or aws.dynamodb()

    def add(self, product: Product) -> None:
        """Store a new product; never overwrite one (ids are random, so a clash is a bug)."""
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item={
                    "id": {"S": product.id},
                    "name": {"S": product.name},
                    "category": {"S": product.category},
                    "price": {"N": number(product.price)},
                    "currency": {"S": product.currency},
                },
                ConditionExpression="attribute_not_exists(id)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise ProductIdTaken("A product with this id exists.") from None


def number(value: Decimal) -> str:
    """A DynamoDB number that is also a JSON number (the GET templates emit it as is)."""
    return format(value.normalize(), "f")


@cache
def get_product_repository() -> DynamoDBProductRepository:
    """The function's repository, made on first use and kept while the container is warm."""
    return DynamoDBProductRepository(get_settings().require("table_name"))
