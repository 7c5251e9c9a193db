"""The Cognito authorizer, verified for real against moto's JWKS for the pool."""

import time
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from local_gateway.demo_users import sign_in
from local_gateway.testing import start_gateway

FIXTURE = Path(__file__).parent / "fixtures" / "basic" / "template.yaml"


@pytest.fixture(scope="module")
def local():
    with start_gateway(FIXTURE) as running:
        yield running


def _moto_signing_key():
    """moto's own Cognito signing key, to forge tokens the pool's JWKS accepts."""
    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def _reissue(token: str, key=None, **changes) -> str:
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    return jwt.encode(
        claims, key or _moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"}
    )


def _get(local, path, token):
    headers = {"Authorization": token} if token else {}
    return requests.get(local.api_url + path, headers=headers, timeout=10)


def _admin(local, kind="id_token"):
    return local.session.users["admin@example.com"][kind]


def test_a_valid_id_token_passes_and_its_claims_reach_the_function(local):
    # Given the admin's ID token from moto
    # When it calls a Cognito-guarded route
    response = _get(local, "/private", _admin(local))
    # Then the function sees the claims as API Gateway passes them: all strings
    assert response.status_code == 200
    claims = response.json()["event"]["requestContext"]["authorizer"]["claims"]
    assert claims["email"] == "admin@example.com"
    assert claims["cognito:groups"] == "admins"
    assert claims["token_use"] == "id"
    assert all(isinstance(value, str) for value in claims.values())
    assert claims["exp"].endswith(time.strftime("%Y", time.gmtime()))


def test_no_token_is_401(local):
    response = _get(local, "/private", None)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_an_expired_token_is_401_with_api_gateways_message(local):
    # Given the admin's token re-signed by the pool's key with exp in the past
    token = _reissue(_admin(local), exp=int(time.time()) - 60)
    response = _get(local, "/private", token)
    assert response.status_code == 401
    assert response.json() == {"message": "The incoming token has expired"}


def test_a_token_that_passed_once_is_401_expired_once_its_exp_is_past(local, monkeypatch):
    # Given a valid token that passed (its signature is not checked twice)
    token = _reissue(_admin(local), exp=int(time.time()) + 3600)
    assert _get(local, "/private", token).status_code == 200
    # When the gateway's clock is past its exp
    later = time.time() + 7200
    monkeypatch.setattr("local_gateway.cognito.time.time", lambda: later)
    response = _get(local, "/private", token)
    # Then it is refused as expired, as the first check would have
    assert response.status_code == 401
    assert response.json() == {"message": "The incoming token has expired"}


def test_a_token_with_a_wrong_signature_is_401(local):
    # Given the same claims signed by a key that is not the pool's
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _reissue(_admin(local), key=other_key)
    response = _get(local, "/private", token)
    assert response.status_code == 401


def test_a_token_from_another_user_pool_is_401(local):
    # Given a real, validly signed ID token of the template's other pool
    session = local.session
    gateway = local.gateway
    other_pool = gateway.resources.user_pools["OtherUserPool"]
    stranger = session.users["user@example.com"]  # also seeded in the other pool
    id_token, _ = sign_in(
        other_pool,
        "user@example.com",
        stranger["password"],
        endpoint_url=session.aws_endpoint_url,
        region=session.region,
    )
    # When it calls a route guarded by the first pool
    response = _get(local, "/private", id_token)
    # Then the issuer does not match
    assert response.status_code == 401


def test_an_access_token_where_an_id_token_is_required_is_401(local):
    token = _admin(local, "access_token")
    response = _get(local, "/private", token)
    assert response.status_code == 401


def test_a_scoped_method_rejects_an_id_token(local):
    response = _get(local, "/scoped", _admin(local))
    assert response.status_code == 401


def test_a_scoped_method_rejects_an_access_token_without_the_scope(local):
    # Given moto's access token, whose only scope is aws.cognito.signin.user.admin
    token = _admin(local, "access_token")
    response = _get(local, "/scoped", token)
    assert response.status_code == 401


def test_a_scoped_method_accepts_an_access_token_with_the_scope(local):
    # Given an access token of the pool carrying items/read
    token = _reissue(_admin(local, "access_token"), scope="items/read openid")
    response = _get(local, "/scoped", token)
    assert response.status_code == 200
    claims = response.json()["event"]["requestContext"]["authorizer"]["claims"]
    assert claims["scope"] == "items/read openid"
