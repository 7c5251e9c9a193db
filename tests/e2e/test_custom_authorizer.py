"""The custom JWT authorizer end to end: partner tokens of an OIDC issuer guarding product writes.

Locally the gateway runs the template's TOKEN authorizer function in a worker, as Lambda would,
and points it at its own local OIDC issuer; a deployed stage trusts its configured issuer. A
token is accepted only when that issuer signed it (RS256, its key) and it carries the scope of
the route (`products:write` for `POST /v1/products`); everything else is refused in the API's
error envelope. The forged tokens are built from a real one, so they need no issuer's key.
"""

import base64
import json
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.e2e import ADMIN, assert_error

pytestmark = [pytest.mark.e2e, pytest.mark.domain("jwt-authorizer", "products")]


def a_product() -> dict[str, object]:
    return {
        "name": "Desk lamp",
        "category": f"e2e-{uuid.uuid4().hex}",
        "price": 39.9,
        "currency": "EUR",
    }


def b64url(document: dict[str, object]) -> str:
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def segments(token: str) -> tuple[dict[str, object], dict[str, object], str]:
    """A token's header and claims (unverified) and its signature segment."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.get_unverified_header(token), claims, token.rsplit(".", 1)[1]


def test_a_partner_token_from_the_issuer_with_products_write_creates_a_product(api):
    # Given a partner that obtained a token from the issuer with the client-credentials grant
    token = api.issuer_token("products:write")
    product = a_product()

    # When it adds a product
    response = api.request("POST", "/v1/products", bearer=token, json=product)

    # Then the product is created and answered back with its new id
    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: created[k] for k in product} == product
    assert uuid.UUID(created["id"])


@pytest.mark.domain("telemetry")
def test_a_token_without_the_route_scope_is_403(api):
    # Given a valid issuer token whose scopes open other routes only
    token = api.issuer_token("telemetry:read", "telemetry:write")

    # When it tries to add a product
    response = api.request("POST", "/v1/products", bearer=token, json=a_product())

    # Then the authorizer's policy does not allow the route
    assert_error(response, 403, "FORBIDDEN")


def test_a_request_without_a_token_is_401(api):
    # When a product is posted with no Authorization header
    response = api.request("POST", "/v1/products", json=a_product())

    # Then the gateway refuses it before the authorizer runs
    assert_error(response, 401, "UNAUTHORIZED")


def forged_by_another_key(valid: str) -> str:
    """The same header (the issuer's kid) and claims, signed with a key the issuer never had."""
    header, claims, _ = segments(valid)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, stranger, algorithm="RS256", headers=header)


def forged_unsigned(valid: str) -> str:
    """`alg: none` with an empty signature, as RFC 7519 section 6 allows unsecured JWTs."""
    header, claims, _ = segments(valid)
    return f"{b64url({**header, 'alg': 'none'})}.{b64url(claims)}."


def forged_unsigned_with_a_signature(valid: str) -> str:
    """`alg: none`, keeping the real signature so the token passes the header's pattern."""
    header, claims, signature = segments(valid)
    return f"{b64url({**header, 'alg': 'none'})}.{b64url(claims)}.{signature}"


def forged_by_tampering(valid: str) -> str:
    """A real token's signature over claims changed afterwards: another subject, a longer life."""
    header, claims, signature = segments(valid)
    tampered = {**claims, "sub": "partner-2", "exp": int(str(claims["exp"])) + 86_400}
    return f"{b64url(header)}.{b64url(tampered)}.{signature}"


@pytest.mark.parametrize(
    "forge",
    [forged_by_another_key, forged_unsigned, forged_unsigned_with_a_signature, forged_by_tampering],
)
def test_a_forged_token_is_401(api, forge):
    # Given a forged token built from a real one of the issuer that may write products
    token = forge(api.issuer_token("products:write"))

    # When it is presented to add a product
    response = api.request("POST", "/v1/products", bearer=token, json=a_product())

    # Then it is not trusted
    assert_error(response, 401, "UNAUTHORIZED")


def test_a_cognito_id_token_is_not_a_partner_token(api):
    # Given an end user's Cognito ID token, presented as a bearer token
    token = api.id_token(ADMIN)

    # When it is used to add a product
    response = api.request("POST", "/v1/products", bearer=token, json=a_product())

    # Then the custom authorizer refuses it: another issuer, and not an access token
    assert_error(response, 401, "UNAUTHORIZED")


def test_a_product_body_failing_the_model_is_400_before_any_lambda(api):
    # Given a partner allowed to write products
    token = api.issuer_token("products:write")

    # When it posts a product with a negative price
    response = api.request("POST", "/v1/products", bearer=token, json={**a_product(), "price": -1})

    # Then the gateway's request validator refuses it
    error = assert_error(response, 400, "VALIDATION_FAILED")
    assert error["details"]
