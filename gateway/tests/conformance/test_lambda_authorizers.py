"""Conformance: Lambda authorizers (TOKEN and REQUEST) behave as in API Gateway.

AWS docs (developerguide): apigateway-use-lambda-authorizer.html, api-gateway-lambda-authorizer-
input.html, api-gateway-lambda-authorizer-output.html, supported-gateway-response-types.html.
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest

from local_gateway.lambda_authorizer import (
    AuthorizerRequest,
    FunctionError,
    LambdaAuthorizerGate,
)
from local_gateway.rejections import Rejection

API = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev"
GET_USER = f"{API}/GET/v1/users/42"
POST_PRODUCT = f"{API}/POST/v1/products"


@dataclass(frozen=True)
class Settings:
    name: str = "PartnerAuthorizer"
    kind: str = "TOKEN"
    identity_sources: tuple[str, ...] = ("method.request.header.Authorization",)
    validation_expression: str | None = None
    ttl_seconds: int = 300


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingFunction:
    """Stands in for the authorizer function: records events, answers what it is told to."""

    def __init__(self, answer=None, error: FunctionError | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer
        self.error = error

    def __call__(self, function: str, event: dict[str, Any]):
        self.events.append(event)
        if self.error is not None:
            raise self.error
        return self.answer


def allowing(resource: str, **extra) -> dict[str, Any]:
    return {
        "principalId": "partner-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource}
            ],
        },
        **extra,
    }


def a_request(
    method_arn: str = GET_USER,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> AuthorizerRequest:
    headers = {"Authorization": "Bearer good"} if headers is None else headers
    query = query or {}
    return AuthorizerRequest(
        method_arn=method_arn,
        resource="/v1/users/{id}",
        path="/v1/users/42",
        http_method="GET",
        headers=headers,
        multi_value_headers={k: [v] for k, v in headers.items()},
        query=query,
        multi_value_query={k: [v] for k, v in query.items()},
        path_params={"id": "42"},
        stage_variables={"env": "dev"},
        request_context={"requestId": "r-1", "stage": "dev", "identity": {"sourceIp": "1.2.3.4"}},
    )


def rejection_of(gate: LambdaAuthorizerGate, settings: Settings, request: AuthorizerRequest):
    with pytest.raises(Rejection) as caught:
        gate.authorize(settings, "PartnerAuthorizerFunction", request)
    return caught.value


def test_missing_identity_source_is_401_without_invoking():
    """A missing identity source is 401 Unauthorized and the function is not called.

    AWS doc: apigateway-use-lambda-authorizer.html
    """
    # Given a TOKEN authorizer and a request without the Authorization header
    function = RecordingFunction(allowing(GET_USER))
    gate = LambdaAuthorizerGate(function)

    # When the request is authorized
    rejection = rejection_of(gate, Settings(), a_request(headers={}))

    # Then it is 401 {"message":"Unauthorized"} and nothing was invoked
    assert (rejection.response_type, rejection.status, rejection.default_body) == (
        "UNAUTHORIZED",
        401,
        b'{"message":"Unauthorized"}',
    )
    assert function.events == []


def test_token_failing_validation_expression_is_401_without_invoking():
    """A token not matching identityValidationExpression is 401; the function is not called.

    AWS doc: apigateway-use-lambda-authorizer.html (Token validation)
    """
    # Given an authorizer that only accepts bearer tokens
    function = RecordingFunction(allowing(GET_USER))
    settings = Settings(validation_expression=r"^Bearer [-0-9a-zA-Z._]+$")

    # When a Basic credential is sent
    rejection = rejection_of(
        LambdaAuthorizerGate(function), settings, a_request(headers={"Authorization": "Basic x"})
    )

    # Then it is 401 and nothing was invoked
    assert rejection.status == 401
    assert function.events == []


def test_token_event_carries_type_token_and_method_arn():
    """The TOKEN event is {type, authorizationToken, methodArn}.

    AWS doc: api-gateway-lambda-authorizer-input.html
    """
    # Given a TOKEN authorizer whose function allows
    function = RecordingFunction(allowing(GET_USER))

    # When a request is authorized (header name in another case)
    LambdaAuthorizerGate(function).authorize(
        Settings(), "Fn", a_request(headers={"authorization": "Bearer good"})
    )

    # Then the function saw exactly the TOKEN event
    assert function.events == [
        {"type": "TOKEN", "authorizationToken": "Bearer good", "methodArn": GET_USER}
    ]


def test_request_event_carries_the_whole_request():
    """The REQUEST event carries headers, query strings, path, stage variables and context.

    AWS doc: api-gateway-lambda-authorizer-input.html
    """
    # Given a REQUEST authorizer keyed on a header and a query string
    settings = Settings(
        kind="REQUEST",
        identity_sources=("method.request.header.X-Device", "method.request.querystring.tenant"),
    )
    function = RecordingFunction(allowing(GET_USER))
    request = a_request(headers={"X-Device": "d1"}, query={"tenant": "t1"})

    # When it authorizes
    LambdaAuthorizerGate(function).authorize(settings, "Fn", request)

    # Then the event is the REST API REQUEST event
    assert function.events == [
        {
            "type": "REQUEST",
            "methodArn": GET_USER,
            "resource": "/v1/users/{id}",
            "path": "/v1/users/42",
            "httpMethod": "GET",
            "headers": {"X-Device": "d1"},
            "multiValueHeaders": {"X-Device": ["d1"]},
            "queryStringParameters": {"tenant": "t1"},
            "multiValueQueryStringParameters": {"tenant": ["t1"]},
            "pathParameters": {"id": "42"},
            "stageVariables": {"env": "dev"},
            "requestContext": request.request_context,
        }
    ]


def test_request_authorizer_missing_one_of_its_identity_sources_is_401():
    """A REQUEST authorizer with a missing or empty identity source is 401 without invoking.

    AWS doc: apigateway-use-lambda-authorizer.html (REQUEST authorizer identity sources)
    """
    # Given a REQUEST authorizer needing a header and a query string
    settings = Settings(
        kind="REQUEST",
        identity_sources=("method.request.header.X-Device", "method.request.querystring.tenant"),
    )
    function = RecordingFunction(allowing(GET_USER))

    # When the query string is empty
    rejection = rejection_of(
        LambdaAuthorizerGate(function),
        settings,
        a_request(headers={"X-Device": "d1"}, query={"tenant": ""}),
    )

    # Then it is 401 and nothing was invoked
    assert rejection.status == 401
    assert function.events == []


def test_function_raising_unauthorized_is_401():
    """An authorizer function failing with "Unauthorized" is 401 Unauthorized.

    AWS doc: apigateway-use-lambda-authorizer.html
    """
    # Given a function that raises Exception("Unauthorized")
    function = RecordingFunction(error=FunctionError("Unauthorized"))

    # When a request is authorized
    rejection = rejection_of(LambdaAuthorizerGate(function), Settings(), a_request())

    # Then it is 401
    assert (rejection.status, rejection.message) == (401, "Unauthorized")


def test_function_failing_otherwise_is_500_with_null_message():
    """Any other authorizer failure is 500 {"message": null} (AuthorizerConfigurationException).

    AWS doc: supported-gateway-response-types.html (AUTHORIZER_FAILURE, 500)
    """
    # Given a function that crashes
    function = RecordingFunction(error=FunctionError("KeyError: 'kid'", "KeyError"))

    # When a request is authorized
    rejection = rejection_of(LambdaAuthorizerGate(function), Settings(), a_request())

    # Then it is 500 with a null message
    assert (rejection.response_type, rejection.status, rejection.default_body) == (
        "AUTHORIZER_FAILURE",
        500,
        b'{"message":null}',
    )
    assert rejection.headers == {"x-amzn-ErrorType": "AuthorizerConfigurationException"}


@pytest.mark.parametrize(
    "answer",
    [
        None,
        {"principalId": "p"},
        allowing(GET_USER, context={"nested": {"not": "allowed"}}),
        {"principalId": "p", "policyDocument": {"Statement": [{"Effect": "Maybe"}]}},
    ],
    ids=["no-result", "no-policy", "object-in-context", "malformed-policy"],
)
def test_malformed_authorizer_result_is_500(answer):
    """A result without a valid policy, or with non-scalar context values, is 500.

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a function returning a malformed result
    function = RecordingFunction(answer)

    # When a request is authorized
    rejection = rejection_of(LambdaAuthorizerGate(function), Settings(), a_request())

    # Then it is a 500 authorizer configuration error
    assert (rejection.response_type, rejection.status, rejection.message) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        500,
        None,
    )


def test_explicit_deny_is_403_with_api_gateways_message():
    """A Deny for the method is 403 "...with an explicit deny".

    AWS doc: api-gateway-lambda-authorizer-output.html; body as API Gateway sends it.
    """
    # Given a function denying this method
    answer = allowing(GET_USER)
    answer["policyDocument"]["Statement"][0]["Effect"] = "Deny"

    # When a request is authorized
    rejection = rejection_of(
        LambdaAuthorizerGate(RecordingFunction(answer)), Settings(), a_request()
    )

    # Then the answer is ACCESS_DENIED with the exact message
    assert (rejection.response_type, rejection.status) == ("ACCESS_DENIED", 403)
    assert json.loads(rejection.default_body) == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }


def test_no_matching_allow_is_403_not_authorized():
    """A policy without an Allow for the method is 403 "User is not authorized to access...".

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a function allowing only another method
    function = RecordingFunction(allowing(POST_PRODUCT))

    # When a GET is authorized
    rejection = rejection_of(LambdaAuthorizerGate(function), Settings(), a_request())

    # Then it is 403 with the exact message
    assert (rejection.status, rejection.message) == (
        403,
        "User is not authorized to access this resource",
    )


def test_allow_passes_principal_context_as_strings_and_usage_identifier_key():
    """principalId, context (values as strings) and usageIdentifierKey reach the integration.

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a function allowing with a context of mixed types and an API key
    answer = allowing(
        f"{API}/*", context={"scope": "products:write", "tier": 2, "admin": True, "ratio": 0.5}
    )
    answer["usageIdentifierKey"] = "key-123"

    # When a request is authorized
    authorization = LambdaAuthorizerGate(RecordingFunction(answer)).authorize(
        Settings(), "Fn", a_request()
    )

    # Then the authorizer context is stringified like API Gateway's
    assert authorization.request_context_authorizer() == {
        "principalId": "partner-1",
        "scope": "products:write",
        "tier": "2",
        "admin": "true",
        "ratio": "0.5",
    }
    assert authorization.usage_identifier_key == "key-123"


def test_result_is_cached_per_identity_for_the_ttl():
    """Within the TTL the same identity reuses the result without invoking again.

    AWS doc: apigateway-use-lambda-authorizer.html (authorizerResultTtlInSeconds)
    """
    # Given a gate with a 300 s TTL and a fake clock
    clock = FakeClock()
    function = RecordingFunction(allowing(f"{API}/*"))
    gate = LambdaAuthorizerGate(function, clock=clock)

    # When the same token calls twice within 299 s, then once more after the TTL
    gate.authorize(Settings(), "Fn", a_request())
    clock.now += 299
    gate.authorize(Settings(), "Fn", a_request())
    invocations_within_ttl = len(function.events)
    clock.now += 2
    gate.authorize(Settings(), "Fn", a_request())

    # Then the function ran once within the TTL and again once it expired
    assert (invocations_within_ttl, len(function.events)) == (1, 2)


def test_each_identity_has_its_own_cache_entry():
    """The cache key is the identity source value: another token invokes the function.

    AWS doc: apigateway-use-lambda-authorizer.html
    """
    # Given a caching gate
    function = RecordingFunction(allowing(f"{API}/*"))
    gate = LambdaAuthorizerGate(function, clock=FakeClock())

    # When two tokens call
    gate.authorize(Settings(), "Fn", a_request(headers={"Authorization": "Bearer one"}))
    gate.authorize(Settings(), "Fn", a_request(headers={"Authorization": "Bearer two"}))

    # Then each was authorized by the function
    assert [e["authorizationToken"] for e in function.events] == ["Bearer one", "Bearer two"]


def test_ttl_zero_turns_caching_off():
    """authorizerResultTtlInSeconds 0 disables caching: every request invokes the function.

    AWS doc: apigateway-use-lambda-authorizer.html
    """
    # Given an authorizer with TTL 0
    function = RecordingFunction(allowing(f"{API}/*"))
    gate = LambdaAuthorizerGate(function, clock=FakeClock())

    # When the same token calls twice
    for _ in range(2):
        gate.authorize(Settings(ttl_seconds=0), "Fn", a_request())

    # Then the function ran twice
    assert len(function.events) == 2


def test_cached_policy_for_the_first_method_denies_the_callers_next_route():
    """The cached policy is reused for other methods: one naming only the first ARN denies the rest.

    AWS doc: apigateway-use-lambda-authorizer.html (the policy is cached and applied to all
    methods sharing the authorizer)
    """

    # Given a function that allows exactly the method ARN it was called for
    class AllowsOnlyItsMethod(RecordingFunction):
        def __call__(self, function: str, event: dict[str, Any]):
            self.events.append(event)
            return allowing(event["methodArn"])

    function = AllowsOnlyItsMethod()
    gate = LambdaAuthorizerGate(function, clock=FakeClock())
    gate.authorize(Settings(), "Fn", a_request(GET_USER))

    # When the same caller calls another route within the TTL
    rejection = rejection_of(gate, Settings(), a_request(POST_PRODUCT))

    # Then the cached policy denies it and the function was not asked again
    assert (rejection.status, rejection.message) == (
        403,
        "User is not authorized to access this resource",
    )
    assert len(function.events) == 1
