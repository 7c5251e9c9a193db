"""POST /v1/products: the partner's product is stored in the shape the gateway reads."""

import json
from collections.abc import Iterator

import boto3
import pytest

from functions.create_product.app import handler
from sample_api import aws as aws_clients
from sample_api.products.repository import get_product_repository
from sample_api.settings import get_settings
from tests.support.events import api_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.domain("products")


def clear_caches():
    for cached in (get_settings, get_product_repository, aws_clients.dynamodb):
        cached.cache_clear()


@pytest.fixture
def products_table(table_from_template, monkeypatch) -> Iterator[str]:
    name = table_from_template("ProductsTable")
    monkeypatch.setenv("TABLE_NAME", name)
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield name
    clear_caches()


def post_event(body):
    partner = {"principalId": "partner-1", "sub": "partner-1"}
    return api_event("POST", "/v1/products", body, authorizer=partner, request_id="req-7")


def test_new_product_is_201_and_stored(products_table):
    # Given a valid product
    body = {"name": 'Quote " and \\', "category": "tools", "price": 12.5, "currency": "EUR"}

    # When a partner posts it
    response = handler(post_event(body), FakeLambdaContext())

    # Then it is created with an id, and stored as the gateway's templates read it
    assert response["statusCode"] == 201
    product = json.loads(response["body"])
    assert {k: v for k, v in product.items() if k != "id"} == body
    key = {"id": {"S": product["id"]}}
    item = boto3.client("dynamodb").get_item(TableName=products_table, Key=key)
    assert item["Item"]["price"] == {"N": "12.5"}
    assert item["Item"]["category"] == {"S": "tools"}


@pytest.mark.parametrize("body", [
    {"name": "x", "category": "tools", "price": -1, "currency": "EUR"},
    {"name": "x", "category": "Tools", "price": 1, "currency": "EUR"},
    {"name": "x", "category": "tools", "price": 1, "currency": "eur"},
    {"name": "x", "category": "tools", "price": 1, "currency": "EUR", "id": "mine"},
    # Below DynamoDB's smallest number (found by the schemathesis fuzz test: it was a 500).
    {"name": "x", "category": "tools", "price": 9.269031938532553e-207, "currency": "EUR"},
    {"name": "x", "category": "tools", "price": 0.00001, "currency": "EUR"},
])  # fmt: skip
def test_invalid_product_is_400_envelope(products_table, body):
    response = handler(post_event(body), FakeLambdaContext())

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["requestId"] == "req-7"
