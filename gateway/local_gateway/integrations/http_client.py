"""One request to an integration's backend over HTTP, as API Gateway's endpoint request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import urllib3

from local_gateway import gateway_responses
from local_gateway.integrations.exchange import EndpointResponse


def send(
    method: str,
    url: str,
    headers: Mapping[str, str | None],
    body: bytes,
    timeout_seconds: float,
) -> EndpointResponse:
    """One backend request; the reply's body as sent (no decompression), its headers all but
    the framing ones. A header set to None is left out (`requests` adds its own otherwise).
    A timeout is API Gateway's 504, an unreachable backend its 502."""
    without_defaults: Any = dict(headers)  # a None value removes a header requests adds itself
    try:
        response = requests.request(
            method,
            url,
            headers=without_defaults,
            data=body or None,
            timeout=timeout_seconds,
            stream=True,
        )
        content = response.raw.read(decode_content=False)
    except requests.Timeout:
        raise gateway_responses.integration_timeout() from None
    except (requests.RequestException, urllib3.exceptions.HTTPError):
        raise gateway_responses.integration_failure() from None
    return EndpointResponse(
        response.status_code,
        {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("transfer-encoding", "keep-alive")
        },
        content,
    )
