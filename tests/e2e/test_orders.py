"""The orders route end to end: `ANY /v1/orders/{proxy+}` proxied (HTTP_PROXY) to the orders system.

Locally the route reaches the orders stand-in (stand_ins/orders_backend.py) that the suite
starts, as `make dev` does, on a free port. Partners call with an OIDC access token: `orders:read`
opens GET, `orders:write` the other methods. The gateway names the caller to the backend in
`X-Caller-Id`, from the authorizer's verified principal, whatever the client sent.
"""

import jwt
import pytest

from tests.support.e2e import assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("orders")]

STAND_IN = "the answer checked is the orders stand-in's"


@pytest.mark.local_only(reason=STAND_IN)
def test_get_with_orders_read_reaches_the_backend_and_returns_its_answer(api):
    # Given a partner token with orders:read
    token = api.issuer_token("orders:read")

    # When it reads order 42
    response = api.request("GET", "/v1/orders/42", bearer=token)

    # Then the stand-in's answer comes back as it is
    assert response.status_code == 200, response.text
    assert response.headers["X-Orders-Stand-In"] == "true"
    assert response.json()["id"] == "42"


@pytest.mark.local_only(reason=STAND_IN)
def test_the_backend_is_told_the_callers_identity_by_the_gateway_not_the_client(api):
    # Given a partner token, and a client that claims to be someone else
    token = api.issuer_token("orders:read")
    subject = jwt.decode(token, options={"verify_signature": False})["sub"]

    # When it reads an order with its own X-Caller-Id (in another letter case, too)
    response = api.request(
        "GET", "/v1/orders/7", bearer=token, headers={"x-caller-id": "someone-else"}
    )

    # Then the backend saw the token's subject, set by the gateway
    assert response.status_code == 200, response.text
    assert response.json()["caller"] == subject


@pytest.mark.local_only(reason=STAND_IN)
def test_post_with_orders_write_reaches_the_backend(api):
    # Given a partner token with orders:write
    token = api.issuer_token("orders:write")

    # When it places an order
    response = api.request("POST", "/v1/orders/e2e-1", bearer=token, json={"sku": "lamp"})

    # Then the backend created it
    assert response.status_code == 201, response.text
    assert response.json()["sku"] == "lamp"


def test_post_without_orders_write_is_403(api):
    # Given a partner token that may only read orders
    token = api.issuer_token("orders:read")

    # When it tries to place an order
    response = api.request("POST", "/v1/orders/e2e-2", bearer=token, json={"sku": "lamp"})

    # Then the gateway refuses it before the backend
    assert_error(response, 403, "FORBIDDEN")


def test_get_without_orders_read_is_403(api):
    # Given a partner token that may only write orders
    token = api.issuer_token("orders:write")

    # When it reads an order
    response = api.request("GET", "/v1/orders/42", bearer=token)

    # Then it is refused
    assert_error(response, 403, "FORBIDDEN")


def test_orders_without_a_token_are_401(api):
    # When nobody signs the request, Then it is 401 before the backend
    assert_error(api.request("GET", "/v1/orders/42"), 401, "UNAUTHORIZED")


@pytest.mark.local_only(reason="stops the local orders stand-in")
def test_a_stopped_backend_is_502_in_the_envelope(api, local, orders_stand_in):
    # Given the orders system is down
    token = api.issuer_token("orders:read")
    orders_stand_in.stop()
    try:
        # When a partner reads an order
        response = api.request("GET", "/v1/orders/42", bearer=token)
    finally:
        orders_stand_in.start()

    # Then the gateway answers 502 in the API's envelope
    assert_error(response, 502, "BAD_GATEWAY")
