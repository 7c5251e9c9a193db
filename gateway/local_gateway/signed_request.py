"""`python -m local_gateway signed METHOD URL`: a request signed as a local IAM caller (SigV4).

What `awscurl` does, with the credentials `make dev` wrote to `.local/session.json`
(`iam_callers`), signed by botocore for the service `execute-api` in the session's region.
"""

from __future__ import annotations

from typing import Any

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import requests

from local_gateway.errors import GatewayStartError

TIMEOUT_SECONDS = 30


def send_signed(
    session: dict[str, Any],
    method: str,
    url: str,
    *,
    caller: str | None = None,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """Sends `method url` signed with the keys of `caller` (default: the first IAM caller)."""
    callers: dict[str, dict[str, str]] = session.get("iam_callers") or {}
    name = caller or next(iter(callers), None)
    if name is None or name not in callers:
        known = ", ".join(callers) or "none: the template has no execute-api:Invoke policy"
        raise GatewayStartError(f"no IAM caller {name!r} in the session (callers: {known})")
    keys = callers[name]
    credentials = botocore.credentials.Credentials(keys["access_key_id"], keys["secret_access_key"])
    request = botocore.awsrequest.AWSRequest(method.upper(), url, data=body, headers=headers)
    botocore.auth.SigV4Auth(credentials, "execute-api", session["region"]).add_auth(request)
    prepared = request.prepare()
    return requests.request(
        prepared.method,
        prepared.url,
        headers=dict(prepared.headers.items()),
        data=body or None,
        timeout=TIMEOUT_SECONDS,
    )
