"""Non-proxy integrations: AWS service (against the local moto), MOCK, HTTP and HTTP_PROXY.

The pipeline hands over the method's `x-amazon-apigateway-integration` and the request as plain
data; this module runs the integration as API Gateway does and gives back (status, headers,
body bytes):

1. choose the request template by Content-Type (`passthroughBehavior` WHEN_NO_MATCH,
   WHEN_NO_TEMPLATES or NEVER; no match where passthrough is not allowed is 415);
2. map `requestParameters` (`integration.request.{path,querystring,header}.X` from
   `method.request.*`, `context.*`, `stageVariables.*` or a 'literal') and render the template;
3. call the backend: for `aws`, the local moto at the URI's action (`action/Query`, with
   DynamoDB's JSON 1.0 target header or SQS's query form) or path (`path/{bucket}/{key}`),
   signed with SigV4 as the integration's role would sign it (local credentials); a
   query-protocol reply asked for in JSON comes back in JSON, as from AWS (moto answers XML);
4. choose the integration response whose `selectionPattern` (its key in `responses`) matches
   the backend status (`default` otherwise), render its template by Accept, apply
   `responseParameters` and `$context.responseOverride`.
Payloads are converted both ways by binaryMediaTypes, Content-Type/Accept and
`contentHandling` (content_conversion.py).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import requests
import urllib3

from local_gateway import gateway_responses, lambda_custom, vtl
from local_gateway.content_conversion import integration_request_payload, method_response_payload
from local_gateway.local_aws import LOCAL_CREDENTIALS
from local_gateway.rejections import Rejection
from local_gateway.vtl_values import java_string

DEFAULT_CONTENT_TYPE = "application/json"
# The integration's role, locally: the credentials every local process signs with.
ROLE_CREDENTIALS = botocore.credentials.Credentials(
    LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
    LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    LOCAL_CREDENTIALS["AWS_SESSION_TOKEN"],
)
# Services API Gateway calls in AWS's JSON protocol: the action goes into X-Amz-Target.
JSON_TARGET_PREFIXES = {"dynamodb": "DynamoDB_20120810"}
HOP_BY_HOP_HEADERS = {
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "proxy-authorization",
    "te",
    "trailer",
}


# Request headers API Gateway drops even for a proxy integration (besides the hop-by-hop ones).
PROXY_DROPPED_HEADERS = {
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "trailer",
    "via",
    "www-authenticate",
    "x-amzn-trace-id",
}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class IntegrationResult:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class _BackendResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    # What selectionPattern is matched against: a Lambda's errorMessage; None for the status.
    selection_value: str | None = None


def unsupported_media_type() -> Rejection:
    return Rejection("UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type")


def configuration_error() -> Rejection:
    return Rejection("API_CONFIGURATION_ERROR", 500, "Internal server error")


def run_integration(
    integration: Mapping[str, Any],
    request: MethodRequest,
    aws: AwsEnvironment,
    *,
    timeout_seconds: float,
    source: str = "<integration>",
    invoke_function: lambda_custom.FunctionInvoker | None = None,
) -> IntegrationResult:
    """Run a non-proxy integration (aws, mock, http, http_proxy) for `request`.

    `timeout_seconds` is API Gateway's integration timeout (29 s); `source` names the method in
    template error messages. Raises Rejection for API Gateway's own answers (415, 500
    configuration errors, 502 unreachable backend, 504 timeout) and vtl.VtlError for templates.
    """
    kind = str(integration.get("type", "")).lower()
    if "uri" in integration:
        integration = {**integration, "uri": with_stage_variables(integration["uri"], request)}
    if kind == "http_proxy":
        return _http_proxy(integration, request, timeout_seconds)
    if kind not in ("aws", "mock", "http"):
        raise ValueError(f"{source}: integration type {kind!r} is not a non-proxy integration")

    template = _request_template(integration, request)
    parameters = _request_parameters(integration, request)
    # Converted before any template, so a template sees binary as base64 (CONVERT_TO_TEXT).
    body = integration_request_payload(
        request.body,
        content_type=_header(request.headers, "content-type"),
        binary_media_types=request.binary_media_types,
        content_handling=integration.get("contentHandling"),
    )
    rendered: vtl.Rendered | None = None
    if template is not None:
        rendered = vtl.render(template, _vtl_request(request, body), source=source)
        body = rendered.body.encode()
        for location, values in rendered.request_overrides.items():
            parameters[location].update(values)

    uri = str(integration.get("uri", ""))
    if kind == "mock":
        backend = _mock_backend(body, template is not None)
    elif kind == "aws" and lambda_custom.function_arn(uri) is not None:
        if invoke_function is None:
            raise ValueError(f"{source}: no function invoker for a Lambda custom integration")
        reply = lambda_custom.invoke(invoke_function, uri, body, timeout_seconds)
        backend = _BackendResponse(
            200, {"Content-Type": DEFAULT_CONTENT_TYPE}, reply.body, reply.selection_value
        )
    elif kind == "aws":
        backend = _call_aws(integration, parameters, body, aws, timeout_seconds, request)
    else:
        backend = _call_http(integration, parameters, body, timeout_seconds, request.context)
    return _integration_response(integration, request, backend, source, rendered)


# ---------------------------------------------------------------------------------------------
# Integration request


def _content_type(headers: Mapping[str, str]) -> str:
    value = _header(headers, "content-type") or DEFAULT_CONTENT_TYPE
    return value.split(";")[0].strip().lower()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _request_template(integration: Mapping[str, Any], request: MethodRequest) -> str | None:
    """The template for the request's content type, None to pass the body through, or 415."""
    templates = {str(k).lower(): v for k, v in (integration.get("requestTemplates") or {}).items()}
    content_type = _content_type(request.headers)
    if content_type in templates:
        return str(templates[content_type])
    behaviour = str(integration.get("passthroughBehavior", "WHEN_NO_MATCH")).upper()
    if behaviour == "WHEN_NO_MATCH" or (behaviour == "WHEN_NO_TEMPLATES" and not templates):
        return None
    raise unsupported_media_type()


def with_stage_variables(uri: Any, request: MethodRequest) -> str:
    """The integration URI with its `${stageVariables.name}` references filled in.

    A reference to a variable the stage does not define cannot be called: 500, as a
    configuration error.
    """

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in request.stage_variables:
            raise configuration_error()
        return request.stage_variables[name]

    return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", value_of, str(uri))


def _vtl_request(request: MethodRequest, body: bytes) -> vtl.VtlRequest:
    return vtl.VtlRequest(
        body=body,
        path_params=request.path_params,
        query=request.query,
        headers=request.headers,
        context=request.context,
        stage_variables=request.stage_variables,
    )


def _request_parameters(
    integration: Mapping[str, Any], request: MethodRequest
) -> dict[str, dict[str, str]]:
    """`integration.request.{path,querystring,header}.X` values from their mapping expressions."""
    mapped: dict[str, dict[str, str]] = {"path": {}, "querystring": {}, "header": {}}
    for target, expression in (integration.get("requestParameters") or {}).items():
        location, _, name = str(target).removeprefix("integration.request.").partition(".")
        if location not in mapped:
            raise ValueError(f"unsupported integration request parameter: {target}")
        value = _method_request_value(str(expression), request)
        if value is not None:
            mapped[location][name] = value
    return mapped


def _method_request_value(expression: str, request: MethodRequest) -> str | None:
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    if expression.startswith("method.request.body"):
        path = "$" + expression.removeprefix("method.request.body")
        return _json_selection(request.body, path)
    if expression.startswith("method.request."):
        location, _, name = expression.removeprefix("method.request.").partition(".")
        if location == "header":
            return _header(request.headers, name)
        if location == "multivalueheader":
            return _header(request.headers, name)
        if location == "querystring":
            return request.query.get(name)
        if location == "multivaluequerystring":
            values = request.multi_value_query.get(name)
            return ",".join(values) if values else request.query.get(name)
        if location == "path":
            return request.path_params.get(name)
        raise ValueError(f"unsupported mapping expression: {expression}")
    if expression.startswith("stageVariables."):
        return request.stage_variables.get(expression.removeprefix("stageVariables."))
    if expression.startswith("context."):
        value: Any = request.context
        for part in expression.removeprefix("context.").split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return None if value is None else java_string(value)
    raise ValueError(f"unsupported mapping expression: {expression}")


def _json_selection(body: bytes, path: str) -> str | None:
    if not body.strip():
        return None
    selected = vtl.select_json_path(json.loads(body), path)
    if selected is vtl.MISSING or selected is None:
        return None
    if isinstance(selected, str):
        return selected
    try:
        return json.dumps(selected, separators=(",", ":"))
    except TypeError:
        return None


def _fill(template: str, values: Mapping[str, str]) -> str:
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


# ---------------------------------------------------------------------------------------------
# Backends


def _mock_backend(rendered_body: bytes, has_template: bool) -> _BackendResponse:
    """MOCK: the request template yields `{"statusCode": N}`; that is the backend's status.

    API Gateway reads the status from a template that is not strict JSON too (CDK's CORS
    methods send `{statusCode: 200}`); a template with no integer status is 500.
    """
    status = 200
    if has_template and rendered_body.strip():
        try:
            status = int(json.loads(rendered_body)["statusCode"])
        except (ValueError, KeyError, TypeError):
            loose = _LOOSE_STATUS_CODE.search(rendered_body.decode("utf-8", errors="replace"))
            if loose is None:
                raise configuration_error() from None
            status = int(loose.group(1))
    return _BackendResponse(status, {}, b"")


# `statusCode: 200` in an object that is not strict JSON (unquoted or single-quoted key).
_LOOSE_STATUS_CODE = re.compile(
    r"""^\s*\{.*?['"]?\bstatusCode['"]?\s*:\s*(\d{3})\b.*\}\s*$""", re.S
)


def _call_aws(
    integration: Mapping[str, Any],
    parameters: dict[str, dict[str, str]],
    body: bytes,
    aws: AwsEnvironment,
    timeout_seconds: float,
    request: MethodRequest,
) -> _BackendResponse:
    uri = str(integration.get("uri", ""))
    match = re.fullmatch(r"arn:aws[\w-]*:apigateway:([\w-]+):([\w.-]+):(action|path)/(.*)", uri)
    if match is None:
        raise ValueError(f"not an AWS service integration URI: {uri}")
    _region, subdomain, form, rest = match.groups()
    # `s3:path/...` or `dynamodb:action/...`; a subdomain form `bucket.s3` is not used locally.
    service = subdomain.split(".")[-1]
    method = str(integration.get("httpMethod", "POST")).upper()
    if method == "ANY":  # the method request's own method goes to the service
        method = request.http_method
    headers = dict(parameters["header"])
    # API Gateway asks AWS services for JSON unless the integration maps its own Accept.
    if _header(headers, "accept") is None:
        headers["Accept"] = DEFAULT_CONTENT_TYPE
    query = dict(parameters["querystring"])
    path = "/"
    if form == "action":
        action = rest.split("&")[0]
        if service in JSON_TARGET_PREFIXES:
            headers.setdefault("X-Amz-Target", f"{JSON_TARGET_PREFIXES[service]}.{action}")
            headers.setdefault("Content-Type", "application/x-amz-json-1.0")
        else:
            query.setdefault("Action", action)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    else:
        path = "/" + _fill(rest, parameters["path"]).lstrip("/")
        if service == "sqs":
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    url = aws.endpoint_url.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    aws_request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
    signer_class = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
    signer_class(ROLE_CREDENTIALS, service, aws.region).add_auth(aws_request)
    prepared = aws_request.prepare()
    reply = _send(
        prepared.method, prepared.url, dict(prepared.headers.items()), body, timeout_seconds
    )
    if service not in JSON_TARGET_PREFIXES and service != "s3" and _asks_for_json(headers):
        return _query_reply_in_json(reply)
    return reply


# ---------------------------------------------------------------------------------------------
# Compatibility: query-protocol replies in JSON
#
# AWS's query-protocol services (SQS, SNS, ...) answer in JSON when the request's Accept asks
# for it (`{"SendMessageResponse": {"SendMessageResult": {"MessageId": ...}}}`), which is why
# integrations send `Accept: application/json` and read the reply with `$input.path`. moto
# answers these requests in XML whatever the Accept header says, so the gateway translates:
# elements become keys (namespaces dropped), leaves their text, repeated elements a list, and
# an `<ErrorResponse>` becomes `{"Error": ..., "RequestId": ...}`. Fields AWS would send as
# null because they are absent are absent here too.


def _asks_for_json(headers: Mapping[str, str]) -> bool:
    accept = _header(headers, "accept") or ""
    return any(
        part.split(";")[0].strip().lower() == "application/json" for part in accept.split(",")
    )


def _query_reply_in_json(reply: _BackendResponse) -> _BackendResponse:
    content_type = (_header(reply.headers, "content-type") or "").split(";")[0].strip().lower()
    if content_type not in ("text/xml", "application/xml") or not reply.body.strip():
        return reply
    try:
        body = query_reply_as_json(reply.body)
    except ElementTree.ParseError:
        return reply
    headers = {k: v for k, v in reply.headers.items() if k.lower() != "content-type"}
    return _BackendResponse(reply.status, {**headers, "Content-Type": "application/json"}, body)


def query_reply_as_json(xml: bytes) -> bytes:
    """A query-API XML reply as the JSON document AWS sends when asked for JSON."""
    # The reply comes from the local moto on loopback, a process this gateway started.
    root = ElementTree.fromstring(xml)  # noqa: S314
    if _local_name(root.tag) == "ErrorResponse":
        document = _element_value(root)
    else:
        document = {_local_name(root.tag): _element_value(root)}
    return json.dumps(document).encode()


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _element_value(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    value: dict[str, Any] = {}
    for child in children:
        name, child_value = _local_name(child.tag), _element_value(child)
        if name not in value:
            value[name] = child_value
        elif isinstance(value[name], list):
            value[name].append(child_value)
        else:
            value[name] = [value[name], child_value]
    return value


def _call_http(
    integration: Mapping[str, Any],
    parameters: dict[str, dict[str, str]],
    body: bytes,
    timeout_seconds: float,
    context: Mapping[str, Any],
) -> _BackendResponse:
    """HTTP: none of the client's headers go through, only the mapped ones and API Gateway's
    own (recorded: LocalStack test_apigateway_header_remapping_http[HTTP], no-param)."""
    url = _fill(str(integration.get("uri", "")), parameters["path"])
    if parameters["querystring"]:
        separator = "&" if "?" in url else "?"
        url += separator + urllib.parse.urlencode(parameters["querystring"])
    method = str(integration.get("httpMethod", "GET")).upper()
    api_id = str(context.get("apiId", ""))
    headers: dict[str, str | None] = {
        "Accept": "application/json",
        "User-Agent": f"AmazonAPIGateway_{api_id}",
        **_apigateway_headers(context),
        **parameters["header"],
    }
    return _send(method, url, headers, body, timeout_seconds)


def _apigateway_headers(context: Mapping[str, Any]) -> dict[str, str | None]:
    """What API Gateway adds to every HTTP backend request (and what `requests` must not)."""
    return {
        "X-Amzn-Apigateway-Api-Id": str(context.get("apiId", "")),
        "X-Amzn-Trace-Id": context.get("xrayTraceId"),
        "Accept-Encoding": None,
        "Connection": None,
    }


def _http_proxy(
    integration: Mapping[str, Any], request: MethodRequest, timeout_seconds: float
) -> IntegrationResult:
    """HTTP_PROXY: the request goes through as it came, minus the headers API Gateway drops
    (recorded: test_apigateway_header_remapping_http[HTTP_PROXY]); the backend's status,
    headers and body come back as they are (its Connection, Date... renamed on the way out)."""
    parameters = _request_parameters(integration, request)
    url = _fill(str(integration.get("uri", "")), {**request.path_params, **parameters["path"]})
    # The URI's own query, then the client's (every value), then the mapped parameters: a
    # name in several keeps all its values (recorded: test_http_proxy_integration_request_data_
    # mappings, where testQs arrives as "bar,foo").
    query = [
        (name, value) for name, values in request.multi_value_query.items() for value in values
    ] or list(request.query.items())
    query += list(parameters["querystring"].items())
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    # A mapped header replaces the client's of the same name, in any letter case: a backend
    # may trust a header the integration sets (an identity from the authorizer, say).
    mapped = {name.lower() for name in parameters["header"]}
    headers: dict[str, str | None] = {
        "Accept": None,
        "User-Agent": None,
        **_apigateway_headers(request.context),
    }
    headers.update(
        (k, v)
        for k, v in request.headers.items()
        if k.lower() not in HOP_BY_HOP_HEADERS
        and k.lower() not in PROXY_DROPPED_HEADERS
        and k.lower() not in mapped
    )
    headers.update(parameters["header"])
    method = str(integration.get("httpMethod", request.http_method)).upper()
    if method == "ANY":
        method = request.http_method
    backend = _send(method, url, headers, request.body, timeout_seconds)
    return IntegrationResult(backend.status, backend.headers, backend.body)


def _send(
    method: str,
    url: str,
    headers: Mapping[str, str | None],
    body: bytes,
    timeout_seconds: float,
) -> _BackendResponse:
    """One backend request; the reply's body as sent (no decompression), its headers all but
    the framing ones. A header set to None is left out (`requests` adds its own otherwise)."""
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
    return _BackendResponse(
        response.status_code,
        {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("transfer-encoding", "keep-alive")
        },
        content,
    )


# ---------------------------------------------------------------------------------------------
# Integration response


def select_integration_response(
    responses: Mapping[str, Any], backend_status: int, selection_value: str | None = None
) -> Mapping[str, Any] | None:
    """The response whose selectionPattern matches in full; else `default`.

    Patterns match the backend's status, or `selection_value` when given (a Lambda custom
    integration's errorMessage, "" on success).
    """
    value = str(backend_status) if selection_value is None else selection_value
    for pattern, response in responses.items():
        if pattern == "default":
            continue
        if re.fullmatch(str(pattern), value, re.DOTALL):
            return response  # type: ignore[no-any-return]
    default = responses.get("default")
    return default if isinstance(default, Mapping) else None


def _integration_response(
    integration: Mapping[str, Any],
    request: MethodRequest,
    backend: _BackendResponse,
    source: str,
    request_rendering: vtl.Rendered | None = None,
) -> IntegrationResult:
    """The method response: `request_rendering`'s overrides carry into the response template."""
    response = select_integration_response(
        integration.get("responses") or {}, backend.status, backend.selection_value
    )
    if response is None:
        raise configuration_error()
    status = int(response.get("statusCode", 200))
    body = backend.body
    headers: dict[str, str] = {}
    templates = response.get("responseTemplates") or {}
    rendered: vtl.Rendered | None = None
    if templates:
        content_type, template = _response_template(templates, request.headers)
        headers["Content-Type"] = content_type
        if template:
            rendered = vtl.render(
                template,
                _vtl_request(request, backend.body),
                source=source,
                carried=request_rendering,
            )
            body = rendered.body.encode()
    else:
        # The backend's headers (its Content-Type too) reach the caller only when
        # responseParameters map them; otherwise the method response is application/json.
        headers["Content-Type"] = DEFAULT_CONTENT_TYPE
    for target, expression in (response.get("responseParameters") or {}).items():
        name = str(target).removeprefix("method.response.header.")
        value = _integration_response_value(str(expression), backend, request)
        if value is not None:
            headers[name] = value
    body = method_response_payload(
        body,
        content_type=None if rendered is not None else _header(backend.headers, "content-type"),
        accept=_header(request.headers, "accept"),
        binary_media_types=request.binary_media_types,
        content_handling=response.get("contentHandling"),
    )
    overrides = rendered or request_rendering
    if overrides is not None:
        status = overrides.status_override or status
        headers.update(overrides.header_overrides)
    return IntegrationResult(status, headers, body)


def _response_template(templates: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[str, str]:
    """The response template for the request's Accept, else application/json, else the first."""
    by_type = {str(k).lower(): (str(k), str(v or "")) for k, v in templates.items()}
    for accepted in (_header(headers, "accept") or "").split(","):
        media_type = accepted.split(";")[0].strip().lower()
        if media_type in by_type:
            return by_type[media_type]
    if DEFAULT_CONTENT_TYPE in by_type:
        return by_type[DEFAULT_CONTENT_TYPE]
    return next(iter(by_type.values()))


def _integration_response_value(
    expression: str, backend: _BackendResponse, request: MethodRequest
) -> str | None:
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    if expression.startswith("integration.response.header."):
        return _header(backend.headers, expression.removeprefix("integration.response.header."))
    if expression.startswith("integration.response.multivalueheader."):
        name = expression.removeprefix("integration.response.multivalueheader.")
        return _header(backend.headers, name)
    if expression == "integration.response.body":
        return backend.body.decode("utf-8", errors="replace")
    if expression.startswith("integration.response.body."):
        path = "$" + expression.removeprefix("integration.response.body")
        return _json_selection(backend.body, path)
    return _method_request_value(expression, request)
