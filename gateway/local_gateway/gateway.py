"""The local gateway: loads the template, provisions local AWS, and serves the API.

`LocalGateway` is the wiring: it starts moto, provisions the template's resources, starts the
functions' warm workers and the event-source pollers, and reloads all of it when the template
changes. Each (re)load yields a `Deployment`, and every API request goes through the pipeline
(`local_gateway.pipeline.driver`) against the deployment of the moment.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_gateway import gateway_responses
from local_gateway.api import RestApi
from local_gateway.api_keys import ApiKeyGate
from local_gateway.api_reference import ApiReference, api_reference_for
from local_gateway.cognito import CognitoVerifier
from local_gateway.demo_users import SignedInUser, users_of_pools
from local_gateway.errors import GatewayStartError, TemplateError
from local_gateway.event_sources import Poller, pollers_for
from local_gateway.function_calls import FunctionCalls
from local_gateway.function_specs import FunctionSpec
from local_gateway.functions import FunctionFailed, WorkerPool
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.iam_auth import IamAuthorizer
from local_gateway.iam_callers import IamCaller, provision_iam_callers
from local_gateway.integrations.exchange import AwsEnvironment
from local_gateway.lambda_authorizer import LambdaAuthorizerGate
from local_gateway.local_aws import MotoServer
from local_gateway.local_endpoints import issuer_response, rotation_response
from local_gateway.oidc import ISSUER_PREFIX, LocalIssuer
from local_gateway.pipeline import driver
from local_gateway.pipeline.context import Deployment
from local_gateway.processes import ForkServers
from local_gateway.provisioning import LocalResources
from local_gateway.rejections import Rejection
from local_gateway.reload import ChangeSummary, CodeWatcher
from local_gateway.routing import Router
from local_gateway.s3_endpoint import S3Endpoint
from local_gateway.samconfig import LocalSettings, load_settings
from local_gateway.secrets_rotation import (
    ROTATE_PATH,
    RotationSchedule,
    rotate_now,
    rotation_schedules,
)
from local_gateway.session import Session, issuer_scopes, session_of
from local_gateway.stack import provision_stack
from local_gateway.start_checks import apis_to_serve, functions_to_serve
from local_gateway.template import ACCOUNT_ID, LoadedTemplate, load_template
from local_gateway.usage_plans import UsagePlans

log = logging.getLogger("local_gateway")


def _stop_all(pollers: list[Poller]) -> None:
    for poller in pollers:
        poller.stop()


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
        self.settings, self.template = self._load()
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
        self.usage_plans = UsagePlans([], [], {})
        self.pollers: list[Poller] = []
        self.rotations: list[RotationSchedule] = []
        self.s3_endpoint: S3Endpoint | None = None
        self.watcher: CodeWatcher | None = None
        self.verifier: CognitoVerifier | None = None
        self.iam = IamAuthorizer("", self.region, ACCOUNT_ID)  # its moto is known at start()
        # Authorizer results stay cached across template reloads, as between deployments.
        self.lambda_authorizers = LambdaAuthorizerGate(
            invoke=FunctionCalls({}, {}).invoke_authorizer
        )
        self.deployment = self._deployment([], FunctionCalls({}, {}), ApiKeyGate([], []))
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

    def rotate_secrets(self, secret: str | None = None) -> dict[str, str]:
        """Rotate each secret with a rotation schedule (or the one whose logical id or ARN is
        `secret`) now; returns the new version id by secret logical id."""
        refs = self.template.context.resource_refs
        return rotate_now(self.rotations, refs, self._invoke_for_event_source, secret)

    def _load(self, serving_region: str | None = None) -> tuple[LocalSettings, LoadedTemplate]:
        """samconfig's settings (the command line's overrides on top) and the template they
        resolve; a region other than the one already served needs a restart."""
        settings = load_settings(self.samconfig_path, self.config_env, self.base_url)
        settings.parameter_overrides.update(self.parameter_overrides)
        if serving_region is not None and settings.region != serving_region:
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
        return settings, template

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The files a template reload reads: the template, the files it includes, samconfig."""
        return (self.template_path, *self.template.included, self.samconfig_path)

    def _apply(self, template: LoadedTemplate, settings: LocalSettings) -> ChangeSummary:
        """Serves `template`: provisions what is new in moto (keeping what exists, and its
        data), keeps the warm workers of unchanged functions. Everything is checked before the
        running API changes, so a template that fails leaves the last good one serving."""
        resources, key_store, usage_plans = provision_stack(
            template,
            self.resources,
            self.usage_plans,
            endpoint_url=self.moto.endpoint_url,
            region=self.region,
        )
        apis = apis_to_serve(template, self.region)
        functions = functions_to_serve(
            template,
            apis,
            endpoint_url=self.moto.endpoint_url,
            region=self.region,
            s3_url=self.s3_endpoint.url if self.s3_endpoint else None,
            debug=(self.debug_function, self.debug_port),
        )
        function_by_arn = {spec.arn: key for key, spec in functions.items()}
        pollers = pollers_for(
            template,
            resources,
            functions,
            self._invoke_for_event_source,
            endpoint_url=self.moto.endpoint_url,
            region=self.region,
        )
        rotations = rotation_schedules(template, function_by_arn)
        pools = {
            key: self.pools[key]
            if self.functions.get(key) == spec
            else WorkerPool(spec, launch=self.fork_servers.launch)
            for key, spec in functions.items()
        }
        self.fork_servers.start_for(functions.values())
        users = users_of_pools(
            self.users,
            resources.user_pools,
            [k for k in resources.user_pools if k not in self.resources.user_pools],
            settings,
            endpoint_url=self.moto.endpoint_url,
            region=self.region,
        )
        changes = ChangeSummary.between(self, template, apis, functions)
        retired = [pool for key, pool in self.pools.items() if pools.get(key) is not pool]
        old_pollers = self.pollers
        # The running API changes here, in a few assignments.
        self.template, self.resources, self.settings = template, resources, settings
        self.apis, self.routers = apis, [(api, Router(api.methods)) for api in apis]
        self.functions, self.pools = functions, pools
        self.usage_plans, self.users, self.pollers = usage_plans, users, pollers
        self.rotations = rotations
        self.deployment = self._deployment(
            apis,
            FunctionCalls(pools, function_by_arn),
            ApiKeyGate(
                usage_plans.keys,
                usage_plans.plans,
                limiter=self.deployment.api_key_gate.limiter,
                lookup=key_store.lookup,
            ),
        )
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
            settings, template = self._load(serving_region=self.region)
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

    def _deployment(
        self, apis: list[RestApi], functions: FunctionCalls, api_key_gate: ApiKeyGate
    ) -> Deployment:
        """What the pipeline serves `apis` with: the running authorizers, these functions, keys."""
        return Deployment(
            apis=apis,
            routers=self.routers,
            functions=functions,
            iam=self.iam,
            cognito=self.verifier,
            lambda_authorizers=dataclasses.replace(
                self.lambda_authorizers, invoke=functions.invoke_authorizer
            ),
            api_key_gate=api_key_gate,
            aws=AwsEnvironment(self.moto.endpoint_url, self.region, ACCOUNT_ID),
            port=self.base_url.rsplit(":", 1)[-1],
        )

    def _invoke_for_event_source(self, logical_id: str, event: dict[str, Any]) -> Any:
        """Invokes a function in one of its warm workers (raises FunctionFailed/Timeout)."""
        return self.pools[logical_id].invoke(event, str(uuid.uuid4()))

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
        return self.deployment.functions.for_uri(uri, where, stage_variables)

    # -- requests --------------------------------------------------------------------------

    def handle(self, request: HttpRequest, host: str = "127.0.0.1") -> HttpResponse:
        """The answer to one request: the gateway's own endpoints, else the API's pipeline."""
        try:
            if request.raw_path.startswith(ISSUER_PREFIX + "/"):
                return issuer_response(self.issuer, request)
            if request.raw_path == ROTATE_PATH and request.method == "POST":
                return rotation_response(self.rotate_secrets, request)
            if self.api_reference is not None and self.api_reference.serves(request.raw_path):
                return self.api_reference.handle(request, host)
        except Exception:
            log.exception("%s %s failed inside the gateway", request.method, request.raw_path)
            return driver.refuse(self.deployment, gateway_responses.internal_error(), request)
        return driver.run(self.deployment, request, host)

    def refuse_unread(self, status: int, message: str, source_ip: str) -> HttpResponse:
        """The answer to a request the HTTP server could not read, as a DEFAULT_4XX/5XX response."""
        request = HttpRequest("GET", "/", "", [], b"", source_ip)
        kind = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        return driver.refuse(self.deployment, Rejection(kind, status, message), request)

    def issuer_scopes(self) -> list[str]:
        """Every scope the methods declare and samconfig adds: what a local client is given."""
        return issuer_scopes(self.apis, self.settings.issuer_scopes)

    def session(self) -> Session:
        return session_of(self)
