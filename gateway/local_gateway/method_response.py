"""The headers of an integration's response on their way out, as API Gateway rewrites them.

Headers that only API Gateway may set are renamed `x-amzn-Remapped-<name>` (the integration's
value stays readable), `Transfer-Encoding` is dropped, and API Gateway adds its own:
`x-amzn-RequestId`, `x-amz-apigw-id` on every answer, `X-Amzn-Trace-Id` when an integration
other than MOCK ran. Recorded in LocalStack's `TestApiGatewayHeaderRemapping` snapshots.
"""

from __future__ import annotations

import base64
import secrets

REMAPPED = {
    name.lower(): name
    for name in (
        "Authorization",
        "Connection",
        "Content-Length",
        "Content-MD5",
        "Date",
        "Expect",
        "Host",
        "Max-Forwards",
        "Proxy-Authenticate",
        "Server",
        "Trailer",
        "Upgrade",
        "User-Agent",
        "WWW-Authenticate",
        "x-amzn-RequestId",  # the integration's own; API Gateway's is added after
    )
}
DROPPED = frozenset({"transfer-encoding"})


def remap(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An integration's response headers as the client receives them."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower in DROPPED:
            continue
        out.append(
            (f"x-amzn-Remapped-{REMAPPED[lower]}", value) if lower in REMAPPED else (name, value)
        )
    return out


def apigw_id() -> str:
    """An `x-amz-apigw-id` value: API Gateway's extended request id, 16 base64 characters."""
    return base64.b64encode(secrets.token_bytes(11)).decode()
