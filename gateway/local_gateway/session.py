"""The facts of a running gateway that clients need: URLs, keys, users, tokens, resources.

`.local/session.json` holds them for scripts and tests (`make dev` writes it); the `/docs`
page reads the same facts to pre-authorize its "Try it out".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Protocol

from local_gateway.api import RestApi
from local_gateway.demo_users import SignedInUser
from local_gateway.iam_callers import IamCaller
from local_gateway.local_aws import MotoServer
from local_gateway.oidc import LocalIssuer
from local_gateway.provisioning import LocalResources
from local_gateway.routing import Router
from local_gateway.template import LoadedTemplate
from local_gateway.usage_plans import UsagePlans


class RunningApi(Protocol):
    """What a running gateway shows of itself (`gateway.LocalGateway` is one)."""

    @property
    def base_url(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def template(self) -> LoadedTemplate: ...
    @property
    def apis(self) -> list[RestApi]: ...
    @property
    def routers(self) -> list[tuple[RestApi, Router]]: ...
    @property
    def moto(self) -> MotoServer: ...
    @property
    def issuer(self) -> LocalIssuer: ...
    @property
    def usage_plans(self) -> UsagePlans: ...
    @property
    def users(self) -> list[SignedInUser]: ...
    @property
    def iam_callers(self) -> list[IamCaller]: ...
    @property
    def resources(self) -> LocalResources: ...
    def issuer_scopes(self) -> list[str]: ...


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
        return dataclasses.asdict(self)


def issuer_scopes(apis: list[RestApi], configured: list[str]) -> list[str]:
    """Every scope the methods declare and samconfig adds: what a local client is given."""
    return sorted(
        {scope for api in apis for method in api.methods for scope in method.scopes}
        | set(configured)
    )


def session_of(gateway: RunningApi) -> Session:
    """The session facts of `gateway` now (a fresh issuer token each time)."""
    return Session(
        api_url=gateway.base_url,
        stage=gateway.apis[0].stage_name if gateway.apis else "local",
        aws_endpoint_url=gateway.moto.endpoint_url,
        region=gateway.region,
        api_keys=dict(gateway.usage_plans.key_by_plan),
        users={
            user.username: {
                "password": user.password,
                "groups": user.groups,
                "id_token": user.id_token,
                "access_token": user.access_token,
            }
            for user in gateway.users
        },
        issuer={
            "url": gateway.issuer.url,
            "token_endpoint": gateway.issuer.token_endpoint,
            "token": gateway.issuer.mint("local-client", gateway.issuer_scopes()),
        },
        resources=dict(gateway.resources.physical_ids),
        iam_callers={caller.user_name: caller.to_json() for caller in gateway.iam_callers},
    )
