"""Local AWS: moto in server mode on a loopback port, and the template's resources in it.

Moto runs in its own process so that each gateway has its own state and the gateway's
threads never wait on moto's. `pause()`/`resume()` stop it briefly without losing state.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from local_gateway.api import local_api_id
from local_gateway.errors import GatewayStartError, TemplateError
from local_gateway.template import ACCOUNT_ID, LoadedTemplate

# moto accepts any credentials; these make boto3 sign requests without a real profile.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class MotoServer:
    """A moto server subprocess on 127.0.0.1; `endpoint_url` is what clients talk to."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.port = free_port(self.host)
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **LOCAL_CREDENTIALS},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise GatewayStartError(f"moto server exited with {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=1):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)  # moto is still importing
        self.stop()
        raise GatewayStartError(f"moto server did not answer on {self.endpoint_url}")

    def pause(self) -> None:
        """Freezes moto (requests to it hang) until `resume()`; its state is kept."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is None:
            return
        self.resume()
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


@dataclass
class UserPool:
    """A provisioned Cognito user pool and what the gateway needs to sign users in."""

    logical_id: str
    pool_id: str
    client_ids: list[str]
    client_secrets: dict[str, str]
    groups: list[str]
    password_policy: dict[str, Any]

    @property
    def issuer(self) -> str:
        region = self.pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.pool_id}"


@dataclass
class LocalResources:
    """Physical ids of everything the template declares, and the user pools by logical id."""

    physical_ids: dict[str, str] = field(default_factory=dict)
    user_pools: dict[str, UserPool] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)  # GetAtt values


def client(
    service: str, endpoint_url: str, region: str, *, timeout_seconds: float | None = None
) -> Any:
    """A client of the local moto; with `timeout_seconds`, one try that waits no longer."""
    config = (
        Config(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            retries={"total_max_attempts": 1},
        )
        if timeout_seconds is not None
        else None
    )
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        config=config,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=LOCAL_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


# What moto answers when a reload that failed half-way had created the resource already.
_ALREADY_EXISTS = {
    "ResourceInUseException",
    "BucketAlreadyOwnedByYou",
    "BucketAlreadyExists",
    "QueueAlreadyExists",
    "QueueNameExists",
    "AWS.SimpleQueueService.QueueNameExists",
}


@contextlib.contextmanager
def _kept_if_it_exists() -> Iterator[None]:
    """Around a create: one already there under its name is kept as it is, data and all."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in _ALREADY_EXISTS:
            raise


def function_name_of(reference: str) -> str:
    """The function a Lambda name, ARN or partial ARN names, without its version or alias."""
    parts = reference.split(":")
    if "function" in parts[:-1]:
        return parts[parts.index("function") + 1]
    return parts[0]


def _arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"


class Provisioner:
    """Names every resource (as CloudFormation would) and creates the ones moto can hold."""

    def __init__(
        self, template: LoadedTemplate, endpoint_url: str, known: LocalResources | None = None
    ) -> None:
        """`known`: what an earlier load of the template provisioned; it is kept, not re-created."""
        self.template = template
        self.endpoint_url = endpoint_url
        self.region = template.context.region
        self.resources = LocalResources()
        self._attributes = self.resources.attributes
        self._known = known or LocalResources()

    def _exists(self, logical_id: str) -> bool:
        """Provisioned before under the same physical id (a renamed resource is a new one)."""
        ref = self.resources.physical_ids.get(logical_id)
        return ref is not None and self._known.physical_ids.get(logical_id) == ref

    def _reuse(self, logical_id: str) -> bool:
        """Registers a user pool, client or group an earlier load created; False if none did."""
        if logical_id not in self._known.physical_ids:
            return False
        known = self._known.attributes.get(logical_id, {})
        self._register(logical_id, self._known.physical_ids[logical_id], **known)
        if logical_id in self._known.user_pools:
            self.resources.user_pools[logical_id] = self._known.user_pools[logical_id]
        return True

    def _client(self, service: str) -> Any:
        return client(service, self.endpoint_url, self.region)

    def _name(self, logical_id: str, name_property: str | None, *, lower: bool = False) -> str:
        if name_property and name_property in self.template.properties(logical_id):
            return str(self.template.resolved_property(logical_id, name_property))
        name = f"{self.template.context.stack_name}-{logical_id}"
        return name.lower()[:63] if lower else name

    def _register(self, logical_id: str, ref: str, **attributes: Any) -> None:
        self.resources.physical_ids[logical_id] = ref
        self.template.context.resource_refs[logical_id] = ref
        self._attributes[logical_id] = attributes
        self.template.context.resource_attributes[logical_id] = attributes.get

    def provision(self) -> LocalResources:
        self._name_everything()
        new = [k for k in self.template.resources if not self._exists(k)]
        for logical_id in self.template.of_type("AWS::DynamoDB::Table"):
            if logical_id in new:
                with _kept_if_it_exists():
                    self._create_table(logical_id)
        for logical_id in self.template.of_type("AWS::S3::Bucket"):
            if logical_id in new:
                with _kept_if_it_exists():
                    bucket = self.resources.physical_ids[logical_id]
                    self._client("s3").create_bucket(Bucket=bucket)
        queues = [k for k in self.template.of_type("AWS::SQS::Queue") if k in new]
        for logical_id in queues:
            with _kept_if_it_exists():
                self._create_queue(logical_id)
        for logical_id in queues:
            self._set_queue_attributes(logical_id)
        for logical_id in self.template.of_type("AWS::Cognito::UserPool"):
            if not self._reuse(logical_id):
                self._create_user_pool(logical_id)
        for logical_id in self.template.of_type("AWS::Cognito::UserPoolClient"):
            if not self._reuse(logical_id):
                self._create_user_pool_client(logical_id)
        for logical_id in self.template.of_type("AWS::Cognito::UserPoolGroup"):
            if not self._reuse(logical_id):
                self._create_user_pool_group(logical_id)
        return self.resources

    def _name_everything(self) -> None:
        """Registers Ref/GetAtt values; user pools and clients get theirs when created."""
        region = self.region
        for logical_id, resource in self.template.resources.items():
            kind = resource.get("Type", "")
            if kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
                continue  # named after their function, below
            if kind == "AWS::Lambda::Function":
                name = self._name(logical_id, "FunctionName")
                arn = _arn("lambda", region, f"function:{name}")
                self._register(logical_id, name, Arn=arn)
            elif kind == "AWS::Lambda::LayerVersion":
                name = self._name(logical_id, "LayerName")
                self._register(logical_id, _arn("lambda", region, f"layer:{name}:1"))
            elif kind == "AWS::DynamoDB::Table":
                name = self._name(logical_id, "TableName")
                arn = _arn("dynamodb", region, f"table/{name}")
                self._register(logical_id, name, Arn=arn, StreamArn=f"{arn}/stream/local")
            elif kind == "AWS::S3::Bucket":
                name = self._name(logical_id, "BucketName", lower=True)
                self._register(
                    logical_id,
                    name,
                    Arn=f"arn:aws:s3:::{name}",
                    DomainName=f"{name}.s3.amazonaws.com",
                    RegionalDomainName=f"{name}.s3.{region}.amazonaws.com",
                    WebsiteURL=f"http://{name}.s3-website-{region}.amazonaws.com",
                )
            elif kind == "AWS::SQS::Queue":
                name = self._name(logical_id, "QueueName")
                fifo = self.template.resolved_property(logical_id, "FifoQueue", False)
                if str(fifo).lower() == "true" and not name.endswith(".fifo"):
                    name += ".fifo"
                url = f"{self.endpoint_url}/{ACCOUNT_ID}/{name}"
                arn = _arn("sqs", region, name)
                self._register(logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)
            elif kind in ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient"):
                continue
            elif kind == "AWS::ApiGateway::RestApi":
                self._register(logical_id, local_api_id(logical_id), RootResourceId="root")
            elif kind == "AWS::ApiGateway::Stage":
                # A stage's Ref is its name (usage plans' ApiStages refer to it so).
                self._register(
                    logical_id, str(self.template.resolved_property(logical_id, "StageName"))
                )
            else:
                name = f"{self.template.context.stack_name}-{logical_id}"
                service = kind.split("::")[1].lower() if kind.count("::") == 2 else "local"
                self._register(
                    logical_id,
                    name,
                    Arn=_arn(service, region, name),
                    RootResourceId="root",
                    APIKeyId=name,
                )
        self._name_versions_and_aliases()

    def _name_versions_and_aliases(self) -> None:
        """A version or alias ARN is its function's ARN with a qualifier.

        Locally each function has one version, its code on disk: whatever qualifier an
        integration URI, authorizer or event source mapping names, the function answers.
        """
        for kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
            for logical_id in self.template.of_type(kind):
                where = f"Resources.{logical_id}.Properties.FunctionName"
                name = function_name_of(
                    str(self.template.resolved_property(logical_id, "FunctionName"))
                )
                function_arn = _arn("lambda", self.region, f"function:{name}")
                if kind == "AWS::Lambda::Version":
                    self._register(
                        logical_id, f"{function_arn}:1", Version="1", FunctionArn=function_arn
                    )
                    continue
                alias = self.template.resolved_property(logical_id, "Name")
                if not name or not alias:
                    raise TemplateError(where, "an alias needs FunctionName and Name")
                self._register(logical_id, f"{function_arn}:{alias}")

    def _create_table(self, logical_id: str) -> None:
        def get(name: str, default: Any = None) -> Any:
            return self.template.resolved_property(logical_id, name, default)

        request: dict[str, Any] = {
            "TableName": self.resources.physical_ids[logical_id],
            "KeySchema": get("KeySchema"),
            "AttributeDefinitions": get("AttributeDefinitions"),
            "BillingMode": "PAY_PER_REQUEST",  # capacity is not simulated locally
        }
        if not request["KeySchema"] or not request["AttributeDefinitions"]:
            raise TemplateError(
                f"Resources.{logical_id}.Properties",
                "a table needs KeySchema and AttributeDefinitions",
            )
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            indexes = get(index_kind)
            if indexes:
                request[index_kind] = [
                    {k: v for k, v in index.items() if k not in ("ProvisionedThroughput",)}
                    for index in indexes
                ]
        self._client("dynamodb").create_table(**request)

    def _create_queue(self, logical_id: str) -> None:
        attributes = {}
        for name in (
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "VisibilityTimeout",
            "FifoQueue",
            "ContentBasedDeduplication",
        ):
            value = self.template.resolved_property(logical_id, name)
            if value is not None:
                attributes[name] = str(value).lower() if isinstance(value, bool) else str(value)
        name = self._attributes[logical_id]["QueueName"]
        self._client("sqs").create_queue(QueueName=name, Attributes=attributes)

    def _set_queue_attributes(self, logical_id: str) -> None:
        """Redrive is set once every queue exists, since it names its dead-letter queue."""
        redrive = self.template.resolved_property(logical_id, "RedrivePolicy")
        if redrive:
            policy = {k: str(v) for k, v in redrive.items()}
            self._client("sqs").set_queue_attributes(
                QueueUrl=self.resources.physical_ids[logical_id],
                Attributes={"RedrivePolicy": json.dumps(policy)},
            )

    def _create_user_pool(self, logical_id: str) -> None:
        def get(name: str) -> Any:
            return self.template.resolved_property(logical_id, name)

        request: dict[str, Any] = {"PoolName": get("UserPoolName") or logical_id}
        for name in (
            "Policies",
            "AutoVerifiedAttributes",
            "AliasAttributes",
            "UsernameAttributes",
            "Schema",
            "MfaConfiguration",
            "AdminCreateUserConfig",
            "UsernameConfiguration",
            "AccountRecoverySetting",
        ):
            value = get(name)
            if value is not None:
                request[name] = value
        if "Schema" in request:
            request["Schema"] = [
                {k: (str(v) if k in ("MinLength", "MaxLength") else v) for k, v in attr.items()}
                for attr in request["Schema"]
            ]
        pool = self._client("cognito-idp").create_user_pool(**request)["UserPool"]
        pool_id = pool["Id"]
        self._register(
            logical_id,
            pool_id,
            Arn=pool["Arn"],
            ProviderName=f"cognito-idp.{self.region}.amazonaws.com/{pool_id}",
            ProviderURL=f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}",
            UserPoolId=pool_id,
        )
        policy = (request.get("Policies") or {}).get("PasswordPolicy") or {}
        self.resources.user_pools[logical_id] = UserPool(
            logical_id, pool_id, [], {}, [], password_policy=policy
        )

    def _pool_of(self, logical_id: str) -> UserPool:
        pool_id = self.template.resolved_property(logical_id, "UserPoolId")
        for pool in self.resources.user_pools.values():
            if pool.pool_id == pool_id:
                return pool
        raise TemplateError(
            f"Resources.{logical_id}.Properties.UserPoolId", "names no user pool of the template"
        )

    def _create_user_pool_client(self, logical_id: str) -> None:
        pool = self._pool_of(logical_id)
        request: dict[str, Any] = {
            "UserPoolId": pool.pool_id,
            "ClientName": self.template.resolved_property(logical_id, "ClientName") or logical_id,
        }
        for name in (
            "GenerateSecret",
            "ExplicitAuthFlows",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "AllowedOAuthFlowsUserPoolClient",
            "CallbackURLs",
            "SupportedIdentityProviders",
            "ReadAttributes",
            "WriteAttributes",
        ):
            value = self.template.resolved_property(logical_id, name)
            if value is not None:
                request[name] = value
        created = self._client("cognito-idp").create_user_pool_client(**request)
        details = created["UserPoolClient"]
        self._register(
            logical_id,
            details["ClientId"],
            ClientSecret=details.get("ClientSecret"),
            Name=request["ClientName"],
        )
        pool.client_ids.append(details["ClientId"])
        if details.get("ClientSecret"):
            pool.client_secrets[details["ClientId"]] = details["ClientSecret"]

    def _create_user_pool_group(self, logical_id: str) -> None:
        pool = self._pool_of(logical_id)
        name = self.template.resolved_property(logical_id, "GroupName") or logical_id
        self._client("cognito-idp").create_group(GroupName=name, UserPoolId=pool.pool_id)
        pool.groups.append(name)
        self._register(logical_id, name)
