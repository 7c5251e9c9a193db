"""Conformance through the running gateway: Lambda TOKEN and REQUEST authorizers.

The fixture's TOKEN authorizer decides by the token (`Bearer allow-<who>`, `deny-<who>`,
`unauthorized-<who>`) and allows exactly the method ARN it was called for; its REQUEST
authorizer needs the X-Caller header and the tenant query string. Each test uses its own
token, as results are cached per identity for the authorizer's TTL (300 s by default).
AWS docs (developerguide): apigateway-use-lambda-authorizer.html,
api-gateway-lambda-authorizer-output.html, supported-gateway-response-types.html.
"""

import logging

import pytest
import requests


@pytest.fixture
def function_logs(caplog):
    """The lines the authorizer functions printed, as the gateway labels them."""
    caplog.set_level(logging.INFO, logger="local_gateway")

    def lines(function: str) -> list[str]:
        return [r.getMessage() for r in caplog.records if f"[{function}]" in r.getMessage()]

    return lines


def get(pipeline, path: str, **headers: str) -> requests.Response:
    return requests.get(pipeline.api_url + path, headers=headers, timeout=10)


def test_token_authorizer_without_its_header_is_401_without_invoking(pipeline, function_logs):
    """No Authorization header: 401 "Unauthorized", and the authorizer is not invoked.

    AWS doc: apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
    """
    # When a TOKEN-guarded route is called without the identity source
    response = get(pipeline, "/token/1")

    # Then it is API Gateway's 401, in the template's UNAUTHORIZED response
    assert response.status_code == 401
    assert response.json() == {
        "shape": "unauthorized",
        "message": "Unauthorized",
        "type": "UNAUTHORIZED",
    }
    assert function_logs("TokenAuthorizerFunction") == []


def test_token_failing_the_validation_expression_is_401_without_invoking(pipeline, function_logs):
    """A token not matching identityValidationExpression is 401 and the function never runs.

    AWS doc: apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html
    (Token validation)
    """
    # When the token is not of the form "Bearer <token>"
    response = get(pipeline, "/token/1", Authorization="Basic allow-validation")

    # Then 401 without invoking the authorizer
    assert response.status_code == 401
    assert response.json()["message"] == "Unauthorized"
    assert function_logs("TokenAuthorizerFunction") == []


def test_authorizer_raising_unauthorized_is_401(pipeline, function_logs):
    """A function failing with the message "Unauthorized" is 401 Unauthorized.

    AWS doc: apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
    """
    # When the authorizer raises Exception("Unauthorized")
    response = get(pipeline, "/token/1", Authorization="Bearer unauthorized-carol")

    # Then 401, after the function ran
    assert response.status_code == 401
    assert response.json()["type"] == "UNAUTHORIZED"
    assert any("unauthorized-carol" in line for line in function_logs("TokenAuthorizerFunction"))


def test_explicit_deny_is_403_access_denied(pipeline):
    """A Deny policy is 403 with API Gateway's explicit-deny message (ACCESS_DENIED).

    AWS doc: apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html;
    supported-gateway-response-types.html (ACCESS_DENIED, 403)
    """
    # When the authorizer denies the caller
    response = get(pipeline, "/token/1", Authorization="Bearer deny-dave")

    # Then 403, shaped by DEFAULT_4XX as no ACCESS_DENIED response is declared
    assert response.status_code == 403
    assert response.json() == {
        "shape": "default-4xx",
        "message": "User is not authorized to access this resource with an explicit deny",
        "type": "ACCESS_DENIED",
    }


def test_token_authorizer_principal_and_context_reach_the_integration(pipeline):
    """principalId and context (values as strings) arrive in requestContext.authorizer.

    AWS doc: apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
    """
    # When an allowed caller calls
    response = get(pipeline, "/token/1", Authorization="Bearer allow-ada")

    # Then the integration sees who it is and the authorizer's context, stringified
    assert response.status_code == 200
    authorizer = response.json()["event"]["requestContext"]["authorizer"]
    assert authorizer == {"principalId": "ada", "tier": "gold", "count": "3", "flag": "true"}


def test_request_authorizer_missing_one_identity_source_is_401_without_invoking(
    pipeline, function_logs
):
    """A REQUEST authorizer with one identity source missing is 401, function not invoked.

    AWS doc: apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
    (identity sources of a REQUEST authorizer)
    """
    # When the X-Caller header is sent but the tenant query string is not
    response = get(pipeline, "/request/1", **{"X-Caller": "erin"})

    # Then 401 and the authorizer never ran
    assert response.status_code == 401
    assert function_logs("RequestAuthorizerFunction") == []


def test_request_authorizer_context_reaches_the_integration(pipeline):
    """A REQUEST authorizer sees headers and query; its context reaches the integration.

    AWS doc: apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html;
    api-gateway-lambda-authorizer-output.html
    """
    # When both identity sources are present
    response = get(pipeline, "/request/1?tenant=acme", **{"X-Caller": "frank"})

    # Then the integration gets the principal and context the authorizer built from them
    assert response.status_code == 200
    authorizer = response.json()["event"]["requestContext"]["authorizer"]
    assert authorizer == {"principalId": "frank", "caller": "frank", "tenant": "acme"}


def test_a_policy_cached_for_one_route_denies_the_same_caller_on_another(pipeline, function_logs):
    """The cache pitfall: a cached policy naming only the first method ARN denies the next route.

    AWS doc: apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html (the
    returned policy is cached and applied to every method using the authorizer)
    """
    # Given a caller allowed on /token/1 (the policy names exactly that method ARN)
    token = "Bearer allow-grace"
    first = get(pipeline, "/token/1", Authorization=token)

    # When the same token calls another route guarded by the same authorizer, within the TTL
    second = get(pipeline, "/token-other", Authorization=token)

    # Then the cached policy, not a new call, decides: 403 with the implicit-deny message
    assert first.status_code == 200
    assert second.status_code == 403
    assert second.json()["message"] == "User is not authorized to access this resource"
    invocations = [line for line in function_logs("TokenAuthorizerFunction") if "grace" in line]
    assert len(invocations) == 1
