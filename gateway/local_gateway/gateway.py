"""The local gateway: loads the template, provisions local AWS and serves the API.

A request goes through API Gateway's steps in order:
route -> authorize -> request checks (API key, throttling, validation) -> integrate,
and any step may reject it with a `Rejection`, which the template's gateway responses shape.
The request checks and the AWS service integration are pluggable (`add_check`,
`add_integration`) so each lives in its own module.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_gateway import gateway_responses
from local_gateway.access_log import format_access_log, response_context
from local_gateway.api import Method, RestApi, check_mapping_templates, load_apis
from local_gateway.api_keys import ApiKeyGate, presented_key
from local_gateway.api_reference import ApiReference, api_reference_for
from local_gateway.aws_integration import AwsEnvironment, MethodRequest, run_integration
from local_gateway.cognito import CognitoVerifier
from local_gateway.demo_users import SignedInUser, seed_demo_users
from local_gateway.errors import TemplateError
from local_gateway.functions import (
    FunctionFailed,
    FunctionSpec,
    FunctionTimeout,
    WorkerPool,
    load_functions,
)
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.lambda_authorizer import AuthorizerRequest, FunctionError, LambdaAuthorizerGate
from local_gateway.local_aws import LocalResources, MotoServer, Provisioner, client
from local_gateway.oidc import ISSUER_PREFIX, LocalIssuer
from local_gateway.proxy import (
    MalformedResponse,
    accepts_binary,
    build_event,
    parse_response,
    request_context,
)
from local_gateway.rejections import Rejection
from local_gateway.reload import CodeWatcher
from local_gateway.request_validation import ValidatedRequest, validate_request
from local_gateway.routing import Router
from local_gateway.samconfig import LocalSettings, load_settings
from local_gateway.sqs_poller import EventSourceMapping, SqsPoller
from local_gateway.template import ACCOUNT_ID, LoadedTemplate, load_template
from local_gateway.usage_plans import UsagePlans, load_usage_plans

log = logging.getLogger("local_gateway")
access_log = logging.getLogger("local_gateway.access")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
INTEGRATION_TIMEOUT_SECONDS = 29.0  # API Gateway's default (and maximum) integration timeout
_FUNCTION_IN_URI = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")


@dataclass
class ApiCall:
    """One request on its way through the pipeline, and what the steps learned about it."""

    request: HttpRequest
    request_id: str
    api: RestApi
    method: Method
    path_parameters: dict[str, str]
    host: str
    authorizer: dict[str, Any] | None = None  # requestContext.authorizer
    api_key: str | None = None
    api_key_id: str | None = None
    integration_status: int | None = None
    extra_context: dict[str, Any] = field(default_factory=dict)

    def request_context(self) -> dict[str, Any]:
        """`requestContext` of the proxy event."""
        return request_context(
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
        )

    def context(self) -> dict[str, Any]:
        """`$context` for mapping templates and access logs: requestContext and what steps add."""
        return {**self.request_context(), **self.extra_context}

    @property
    def method_arn(self) -> str:
        path = self.request.path
        return (
            f"arn:aws:execute-api:{self.api.region}:{ACCOUNT_ID}:{self.api.api_id}/"
            f"{self.api.stage_name}/{self.request.method}{path}"
        )


def integration_timeout(method: Method) -> float:
    """How long API Gateway waits for the integration: its `timeoutInMillis`, else 29 s."""
    millis = method.integration.definition.get("timeoutInMillis")
    if millis in (None, ""):
        return INTEGRATION_TIMEOUT_SECONDS
    return min(int(millis) / 1000, INTEGRATION_TIMEOUT_SECONDS)


RequestCheck = Callable[[ApiCall], None]  # raises Rejection to stop the request
Integrator = Callable[[ApiCall], HttpResponse]


@dataclass
class Session:
    """The facts of a running gateway, as `.local/session.json` holds them."""

    api_url: str
    stage: str
    aws_endpoint_url: str
    region: str
    api_keys: dict[str, str]
    users: dict[str, dict[str, Any]]
    issuer: dict[str, Any]
    resources: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "stage": self.stage,
            "aws_endpoint_url": self.aws_endpoint_url,
            "region": self.region,
            "api_keys": self.api_keys,
            "users": self.users,
            "issuer": self.issuer,
            "resources": self.resources,
        }


class LocalGateway:
    """Everything behind one local API: moto, the resources, workers, authorizers, routes."""

    def __init__(
        self,
        template_path: Path,
        *,
        config_env: str = "default",
        base_url: str,
        parameter_overrides: dict[str, str] | None = None,
        samconfig_path: Path | None = None,
        oidc_audience: str | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.template_path = template_path.resolve()
        self.base_url = base_url.rstrip("/")
        samconfig = samconfig_path or self.template_path.parent / "samconfig.toml"
        self.settings: LocalSettings = load_settings(samconfig, config_env, self.base_url)
        self.settings.parameter_overrides.update(parameter_overrides or {})
        self.template: LoadedTemplate = load_template(
            self.template_path,
            self.settings.parameter_overrides,
            region=self.settings.region,
            stack_name=self.settings.stack_name,
        )
        self.region = self.settings.region
        self.moto = MotoServer()
        self.issuer = LocalIssuer(
            self.base_url,
            oidc_audience or self.settings.oidc_audience,
            key_file=state_dir / "oidc-signing-key.pem" if state_dir else None,
        )
        self.apis: list[RestApi] = []
        self.routers: list[tuple[RestApi, Router]] = []
        self.functions: dict[str, FunctionSpec] = {}
        self.pools: dict[str, WorkerPool] = {}
        self.users: list[SignedInUser] = []
        self.resources = LocalResources()
        self.checks: list[RequestCheck] = []
        self.integrations: dict[str, Integrator] = {
            "aws_proxy": self._integrate_lambda_proxy,
            "aws": self._integrate_service,
            "mock": self._integrate_service,
            "http": self._integrate_service,
            "http_proxy": self._integrate_service,
        }
        self.checks += [self._check_api_key, self._check_stage_throttle, self._check_request]
        self.usage_plans = UsagePlans([], [], {})
        self.api_key_gate = ApiKeyGate([], [])
        self.pollers: list[SqsPoller] = []
        self.watcher: CodeWatcher | None = None
        self.verifier: CognitoVerifier | None = None
        self.lambda_authorizers = LambdaAuthorizerGate(invoke=self._invoke_authorizer)
        self._function_by_arn: dict[str, str] = {}
        self.api_reference: ApiReference | None = None  # /docs, set by start()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, *, watch: bool = True) -> None:
        self.moto.start()
        try:
            self.resources = Provisioner(self.template, self.moto.endpoint_url).provision()
            self.apis = load_apis(self.template)
            check_mapping_templates(self.apis)
            for api in self.apis:
                api.region = self.region
            self.routers = [(api, Router(api.methods)) for api in self.apis]
            self.functions = load_functions(
                self.template, self.moto.endpoint_url, region=self.region
            )
            self._function_by_arn = {spec.arn: key for key, spec in self.functions.items()}
            self._check_integrations()
            self.pools = {key: WorkerPool(spec) for key, spec in self.functions.items()}
            self.verifier = CognitoVerifier(self.moto.endpoint_url, self.region)
            self.usage_plans = load_usage_plans(self.template)
            self.api_key_gate = ApiKeyGate(self.usage_plans.keys, self.usage_plans.plans)
            for pool in self.resources.user_pools.values():
                self.users += seed_demo_users(
                    pool,
                    self.settings.demo_users,
                    self.settings.demo_password,
                    endpoint_url=self.moto.endpoint_url,
                    region=self.region,
                )
            self.pollers = self._event_source_pollers()
            self.api_reference = api_reference_for(self)
            if watch:
                self.watcher = CodeWatcher(self.pools.values())
                self.watcher.start()
                for poller in self.pollers:
                    poller.start()
        except BaseException:
            self.stop()
            raise

    @property
    def aws(self) -> AwsEnvironment:
        return AwsEnvironment(self.moto.endpoint_url, self.region, ACCOUNT_ID)

    def _event_source_pollers(self) -> list[SqsPoller]:
        """One poller per SQS event source mapping; `start(watch=True)` runs them."""
        queue_urls = {
            self.template.context.resource_attributes[k]("Arn"): self.resources.physical_ids[k]
            for k in self.template.of_type("AWS::SQS::Queue")
        }
        by_name = {spec.name: key for key, spec in self.functions.items()}
        pollers = []
        for logical_id in self.template.of_type("AWS::Lambda::EventSourceMapping"):
            where = f"Resources.{logical_id}.Properties"
            properties = self.template.resolve(self.template.properties(logical_id), where)
            source = str(properties.get("EventSourceArn", ""))
            if source not in queue_urls:
                raise TemplateError(
                    f"{where}.EventSourceArn", f"{source} is no queue of the template"
                )
            function = by_name.get(str(properties.get("FunctionName", "")).rsplit(":", 1)[-1])
            if function is None:
                raise TemplateError(f"{where}.FunctionName", "names no function of the template")
            mapping = EventSourceMapping.from_properties(
                properties, function=function, queue_url=queue_urls[source]
            )
            sqs = client("sqs", self.moto.endpoint_url, self.region)
            pollers.append(SqsPoller(sqs, mapping, self._invoke_for_event_source))
        return pollers

    def _invoke_for_event_source(self, logical_id: str, event: dict[str, Any]) -> Any:
        return self.invoke(logical_id, event, str(uuid.uuid4()))

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        if self.watcher is not None:
            self.watcher.stop()
        for pool in self.pools.values():
            pool.close()
        self.moto.stop()

    def _check_integrations(self) -> None:
        """Fails at start, naming the method, for integrations that cannot run locally."""
        for api in self.apis:
            for method in api.methods:
                where = (
                    f"Resources.{api.logical_id}.Properties.Body.paths."
                    f"{method.resource_path}.{method.http_method.lower()}"
                )
                if method.integration.kind == "aws_proxy":
                    self.function_for_uri(method.integration.uri, where)
                if method.authorizer is not None and method.authorizer.kind != "COGNITO_USER_POOLS":
                    self.function_for_uri(method.authorizer.function_uri, f"{where} authorizer")

    def function_for_uri(self, uri: str | None, where: str) -> str:
        """The logical id of the function an integration or authorizer URI invokes."""
        found = _FUNCTION_IN_URI.search(uri or "")
        logical_id = self._function_by_arn.get(found.group(1)) if found else None
        if logical_id is None:
            raise TemplateError(where, f"integration URI {uri!r} names no function of the template")
        return logical_id

    # -- extension points ------------------------------------------------------------------

    def add_check(self, check: RequestCheck) -> None:
        """Adds a step run after authorization and before the integration, in order."""
        self.checks.append(check)

    def add_integration(self, kind: str, integrator: Integrator) -> None:
        self.integrations[kind] = integrator

    # -- the pipeline ----------------------------------------------------------------------

    def handle(self, request: HttpRequest, host: str = "127.0.0.1") -> HttpResponse:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        call: ApiCall | None = None
        try:
            if request.raw_path.startswith(ISSUER_PREFIX + "/"):
                return self._handle_issuer(request)
            if self.api_reference is not None and self.api_reference.serves(request.raw_path):
                return self.api_reference.handle(request, host)
            call = self._route(request, request_id, host)
            if len(request.body) > MAX_BODY_BYTES:
                raise gateway_responses.request_too_large()
            self._authorize(call)
            for check in self.checks:
                check(call)
            integrator = self.integrations.get(call.method.integration.kind)
            if integrator is None:
                log.error(
                    "%s %s: %s integrations are not run by this gateway",
                    call.method.http_method,
                    call.method.resource_path,
                    call.method.integration.kind,
                )
                raise gateway_responses.internal_error()
            response = integrator(call)
        except Rejection as rejection:
            response = self._reject(rejection, request, request_id, call)
        except Exception:
            log.exception("request %s failed inside the gateway", request_id)
            response = self._reject(gateway_responses.internal_error(), request, request_id, call)
        response.headers.append(("x-amzn-RequestId", request_id))
        self._log_access(call, request, request_id, response, started)
        return response

    def refuse_unread(self, status: int, message: str, source_ip: str) -> HttpResponse:
        """The answer to a request the HTTP server could not read, as a DEFAULT_4XX/5XX response."""
        request_id = str(uuid.uuid4())
        request = HttpRequest("GET", "/", "", [], b"", source_ip)
        kind = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        response = self._reject(Rejection(kind, status, message), request, request_id, None)
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def _route(self, request: HttpRequest, request_id: str, host: str) -> ApiCall:
        for api, router in self.routers:
            match = router.match(request.method, request.path)
            if match is not None:
                return ApiCall(request, request_id, api, match.method, match.path_parameters, host)
        raise gateway_responses.missing_authentication_token()

    def _authorize(self, call: ApiCall) -> None:
        authorizer = call.method.authorizer
        if authorizer is None:
            return
        if authorizer.kind == "COGNITO_USER_POOLS":
            assert self.verifier is not None  # noqa: S101 - set by start()
            header = authorizer.identity_sources[0].removeprefix("method.request.header.")
            claims = self.verifier.authorize(
                authorizer, call.method.scopes, call.request.header(header)
            )
            call.authorizer = {"claims": claims}
            return
        function = self.function_for_uri(authorizer.function_uri, authorizer.name)
        event = self._proxy_event(call)
        authorization = self.lambda_authorizers.authorize(
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

    @staticmethod
    def _proxy_event(call: ApiCall) -> dict[str, Any]:
        """The REST (v1) proxy event of this call: what a Lambda integration or REQUEST
        authorizer receives (the authorizer's request is built from its parts)."""
        return build_event(
            call.request,
            resource_path=call.method.resource_path,
            path_parameters=call.path_parameters,
            stage_variables=call.api.stage_variables,
            request_context=call.request_context(),
            binary_media_types=call.api.binary_media_types,
        )

    def invoke(self, logical_id: str, event: Any, request_id: str) -> Any:
        """Invokes a function in one of its warm workers (raises FunctionFailed/Timeout)."""
        return self.pools[logical_id].invoke(event, request_id)

    def _invoke_authorizer(self, logical_id: str, event: dict[str, Any]) -> Any:
        try:
            return self.invoke(logical_id, event, str(uuid.uuid4()))
        except FunctionFailed as failure:
            error = failure.error or {}
            raise FunctionError(str(failure), str(error.get("errorType", "Exception"))) from None
        except FunctionTimeout as timeout:
            raise FunctionError(str(timeout), "TimeoutError") from None

    def _integrate_lambda_proxy(self, call: ApiCall) -> HttpResponse:
        logical_id = self.function_for_uri(call.method.integration.uri, call.method.resource_path)
        event = self._proxy_event(call)
        pool = self.pools[logical_id]
        timeout = min(pool.spec.timeout_seconds, integration_timeout(call.method))
        try:
            result = pool.invoke(event, call.request_id, timeout)
        except FunctionTimeout as error:
            log.error("%s", error)
            raise gateway_responses.integration_timeout() from None
        except FunctionFailed as error:
            log.error("%s failed: %s", logical_id, error)
            raise gateway_responses.integration_failure() from None
        try:
            response = parse_response(
                result,
                binary_accepted=accepts_binary(
                    call.request.header("accept"), call.api.binary_media_types
                ),
            )
        except MalformedResponse as error:
            log.error("%s returned a malformed Lambda proxy response: %s", logical_id, error)
            raise gateway_responses.integration_failure() from None
        call.integration_status = response.status
        return response

    def _integrate_service(self, call: ApiCall) -> HttpResponse:
        """AWS service, MOCK, HTTP and HTTP_PROXY integrations (non-proxy mapping templates)."""
        request = call.request
        result = run_integration(
            call.method.integration.definition,
            MethodRequest(
                http_method=request.method,
                headers=dict(request.headers),
                query=dict(request.query_items()),
                path_params=call.path_parameters,
                body=request.body,
                stage_variables=call.api.stage_variables,
                context=call.context(),
                multi_value_query={
                    k: [v for key, v in request.query_items() if key == k]
                    for k, _ in request.query_items()
                },
                binary_media_types=call.api.binary_media_types,
            ),
            self.aws,
            timeout_seconds=integration_timeout(call.method),
            source=f"{call.method.http_method} {call.method.resource_path}",
        )
        call.integration_status = result.status
        return HttpResponse(result.status, list(result.headers.items()), result.body)

    # -- request checks, in API Gateway's order after authorization --------------------------

    def _check_api_key(self, call: ApiCall) -> None:
        if not call.method.api_key_required:
            return
        headers = dict(call.request.headers)
        value = presented_key(
            call.api.api_key_source, headers, call.extra_context.get("usageIdentifierKey")
        )
        admitted = self.api_key_gate.admit(
            value,
            api_id=call.api.api_id,
            stage=call.api.stage_name,
            resource_path=call.method.resource_path,
            http_method=call.method.http_method,
        )
        call.api_key, call.api_key_id = admitted.key.value, admitted.key.id

    def _check_stage_throttle(self, call: ApiCall) -> None:
        self.api_key_gate.limiter.admit_stage(
            api_id=call.api.api_id,
            stage=call.api.stage_name,
            method_settings=call.api.method_settings,
            resource_path=call.method.resource_path,
            http_method=call.method.http_method,
        )

    def _check_request(self, call: ApiCall) -> None:
        request = call.request
        validate_request(
            call.api.definition,
            call.method.operation,
            ValidatedRequest(
                headers=dict(request.headers),
                query=dict(request.query_items()),
                path_params=call.path_parameters,
                body=request.body,
                content_type=request.header("content-type"),
            ),
        )

    def _reject(
        self,
        rejection: Rejection,
        request: HttpRequest,
        request_id: str,
        call: ApiCall | None,
    ) -> HttpResponse:
        if call is not None:
            context = call.context()
            responses, stage_variables = call.api.gateway_responses, call.api.stage_variables
        else:
            api = self.apis[0] if self.apis else None
            context = {
                "requestId": request_id,
                "httpMethod": request.method,
                "path": request.path,
                "stage": api.stage_name if api else "local",
                "identity": {"sourceIp": request.source_ip},
            }
            responses = api.gateway_responses if api else {}
            stage_variables = api.stage_variables if api else {}
        if call is not None:
            call.extra_context["error"] = {
                "message": rejection.message,
                "responseType": rejection.response_type,
            }
        path_parameters = call.path_parameters if call is not None else {}
        return gateway_responses.render_rejection(
            rejection, responses, request, context, stage_variables, path_parameters
        )

    def _handle_issuer(self, request: HttpRequest) -> HttpResponse:
        answer = self.issuer.handle(
            request.method, request.raw_path, request.body, request.header("authorization")
        )
        if answer is None:
            return HttpResponse(
                404, [("Content-Type", "application/json")], b'{"error":"not_found"}'
            )
        body = json.dumps(answer.body).encode()
        return HttpResponse(answer.status, [("Content-Type", "application/json")], body)

    def _log_access(
        self,
        call: ApiCall | None,
        request: HttpRequest,
        request_id: str,
        response: HttpResponse,
        started: float,
    ) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        latency = int((time.perf_counter() - started) * 1000)
        if call is None or not call.api.access_log_format:
            access_log.info(
                '%s "%s %s" %s %sms',
                request_id,
                request.method,
                request.raw_path,
                response.status,
                latency,
            )
            return
        context = {
            **call.context(),
            **response_context(
                status=response.status,
                response_length=len(response.body),
                response_latency_ms=latency,
                integration_status=call.integration_status,
            ),
        }
        access_log.info(format_access_log(call.api.access_log_format, context))

    # -- session facts ---------------------------------------------------------------------

    def issuer_scopes(self) -> list[str]:
        """Every scope the methods declare and samconfig adds: what a local client is given."""
        return sorted(
            {scope for api in self.apis for method in api.methods for scope in method.scopes}
            | set(self.settings.issuer_scopes)
        )

    def session(self) -> Session:
        return Session(
            api_url=self.base_url,
            stage=self.apis[0].stage_name if self.apis else "local",
            aws_endpoint_url=self.moto.endpoint_url,
            region=self.region,
            api_keys=dict(self.usage_plans.key_by_plan),
            users={
                user.username: {
                    "password": user.password,
                    "groups": user.groups,
                    "id_token": user.id_token,
                    "access_token": user.access_token,
                }
                for user in self.users
            },
            issuer={
                "url": self.issuer.url,
                "token_endpoint": self.issuer.token_endpoint,
                "token": self.issuer.mint("local-client", self.issuer_scopes()),
            },
            resources=dict(self.resources.physical_ids),
        )
