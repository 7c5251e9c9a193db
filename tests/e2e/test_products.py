"""The product catalog end to end: reads by API key straight from DynamoDB, no Lambda.

Products are added through the API (`POST /v1/products` with a partner token), then read with
the keys of the free and partner usage plans. The throttling test (local only) spends the free
key's burst, so it runs last in this module and no later module reads with the free key.
"""

import uuid

import pytest

from tests.support.e2e import assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("products")]

CATALOG_PLANS = ["free", "partner"]


@pytest.fixture(scope="module")
def category() -> str:
    """A category of this run only, so its listing is exactly what this module added."""
    return f"e2e-lamps-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def products(api, category) -> list[dict[str, object]]:
    """Two products of the category, added by a partner, in the index's order (by name)."""
    token = api.issuer_token("products:write")
    added = []
    for name, price in [("Arc lamp", 120), ("Desk lamp", 39.5)]:
        body = {"name": name, "category": category, "price": price, "currency": "EUR"}
        response = api.request("POST", "/v1/products", bearer=token, json=body)
        assert response.status_code == 201, response.text
        added.append(response.json())
    return added


@pytest.mark.parametrize("plan", CATALOG_PLANS)
def test_products_of_a_category_are_listed_with_a_catalog_key(api, products, category, plan):
    # When the category is read with the plan's key
    response = api.request("GET", "/v1/products", api_key=plan, params={"category": category})

    # Then exactly its products come back, as they were added
    assert response.status_code == 200, response.text
    assert response.json() == {"items": products}


@pytest.mark.parametrize("plan", CATALOG_PLANS)
def test_a_product_is_read_by_id_with_a_catalog_key(api, products, plan):
    # When one product is read by its id with the plan's key
    response = api.request("GET", f"/v1/products/{products[1]['id']}", api_key=plan)

    # Then it is that product
    assert response.status_code == 200, response.text
    assert response.json() == products[1]


def test_a_category_with_no_products_is_an_empty_list(api):
    # When a category nobody added products to is read
    response = api.request(
        "GET", "/v1/products", api_key="partner", params={"category": "e2e-none-such"}
    )

    # Then the answer is an empty list, not an error
    assert response.status_code == 200, response.text
    assert response.json() == {"items": []}


def test_a_category_with_quotes_and_backslashes_stays_a_value(api, products):
    # Given a category that would break out of the mapping template's JSON if not escaped
    category = 'x", "KeyConditionExpression": "\\'

    # When it is read
    response = api.request("GET", "/v1/products", api_key="partner", params={"category": category})

    # Then it is just a category with no products
    assert response.status_code == 200, response.text
    assert response.json() == {"items": []}


def test_an_unknown_product_id_is_404(api):
    # When an id no product has is read
    response = api.request("GET", f"/v1/products/{uuid.uuid4()}", api_key="partner")

    # Then the mapping template answers 404 in the error envelope
    assert_error(response, 404, "NOT_FOUND")


def test_listing_without_a_category_is_400(api):
    # When the required `category` query string is missing
    response = api.request("GET", "/v1/products", api_key="partner")

    # Then the request validator refuses it before DynamoDB is called
    assert_error(response, 400, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-api-key": "not-a-key-of-any-plan-0123456789abcdefghij"}],
    ids=["no key", "unknown key"],
)
def test_a_catalog_read_without_a_valid_key_is_403(api, products, headers):
    # When a product is read with no key, or with a key no usage plan knows
    response = api.request("GET", f"/v1/products/{products[0]['id']}", headers=headers)

    # Then the gateway refuses it, as API Gateway does, with 403
    assert_error(response, 403, "INVALID_API_KEY")


@pytest.mark.local_only(
    reason="the free plan's burst is read from the local template's parameters; a deployed "
    "plan's limits differ, and spending a shared stage's free key would throttle its clients"
)
def test_the_free_plan_is_throttled_with_429_once_its_burst_is_spent(api, products, local):
    # Given the free plan's burst (10 by default) and a rate (5 a second) far below what a
    # client on loopback sends back to back
    path = f"/v1/products/{products[0]['id']}"
    burst = int(local.gateway.template.context.parameters["FreePlanBurstLimit"])

    # When the free key reads more than its burst, as fast as it can
    statuses = []
    for _ in range(burst * 3):
        response = api.request("GET", path, api_key="free")
        statuses.append(response.status_code)
        if response.status_code == 429:
            break

    # Then some reads succeed, and then the gateway answers 429 in the error envelope
    assert statuses[0] == 200
    assert set(statuses[:-1]) == {200}
    assert_error(response, 429, "THROTTLED")
