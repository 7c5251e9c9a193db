"""Access logs: one line per request in the stage's `AccessLogSetting.Format`.

Each `$context.<name>` in the format is replaced by that request's value; a variable with no
value is `-`, as in API Gateway's access logs. The per-response variables (`status`,
`responseLength`, `responseLatency`, `integrationLatency`, `integrationStatus`) come from
`response_context`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from local_gateway.vtl_values import java_string

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_-]+)*)")


def format_access_log(log_format: str, context: Mapping[str, Any]) -> str:
    """The access-log line for one request: `log_format` with its `$context.*` substituted."""

    def value_of(match: re.Match[str]) -> str:
        value: Any = context
        for part in match.group(1).split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None or value == "":
            return "-"
        return java_string(value)

    return _VARIABLE.sub(value_of, log_format)


def response_context(
    *,
    status: int,
    response_length: int,
    response_latency_ms: int,
    integration_latency_ms: int | None = None,
    integration_status: int | None = None,
) -> dict[str, Any]:
    """The `$context` variables only known once the response is ready."""
    return {
        "status": status,
        "responseLength": response_length,
        "responseLatency": response_latency_ms,
        "integrationLatency": integration_latency_ms,
        "integrationStatus": integration_status,
        "integration": {"status": integration_status, "latency": integration_latency_ms},
    }
