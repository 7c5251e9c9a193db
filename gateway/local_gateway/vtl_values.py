"""The values a mapping template sees, as API Gateway's Java engine has them.

A JSON object is a java.util.Map (`size()`, `keySet()`, `get()`..., rendered `{a=1, b=true}`), a
JSON array a java.util.List that renders as JSON (`[{"a":1}]`, inside a map too), a list a Java
method made (`keySet()`) renders as `[a, b]`; strings have java.lang.String's methods, and a null
compares equal to "". airspeed (the Velocity engine) gets the last two through its tables,
patched once when this module is imported. All as recorded against API Gateway in
`gateway/tests/corpus/test_vtl.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import airspeed.operators


class VtlMap(dict[str, Any]):
    """A JSON object as a Velocity template sees it: a java.util.Map."""

    def keySet(self) -> JavaList:  # noqa: N802 - Velocity's (Java's) method names
        return JavaList(self.keys())

    def entrySet(self) -> JavaList:  # noqa: N802
        return JavaList(VtlMap({"key": key, "value": value}) for key, value in self.items())

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


class OverrideMap(VtlMap):
    """`$context.responseOverride`/`requestOverride` (or a part): remembers what a template set
    more than once, which API Gateway refuses ("Overrides are final")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set: set[str] = set()
        self._twice: list[str] = []

    def reset(self) -> None:
        self._set.clear()
        self._twice.clear()
        for value in self.values():
            if isinstance(value, OverrideMap):
                value.reset()

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self._set:
            self._twice.append(key)
        self._set.add(key)
        super().__setitem__(key, value)

    def overridden_twice(self) -> str:
        nested = [
            f"{part}.{value.overridden_twice()}"
            for part, value in self.items()
            if isinstance(value, OverrideMap) and value.overridden_twice()
        ]
        return ", ".join(self._twice + nested)


class VtlList(list[Any]):
    """A JSON array as a Velocity template sees it: a java.util.List that renders as JSON."""

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


class JavaList(VtlList):
    """A list a Java method made (`keySet()`...): renders as Java's `[a, b]`, not as JSON."""

    def __str__(self) -> str:
        return "[" + ", ".join(java_string(item) for item in self) + "]"

    toString = __str__  # noqa: N815


def to_vtl(value: Any) -> Any:
    """Plain JSON-like data as Velocity values (maps and lists with Java's methods)."""
    if isinstance(value, Mapping):
        return VtlMap({str(key): to_vtl(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return VtlList(to_vtl(item) for item in value)
    return value


def java_string(value: Any) -> str:
    """How API Gateway renders a value: `null`, `true`, a map as Java's `{a=1}`, a JSON list as
    JSON (`[{"a":1}]`, inside a map too), a list a Java method made as `[a, b]`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JavaList):
        return str(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}={java_string(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


# ---------------------------------------------------------------------------------------------
# The Java engine's semantics the Velocity engine lacks, added to airspeed's tables once.

_JAVA_STRING_METHODS = {
    "toUpperCase": lambda self: self.upper(),
    "toLowerCase": lambda self: self.lower(),
    "trim": lambda self: self.strip(" \t\n\r\x0b\x0c\x00"),
    "isEmpty": lambda self: not self,
    "endsWith": lambda self, suffix: self.endswith(suffix),
    "equals": lambda self, other: self == other,
    "equalsIgnoreCase": lambda self, other: (
        isinstance(other, str) and self.lower() == other.lower()
    ),
    "charAt": lambda self, index: self[index],
    "indexOf": lambda self, text: self.find(text),
    "lastIndexOf": lambda self, text: self.rfind(text),
    "concat": lambda self, other: self + other,
    "toString": lambda self: self,
}
airspeed.operators.__additional_methods__[str].update(_JAVA_STRING_METHODS)


def _null_is_empty(value: Any) -> Any:
    return "" if value is None else value


# A null (an unset reference, a JSON null, a path matching nothing) equals "" in API Gateway.
airspeed.operators.BinaryOperator.OPERATORS.update(
    {
        "==": lambda left, right: _null_is_empty(left) == _null_is_empty(right),
        "eq": lambda left, right: _null_is_empty(left) == _null_is_empty(right),
        "!=": lambda left, right: _null_is_empty(left) != _null_is_empty(right),
        "ne": lambda left, right: _null_is_empty(left) != _null_is_empty(right),
    }
)
