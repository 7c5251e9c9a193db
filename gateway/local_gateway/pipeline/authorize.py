"""Authorize: the method's authorizer admits the caller or the request ends here.

AWS_IAM checks the SigV4 signature and the caller's IAM policies (iam_auth), Cognito user
pools verify the token (cognito), TOKEN and REQUEST Lambda authorizers run their function and
evaluate the policy it returns (lambda_authorizer). What the authorizer learned becomes the
call's `requestContext.identity` or `requestContext.authorizer`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
"""

from __future__ import annotations

from local_gateway.lambda_authorizer import AuthorizerRequest
from local_gateway.pipeline.context import ApiCall


def authorize(call: ApiCall) -> None:
    """Admits the caller (recording who it is on `call`) or raises the Rejection."""
    authorizer = call.method.authorizer
    if authorizer is None:
        return
    deployment = call.deployment
    if authorizer.kind == "AWS_IAM":
        caller = deployment.iam.authorize(call.request, call.host, call.method_arn)
        call.identity = caller.identity()
        return
    if authorizer.kind == "COGNITO_USER_POOLS":
        assert deployment.cognito is not None  # noqa: S101 - every started gateway has one
        header = authorizer.identity_sources[0].removeprefix("method.request.header.")
        claims = deployment.cognito.authorize(
            authorizer, call.method.scopes, call.request.header(header)
        )
        call.authorizer = {"claims": claims}
        return
    function = deployment.functions.for_uri(
        authorizer.function_uri, authorizer.name, call.api.stage_variables
    )
    event = call.proxy_event()
    authorization = deployment.lambda_authorizers.authorize(
        authorizer,
        function,
        AuthorizerRequest(
            method_arn=call.method_arn,
            resource=call.method.resource_path,
            path=call.request.path,
            http_method=call.request.method,
            headers=event["headers"] or {},
            multi_value_headers=event["multiValueHeaders"] or {},
            query=event["queryStringParameters"] or {},
            multi_value_query=event["multiValueQueryStringParameters"] or {},
            path_params=call.path_parameters,
            stage_variables=call.api.stage_variables,
            request_context=event["requestContext"],
        ),
    )
    call.authorizer = authorization.request_context_authorizer()
    if authorization.usage_identifier_key is not None:
        call.extra_context["usageIdentifierKey"] = authorization.usage_identifier_key
