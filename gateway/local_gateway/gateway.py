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
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_gateway import gateway_responses, lambda_custom, method_response
from local_gateway.access_log import format_access_log, response_context
from local_gateway.api import (
    Method,
    RestApi,
    check_mapping_templates,
    load_apis,
    local_deployment_id,
)
from local_gateway.api_key_store import MotoApiKeys
from local_gateway.api_keys import ApiKeyGate, presented_key
from local_gateway.api_reference import ApiReference, api_reference_for
from local_gateway.aws_integration import AwsEnvironment, MethodRequest, run_integration
from local_gateway.cognito import CognitoVerifier
from local_gateway.demo_users import SignedInUser, seed_demo_users
from local_gateway.errors import GatewayStartError, TemplateError
from local_gateway.functions import (
    FunctionFailed,
    FunctionSpec,
    FunctionTimeout,
    WorkerPool,
    load_functions,
)
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.iam_auth import IamAuthorizer
from local_gateway.iam_callers import IamCaller, provision_iam_callers
from local_gateway.lambda_authorizer import AuthorizerRequest, FunctionError, LambdaAuthorizerGate
from local_gateway.local_aws import MotoServer, client
from local_gateway.oidc import ISSUER_PREFIX, LocalIssuer
from local_gateway.processes import ForkServers
from local_gateway.provisioning import LocalResources, Provisioner
from local_gateway.proxy import (
    MalformedResponse,
    accepts_binary,
    build_event,
    integration_headers,
    parse_response,
    request_context,
    trace_header,
)
from local_gateway.rejections import Rejection
from local_gateway.reload import ChangeSummary, CodeWatcher
from local_gateway.request_validation import ValidatedRequest, validate_request
from local_gateway.resource_names import function_name_of
from local_gateway.routing import Router
from local_gateway.s3_endpoint import S3Endpoint
from local_gateway.s3_notifications import S3NotificationPoller, notification_pollers
from local_gateway.samconfig import LocalSettings, load_settings
from local_gateway.schedules import ScheduleRunner
from local_gateway.secrets_rotation import (
    ROTATE_PATH,
    RotationSchedule,
    provision_secrets,
    rotate,
    rotation_schedules,
)
from local_gateway.sqs_poller import EventSourceMapping, SqsPoller
from local_gateway.start_checks import (
    check_handlers,
    check_integrations,
    function_for_uri,
    with_debug_port,
)
from local_gateway.template import ACCOUNT_ID, LoadedTemplate, load_template
from local_gateway.usage_plans import UsagePlans, load_usage_plans

log = logging.getLogger("local_gateway")
access_log = logging.getLogger("local_gateway.access")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
INTEGRATION_TIMEOUT_SECONDS = 29.0  # API Gateway's default (and maximum) integration timeout


@dataclass
class ApiCall:
    """One request on its way through the pipeline, and what the steps learned about it."""

    request: HttpRequest
    request_id: str
    api: RestApi
    method: Method
    path_parameters: dict[str, str]
    host: str
    raw_path_parameters: dict[str, str] = field(default_factory=dict)  # as sent, for the event
    trace_id: str = ""  # X-Amzn-Trace-Id towards the integration
    authorizer: dict[str, Any] | None = None  # requestContext.authorizer
    api_key: str | None = None
    api_key_id: str | None = None
    integration_status: int | None = None
    extra_context: dict[str, Any] = field(default_factory=dict)
    identity: dict[str, Any] = field(default_factory=dict)  # the SigV4 caller's, for AWS_IAM

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


def _stop_all(pollers: list[SqsPoller]) -> None:
    for poller in pollers:
        poller.stop()


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
    iam_callers: dict[str, dict[str, str]] = field(default_factory=dict)

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
            "iam_callers": self.iam_callers,
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
        debug: tuple[str, int] | None = None,
    ) -> None:
        """`debug`: (a function's logical id, a port) to run that function under debugpy."""
        self.template_path = template_path.resolve()
        self.base_url = base_url.rstrip("/")
        self.samconfig_path = samconfig_path or self.template_path.parent / "samconfig.toml"
        self.config_env = config_env
        self.parameter_overrides = dict(parameter_overrides or {})
        self.debug_function: str | None = debug[0] if debug else None
        self.debug_port: int | None = debug[1] if debug else None
        self.settings: LocalSettings = load_settings(self.samconfig_path, config_env, self.base_url)
        self.settings.parameter_overrides.update(self.parameter_overrides)
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
        self.fork_servers = ForkServers()
        # Called after each successful template reload (`serve` rewrites the session files).
        self.after_reload: list[Callable[[], None]] = []
        self.users: list[SignedInUser] = []
        self.iam_callers: list[IamCaller] = []
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
        self.pollers: list[SqsPoller | S3NotificationPoller | ScheduleRunner] = []
        self.rotations: list[RotationSchedule] = []
        self.s3_endpoint: S3Endpoint | None = None
        self.watcher: CodeWatcher | None = None
        self.verifier: CognitoVerifier | None = None
        self.lambda_authorizers = LambdaAuthorizerGate(invoke=self._invoke_authorizer)
        self.iam = IamAuthorizer("", self.region, ACCOUNT_ID)  # its moto is known at start()
        self._function_by_arn: dict[str, str] = {}
        self.api_reference: ApiReference | None = None  # /docs, set by start()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, *, watch: bool = True) -> None:
        self.moto.start()
        try:
            self.verifier = CognitoVerifier(self.moto.endpoint_url, self.region)
            self.iam = IamAuthorizer(self.moto.endpoint_url, self.region, ACCOUNT_ID)
            # Functions reach S3 through the local endpoint that checks POST policies as S3 does.
            self.s3_endpoint = S3Endpoint(self.moto.endpoint_url)
            self.s3_endpoint.start()
            self._apply(self.template, self.settings)
            self.iam_callers = provision_iam_callers(
                self.template, self.moto.endpoint_url, self.region
            )
            debugged = self.pools.get(self.debug_function or "")
            if debugged is not None and debugged.worker_count == 0:
                raise GatewayStartError(
                    f"{self.debug_function}: debugpy cannot listen on port {self.debug_port}"
                    " (in use? set DEBUG_PORT=)"
                )
            if watch:
                self.watcher = CodeWatcher(
                    lambda: self.pools.values(),
                    sources=self.source_files,
                    on_source_change=self.reload_template,
                )
                self.watcher.start()
                for poller in self.pollers:
                    poller.start()
        except BaseException:
            self.stop()
            raise

    def _client(self, service: str) -> Any:
        return client(service, self.moto.endpoint_url, self.region)

    def rotate_secrets(self, secret: str | None = None) -> dict[str, str]:
        """Rotate each secret with a rotation schedule (or the one whose logical id or ARN is
        `secret`) now; returns the new version id by secret logical id."""
        chosen = [
            s
            for s in self.rotations
            if secret is None or secret in (s.secret_id, self._secret_logical_id(s.secret_id))
        ]
        if secret is not None and not chosen:
            raise LookupError(f"no secret {secret!r} has a rotation schedule")
        return {
            self._secret_logical_id(s.secret_id): rotate(s, self._invoke_for_event_source)
            for s in chosen
        }

    def _secret_logical_id(self, arn: str) -> str:
        refs = self.template.context.resource_refs
        return next((k for k, v in refs.items() if v == arn), arn)

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The files a template reload reads: the template, the files it includes, samconfig."""
        return (self.template_path, *self.template.included, self.samconfig_path)

    def _apply(self, template: LoadedTemplate, settings: LocalSettings) -> ChangeSummary:
        """Serves `template`: provisions what is new in moto (keeping what exists, and its
        data), keeps the warm workers of unchanged functions. Everything is checked before the
        running API changes, so a template that fails leaves the last good one serving."""
        resources = Provisioner(template, self.moto.endpoint_url, self.resources).provision()
        # Keys, plans and secrets live in moto, so functions can rotate keys while it runs.
        key_store, usage_plans = MotoApiKeys.provision(
            self._client("apigateway"), load_usage_plans(template, self.usage_plans), template
        )
        # Per request the key check asks moto briefly, once (api_key_store.MotoApiKeys.lookup).
        key_store.apigateway = client(
            "apigateway", self.moto.endpoint_url, self.region, timeout_seconds=1.0
        )
        provision_secrets(template, self._client("secretsmanager"))
        refs = template.context.resource_refs
        resources.physical_ids.update({k: refs[k] for k in resources.physical_ids if k in refs})
        apis = load_apis(template)
        check_mapping_templates(apis)
        for api in apis:
            api.region = self.region
        functions = with_debug_port(
            load_functions(
                template,
                self.moto.endpoint_url,
                region=self.region,
                service_endpoints={"S3": self.s3_endpoint.url} if self.s3_endpoint else None,
            ),
            self.debug_function,
            self.debug_port,
        )
        check_handlers(functions.values())
        function_by_arn = {spec.arn: key for key, spec in functions.items()}
        check_integrations(apis, function_by_arn)
        pollers: list[SqsPoller | S3NotificationPoller | ScheduleRunner] = [
            *self._event_source_pollers(template, resources, functions),
            *notification_pollers(
                template,
                resources.physical_ids,
                {spec.name: key for key, spec in functions.items()},
                function_by_arn,
                self._client("sqs"),
                self._client("s3"),
                self._invoke_for_event_source,
            ),
            ScheduleRunner(
                self._client("scheduler"), function_by_arn, self._invoke_for_event_source
            ),
        ]
        rotations = rotation_schedules(template, function_by_arn)
        pools = {
            key: self.pools[key]
            if self.functions.get(key) == spec
            else WorkerPool(spec, launch=self.fork_servers.launch)
            for key, spec in functions.items()
        }
        self.fork_servers.start_for(functions.values())
        users = [user for user in self.users if user.pool_logical_id in resources.user_pools]
        for logical_id, pool in resources.user_pools.items():
            if logical_id not in self.resources.user_pools:
                users += seed_demo_users(
                    pool,
                    settings.demo_users,
                    settings.demo_password,
                    endpoint_url=self.moto.endpoint_url,
                    region=self.region,
                )
        changes = ChangeSummary.between(self, template, apis, functions)
        retired = [pool for key, pool in self.pools.items() if pools.get(key) is not pool]
        old_pollers = self.pollers
        # The running API changes here, in a few assignments.
        self.template, self.resources, self.settings = template, resources, settings
        self.apis, self.routers = apis, [(api, Router(api.methods)) for api in apis]
        self.functions, self._function_by_arn, self.pools = functions, function_by_arn, pools
        self.usage_plans, self.users, self.pollers = usage_plans, users, pollers
        self.api_key_gate = ApiKeyGate(
            usage_plans.keys,
            usage_plans.plans,
            limiter=self.api_key_gate.limiter,
            lookup=key_store.lookup,
        )
        self.rotations = rotations
        self.api_reference = api_reference_for(self)
        # A poller may be in a long poll: the old ones stop on their own time, not the reload's.
        threading.Thread(target=_stop_all, args=(old_pollers,), daemon=True).start()
        for retired_pool in retired:
            retired_pool.close()
        for spec in functions.values():
            if spec.debug_port is not None:
                try:
                    pools[spec.logical_id].prestart()
                except FunctionFailed as error:  # its calls will say so too; the API serves
                    log.error("%s", error)
        return changes

    def reload_template(self) -> None:
        """Reloads template.yaml and samconfig.toml; on an error, logs it and keeps serving."""
        try:
            settings = load_settings(self.samconfig_path, self.config_env, self.base_url)
            settings.parameter_overrides.update(self.parameter_overrides)
            if settings.region != self.region:
                raise TemplateError(
                    self.samconfig_path.name,
                    f"region changed to {settings.region}: restart `make dev` to move region",
                )
            template = load_template(
                self.template_path,
                settings.parameter_overrides,
                region=settings.region,
                stack_name=settings.stack_name,
            )
            changes = self._apply(template, settings)
        except (TemplateError, GatewayStartError) as error:
            log.error("template not reloaded, the last good API still serves: %s", error)
            return
        except Exception as error:
            log.exception("template not reloaded, the last good API still serves: %s", error)
            return
        if self.watcher is not None and self.watcher.running:
            for poller in self.pollers:
                poller.start()
        log.info("template reloaded: %s", changes.describe())
        for callback in self.after_reload:
            callback()

    @property
    def aws(self) -> AwsEnvironment:
        return AwsEnvironment(self.moto.endpoint_url, self.region, ACCOUNT_ID)

    def _event_source_pollers(
        self,
        template: LoadedTemplate,
        resources: LocalResources,
        functions: dict[str, FunctionSpec],
    ) -> list[SqsPoller]:
        """One poller per SQS event source mapping; `start(watch=True)` runs them."""
        queue_urls = {
            template.context.resource_attributes[k]("Arn"): resources.physical_ids[k]
            for k in template.of_type("AWS::SQS::Queue")
        }
        by_name = {spec.name: key for key, spec in functions.items()}
        pollers = []
        for logical_id in template.of_type("AWS::Lambda::EventSourceMapping"):
            where = f"Resources.{logical_id}.Properties"
            properties = template.resolve(template.properties(logical_id), where)
            source = str(properties.get("EventSourceArn", ""))
            if source not in queue_urls:
                raise TemplateError(
                    f"{where}.EventSourceArn", f"{source} is no queue of the template"
                )
            function = by_name.get(function_name_of(str(properties.get("FunctionName", ""))))
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
        if self.s3_endpoint is not None:
            self.s3_endpoint.stop()
        if self.watcher is not None:
            self.watcher.stop()
        for pool in self.pools.values():
            pool.close()
        self.fork_servers.stop()
        self.moto.stop()

    def function_for_uri(
        self, uri: str | None, where: str, stage_variables: dict[str, str] | None = None
    ) -> str:
        """The logical id of the function an integration or authorizer URI invokes."""
        return function_for_uri(self._function_by_arn, uri, where, stage_variables)

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
            if request.raw_path == ROTATE_PATH and request.method == "POST":
                return self._handle_rotation(request)
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
            response.headers = method_response.remap(response.headers)
            if call.method.integration.kind != "mock":
                response.headers.append(("X-Amzn-Trace-Id", call.trace_id))
        except Rejection as rejection:
            response = self._reject(rejection, request, request_id, call)
        except Exception:
            log.exception("request %s failed inside the gateway", request_id)
            response = self._reject(gateway_responses.internal_error(), request, request_id, call)
        response.headers.append(("x-amzn-RequestId", request_id))
        response.headers.append(("x-amz-apigw-id", method_response.apigw_id()))
        self._log_access(call, request, request_id, response, started)
        return response

    def refuse_unread(self, status: int, message: str, source_ip: str) -> HttpResponse:
        """The answer to a request the HTTP server could not read, as a DEFAULT_4XX/5XX response."""
        request_id = str(uuid.uuid4())
        request = HttpRequest("GET", "/", "", [], b"", source_ip)
        kind = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        response = self._reject(Rejection(kind, status, message), request, request_id, None)
        response.headers.append(("x-amzn-RequestId", request_id))
        response.headers.append(("x-amz-apigw-id", method_response.apigw_id()))
        return response

    def _route(self, request: HttpRequest, request_id: str, host: str) -> ApiCall:
        for api, router in self.routers:
            match = router.match(request.method, request.path)
            if match is not None:
                return ApiCall(
                    request,
                    request_id,
                    api,
                    match.method,
                    match.path_parameters,
                    host,
                    raw_path_parameters=match.raw_path_parameters(request.raw_path),
                    trace_id=trace_header(request.header("x-amzn-trace-id"), request.received_at),
                )
        raise gateway_responses.missing_authentication_token()

    def _authorize(self, call: ApiCall) -> None:
        authorizer = call.method.authorizer
        if authorizer is None:
            return
        if authorizer.kind == "AWS_IAM":
            caller = self.iam.authorize(call.request, call.host, call.method_arn)
            call.identity = caller.identity()
            return
        if authorizer.kind == "COGNITO_USER_POOLS":
            assert self.verifier is not None  # noqa: S101 - set by start()
            header = authorizer.identity_sources[0].removeprefix("method.request.header.")
            claims = self.verifier.authorize(
                authorizer, call.method.scopes, call.request.header(header)
            )
            call.authorizer = {"claims": claims}
            return
        function = self.function_for_uri(
            authorizer.function_uri, authorizer.name, call.api.stage_variables
        )
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

    def _proxy_event(self, call: ApiCall) -> dict[str, Any]:
        """The REST (v1) proxy event of this call: what a Lambda integration or REQUEST
        authorizer receives (the authorizer's request is built from its parts)."""
        return build_event(
            call.request,
            resource_path=call.method.resource_path,
            path_parameters=call.raw_path_parameters,
            stage_variables=call.api.stage_variables,
            request_context=call.request_context(),
            binary_media_types=call.api.binary_media_types,
            headers=integration_headers(
                call.request, trace_id=call.trace_id, port=self.base_url.rsplit(":", 1)[-1]
            ),
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
        logical_id = self.function_for_uri(
            call.method.integration.uri, call.method.resource_path, call.api.stage_variables
        )
        if str(call.method.integration.definition.get("httpMethod", "POST")).upper() != "POST":
            log.error(
                "%s %s: a Lambda proxy integration's httpMethod must be POST (Lambda's Invoke)",
                call.method.http_method,
                call.method.resource_path,
            )
            raise gateway_responses.integration_failure(status=500)
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
            invoke_function=lambda arn, event, timeout: self._invoke_custom(
                arn, event, timeout, call.request_id
            ),
        )
        call.integration_status = result.status
        return HttpResponse(result.status, list(result.headers.items()), result.body)

    def _invoke_custom(
        self, arn: str, event: Any, timeout: float, request_id: str
    ) -> lambda_custom.Invocation:
        """Lambda Invoke for a custom integration: the result, or Lambda's error object."""
        pool = self.pools[self.function_for_uri(f"functions/{arn}/invocations", arn)]
        function_timeout = pool.spec.timeout_seconds
        try:
            return lambda_custom.Invocation(
                pool.invoke(event, request_id, min(function_timeout, timeout)), False
            )
        except FunctionFailed as failure:
            log.error("%s failed: %s", pool.spec.logical_id, failure)
            return lambda_custom.Invocation(lambda_custom.error_payload(failure, request_id), True)
        except FunctionTimeout:
            if function_timeout > timeout:
                raise  # API Gateway stopped waiting first: INTEGRATION_TIMEOUT
            payload = lambda_custom.timeout_payload(request_id, function_timeout)
            return lambda_custom.Invocation(payload, True)

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

    def _handle_rotation(self, request: HttpRequest) -> HttpResponse:
        """`POST /_local/secrets/rotate` (`{"secret": id}` optional): rotate now, as `make
        rotate-keys` asks; 404 for an unknown secret, 502 when a step of the function fails."""
        body: dict[str, Any]
        try:
            wanted = json.loads(request.body or b"{}").get("secret")
            rotated = self.rotate_secrets(str(wanted) if wanted else None)
        except LookupError as error:
            status, body = 404, {"error": str(error)}
        except (FunctionFailed, FunctionTimeout) as error:
            status, body = 502, {"error": f"the rotation function failed: {error}"}
        except (ValueError, AttributeError):
            status, body = 400, {"error": 'send {"secret": "<logical id or ARN>"} or nothing'}
        else:
            status, body = 200, {"rotated": rotated}
        return HttpResponse(
            status, [("Content-Type", "application/json")], json.dumps(body).encode()
        )

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
            iam_callers={caller.user_name: caller.to_json() for caller in self.iam_callers},
        )
