"""The functions an API invokes: from an integration or authorizer URI to a warm worker.

A Lambda integration or authorizer names its function by ARN inside a URI
(`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`), possibly
through a stage variable. `FunctionCalls` holds the warm worker pools of one deployment and
the ARN → logical id table, and invokes by either.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from local_gateway.errors import TemplateError
from local_gateway.functions import FunctionFailed, FunctionTimeout, WorkerPool
from local_gateway.lambda_authorizer import FunctionError

_LAMBDA_URI = re.compile(
    r"arn:aws[\w-]*:apigateway:[\w-]+:lambda:path/2015-03-31/functions/(arn:[^/]+)/invocations"
)
_FUNCTION_IN_URI = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def function_arn(uri: str) -> str | None:
    """The function an integration URI invokes, or None if it is no Lambda invocation URI."""
    found = _LAMBDA_URI.fullmatch(uri)
    return found.group(1) if found else None


def function_for_uri(
    function_by_arn: dict[str, str],
    uri: str | None,
    where: str,
    stage_variables: dict[str, str] | None = None,
) -> str:
    """The logical id of the function an integration or authorizer URI invokes.

    `${stageVariables.name}` in the URI (`function:${stageVariables.fn}`) takes the stage's
    value, as in API Gateway.
    """
    variables = stage_variables or {}

    def stage_value(match: re.Match[str]) -> str:
        if match.group(1) not in variables:
            raise TemplateError(where, f"stage variable {match.group(1)!r} is not defined")
        return variables[match.group(1)]

    uri = _STAGE_VARIABLE.sub(stage_value, uri or "")
    found = _FUNCTION_IN_URI.search(uri)
    # A qualified ARN (version or alias) invokes the function: locally it has one version.
    arn = ":".join(found.group(1).split(":")[:7]) if found else ""
    logical_id = function_by_arn.get(arn)
    if logical_id is None:
        raise TemplateError(where, f"integration URI {uri!r} names no function of the template")
    return logical_id


class FunctionCalls:
    """The warm workers of one deployment's functions, found by logical id or by URI."""

    def __init__(self, pools: dict[str, WorkerPool], function_by_arn: dict[str, str]) -> None:
        self.pools = pools
        self.function_by_arn = function_by_arn

    def for_uri(
        self, uri: str | None, where: str, stage_variables: dict[str, str] | None = None
    ) -> str:
        """The logical id of the function an integration or authorizer URI invokes."""
        return function_for_uri(self.function_by_arn, uri, where, stage_variables)

    def invoke(
        self, logical_id: str, event: Any, request_id: str, timeout: float | None = None
    ) -> Any:
        """Invokes a function in one of its warm workers (raises FunctionFailed/Timeout)."""
        return self.pools[logical_id].invoke(event, request_id, timeout)

    def invoke_authorizer(self, logical_id: str, event: dict[str, Any]) -> Any:
        """A Lambda authorizer's invocation, its failures as the authorizer gate reads them."""
        try:
            return self.invoke(logical_id, event, str(uuid.uuid4()))
        except FunctionFailed as failure:
            error = failure.error or {}
            raise FunctionError(str(failure), str(error.get("errorType", "Exception"))) from None
        except FunctionTimeout as timeout:
            raise FunctionError(str(timeout), "TimeoutError") from None
