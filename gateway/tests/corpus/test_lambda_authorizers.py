"""Lambda TOKEN and REQUEST authorizers on `templates/access` (API Gateway's own error bodies).

The token authorizer decides by the token (`allow-<who>`, `deny-<who>`, `unauthorized`, `fail`,
`malformed`) and counts its invocations in `context.invocations`, so the cache can be seen.
"""

import uuid

import requests

from .recorded import recorded

USE = (
    "API Gateway developer guide, 'Use API Gateway Lambda authorizers' (TOKEN and REQUEST "
    "authorizers, identity sources, caching)"
)
OUTPUT = "API Gateway developer guide, 'Output from an API Gateway Lambda authorizer'"
ERRORS_401 = (
    "AWS knowledge center, 'Why do I get API Gateway 401 Unauthorized errors after I create a "
    "Lambda authorizer?' (missing, null or unvalidated token or identity source: 401)"
)
ERRORS_403 = (
    "AWS knowledge center, 'How do I troubleshoot HTTP 403 Forbidden errors from a Lambda "
    "authorizer?' (explicit and implicit deny messages)"
)


def token(gateway, value: str | None, path: str = "/token", header: str = "Authorization"):
    headers = {header: value} if value is not None else {}
    return requests.get(gateway.api_url + path, headers=headers, timeout=10)


def someone() -> str:
    return uuid.uuid4().hex[:12]


# -- TOKEN -----------------------------------------------------------------------------------


@recorded(ERRORS_401 + "; identity source missing: the authorizer is not invoked")
def test_missing_token_is_401_unauthorized(access):
    response = token(access, None)
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"


@recorded(ERRORS_401 + " (an empty identity source counts as missing)")
def test_empty_token_is_401_unauthorized(access):
    response = token(access, "")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


@recorded(ERRORS_401 + "; a token failing identityValidationExpression is 401 without invoking")
def test_token_failing_the_validation_expression_is_401(access):
    response = token(access, "Basic dXNlcjpwYXNz")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


@recorded(
    OUTPUT + " (principalId and context reach $context.authorizer; context values are "
    'stringified: a number 3 becomes "3", a boolean true becomes "true")'
)
def test_allowed_caller_principal_and_stringified_context_reach_the_integration(access):
    who = someone()
    body = token(access, f"Bearer allow-{who}").json()
    assert (body["principalId"], body["tier"], body["countLength"], body["flagLength"]) == (
        who,
        "gold",
        "1",
        "4",
    )


@recorded(ERRORS_403 + " (explicit deny; the body's key is 'Message', as API Gateway sends it)")
def test_explicit_deny_is_403(access):
    response = token(access, f"Bearer deny-{someone()}")
    assert response.status_code == 403
    assert response.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"


@recorded(USE + " (the function throws 'Unauthorized': API Gateway answers 401 Unauthorized)")
def test_authorizer_throwing_unauthorized_is_401(access):
    response = token(access, "Bearer unauthorized")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


@recorded(
    "API Gateway developer guide, 'Gateway response types' (AUTHORIZER_FAILURE 500: the "
    "authorizer failed to authorize the caller) and AWS knowledge center 'API Gateway 500 "
    "error with a Lambda authorizer' (message null, AuthorizerConfigurationException)"
)
def test_authorizer_raising_another_error_is_500(access):
    response = token(access, "Bearer fail")
    assert (response.status_code, response.json()) == (500, {"message": None})
    assert response.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


@recorded(
    OUTPUT + " (principalId and policyDocument are required); 'Gateway response types' "
    "AUTHORIZER_CONFIGURATION_ERROR 500"
)
def test_authorizer_result_without_a_policy_is_500(access):
    response = token(access, "Bearer malformed")
    assert (response.status_code, response.json()) == (500, {"message": None})


@recorded(
    OUTPUT + " (a JSON object or array cannot be a value of the context map); 'Gateway "
    "response types' AUTHORIZER_CONFIGURATION_ERROR 500"
)
def test_authorizer_context_with_an_object_value_is_500(access):
    response = token(access, f"Bearer nested-{someone()}")
    assert (response.status_code, response.json()) == (500, {"message": None})


@recorded(
    USE + " (authorizerResultTtlInSeconds: the policy for a token is cached, so the function "
    "is not invoked again for the same token within the TTL, on any method the policy allows)"
)
def test_cached_result_serves_the_same_token_without_invoking_again(access):
    caller = f"Bearer allow-{someone()}"
    first = token(access, caller).json()["invocations"]
    again = token(access, caller, "/token-other").json()["invocations"]
    assert again == first


@recorded(
    "AWS knowledge center, 'Why does my API Gateway proxy resource with a Lambda authorizer that"
    " has caching activated return HTTP 403 User is not authorized to access this resource?' "
    "(a cached policy naming one method ARN is applied to the caller's next method)"
)
def test_cached_policy_for_one_method_denies_another_method(access):
    caller = f"Bearer exact-{someone()}"
    first = token(access, caller)
    second = token(access, caller, "/token-other")
    assert first.status_code == 200
    assert (second.status_code, second.json()) == (
        403,
        {"Message": "User is not authorized to access this resource"},
    )


@recorded(USE + " (the cache is keyed by the token: another token invokes the function)")
def test_another_token_is_authorized_afresh(access):
    first = token(access, f"Bearer allow-{someone()}").json()["invocations"]
    second = token(access, f"Bearer allow-{someone()}").json()["invocations"]
    assert int(second) > int(first)


@recorded(USE + " (a TTL of 0 turns caching off: every request invokes the function)")
def test_ttl_zero_invokes_the_authorizer_every_time(access):
    caller = f"Bearer allow-{someone()}"
    first = token(access, caller, "/uncached", "X-Token").json()["invocations"]
    second = token(access, caller, "/uncached", "X-Token").json()["invocations"]
    assert int(second) > int(first)


INPUT = "API Gateway developer guide, 'Input to an API Gateway Lambda authorizer'"


@recorded(
    INPUT + " (TOKEN: type TOKEN, authorizationToken, methodArn "
    "arn:aws:execute-api:region:account:apiId/stage/METHOD/resourcePath)"
)
def test_token_authorizer_event_has_its_type_and_the_method_arn(access):
    body = token(access, f"Bearer allow-{someone()}").json()
    assert body["type"] == "TOKEN"
    prefix, _, rest = body["methodArn"].partition("/")
    assert prefix.startswith("arn:aws:execute-api:")
    assert rest == "corpus/GET/token"


@recorded(
    "API Gateway developer guide, 'Choose an API key source in API Gateway' (AUTHORIZER: the "
    "key is the authorizer's usageIdentifierKey)"
)
def test_key_source_authorizer_admits_the_usage_identifier_key(access):
    response = requests.get(
        access.api_url + "/sourced", headers={"Authorization": "Bearer allow-keyed"}, timeout=10
    )
    assert (response.status_code, response.json()) == (
        200,
        {"apiKey": "corpus-open-key-0000000000000000000000"},
    )


@recorded(
    "API Gateway developer guide, 'Choose an API key source in API Gateway' (AUTHORIZER: an "
    "authorizer returning no usageIdentifierKey leaves the method without a key: 403)"
)
def test_key_source_authorizer_without_a_key_is_403(access):
    response = requests.get(
        access.api_url + "/sourced",
        headers={"Authorization": "Bearer allow-nokey", "x-api-key": "ignored-header-key"},
        timeout=10,
    )
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


# -- REQUEST ---------------------------------------------------------------------------------


def request_authorized(gateway, caller: str | None, tenant: str | None) -> requests.Response:
    headers = {"X-Caller": caller} if caller is not None else {}
    params = {"tenant": tenant} if tenant is not None else {}
    return requests.get(gateway.api_url + "/request", headers=headers, params=params, timeout=10)


@recorded(ERRORS_401 + "; a REQUEST authorizer with any identity source missing is 401")
def test_request_authorizer_with_a_missing_identity_source_is_401(access):
    missing_query = request_authorized(access, "ann", None)
    missing_header = request_authorized(access, None, "acme")
    assert (missing_query.status_code, missing_header.status_code) == (401, 401)
    assert missing_query.json() == {"message": "Unauthorized"}


@recorded(
    USE + " (a REQUEST authorizer receives the headers and query strings; type REQUEST); " + OUTPUT
)
def test_request_authorizer_sees_the_request_and_its_context_reaches_the_integration(access):
    tenant = someone()
    body = request_authorized(access, "ann", tenant).json()
    assert (body["principalId"], body["tenant"], body["type"]) == (
        f"{tenant}:ann",
        tenant,
        "REQUEST",
    )


@recorded(
    USE + " (REQUEST caching is keyed by all identity sources: a different value of one of "
    "them invokes the function again)"
)
def test_request_authorizer_cache_is_keyed_by_every_identity_source(access):
    tenant = someone()
    first = request_authorized(access, "ann", tenant).json()["invocations"]
    same = request_authorized(access, "ann", tenant).json()["invocations"]
    other = request_authorized(access, "bob", tenant).json()["invocations"]
    assert same == first
    assert int(other) > int(first)


@recorded(
    INPUT + " (REQUEST: type REQUEST, methodArn, resource, path, httpMethod, headers, "
    "queryStringParameters)"
)
def test_request_authorizer_event_describes_the_method(access):
    body = request_authorized(access, "ann", someone()).json()
    assert (body["resource"], body["path"], body["httpMethod"]) == ("/request", "/request", "GET")
    assert body["methodArn"].endswith("/corpus/GET/request")


@recorded(ERRORS_403 + " (a REQUEST authorizer's explicit deny)")
def test_request_authorizer_deny_is_403(access):
    response = request_authorized(access, "blocked", someone())
    assert response.status_code == 403
    assert response.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
