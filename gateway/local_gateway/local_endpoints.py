"""The local gateway's own endpoints beside the API: the OIDC issuer and secret rotation.

`/_local/oidc/...` is the local issuer (discovery, JWKS, token); `POST /_local/secrets/rotate`
rotates secrets now, as `make rotate-keys` asks. Neither goes through the API's pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from local_gateway.functions import FunctionFailed, FunctionTimeout
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.oidc import LocalIssuer

JSON = [("Content-Type", "application/json")]


def issuer_response(issuer: LocalIssuer, request: HttpRequest) -> HttpResponse:
    """The local issuer's answer; 404 for a path it does not serve."""
    answer = issuer.handle(
        request.method, request.raw_path, request.body, request.header("authorization")
    )
    if answer is None:
        return HttpResponse(404, list(JSON), b'{"error":"not_found"}')
    return HttpResponse(answer.status, list(JSON), json.dumps(answer.body).encode())


def rotation_response(
    rotate: Callable[[str | None], dict[str, str]], request: HttpRequest
) -> HttpResponse:
    """`POST /_local/secrets/rotate` (`{"secret": id}` optional): rotate now; 404 for an
    unknown secret, 502 when a step of the function fails."""
    body: dict[str, Any]
    try:
        wanted = json.loads(request.body or b"{}").get("secret")
        rotated = rotate(str(wanted) if wanted else None)
    except LookupError as error:
        status, body = 404, {"error": str(error)}
    except (FunctionFailed, FunctionTimeout) as error:
        status, body = 502, {"error": f"the rotation function failed: {error}"}
    except (ValueError, AttributeError):
        status, body = 400, {"error": 'send {"secret": "<logical id or ARN>"} or nothing'}
    else:
        status, body = 200, {"rotated": rotated}
    return HttpResponse(status, list(JSON), json.dumps(body).encode())
