"""What passes between the integration steps: the method request as the integration sees it,
the integration request the mapping produced, and the endpoint's response.

https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from local_gateway import vtl
from local_gateway.rejections import Rejection

DEFAULT_CONTENT_TYPE = "application/json"
# The per-request classes are slotted, not frozen: a frozen dataclass's __init__ costs several
# times a plain one's, on every request (`make bench`). Nothing changes them once built.


@dataclass(slots=True)
class MethodRequest:
    """The method request as the integration sees it."""

    http_method: str
    headers: dict[str, str]
    query: dict[str, str]
    path_params: dict[str, str]
    body: bytes
    stage_variables: dict[str, str]
    # $context for templates and `context.*` parameter mappings.
    context: dict[str, Any]
    multi_value_query: dict[str, list[str]] = field(default_factory=dict)
    # The API's binaryMediaTypes (`~1` or `/`): which payloads are binary.
    binary_media_types: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AwsEnvironment:
    """Where the local AWS services answer and as which account/region."""

    endpoint_url: str
    region: str
    account_id: str


@dataclass(slots=True)
class IntegrationRequest:
    """The request the integration sends: what the integration request step mapped."""

    # `x-amazon-apigateway-integration`, its URI's `${stageVariables.*}` filled in.
    integration: Mapping[str, Any]
    method_request: MethodRequest
    # `integration.request.{path,querystring,header}.X` values, with the template's overrides.
    parameters: dict[str, dict[str, str]]
    body: bytes  # converted by contentHandling, then rendered by the request template
    # The request template's rendering (None: passed through); its overrides carry on.
    rendered: vtl.Rendered | None = None

    @property
    def kind(self) -> str:
        return str(self.integration.get("type", "")).lower()

    @property
    def uri(self) -> str:
        return str(self.integration.get("uri", ""))


@dataclass(slots=True)
class EndpointResponse:
    """What the backend answered, before the integration response maps it."""

    status: int
    headers: dict[str, str]
    body: bytes
    # What selectionPattern is matched against: a Lambda's errorMessage; None for the status.
    selection_value: str | None = None


@dataclass(slots=True)
class IntegrationResult:
    """The method response an integration response produced."""

    status: int
    headers: dict[str, str]
    body: bytes


def unsupported_media_type() -> Rejection:
    return Rejection("UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type")


def configuration_error() -> Rejection:
    return Rejection("API_CONFIGURATION_ERROR", 500, "Internal server error")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, its name in any letter case."""
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def content_type(headers: Mapping[str, str]) -> str:
    """The media type of a request's Content-Type, application/json when it sends none."""
    value = header(headers, "content-type") or DEFAULT_CONTENT_TYPE
    return value.split(";")[0].strip().lower()


def vtl_request(request: MethodRequest, body: bytes) -> vtl.VtlRequest:
    """What a mapping template sees: `body` as `$input`, the method request's parameters."""
    return vtl.VtlRequest(
        body=body,
        path_params=request.path_params,
        query=request.query,
        headers=request.headers,
        context=request.context,
        stage_variables=request.stage_variables,
    )


def fill_uri(template: str, values: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders (a URI's) from the integration request path parameters."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise configuration_error()
        greedy = name.endswith("+") or name == "proxy"
        encoded = urllib.parse.quote(values[name], safe="/" if greedy else "")
        # The HTTP client removes `.` and `..` segments from a URL (RFC 3986 5.2.4) but sends
        # `%2E` as a plain `.`: so a value's dot segments reach the backend as the caller's
        # characters, as from API Gateway, instead of moving the path up (`users/{sub}/..`).
        return "/".join(
            "%2E" * len(part) if part in (".", "..") else part for part in encoded.split("/")
        )

    return re.sub(r"\{([^{}]+)\}", value_of, template)
