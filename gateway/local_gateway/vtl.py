"""API Gateway mapping templates: Velocity (airspeed) with API Gateway's own variables.

airspeed-ext is the Velocity engine (made for AWS parity: a missing reference renders as an
empty string). It knows nothing of API Gateway, so this module supplies the variables a
mapping template sees — `$input`, `$util`, `$context`, `$stageVariables` — following
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
and reads back what a template set in `$context.responseOverride` and
`$context.requestOverride`.

Values behave as they do in API Gateway's Java engine (`local_gateway.vtl_values`); `$util`'s
functions are `local_gateway.vtl_util`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import airspeed

from local_gateway.vtl_util import Util
from local_gateway.vtl_values import OverrideMap, VtlMap, java_string, to_vtl


@dataclass
class VtlRequest:
    """What a mapping template can read: the request (or integration response) and its context."""

    body: bytes
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    # $context: requestId, stage, httpMethod, resourcePath, identity{...}, authorizer{...},
    # error{message, messageString, validationErrorString}, ...
    context: dict[str, Any]
    stage_variables: dict[str, str]


@dataclass
class Rendered:
    """A rendered template and the overrides it set through `$context`."""

    body: str
    status_override: int | None
    header_overrides: dict[str, str]
    # $context.requestOverride.{header,querystring,path}.<name>, for integration request templates.
    request_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    # `$context.requestOverride` and `$context.responseOverride` as the template left them: the
    # integration response template of the same request starts from them (`carried`).
    context_overrides: dict[str, Any] = field(default_factory=dict)


class VtlError(Exception):
    """A template that does not parse or fails to render; the message names source and line."""

    def __init__(self, source: str, line: int, detail: str) -> None:
        super().__init__(f"{source}, line {line}: {detail}")
        self.source = source
        self.line = line
        self.detail = detail


def render(
    template: str,
    request: VtlRequest,
    *,
    source: str = "<template>",
    carried: Rendered | None = None,
) -> Rendered:
    """Render `template` for `request` as API Gateway would; raise VtlError when it cannot.

    `carried` is the rendering of the same request's integration request template: what it set
    in `$context.requestOverride`/`responseOverride` is what this template starts from.
    """
    compiled = _compile(template, source)
    context = to_vtl(request.context)
    seeded = (carried.context_overrides if carried else {}) or {}
    response_override = OverrideMap(
        {"header": OverrideMap(), **to_vtl(seeded.get("responseOverride") or {})}
    )
    request_override = OverrideMap(
        {
            "header": OverrideMap(),
            "querystring": OverrideMap(),
            "path": OverrideMap(),
            **to_vtl(seeded.get("requestOverride") or {}),
        }
    )
    for overrides in (response_override, request_override):
        for part, values in list(overrides.items()):
            if isinstance(values, dict) and not isinstance(values, OverrideMap):
                dict.__setitem__(overrides, part, OverrideMap(values))
        overrides.reset()
    context["responseOverride"] = response_override
    context["requestOverride"] = request_override
    namespace = {
        "input": _Input(request),
        "util": Util(),
        "context": context,
        "stageVariables": to_vtl(request.stage_variables),
    }
    try:
        body = compiled.merge(namespace)
    except airspeed.TemplateExecutionError as error:
        line = template.count("\n", 0, error.start) + 1
        cause = error.__cause__
        raise VtlError(source, line, f"{type(cause).__name__}: {cause}") from error
    for overrides in (response_override, request_override):
        if overrides.overridden_twice():
            # "Overrides are final": API Gateway answers 5XX to a second override.
            raise VtlError(source, 0, "an override was set twice: " + overrides.overridden_twice())
    return Rendered(
        body=body,
        status_override=_status_override(response_override.get("status"), source),
        header_overrides=_string_map(response_override["header"]),
        request_overrides={
            part: _string_map(values)
            for part, values in request_override.items()
            if isinstance(values, Mapping) and values
        },
        context_overrides={
            "responseOverride": _plain(response_override),
            "requestOverride": _plain(request_override),
        },
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def check_syntax(template: str, *, source: str) -> None:
    """Raise VtlError (naming `source` and the line) when `template` does not parse."""
    _compile(template, source)


@functools.lru_cache(maxsize=256)
def _compile(template: str, source: str) -> airspeed.Template:
    compiled = airspeed.Template(template, filename=source)
    try:
        compiled.ensure_compiled()
    except airspeed.TemplateSyntaxError as error:
        raise VtlError(source, error.line, str(error)) from error
    return compiled


def _status_override(value: Any, source: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise VtlError(
            source, 0, f"$context.responseOverride.status is not a status code: {value!r}"
        ) from None


def _string_map(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(name): java_string(value) for name, value in values.items()}


# ---------------------------------------------------------------------------------------------
# $input


class _Input:
    """`$input`: the payload and the method request parameters."""

    def __init__(self, request: VtlRequest) -> None:
        # An empty payload reads as "{}" (so `MessageBody=$input.body` sends `{}`).
        self.body = request.body.decode("utf-8", errors="replace") if request.body else "{}"
        self._request = request

    def _document(self) -> Any:
        # An empty payload reads as an empty object, as in API Gateway.
        if not self.body.strip():
            return {}
        return json.loads(self.body)

    def json(self, path: str = "$") -> str:
        """The JSONPath selection as a JSON string (`""` when nothing matches, as API Gateway)."""
        selected = select_json_path(self._document(), path)
        if selected is MISSING:
            return '""'
        return json.dumps(selected, ensure_ascii=False, separators=(",", ":"))

    def path(self, path: str = "$") -> Any:
        """The JSONPath selection as an object a template can walk (`null` when missing)."""
        selected = select_json_path(self._document(), path)
        return None if selected is MISSING else to_vtl(selected)

    def params(self, name: str | None = None) -> Any:
        """All parameters by location, or one parameter from path, then query, then header."""
        request = self._request
        if name is None:
            return VtlMap(
                {
                    "path": VtlMap(request.path_params),
                    "querystring": VtlMap(request.query),
                    "header": VtlMap(request.headers),
                }
            )
        if name in request.path_params:
            return request.path_params[name]
        if name in request.query:
            return request.query[name]
        # Header names are case-insensitive in HTTP.
        wanted = name.lower()
        for header, value in request.headers.items():
            if header.lower() == wanted:
                return value
        return ""


class _Missing:
    pass


# What select_json_path returns when nothing matches (None is a JSON null).
MISSING: Any = _Missing()

# One step of the JSONPath subset API Gateway templates use: .name, .*, ['name'], [0], [*].
_JSON_PATH_STEP = re.compile(
    r"""\.(?P<name>[^.\[\]]+)|\[\s*(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<index>-?\d+)|(?P<star>\*))\s*\]"""
)


def select_json_path(document: Any, path: str) -> Any:
    """Select `path` ($, .name, ['name'], [n], [*], .*) from `document`; `MISSING` if absent.

    A wildcard step turns the selection into a list of every match.
    """
    if not path.startswith("$"):
        raise ValueError(f"a JSONPath starts with '$': {path!r}")
    matches: list[Any] = [document]
    many = False
    position = 1
    while position < len(path):
        step = _JSON_PATH_STEP.match(path, position)
        if step is None:
            raise ValueError(f"unsupported JSONPath {path!r} at {path[position:]!r}")
        position = step.end()
        key = step.group("name") or step.group("single") or step.group("double")
        if key == "*" or step.group("star"):
            many = True
            matches = [item for match in matches for item in _children(match)]
        elif step.group("index") is not None:
            index = int(step.group("index"))
            matches = [
                match[index]
                for match in matches
                if isinstance(match, list) and -len(match) <= index < len(match)
            ]
        else:
            matches = [match[key] for match in matches if isinstance(match, dict) and key in match]
    if many:
        return matches
    return matches[0] if matches else MISSING


def _children(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        return value.values()
    if isinstance(value, list):
        return value
    return ()
