"""Who is calling: the Cognito user pool claims API Gateway passes to a Lambda proxy handler.

API Gateway's Cognito authorizer has already verified the token; this module only reads the
claims it forwarded (``requestContext.authorizer.claims``). Every handler that needs the caller
(users, files, uploads) asks here, so there is one reading of ``cognito:groups``.
"""

import json
from dataclasses import dataclass
from typing import Any

from sample_api.errors import Unauthorized

ADMINS = "admins"


@dataclass(frozen=True)
class Caller:
    """The signed-in user: Cognito ``sub`` and the user pool groups they belong to."""

    sub: str
    groups: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMINS in self.groups


def caller_from_claims(claims: dict[str, Any] | None) -> Caller:
    """The caller the authorizer vouched for; 401 if the claims carry no ``sub``."""
    sub = (claims or {}).get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("The request carries no signed-in user.")
    return Caller(sub=sub, groups=parse_groups((claims or {}).get("cognito:groups")))


def parse_groups(value: Any) -> frozenset[str]:
    """``cognito:groups`` in every form it arrives in.

    REST API Cognito authorizers pass one group as ``"admins"`` and several comma-separated
    (``"admins,editors"``); HTTP API JWT authorizers write ``"[admins editors]"``; a JSON list
    (``'["admins"]'``) or a real list arrive from direct invocations and local tools.
    """
    if value is None:
        return frozenset()
    if isinstance(value, list):
        return frozenset(str(group).strip() for group in value if str(group).strip())
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return parse_groups(parsed)
        text = text.strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)
