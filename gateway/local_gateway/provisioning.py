"""The template's resources in the local moto: each named as CloudFormation would name it, and
created there when moto can hold it (tables, buckets, queues, user pools and their clients and
groups). A template reload keeps what an earlier load created, data and all.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from local_gateway.errors import TemplateError
from local_gateway.local_aws import client
from local_gateway.resource_names import name_resources
from local_gateway.template import LoadedTemplate


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

    def _register(self, logical_id: str, ref: str, **attributes: Any) -> None:
        self.resources.physical_ids[logical_id] = ref
        self.template.context.resource_refs[logical_id] = ref
        self._attributes[logical_id] = attributes
        self.template.context.resource_attributes[logical_id] = attributes.get

    def name_all(self) -> None:
        """Registers every resource's Ref and GetAtt values (creates nothing)."""
        name_resources(self.template, self.endpoint_url, self._register)

    def provision(self) -> LocalResources:
        self.name_all()
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
