"""GET /v1/products and /v1/products/{id}: VTL -> DynamoDB (moto) -> VTL, with hostile values."""

import json

import boto3
import pytest

from tests.support.vtl import HOSTILE, integration, render_template, request

pytestmark = pytest.mark.domain("products")


@pytest.fixture
def products_table(table_from_template):
    return table_from_template("ProductsTable")


def put_product(table, **fields):
    item = {
        "id": {"S": fields["id"]},
        "name": {"S": fields.get("name", "Widget")},
        "category": {"S": fields.get("category", "tools")},
        "price": {"N": fields.get("price", "9.5")},
        "currency": {"S": "EUR"},
    }
    boto3.client("dynamodb").put_item(TableName=table, Item=item)


def as_wire(response):
    """What DynamoDB sends back over HTTP: the parsed response without boto3's metadata."""
    return json.dumps({k: v for k, v in response.items() if k != "ResponseMetadata"}).encode()


def get_item_through_templates(api_body, product_id):
    spec = integration(api_body, "/v1/products/{id}", "get")
    rendered = render_template(
        spec["requestTemplates"]["application/json"], request(path={"id": product_id})
    )
    sent = json.loads(rendered.body)
    answer = boto3.client("dynamodb").get_item(**sent)
    out = render_template(
        spec["responses"]["default"]["responseTemplates"]["application/json"],
        request(body=as_wire(answer)),
    )
    return sent, out


@pytest.mark.parametrize("product_id", HOSTILE)
def test_get_item_request_holds_exactly_the_callers_id(api_body, products_table, product_id):
    # Given a product stored under a hostile id
    put_product(products_table, id=product_id, name=product_id)

    # When GET /v1/products/{id} renders its request, DynamoDB runs it, and the response renders
    sent, out = get_item_through_templates(api_body, product_id)

    # Then DynamoDB was asked for exactly that id, and the caller gets the Product shape back
    assert sent["Key"] == {"id": {"S": product_id}}
    assert sent["TableName"] == products_table
    assert out.status_override is None
    assert json.loads(out.body) == {
        "id": product_id,
        "name": product_id,
        "category": "tools",
        "price": 9.5,
        "currency": "EUR",
    }


def test_missing_product_is_404_in_the_error_envelope(api_body, products_table):
    # Given no product with this id
    # When it is requested
    _, out = get_item_through_templates(api_body, "no-such-id")

    # Then the status is overridden to 404 and the body is the envelope
    assert out.status_override == 404
    assert json.loads(out.body) == {
        "error": {"code": "NOT_FOUND", "message": "No product has this id.", "requestId": "req-1"}
    }


@pytest.mark.parametrize("category", HOSTILE)
def test_query_request_holds_exactly_the_callers_category(api_body, products_table, category):
    # Given two products in a hostile category and one elsewhere
    put_product(products_table, id="p1", name="b " + category, category=category)
    put_product(products_table, id="p2", name="a " + category, category=category, price="0")
    put_product(products_table, id="p3", category="other")
    spec = integration(api_body, "/v1/products", "get")

    # When GET /v1/products?category= renders, DynamoDB queries, and the response renders
    rendered = render_template(
        spec["requestTemplates"]["application/json"], request(query={"category": category})
    )
    sent = json.loads(rendered.body)
    answer = boto3.client("dynamodb").query(**sent)
    out = render_template(
        spec["responses"]["default"]["responseTemplates"]["application/json"],
        request(body=as_wire(answer)),
    )

    # Then the query used exactly that category, and only its products came back, by name
    assert sent["ExpressionAttributeValues"] == {":category": {"S": category}}
    items = json.loads(out.body)["items"]
    assert [(item["id"], item["name"], item["price"]) for item in items] == [
        ("p2", "a " + category, 0),
        ("p1", "b " + category, 9.5),
    ]


def test_unknown_category_is_an_empty_list(api_body, products_table):
    spec = integration(api_body, "/v1/products", "get")

    out = render_template(
        spec["responses"]["default"]["responseTemplates"]["application/json"],
        request(body=b'{"Items": [], "Count": 0, "ScannedCount": 0}'),
    )

    assert json.loads(out.body) == {"items": []}


@pytest.mark.parametrize(("path", "pattern"), [
    ("/v1/products", "4\\d{2}"), ("/v1/products", "5\\d{2}"),
    ("/v1/products/{id}", "4\\d{2}"), ("/v1/products/{id}", "5\\d{2}"),
])  # fmt: skip
def test_dynamodb_errors_become_the_error_envelope(api_body, path, pattern):
    spec = integration(api_body, path, "get")["responses"][pattern]

    out = render_template(
        spec["responseTemplates"]["application/json"],
        request(body=b'{"__type": "com.amazon#ValidationException", "message": "secret detail"}'),
    )

    error = json.loads(out.body)["error"]
    assert spec["statusCode"] in ("400", "503")
    assert error["requestId"] == "req-1"
    assert "secret" not in error["message"]


@pytest.mark.parametrize("path", ["/v1/products", "/v1/products/{id}"])
def test_a_failing_dynamodb_is_503_with_retry_after_never_its_own_text(api_body, path):
    # Given DynamoDB answers 500 with its own error text
    responses = integration(api_body, path, "get")["responses"]
    spec = responses["5\\d{2}"]

    # When the 5xx integration response renders it
    out = render_template(
        spec["responseTemplates"]["application/json"],
        request(
            body=b'{"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", '
            b'"message": "Internal server error (Service: DynamoDb, secret detail)"}'
        ),
    )

    # Then the caller gets 503, Retry-After and the envelope, nothing of AWS's text
    assert spec["statusCode"] == "503"
    assert spec["responseParameters"]["method.response.header.Retry-After"] == "'5'"
    error = json.loads(out.body)["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert "DynamoDb" not in out.body
    assert "secret" not in out.body


@pytest.mark.parametrize("path", ["/v1/products", "/v1/products/{id}"])
@pytest.mark.parametrize(
    "error_type", ["ProvisionedThroughputExceededException", "ThrottlingException"]
)
def test_a_throttling_dynamodb_is_503_with_retry_after(api_body, path, error_type):
    # Given DynamoDB refuses with a throttling error (a 400 on the wire)
    spec = integration(api_body, path, "get")["responses"]["4\\d{2}"]
    body = json.dumps(
        {"__type": f"com.amazonaws.dynamodb.v20120810#{error_type}", "message": "Rate exceeded"}
    ).encode()

    # When the 4xx integration response renders it
    out = render_template(spec["responseTemplates"]["application/json"], request(body=body))

    # Then it overrides the status to 503 and adds Retry-After
    assert out.status_override == 503
    assert out.header_overrides == {"Retry-After": "5"}
    assert json.loads(out.body)["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_catalog_reads_wait_five_seconds_at_most_for_dynamodb(api_body):
    for path in ("/v1/products", "/v1/products/{id}"):
        assert integration(api_body, path, "get")["timeoutInMillis"] == 5000
