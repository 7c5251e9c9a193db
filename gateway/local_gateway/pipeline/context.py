"""The shared per-request context of the pipeline, and the deployment every step reads.

`Deployment` is what the running API serves with (routes, authorizers, keys, functions); the
gateway builds a new one on each template reload and swaps it whole, so a request sees one
consistent deployment from its first step to its last. `ApiCall` is one request on its way
through the steps: what routing found, and what each step learned or produced for the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from local_gateway.api import Method, RestApi, local_deployment_id
from local_gateway.api_keys import ApiKeyGate
from local_gateway.cognito import CognitoVerifier
from local_gateway.function_calls import FunctionCalls
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.iam_auth import IamAuthorizer
from local_gateway.integrations.exchange import AwsEnvironment, EndpointResponse, IntegrationRequest
from local_gateway.lambda_authorizer import LambdaAuthorizerGate
from local_gateway.proxy import build_event, integration_headers, request_context
from local_gateway.routing import Router
from local_gateway.template import ACCOUNT_ID


@dataclass(frozen=True)
class Deployment:
    """What the running API serves with; replaced whole when the template is reloaded."""

    apis: list[RestApi]
    routers: list[tuple[RestApi, Router]]  # one per API, in the order of `apis`
    functions: FunctionCalls
    iam: IamAuthorizer
    cognito: CognitoVerifier | None
    lambda_authorizers: LambdaAuthorizerGate
    api_key_gate: ApiKeyGate
    aws: AwsEnvironment
    port: str  # the gateway's own port, for X-Forwarded-Port


@dataclass(slots=True)
class ApiCall:
    """One request on its way through the pipeline, and what the steps learned about it."""

    request: HttpRequest
    request_id: str
    api: RestApi
    method: Method
    path_parameters: dict[str, str]
    host: str
    deployment: Deployment
    raw_path_parameters: dict[str, str] = field(default_factory=dict)  # as sent, for the event
    trace_id: str = ""  # X-Amzn-Trace-Id towards the integration
    authorizer: dict[str, Any] | None = None  # requestContext.authorizer
    api_key: str | None = None
    api_key_id: str | None = None
    integration_status: int | None = None
    extra_context: dict[str, Any] = field(default_factory=dict)
    identity: dict[str, Any] = field(default_factory=dict)  # the SigV4 caller's, for AWS_IAM
    # Set by the integration request step: a Lambda proxy's event, or the mapped request.
    event: dict[str, Any] | None = None
    integration_request: IntegrationRequest | None = None
    # Set by the integration step: a non-proxy backend's answer, or a proxy's whole response.
    endpoint_response: EndpointResponse | None = None
    response: HttpResponse | None = None

    @property
    def source(self) -> str:
        """The method, as log lines and template errors name it: `GET /users/{id}`."""
        return f"{self.method.http_method} {self.method.resource_path}"

    def request_context(self) -> dict[str, Any]:
        """`requestContext` of the proxy event."""
        context = request_context(
            self.request,
            request_id=self.request_id,
            api_id=self.api.api_id,
            account_id=ACCOUNT_ID,
            stage=self.api.stage_name,
            resource_path=self.method.resource_path,
            host=self.host,
            authorizer=self.authorizer,
            api_key=self.api_key,
            api_key_id=self.api_key_id,
            deployment_id=local_deployment_id(self.api.api_id),
        )
        context["identity"].update(self.identity)
        return context

    def context(self) -> dict[str, Any]:
        """`$context` for mapping templates and access logs: requestContext and what steps add."""
        return {**self.request_context(), "xrayTraceId": self.trace_id, **self.extra_context}

    def proxy_event(self) -> dict[str, Any]:
        """The REST (v1) proxy event of this call: what a Lambda integration or REQUEST
        authorizer receives (the authorizer's request is built from its parts)."""
        return build_event(
            self.request,
            resource_path=self.method.resource_path,
            path_parameters=self.raw_path_parameters,
            stage_variables=self.api.stage_variables,
            request_context=self.request_context(),
            binary_media_types=self.api.binary_media_types,
            headers=integration_headers(
                self.request, trace_id=self.trace_id, port=self.deployment.port
            ),
        )

    @property
    def method_arn(self) -> str:
        return (
            f"arn:aws:execute-api:{self.api.region}:{ACCOUNT_ID}:{self.api.api_id}/"
            f"{self.api.stage_name}/{self.request.method}{self.request.path}"
        )
