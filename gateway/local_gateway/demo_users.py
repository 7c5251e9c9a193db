"""Seeds demo users in every local user pool and signs them in for real (moto's tokens).

By default each pool gets one user per group (`admins` -> admin@example.com) and one in no
group (user@example.com); samconfig's `demo_users` replaces that list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from local_gateway.local_aws import client
from local_gateway.provisioning import UserPool
from local_gateway.samconfig import DemoUser, LocalSettings

DEFAULT_PASSWORD = "Local-Passw0rd!"  # noqa: S105 - a demo password for local moto only


@dataclass
class SignedInUser:
    """A seeded user with fresh tokens from moto's cognito-idp."""

    username: str
    password: str
    groups: list[str]
    pool_logical_id: str
    id_token: str
    access_token: str


def default_demo_users(pool: UserPool) -> list[DemoUser]:
    users = [DemoUser(f"{_singular(group)}@example.com", (group,)) for group in pool.groups]
    return [*users, DemoUser("user@example.com", ())]


def _singular(group: str) -> str:
    name = group.lower().replace(" ", "-")
    return name[:-1] if len(name) > 3 and name.endswith("s") else name


def password_for(policy: dict[str, Any], configured: str | None) -> str:
    """A password the pool's policy accepts (the configured one if set)."""
    if configured:
        return configured
    minimum = int(policy.get("MinimumLength", 8))
    return DEFAULT_PASSWORD + "x" * max(0, minimum - len(DEFAULT_PASSWORD))


def _secret_hash(username: str, client_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_in(
    pool: UserPool, username: str, password: str, *, endpoint_url: str, region: str
) -> tuple[str, str]:
    """(id_token, access_token) for the user, signed in through the pool's first client."""
    client_id = pool.client_ids[0]
    parameters = {"USERNAME": username, "PASSWORD": password}
    if client_id in pool.client_secrets:
        parameters["SECRET_HASH"] = _secret_hash(
            username, client_id, pool.client_secrets[client_id]
        )
    answer = client("cognito-idp", endpoint_url, region).admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=parameters,
    )
    result = answer["AuthenticationResult"]
    return result["IdToken"], result["AccessToken"]


def seed_demo_users(
    pool: UserPool,
    users: list[DemoUser] | None,
    configured_password: str | None,
    *,
    endpoint_url: str,
    region: str,
) -> list[SignedInUser]:
    cognito = client("cognito-idp", endpoint_url, region)
    password = password_for(pool.password_policy, configured_password)
    seeded = []
    for user in users if users is not None else default_demo_users(pool):
        attributes = [{"Name": "email", "Value": user.username}] if "@" in user.username else []
        attributes += [{"Name": "email_verified", "Value": "true"}] if attributes else []
        cognito.admin_create_user(
            UserPoolId=pool.pool_id,
            Username=user.username,
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=user.username, Password=password, Permanent=True
        )
        for group in user.groups:
            cognito.admin_add_user_to_group(
                UserPoolId=pool.pool_id, Username=user.username, GroupName=group
            )
        id_token, access_token = ("", "")
        if pool.client_ids:
            id_token, access_token = sign_in(
                pool, user.username, password, endpoint_url=endpoint_url, region=region
            )
        seeded.append(
            SignedInUser(
                user.username, password, list(user.groups), pool.logical_id, id_token, access_token
            )
        )
    return seeded


def users_of_pools(
    kept: list[SignedInUser],
    pools: dict[str, UserPool],
    new_pools: Iterable[str],
    settings: LocalSettings,
    *,
    endpoint_url: str,
    region: str,
) -> list[SignedInUser]:
    """The signed-in demo users of `pools`: those of `kept` whose pool remains, and new ones
    seeded in each pool named in `new_pools` (a pool kept from the last load keeps its users)."""
    users = [user for user in kept if user.pool_logical_id in pools]
    for logical_id in new_pools:
        users += seed_demo_users(
            pools[logical_id],
            settings.demo_users,
            settings.demo_password,
            endpoint_url=endpoint_url,
            region=region,
        )
    return users
