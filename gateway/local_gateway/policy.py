"""Evaluate the IAM policy a Lambda authorizer returns against the method ARN being called.

API Gateway allows the call when a statement allows `execute-api:Invoke` on the method ARN
(`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`), unless another
statement explicitly denies it; with no matching Allow the call is denied. `*` and `?` are
wildcards in Action and Resource; Action, Resource and Statement may each be one value or a list.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from typing import Any

INVOKE_ACTION = "execute-api:Invoke"


class Decision(enum.Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


class MalformedPolicy(ValueError):
    """The document is not an IAM policy API Gateway can evaluate (API Gateway answers 500)."""


def evaluate(policy_document: Any, method_arn: str) -> Decision:
    """The decision `policy_document` gives for invoking `method_arn`."""
    allowed = False
    for statement in _statements(policy_document):
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise MalformedPolicy(f"a statement's Effect must be Allow or Deny, not {effect!r}")
        if not _matches_any(_strings(statement, "Action"), INVOKE_ACTION, case_sensitive=False):
            continue
        if not _matches_any(_strings(statement, "Resource"), method_arn, case_sensitive=True):
            continue
        if effect == "Deny":
            return Decision.EXPLICIT_DENY
        allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def _statements(policy_document: Any) -> list[Mapping[str, Any]]:
    if not isinstance(policy_document, Mapping) or "Statement" not in policy_document:
        raise MalformedPolicy("a policy document needs a Statement")
    statements = policy_document["Statement"]
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, Mapping) for s in statements):
        raise MalformedPolicy("Statement must be a statement or a list of statements")
    return statements


def _strings(statement: Mapping[str, Any], key: str) -> list[str]:
    value = statement.get(key)
    if value is None:
        raise MalformedPolicy(f"a statement needs {key}")
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        raise MalformedPolicy(f"{key} must be a string or a list of strings")
    return values


def _matches_any(patterns: list[str], value: str, *, case_sensitive: bool) -> bool:
    return any(_wildcard(pattern, case_sensitive).fullmatch(value) for pattern in patterns)


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    # IAM wildcards: `*` is any run of characters (slashes included), `?` exactly one.
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(regex, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)
