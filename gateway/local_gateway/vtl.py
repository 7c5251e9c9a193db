"""API Gateway mapping templates: Velocity (airspeed) with API Gateway's own variables.

airspeed-ext is the Velocity engine (made for AWS parity: a missing reference renders as an
empty string). It knows nothing of API Gateway, so this module supplies the variables a
mapping template sees — `$input`, `$util`, `$context`, `$stageVariables` — following
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
and reads back what a template set in `$context.responseOverride` and
`$context.requestOverride`.

Values behave as they do in API Gateway's Java engine: maps and lists have `size()`,
`keySet()`, `get()`..., and render as Java does (`{a=1, b=true}`, `[1, 2]`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import airspeed


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


class VtlError(Exception):
    """A template that does not parse or fails to render; the message names source and line."""

    def __init__(self, source: str, line: int, detail: str) -> None:
        super().__init__(f"{source}, line {line}: {detail}")
        self.source = source
        self.line = line
        self.detail = detail


def render(template: str, request: VtlRequest, *, source: str = "<template>") -> Rendered:
    """Render `template` for `request` as API Gateway would; raise VtlError when it cannot."""
    compiled = _compile(template, source)
    context = to_vtl(request.context)
    response_override = _VtlMap({"header": _VtlMap()})
    request_override = _VtlMap({"header": _VtlMap(), "querystring": _VtlMap(), "path": _VtlMap()})
    context["responseOverride"] = response_override
    context["requestOverride"] = request_override
    namespace = {
        "input": _Input(request),
        "util": _Util(),
        "context": context,
        "stageVariables": to_vtl(request.stage_variables),
    }
    try:
        body = compiled.merge(namespace)
    except airspeed.TemplateExecutionError as error:
        line = template.count("\n", 0, error.start) + 1
        cause = error.__cause__
        raise VtlError(source, line, f"{type(cause).__name__}: {cause}") from error
    return Rendered(
        body=body,
        status_override=_status_override(response_override.get("status"), source),
        header_overrides=_string_map(response_override["header"]),
        request_overrides={
            part: _string_map(values) for part, values in request_override.items() if values
        },
    )


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
# Java-like values: what `$input.path`, `$util.parseJson` and `$context` hand to a template.


class _VtlMap(dict[str, Any]):
    """A JSON object as a Velocity template sees it: a java.util.Map."""

    def keySet(self) -> list[str]:  # noqa: N802 - Velocity's (Java's) method names
        return list(self.keys())

    def entrySet(self) -> list[_VtlMap]:  # noqa: N802
        return [_VtlMap({"key": key, "value": value}) for key, value in self.items()]

    def containsKey(self, key: str) -> bool:  # noqa: N802
        return key in self

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def put(self, key: str, value: Any) -> Any:
        previous = self.get(key)
        self[key] = value
        return previous

    def putAll(self, values: Mapping[str, Any]) -> None:  # noqa: N802
        self.update(values)

    def remove(self, key: str) -> Any:
        return self.pop(key, None)

    def toString(self) -> str:  # noqa: N802
        return java_string(self)

    def __str__(self) -> str:
        return java_string(self)


class _VtlList(list[Any]):
    """A JSON array as a Velocity template sees it: a java.util.List."""

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def contains(self, value: Any) -> bool:
        return value in self

    def add(self, value: Any) -> bool:
        self.append(value)
        return True

    def toString(self) -> str:  # noqa: N802
        return java_string(self)

    def __str__(self) -> str:
        return java_string(self)


def to_vtl(value: Any) -> Any:
    """Plain JSON-like data as Velocity values (maps and lists with Java's methods)."""
    if isinstance(value, Mapping):
        return _VtlMap({str(key): to_vtl(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return _VtlList(to_vtl(item) for item in value)
    return value


def java_string(value: Any) -> str:
    """How Java's `String.valueOf` renders a value: `null`, `true`, `{a=1}`, `[1, 2]`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}={java_string(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_string(item) for item in value) + "]"
    return str(value)


# ---------------------------------------------------------------------------------------------
# $input


class _Input:
    """`$input`: the payload and the method request parameters."""

    def __init__(self, request: VtlRequest) -> None:
        self.body = request.body.decode("utf-8", errors="replace")
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
            return _VtlMap(
                {
                    "path": _VtlMap(request.path_params),
                    "querystring": _VtlMap(request.query),
                    "header": _VtlMap(request.headers),
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


# ---------------------------------------------------------------------------------------------
# $util


class _Util:
    """`$util`: the six functions API Gateway offers, with Java's semantics."""

    def escapeJavaScript(self, value: Any) -> str | None:  # noqa: N802
        """Escape with JavaScript string rules (Apache Commons Lang `escapeJavaScript`).

        As the AWS docs warn, a single quote becomes `\\'`, which is not valid JSON.
        """
        if value is None:
            return None
        return escape_javascript(value if isinstance(value, str) else java_string(value))

    def parseJson(self, text: str) -> Any:  # noqa: N802
        return to_vtl(json.loads(text))

    def urlEncode(self, text: str) -> str:  # noqa: N802
        # java.net.URLEncoder: letters, digits and ".-*_" stay; a space becomes "+".
        return urllib.parse.quote_plus(text, safe="*").replace("~", "%7E")

    def urlDecode(self, text: str) -> str:  # noqa: N802
        return urllib.parse.unquote_plus(text)

    def base64Encode(self, text: str) -> str:  # noqa: N802
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def base64Decode(self, text: str) -> str:  # noqa: N802
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
        except binascii.Error as error:
            raise ValueError(f"not base64: {error}") from error


_JAVASCRIPT_ESCAPES = {
    '"': '\\"',
    "'": "\\'",
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\n": "\\n",
    "\t": "\\t",
    "\f": "\\f",
    "\r": "\\r",
}


def escape_javascript(text: str) -> str:
    """Commons Lang 2 `escapeJavaScript`: quotes, backslash, slash, controls, non-ASCII \\uXXXX."""
    escaped: list[str] = []
    for char in text:
        if char in _JAVASCRIPT_ESCAPES:
            escaped.append(_JAVASCRIPT_ESCAPES[char])
        elif " " <= char <= "~":
            escaped.append(char)
        else:
            # Java strings are UTF-16: a character beyond the BMP is two escaped surrogates.
            encoded = char.encode("utf-16-be")
            for offset in range(0, len(encoded), 2):
                unit = int.from_bytes(encoded[offset : offset + 2], "big")
                escaped.append(f"\\u{unit:04X}")
    return "".join(escaped)
