"""Lambda authorizers (TOKEN and REQUEST) with API Gateway's semantics, around an injected invoke.

What API Gateway does, in order: read the identity sources (a missing or empty one is 401
without invoking the function; so is a TOKEN failing the validation expression), reuse a
cached result for the same identity values within the TTL, otherwise invoke the function with
the TOKEN or REQUEST event; an error "Unauthorized" is 401, any other failure or a malformed
result is 500; the returned policy is evaluated against *this* method's ARN (explicit Deny or
no Allow is 403). A cached policy is evaluated against the caller's next method too, which is
the pitfall a policy naming only the first method ARN falls into.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from local_gateway import policy
from local_gateway.rejections import Rejection, unauthorized

Invoke = Callable[[str, dict[str, Any]], Any]
"""invoke(function_logical_id, event) -> the function's result; raises FunctionError on error."""


class FunctionError(Exception):
    """The function raised (or timed out); `error_message` is Lambda's errorMessage."""

    def __init__(self, error_message: str, error_type: str = "Exception") -> None:
        super().__init__(error_message)
        self.error_message = error_message
        self.error_type = error_type


class AuthorizerSettings(Protocol):
    """An authorizer as the template declares it (the loader's `api.Authorizer` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...  # TOKEN or REQUEST
    @property
    def identity_sources(self) -> tuple[str, ...]: ...  # "method.request.header.Authorization"
    @property
    def validation_expression(self) -> str | None: ...
    @property
    def ttl_seconds(self) -> int: ...  # 0 turns caching off


@dataclass(frozen=True)
class AuthorizerRequest:
    """The incoming request, as the REQUEST authorizer event carries it."""

    method_arn: str
    resource: str
    path: str
    http_method: str
    headers: dict[str, str]
    multi_value_headers: dict[str, list[str]]
    query: dict[str, str]
    multi_value_query: dict[str, list[str]]
    path_params: dict[str, str]
    stage_variables: dict[str, str]
    request_context: dict[str, Any]


@dataclass(frozen=True)
class Authorization:
    """What an allowing authorizer hands on to the integration."""

    principal_id: str
    # The function's `context`, values stringified as API Gateway does.
    context: dict[str, str]
    usage_identifier_key: str | None = None

    def request_context_authorizer(self) -> dict[str, Any]:
        """`requestContext.authorizer` / `$context.authorizer`: principalId and the context."""
        return {"principalId": self.principal_id, **self.context}


@dataclass
class _CachedResult:
    policy_document: Any
    authorization: Authorization
    expires_at: float


def access_denied(decision: policy.Decision) -> Rejection:
    """ACCESS_DENIED with API Gateway's exact messages (and its capitalised "Message" key)."""
    if decision is policy.Decision.EXPLICIT_DENY:
        message = "User is not authorized to access this resource with an explicit deny"
    else:
        message = "User is not authorized to access this resource"
    return Rejection("ACCESS_DENIED", 403, message, message_key="Message")


def authorizer_failure(response_type: str = "AUTHORIZER_FAILURE") -> Rejection:
    """A failing or misbehaving authorizer: 500 `{"message": null}`."""
    return Rejection(
        response_type,
        500,
        None,
        headers={"x-amzn-ErrorType": "AuthorizerConfigurationException"},
    )


@dataclass
class LambdaAuthorizerGate:
    """Runs Lambda authorizers for requests, caching results per identity for the TTL."""

    invoke: Invoke
    clock: Callable[[], float] = time.monotonic
    _cache: dict[tuple[str, tuple[str, ...]], _CachedResult] = field(default_factory=dict)

    def authorize(
        self, authorizer: AuthorizerSettings, function: str, request: AuthorizerRequest
    ) -> Authorization:
        """The authorization for `request`, or raise the Rejection API Gateway would answer.

        `function` is what `invoke` takes to name the authorizer's function (its logical id).
        """
        identity = _identity_values(authorizer, request)
        if identity is None:
            raise unauthorized()
        if (
            authorizer.kind == "TOKEN"
            and authorizer.validation_expression
            and not re.fullmatch(authorizer.validation_expression, identity[0])
        ):
            raise unauthorized()
        cache_key = (authorizer.name, identity)
        cached = self._cache.get(cache_key)
        if cached is None or cached.expires_at <= self.clock():
            cached = self._invoke(authorizer, function, request, identity)
            if authorizer.ttl_seconds > 0:
                self._cache[cache_key] = cached
        try:
            decision = policy.evaluate(cached.policy_document, request.method_arn)
        except policy.MalformedPolicy:
            raise authorizer_failure("AUTHORIZER_CONFIGURATION_ERROR") from None
        if decision is not policy.Decision.ALLOW:
            raise access_denied(decision)
        return cached.authorization

    def _invoke(
        self,
        authorizer: AuthorizerSettings,
        function: str,
        request: AuthorizerRequest,
        identity: tuple[str, ...],
    ) -> _CachedResult:
        event = (
            token_event(identity[0], request.method_arn)
            if authorizer.kind == "TOKEN"
            else request_event(request)
        )
        try:
            result = self.invoke(function, event)
        except FunctionError as error:
            if error.error_message == "Unauthorized":
                raise unauthorized() from None
            raise authorizer_failure() from None
        authorization = _authorization(result)
        if authorization is None:
            raise authorizer_failure("AUTHORIZER_CONFIGURATION_ERROR")
        # Checked here so a malformed policy is never cached as if it were a decision.
        try:
            policy.evaluate(result["policyDocument"], request.method_arn)
        except policy.MalformedPolicy:
            raise authorizer_failure("AUTHORIZER_CONFIGURATION_ERROR") from None
        return _CachedResult(
            policy_document=result["policyDocument"],
            authorization=authorization,
            expires_at=self.clock() + authorizer.ttl_seconds,
        )


def token_event(token: str, method_arn: str) -> dict[str, Any]:
    """The TOKEN authorizer event."""
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}


def request_event(request: AuthorizerRequest) -> dict[str, Any]:
    """The REQUEST authorizer event for a REST API."""
    return {
        "type": "REQUEST",
        "methodArn": request.method_arn,
        "resource": request.resource,
        "path": request.path,
        "httpMethod": request.http_method,
        "headers": request.headers,
        "multiValueHeaders": request.multi_value_headers,
        "queryStringParameters": request.query,
        "multiValueQueryStringParameters": request.multi_value_query,
        "pathParameters": request.path_params,
        "stageVariables": request.stage_variables,
        "requestContext": request.request_context,
    }


def _identity_values(
    authorizer: AuthorizerSettings, request: AuthorizerRequest
) -> tuple[str, ...] | None:
    values = []
    for source in authorizer.identity_sources:
        value = _identity_value(source, request)
        if not value:
            return None
        values.append(value)
    return tuple(values)


def _identity_value(source: str, request: AuthorizerRequest) -> str | None:
    location, _, name = source.removeprefix("method.request.").partition(".")
    if location == "header":
        return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)
    if location == "querystring":
        return request.query.get(name)
    if location == "path":
        return request.path_params.get(name)
    if location == "stageVariables":
        return request.stage_variables.get(name)
    if location == "context":
        value: Any = request.request_context
        for part in name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return None if value is None else str(value)
    raise ValueError(f"unsupported identity source: {source}")


def _authorization(result: Any) -> Authorization | None:
    """The Authorization in a function's result, or None when the result is malformed."""
    if not isinstance(result, Mapping) or "policyDocument" not in result:
        return None
    principal_id = result.get("principalId")
    if not isinstance(principal_id, str | int | float) or isinstance(principal_id, bool):
        return None
    context = result.get("context") or {}
    if not isinstance(context, Mapping):
        return None
    stringified: dict[str, str] = {}
    for key, value in context.items():
        # API Gateway accepts only string, number and boolean context values.
        if isinstance(value, bool):
            stringified[str(key)] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            stringified[str(key)] = str(value)
        else:
            return None
    usage_key = result.get("usageIdentifierKey")
    return Authorization(
        principal_id=str(principal_id),
        context=stringified,
        usage_identifier_key=str(usage_key) if usage_key is not None else None,
    )
